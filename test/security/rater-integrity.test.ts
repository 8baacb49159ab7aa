import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type RunningApp } from "../support/app-server";
import { appDatabaseKind } from "../support/database";
import { HttpClient } from "../support/http-client";
import { hashPassword } from "@/lib/auth/password";
import { seedStudy } from "../support/seed-study";
import { answerBody, PASSWORD, seedTwoTeams, signIn, SMALL_PROTOCOL, startRater, TRIALS_PER_SESSION, type RaterSessionState, type SeededTeam } from "./security-fixtures";

// 10 s, 5 s blank, 10 s: at least 24.85 s per trial by the server's clock. The bound starts when
// the previous answer arrived, so a slow (loaded) server only makes the check more lenient; a
// long presentation keeps the rushed session well inside it however slow the test machine is.
const SLOW_PROTOCOL = { ...SMALL_PROTOCOL, presentation: { mode: "sequential", exposureMs: 10_000, blankMs: 5_000 } } as const;
const SLOW_MINIMUM_MS = 24_850;

// Rater integrity against the production app: answers the server can believe (its own clock),
// a completion code per session and the recruiter ledger, participant ids compared normalised,
// text the database cannot store refused at the edge, recruiter URLs limited to http(s), and the
// security headers of every response.
describe("rater integrity against the production app", () => {
  let app: RunningApp;
  let first: SeededTeam;
  let slow: { studyId: string; email: string };

  beforeAll(async () => {
    app = await startApp(appDatabaseKind(), {}, {
      seed: async (db) => {
        ({ first } = await seedTwoTeams(db));
        const seeded = await seedStudy(db, { stimuli: 8, methods: ["full"], protocol: SLOW_PROTOCOL });
        await db.researcher.update({ where: { id: seeded.researcher.id }, data: { passwordHash: await hashPassword(PASSWORD) } });
        slow = { studyId: seeded.study.id, email: seeded.researcher.email };
      },
    });
  });
  afterAll(async () => {
    await app?.stop();
  });

  /** Answers every trial at once, whatever the protocol shows. */
  async function rushThrough(client: HttpClient, session: RaterSessionState, label: string) {
    let state = session;
    for (let index = 0; index < TRIALS_PER_SESSION; index++) {
      const response = await client.post(`/api/rater/trials/${state.next!.trialId}/answer`, answerBody(`${label}-answer-${index}`));
      expect(response.status, JSON.stringify(response.data)).toBe(200);
      state = response.data.session;
    }
    return state as RaterSessionState & { completion: { code: string; redirectUrl: string | null; mturkSubmit?: { action: string } } };
  }

  it("a whole session posted faster than the presentation allows is flagged and excluded; the ledger says why", async () => {
    const { client, session } = await startRater(app, slow.studyId, { PROLIFIC_PID: "rushed00000000000000000a" });
    const done = await rushThrough(client, session, "rushed");
    expect(done.status).toBe("completed");

    const researcher = await signIn(app, slow.email);
    const exported = await researcher.get(`/api/studies/${slow.studyId}/export?format=json`);
    expect(exported.status).toBe(200);
    const rater = exported.data.raters.find((row: { sessionId: string }) => row.sessionId === session.id);
    expect(rater).toMatchObject({ status: "completed", disposition: "excluded", timingFlagged: rater.analysableTrials });
    expect(rater.reasons).toContain("pace");
    expect(exported.data.sessions.excludedByReason.pace).toBe(1);

    const csv = await researcher.get(`/api/studies/${slow.studyId}/export?format=csv`);
    const header = csv.raw.split("\r\n")[0]!.split(",");
    const rows = csv.raw.trim().split("\r\n").slice(1).map((line) => line.split(","));
    const mine = rows.filter((row) => row[header.indexOf("session")] === session.id);
    expect(mine).toHaveLength(TRIALS_PER_SESSION);
    expect(mine.every((row) => row[header.indexOf("too_fast")] === "TRUE" && row[header.indexOf("timing_flagged")] === "TRUE")).toBe(true);
    expect(mine.every((row) => Number(row[header.indexOf("server_elapsed_ms")]) < SLOW_MINIMUM_MS)).toBe(true);

    const ledger = await researcher.get(`/api/studies/${slow.studyId}/ledger?recruiter=prolific`);
    expect(ledger.status).toBe(200);
    expect(ledger.headers.get("content-type")).toMatch(/^text\/csv/);
    const lines = ledger.raw.trim().split("\r\n");
    expect(lines[0]).toBe("participant_id,study_id,session_id,ctt_session,completed,completion_code,excluded,exclusion_reason,started_at,completed_at,decision,reject_reason");
    const row = lines.find((line) => line.startsWith("rushed00000000000000000a,"));
    expect(row).toContain(`,${session.id},TRUE,${done.completion.code},TRUE,`);
    expect(row).toMatch(/,reject,Answered faster than the images were shown\.$/);
  });

  it("each completed session gets its own code, kept with its participant id in the ledger; Prolific's redirect keeps the study's code", async () => {
    const prolific = await startRater(app, first.studyId, { PROLIFIC_PID: "codes000000000000000000a", STUDY_ID: "s1", SESSION_ID: "x1" });
    const mturk = await startRater(app, first.studyId, { workerId: "A1CODESWORKER", assignmentId: "ASSIGN1", hitId: "HIT1", turkSubmitTo: "https://workersandbox.mturk.com" });
    const plain = await startRater(app, first.studyId);
    const codes = [
      (await rushThrough(prolific.client, prolific.session, "code-p")).completion,
      (await rushThrough(mturk.client, mturk.session, "code-m")).completion,
      (await rushThrough(plain.client, plain.session, "code-l")).completion,
    ];
    expect(new Set(codes.map((completion) => completion.code)).size).toBe(3);
    expect(codes.every((completion) => /^[A-HJ-NP-Z2-9]{10}$/.test(completion.code) && completion.code !== "SEEDCODE42")).toBe(true);
    expect(codes[0]!.redirectUrl).toBe("https://app.prolific.com/submissions/complete?cc=SEEDCODE42");
    expect(codes[1]!.mturkSubmit?.action).toBe("https://workersandbox.mturk.com/mturk/externalSubmit");

    const researcher = await signIn(app, first.email);
    const mturkLedger = (await researcher.get(`/api/studies/${first.studyId}/ledger?recruiter=mturk`)).raw.trim().split("\r\n");
    expect(mturkLedger[0]).toBe("AssignmentId,WorkerId,HITId,ctt_session,completed,completion_code,excluded,exclusion_reason,started_at,completed_at,Approve,Reject");
    expect(mturkLedger.find((line) => line.startsWith("ASSIGN1,A1CODESWORKER,HIT1,"))).toContain(`,TRUE,${codes[1]!.code},`);
    const linkLedger = (await researcher.get(`/api/studies/${first.studyId}/ledger?recruiter=link`)).raw;
    expect(linkLedger).toContain(`${plain.session.id},TRUE,${codes[2]!.code},`);
    expect(linkLedger).not.toContain("codes000000000000000000a");
    // The ledger is the study team's only.
    expect((await new HttpClient(app.url).get(`/api/studies/${first.studyId}/ledger`)).status).toBe(401);
  });

  it("a Prolific id in another case or with spaces is the same participant", async () => {
    await startRater(app, first.studyId, { PROLIFIC_PID: "5f00aaaabbbbccccddddeeee" });
    for (const variant of ["5F00AAAABBBBCCCCDDDDEEEE", " 5f00aaaabbbbccccddddeeee", "5f00aaaabbbbccccddddeeee ", "\u00a05f00aaaabbbbccccddddeeee"]) {
      const response = await new HttpClient(app.url).post("/api/rater/sessions", { studyId: first.studyId, params: { PROLIFIC_PID: variant }, screen: null });
      expect(response.status, JSON.stringify(variant)).toBe(409);
      expect(response.data.code).toBe("already_participated");
    }
    const worker = await new HttpClient(app.url).post("/api/rater/sessions", { studyId: first.studyId, params: { workerId: "A2SAMEWORKER" }, screen: null });
    expect(worker.status).toBe(201);
    const again = await new HttpClient(app.url).post("/api/rater/sessions", { studyId: first.studyId, params: { workerId: "a2sameworker " }, screen: null });
    expect(again.status).toBe(409);
  });

  it("NUL and unpaired surrogates are refused with 422 at the edge, signed in or not", async () => {
    const send = (client: HttpClient, method: string, path: string, rawJson: string) =>
      client.request(method, path, { body: rawJson, headers: { "content-type": "application/json" } });
    const anonymous = new HttpClient(app.url);
    for (const bad of ["\\u0000", "\\ud800", "x\\udc00y"]) {
      for (const key of ["PROLIFIC_PID", "workerId"]) {
        const response = await send(anonymous, "POST", "/api/rater/sessions", `{"studyId":"${first.studyId}","params":{"${key}":"p${bad}"},"screen":null}`);
        expect(response.status, `${key} ${bad}`).toBe(422);
        expect(response.data.code).toBe("unstorable_text");
      }
      const researcher = await signIn(app, first.email);
      expect((await send(researcher, "POST", "/api/studies", `{"name":"Study ${bad}"}`)).status).toBe(422);
      expect((await send(researcher, "PATCH", `/api/studies/${first.studyId}`, `{"protocol":{"instructions":"Look ${bad}"}}`)).status).toBe(422);
      expect((await send(researcher, "POST", `/api/studies/${first.studyId}/methods`, `{"kind":"baseline","baseline":"gray","name":"Gray ${bad}"}`)).status).toBe(422);
    }
    // A surrogate pair (an emoji) is fine.
    const emoji = await send(anonymous, "POST", "/api/rater/sessions", `{"studyId":"${first.studyId}","params":{"PROLIFIC_PID":"emoji\\ud83d\\ude00"},"screen":null}`);
    expect(emoji.status).toBe(201);
  });

  it("only http(s) completion URLs are stored, and only MTurk's https hosts reach the submit form", async () => {
    const researcher = await signIn(app, first.email);
    for (const url of ["javascript:alert(1)", "data:text/html,<b>x</b>", "file:///etc/passwd"]) {
      const response = await researcher.request("POST", "/api/studies", { json: { name: "Scheme check", protocol: { prolificCompletionUrl: url } } });
      expect(response.status, url).toBe(422);
    }
    expect((await researcher.request("POST", "/api/studies", { json: { name: "Scheme ok", protocol: { prolificCompletionUrl: "https://app.prolific.com/submissions/complete" } } })).status).toBe(201);
    for (const turkSubmitTo of ["ftp://www.mturk.com", "javascript://www.mturk.com/%0aalert(1)", "http://www.mturk.com"]) {
      const { client, session } = await startRater(app, first.studyId, { workerId: `W${turkSubmitTo.length}${turkSubmitTo.charCodeAt(0)}`, assignmentId: "A", hitId: "H", turkSubmitTo });
      const done = await rushThrough(client, session, `scheme-${turkSubmitTo.length}`);
      expect(done.completion.mturkSubmit, turkSubmitTo).toBeUndefined();
    }
  });

  it("every response carries the security headers; only the rater page may be framed, by MTurk", async () => {
    const researcher = await signIn(app, first.email);
    for (const path of [`/studies/${first.studyId}`, `/studies/${first.studyId}/dashboard`, "/sign-in", "/api/health", `/api/studies/${first.studyId}`]) {
      const response = await researcher.get(path);
      expect(response.headers.get("content-security-policy"), path).toMatch(/frame-ancestors 'none'/);
      expect(response.headers.get("x-frame-options"), path).toBe("DENY");
      expect(response.headers.get("x-content-type-options"), path).toBe("nosniff");
      expect(response.headers.get("referrer-policy"), path).toBe("same-origin");
    }
    const raterPage = await new HttpClient(app.url).get(`/s/${first.studyId}`);
    expect(raterPage.status).toBe(200);
    expect(raterPage.headers.get("content-security-policy")).toMatch(/frame-ancestors 'self' https:\/\/www\.mturk\.com https:\/\/workersandbox\.mturk\.com/);
    expect(raterPage.headers.get("content-security-policy")).toMatch(/default-src 'self'/);
    expect(raterPage.headers.get("x-frame-options")).toBeNull();
  });
});
