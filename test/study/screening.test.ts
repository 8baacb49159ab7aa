import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AnswerInput } from "@/lib/contract/rater-api";
import { writeMethodsParagraph } from "@/lib/results/methods-paragraph";
import { computeStudyResults } from "@/lib/results/study-results";
import { readRecruiterLedger } from "@/lib/results/recruiter-ledger";
import { readTrialPage } from "@/lib/results/trial-export";
import { answerTrial } from "@/lib/study/answers";
import type { ProtocolInput } from "@/lib/contract/protocol";
import { startOrResumeSession } from "@/lib/study/start-session";
import { getScreening, submitScreening } from "@/lib/study/screening";
import { buildSessionState } from "@/lib/study/session-state";
import { createTestDatabase, databaseKinds, type TestDatabase } from "../support/database";
import { observerAnswers } from "../support/screening-observer";
import { seedStudy } from "../support/seed-study";

const timing = { frameIntervalMs: 16.7, exposureLeftMs: 1000, exposureRightMs: 1001, onsets: {}, offsets: {}, flagged: false };
const answer = (key: string): AnswerInput => ({ idempotencyKey: key, chosenSide: "left", responseTimeMs: 700, timing });
const LARGE_WINDOW = { width: 1280, height: 800 };

describe.each(databaseKinds())("screening on %s", (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await database?.drop();
  });

  const screeningProtocol = (onFail: "end" | "flag"): ProtocolInput => ({
    practiceTrials: 1,
    testTrials: 2,
    vigilanceShare: 0,
    presentation: { mode: "unlimited" },
    // The test answers at machine speed: the pace and timing rules would exclude every session.
    exclusion: { maxVigilanceFailures: 1, maxTimingFlaggedShare: 1, maxTooFastAnswers: 10 },
    screening: { colourVision: true, display: true, onFail, screenedOutUrl: "https://app.prolific.com/submissions/complete?cc=SCREENOUT" },
  });

  async function startSession(studyId: string, pid: string) {
    const started = await startOrResumeSession(database.db, { studyId, params: { PROLIFIC_PID: pid }, existingToken: undefined, userAgent: null, screen: null });
    return started.sessionId;
  }

  it("passes normal vision, ends a protan observer with Prolific's screened-out link, and refuses answers before the screening", async () => {
    const db = database.db;
    const seeded = await seedStudy(db, { stimuli: 4, methods: ["full"], protocol: screeningProtocol("end") });

    const normal = await startSession(seeded.study.id, "normal-1");
    expect((await buildSessionState(db, normal)).screening).toBe("pending");
    const firstTrial = await db.trial.findFirstOrThrow({ where: { sessionId: normal }, orderBy: { position: "asc" } });
    await expect(answerTrial(db, { id: normal, studyId: seeded.study.id }, firstTrial.id, answer("before-screen"))).rejects.toMatchObject({ code: "screening_pending" });

    const view = await getScreening(db, normal);
    expect(view.plates).toHaveLength(1 + 3 * 3);
    expect(view.displayChecks).toHaveLength(5);
    // The drawing names no answer: no figure, no axis, no dot membership.
    expect(JSON.stringify(view)).not.toMatch(/"figure"|"axis"|"onFigure"|"oddTile"/);
    // A second fetch draws the same plates (the seed is stored once).
    expect(await getScreening(db, normal)).toEqual(view);

    const passed = await submitScreening(db, normal, { ...observerAnswers(view, "normal"), viewport: LARGE_WINDOW });
    expect(passed).toMatchObject({ status: "active", screening: "passed", screenedOut: null });
    expect(passed.next?.phase).toBe("practice");
    await answerTrial(db, { id: normal, studyId: seeded.study.id }, firstTrial.id, answer("after-screen"));

    const protan = await startSession(seeded.study.id, "protan-1");
    const protanView = await getScreening(db, protan);
    const ended = await submitScreening(db, protan, { ...observerAnswers(protanView, "protan"), viewport: LARGE_WINDOW });
    expect(ended).toMatchObject({ status: "screened_out", screening: "screened_out", next: null });
    expect(ended.screenedOut).toEqual({ redirectUrl: "https://app.prolific.com/submissions/complete?cc=SCREENOUT", recruiter: "prolific" });
    const row = await db.raterScreening.findUniqueOrThrow({ where: { sessionId: protan } });
    expect(row).toMatchObject({ outcome: "screened_out", protanFailed: true, deutanFailed: false, tritanFailed: false, controlFailed: false, displayFailed: false, windowFits: true });
    // Its trials leave the balance; the session stays, recorded as screened out.
    expect(await db.trial.count({ where: { sessionId: protan } })).toBe(0);
    expect((await db.raterSession.findUniqueOrThrow({ where: { id: protan } })).status).toBe("screened_out");
    // Scored once: a repeated delivery, even with other answers, changes nothing.
    const again = await submitScreening(db, protan, { ...observerAnswers(protanView, "normal"), viewport: LARGE_WINDOW });
    expect(again.status).toBe("screened_out");
    await expect(getScreening(db, protan)).rejects.toMatchObject({ code: "screened_out" });
    // The ledger never suggests rejecting a screened-out participant.
    const ledger = await readRecruiterLedger(db, seeded.study.id);
    expect(ledger.find((entry) => entry.sessionId === protan)).toMatchObject({ completed: false, decision: "screened-out", rejectReason: null });
  });

  it("keeps and flags a failing rater when the protocol says flag; judges the window and every display check itself", async () => {
    const db = database.db;
    const seeded = await seedStudy(db, { stimuli: 4, methods: ["full"], protocol: screeningProtocol("flag") });

    const deutan = await startSession(seeded.study.id, "deutan-1");
    const flagged = await submitScreening(db, deutan, { ...observerAnswers(await getScreening(db, deutan), "deutan"), viewport: LARGE_WINDOW });
    expect(flagged).toMatchObject({ status: "active", screening: "flagged", screenedOut: null });
    expect(flagged.next?.phase).toBe("practice");
    expect(await db.raterScreening.findUniqueOrThrow({ where: { sessionId: deutan } })).toMatchObject({ outcome: "flagged", deutanFailed: true, protanFailed: false });

    // Normal colour vision in a window too small for two 256 px photos: flagged for the window only.
    const small = await startSession(seeded.study.id, "small-window");
    await submitScreening(db, small, { ...observerAnswers(await getScreening(db, small), "normal"), viewport: { width: 400, height: 300 } });
    expect(await db.raterScreening.findUniqueOrThrow({ where: { sessionId: small } })).toMatchObject({ outcome: "flagged", windowFits: false, displayFailed: false, protanFailed: false });

    // A grayscale screen: the saturated-colour tiles all look alike, so the rater sees no difference.
    const grey = await startSession(seeded.study.id, "grayscale");
    const greyAnswers = observerAnswers(await getScreening(db, grey), "normal");
    await submitScreening(db, grey, { plates: greyAnswers.plates, display: greyAnswers.display.map((tile, index) => (index >= 2 ? null : tile)), viewport: LARGE_WINDOW });
    expect(await db.raterScreening.findUniqueOrThrow({ where: { sessionId: grey } })).toMatchObject({ outcome: "flagged", displayFailed: true });

    // The results count the outcomes and give fool rates with and without the flagged raters.
    const normal = await startSession(seeded.study.id, "normal-2");
    await submitScreening(db, normal, { ...observerAnswers(await getScreening(db, normal), "normal"), viewport: LARGE_WINDOW });
    const answerAll = async (sessionId: string, side: (realOnLeft: boolean) => "left" | "right") => {
      for (const trial of await db.trial.findMany({ where: { sessionId }, orderBy: { position: "asc" } })) {
        await answerTrial(db, { id: sessionId, studyId: seeded.study.id }, trial.id, { ...answer(`k-${trial.id}`), chosenSide: side(trial.realOnLeft) });
      }
    };
    await answerAll(deutan, (realOnLeft) => (realOnLeft ? "right" : "left")); // always fooled
    await answerAll(normal, (realOnLeft) => (realOnLeft ? "left" : "right")); // never fooled
    const results = await computeStudyResults(db, seeded.study.id);
    expect(results.screening).toEqual({
      screened: 4,
      passed: 1,
      flagged: 3,
      screenedOut: 0,
      failed: { protan: 0, deutan: 1, tritan: 0, control: 0, display: 1, window: 1 },
      tested: { colourVision: 4, display: 4 },
    });
    expect(results.raters.find((rater) => rater.sessionId === deutan)).toMatchObject({ screening: "flagged", disposition: "included" });
    const full = results.methods.find((method) => method.name === "full");
    expect(full?.used).toMatchObject({ sessions: 2, trials: 4, fooled: 2 });
    // The CSV carries the outcome and the parts failed on every trial of the rater.
    const rows = await readTrialPage(db, seeded.study.id, null);
    expect(new Set(rows.filter((row) => row.sessionId === deutan).map((row) => `${row.screening}:${row.screeningFailed}`))).toEqual(new Set(["flagged:deutan"]));
    expect(new Set(rows.filter((row) => row.sessionId === small).map((row) => `${row.screening}:${row.screeningFailed}`))).toEqual(new Set(["flagged:window"]));
    expect(new Set(rows.filter((row) => row.sessionId === normal).map((row) => `${row.screening}:${row.screeningFailed}`))).toEqual(new Set(["passed:null"]));
    expect(results.withoutFlagged?.flaggedSessions).toBe(1);
    const paragraph = writeMethodsParagraph(results);
    expect(paragraph).toContain("raters who failed were kept and flagged. Of 4 raters screened, 1 passed, 3 were flagged and 0 screened out.");
    expect(paragraph).toContain("Fool rates without the 1 flagged rater: full 0.0%.");
    expect(results.withoutFlagged?.methods.find((method) => method.name === "full")?.used).toMatchObject({ sessions: 1, trials: 2, fooled: 0 });
  });

  it("refuses answers the page cannot have drawn, and a screening never handed out", async () => {
    const db = database.db;
    const seeded = await seedStudy(db, { stimuli: 4, methods: ["full"], protocol: screeningProtocol("end") });
    const session = await startSession(seeded.study.id, "forger");
    await expect(submitScreening(db, session, { plates: [], display: [], viewport: LARGE_WINDOW })).rejects.toMatchObject({ code: "out_of_order" });
    const view = await getScreening(db, session);
    const honest = observerAnswers(view, "normal");
    await expect(submitScreening(db, session, { ...honest, plates: honest.plates.slice(1), viewport: LARGE_WINDOW })).rejects.toMatchObject({ code: "invalid_screening_answer" });
    await expect(submitScreening(db, session, { ...honest, plates: honest.plates.map(() => "passed"), viewport: LARGE_WINDOW })).rejects.toMatchObject({ code: "invalid_screening_answer" });
    expect((await db.raterScreening.findUniqueOrThrow({ where: { sessionId: session } })).outcome).toBeNull();
  });
});
