import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { screeningViewSchema, type ScreeningView } from "@/lib/contract/screening-api";
import type { ProtocolInput } from "@/lib/contract/protocol";
import { startApp, type RunningApp } from "../support/app-server";
import { appDatabaseKind } from "../support/database";
import { HttpClient } from "../support/http-client";
import { observerAnswers } from "../support/screening-observer";
import { seedStudy } from "../support/seed-study";

// The screening API over HTTP against the production build: the page gets drawings, the server
// scores the chosen options from the seed it keeps, and applies the protocol's rule.
const SCREENED_OUT_URL = "https://app.prolific.com/submissions/complete?cc=SCREENOUT";
const protocol = (onFail: "end" | "flag"): ProtocolInput => ({
  practiceTrials: 1,
  testTrials: 2,
  vigilanceShare: 0,
  screening: { colourVision: true, display: true, onFail, screenedOutUrl: SCREENED_OUT_URL },
});
const VIEWPORT = { width: 1280, height: 800 };
const timing = { frameIntervalMs: 16.7, exposureLeftMs: 1000, exposureRightMs: 1000, onsets: {}, offsets: {}, flagged: false };

describe("rater screening API over HTTP", () => {
  let app: RunningApp;
  const studies = { end: "", flag: "" };

  beforeAll(async () => {
    app = await startApp(appDatabaseKind(), {}, {
      seed: async (db) => {
        studies.end = (await seedStudy(db, { stimuli: 4, methods: ["full"], protocol: protocol("end") })).study.id;
        studies.flag = (await seedStudy(db, { stimuli: 4, methods: ["full"], protocol: protocol("flag") })).study.id;
      },
    });
  });
  afterAll(async () => {
    await app?.stop();
  });

  async function start(studyId: string, pid: string) {
    const client = new HttpClient(app.url);
    const started = await client.post("/api/rater/sessions", { studyId, params: { PROLIFIC_PID: pid, STUDY_ID: "s", SESSION_ID: pid }, screen: { width: 1280, height: 800, devicePixelRatio: 1 } });
    expect(started.status).toBeLessThan(300);
    return { client, session: started.data.session };
  }
  async function screening(client: HttpClient, studyId: string): Promise<ScreeningView> {
    const response = await client.get(`/api/rater/screening?studyId=${studyId}`);
    expect(response.status).toBe(200);
    return screeningViewSchema.parse(response.data.screening);
  }

  it("holds a new rater at the screening, passes normal vision and ends a protan observer on Prolific's screened-out path", async () => {
    const { client, session } = await start(studies.end, "normal-api");
    expect(session).toMatchObject({ status: "active", screening: "pending" });
    const answerEarly = await client.post(`/api/rater/trials/${session.next.trialId}/answer`, { idempotencyKey: "early-answer-1", chosenSide: "left", responseTimeMs: 900, timing });
    expect(answerEarly.status).toBe(409);
    expect(answerEarly.data.code).toBe("screening_pending");

    const view = await screening(client, studies.end);
    expect(view.plates).toHaveLength(10);
    expect(view.window).toEqual({ check: true, stimulusSize: 256, presentation: "paired" });
    expect(JSON.stringify(view)).not.toMatch(/"figure"|"axis"|"onFigure"|"oddTile"/);
    const passed = await client.post(`/api/rater/screening?studyId=${studies.end}`, { ...observerAnswers(view, "normal"), viewport: VIEWPORT });
    expect(passed.status).toBe(200);
    expect(passed.data.session).toMatchObject({ status: "active", screening: "passed", screenedOut: null });
    const answer = await client.post(`/api/rater/trials/${session.next.trialId}/answer`, { idempotencyKey: "after-screen-1", chosenSide: "left", responseTimeMs: 900, timing });
    expect(answer.status).toBe(200);

    const protan = await start(studies.end, "protan-api");
    const protanView = await screening(protan.client, studies.end);
    const ended = await protan.client.post(`/api/rater/screening?studyId=${studies.end}`, { ...observerAnswers(protanView, "protan"), viewport: VIEWPORT });
    expect(ended.status).toBe(200);
    expect(ended.data.session).toMatchObject({ status: "screened_out", screening: "screened_out", next: null, completion: null });
    expect(ended.data.session.screenedOut).toEqual({ redirectUrl: SCREENED_OUT_URL, recruiter: "prolific" });
    // Ended: no more screening, no trials to answer, and the state survives a reload.
    expect((await protan.client.get(`/api/rater/screening?studyId=${studies.end}`)).data.code).toBe("screened_out");
    expect((await protan.client.post(`/api/rater/trials/${protan.session.next.trialId}/answer`, { idempotencyKey: "after-end-01", chosenSide: "left", responseTimeMs: 900, timing })).status).toBe(404);
    expect((await protan.client.get(`/api/rater/sessions/current?studyId=${studies.end}`)).data.session.status).toBe("screened_out");
  });

  it("keeps and flags a failing rater when the protocol says flag", async () => {
    const { client } = await start(studies.flag, "tritan-api");
    const view = await screening(client, studies.flag);
    const flagged = await client.post(`/api/rater/screening?studyId=${studies.flag}`, { ...observerAnswers(view, "tritan"), viewport: VIEWPORT });
    expect(flagged.status).toBe(200);
    expect(flagged.data.session).toMatchObject({ status: "active", screening: "flagged", screenedOut: null });
    expect(flagged.data.session.next.phase).toBe("practice");
  });

  it("never takes the page's word: a verdict in the body, options that were not offered, and wrong counts are refused", async () => {
    const { client } = await start(studies.end, "forger-api");
    const beforeFetch = await client.post(`/api/rater/screening?studyId=${studies.end}`, { plates: [], display: [], viewport: VIEWPORT });
    expect(beforeFetch.status).toBe(409);
    const view = await screening(client, studies.end);
    // A protan observer's answers with a verdict attached: the strict schema refuses the body.
    const protan = observerAnswers(view, "protan");
    const verdict = await client.post(`/api/rater/screening?studyId=${studies.end}`, { ...protan, viewport: VIEWPORT, passed: true });
    expect(verdict.status).toBe(422);
    const notOffered = await client.post(`/api/rater/screening?studyId=${studies.end}`, { ...protan, plates: protan.plates.map(() => "passed"), viewport: VIEWPORT });
    expect(notOffered.status).toBe(422);
    expect(notOffered.data.code).toBe("invalid_screening_answer");
    const tooFew = await client.post(`/api/rater/screening?studyId=${studies.end}`, { ...protan, display: protan.display.slice(1), viewport: VIEWPORT });
    expect(tooFew.data.code).toBe("invalid_screening_answer");
    // After the refusals the honest (protan) answers are scored as what they are.
    const scored = await client.post(`/api/rater/screening?studyId=${studies.end}`, { ...protan, viewport: VIEWPORT });
    expect(scored.data.session.status).toBe("screened_out");
  });
});
