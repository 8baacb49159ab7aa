import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type RunningApp } from "../support/app-server";
import { appDatabaseKind } from "../support/database";
import { HttpClient } from "../support/http-client";
import { answerBody, seedTwoTeams, startRater, TRIALS_PER_SESSION, type SeededTeam } from "./security-fixtures";

// Security: what one rater can do to another rater's session, and what a rater can
// learn by probing. Every refusal is a clear 4xx, and the database afterwards holds exactly the
// answers the legitimate raters gave (checked after the server stops).
describe("rater isolation against the production app", () => {
  let app: RunningApp;
  let first: SeededTeam;
  let second: SeededTeam;
  let legitimateAnswers = 0;

  beforeAll(async () => {
    app = await startApp(appDatabaseKind(), {}, {
      seed: async (db) => {
        ({ first, second } = await seedTwoTeams(db));
      },
    });
  });
  afterAll(async () => {
    await app?.stop();
  });

  it("a rater cannot read another session's trials or images, with or without a session of their own", async () => {
    const alice = await startRater(app, first.studyId);
    const bob = await startRater(app, first.studyId);
    const aliceTrial = alice.session.next!;
    expect(bob.session.id).not.toBe(alice.session.id);

    // Alice's own images work; nobody else gets them, and a stranger's 404 looks like a made-up token's.
    expect((await alice.client.get(aliceTrial.leftUrl)).status).toBe(200);
    const anonymous = new HttpClient(app.url);
    const madeUp = await anonymous.get(`/api/rater/images/${randomBytes(18).toString("base64url")}`);
    for (const client of [bob.client, anonymous]) {
      for (const url of [aliceTrial.leftUrl, aliceTrial.rightUrl]) {
        const response = await client.get(url);
        expect(response.status).toBe(404);
        expect(response.raw).toBe(madeUp.raw);
      }
    }
    // The trial endpoint answers with the caller's own session only; without a cookie it is a 401.
    const bobsView = await bob.client.get(`/api/rater/sessions/current?studyId=${first.studyId}`);
    expect(bobsView.data.session.id).toBe(bob.session.id);
    expect(JSON.stringify(bobsView.data)).not.toContain(aliceTrial.trialId);
    expect((await anonymous.get(`/api/rater/sessions/current?studyId=${first.studyId}`)).status).toBe(401);
    // A forged cookie (a random token under the study's cookie name) is no session either.
    const cookieName = `ctt_rater_${first.studyId.replace(/-/g, "")}`;
    const forged = await anonymous.get(`/api/rater/sessions/current?studyId=${first.studyId}`, { cookie: `${cookieName}=${randomBytes(32).toString("base64url")}` });
    expect(forged.status).toBe(401);
    // Alice's cookie names her session in her study only: in the other study she has none.
    expect((await alice.client.get(`/api/rater/sessions/current?studyId=${second.studyId}`)).status).toBe(401);
    // A rater is not a researcher: the researchers' image route by content hash is closed to her.
    expect((await alice.client.get(`/api/blobs/${first.realSha256}`)).status).toBe(401);
  });

  it("a rater cannot answer another session's trial, in the same study or across studies", async () => {
    const alice = await startRater(app, first.studyId);
    const bob = await startRater(app, first.studyId);
    const carol = await startRater(app, second.studyId);
    const aliceTrialId = alice.session.next!.trialId;
    const missing = await bob.client.post(`/api/rater/trials/${crypto.randomUUID()}/answer`, answerBody("probe-missing-01"));
    for (const intruder of [bob.client, carol.client, new HttpClient(app.url)]) {
      const response = await intruder.post(`/api/rater/trials/${aliceTrialId}/answer`, answerBody(`intrude-${randomBytes(6).toString("hex")}`));
      // Answers exactly like a trial that does not exist: nothing to learn by probing ids.
      expect(response.status).toBe(404);
      expect(response.raw).toBe(missing.raw);
    }
    const state = await alice.client.get(`/api/rater/sessions/current?studyId=${first.studyId}`);
    expect(state.data.session.progress.answered).toBe(0);
  });

  it("guessed image URLs answer 404 and the served images carry nothing that tells real from fake", async () => {
    const rater = await startRater(app, first.studyId);
    const trial = rater.session.next!;
    // Opaque tokens: neither the trial id, nor a content hash, nor a neighbour of a real token works.
    const token = trial.leftUrl.split("/").pop()!;
    const neighbour = token.slice(0, -1) + (token.endsWith("A") ? "B" : "A");
    const guesses = [trial.trialId.replace(/-/g, ""), first.realSha256.slice(0, 64), neighbour, ...Array.from({ length: 20 }, () => randomBytes(18).toString("base64url"))];
    for (const guess of guesses) {
      expect((await rater.client.get(`/api/rater/images/${guess}`)).status).toBe(404);
    }
    // Malformed tokens (path tricks, SQL) are refused by validation, not looked up.
    for (const malformed of ["..%2F..%2Fetc%2Fpasswd", "x' OR '1'='1", "short"]) {
      expect([404, 422]).toContain((await rater.client.get(`/api/rater/images/${malformed}`)).status);
    }
    // The two images of a trial differ only in their bytes: same headers, ETag = the opaque token.
    const [left, right] = await Promise.all([rater.client.get(trial.leftUrl), rater.client.get(trial.rightUrl)]);
    for (const [response, url] of [[left, trial.leftUrl], [right, trial.rightUrl]] as const) {
      expect(response.status).toBe(200);
      expect(response.headers.get("etag")).toBe(`"${url.split("/").pop()}"`);
      expect(response.headers.get("cache-control")).toBe("private, max-age=31536000, immutable");
    }
    const headerNames = (response: typeof left) => [...response.headers.keys()].filter((name) => name !== "date" && name !== "etag" && name !== "content-length").sort();
    expect(headerNames(left)).toEqual(headerNames(right));
    for (const name of headerNames(left)) expect(left.headers.get(name)).toBe(right.headers.get(name));
  });

  it("replayed and forged answers change nothing; the legitimate answer is stored once", async () => {
    const rater = await startRater(app, first.studyId);
    const trial = rater.session.next!;
    const url = `/api/rater/trials/${trial.trialId}/answer`;

    // Forgeries the schema refuses (422): fields that would set the outcome, values out of range,
    // keys with SQL or markup in them.
    const forgeries = [
      { ...answerBody("forged-correct-1"), correct: true },
      { ...answerBody("forged-fooled-1"), fooled: false },
      { ...answerBody("forged-trial-01"), trialId: trial.trialId },
      { ...answerBody("forged-timing-1"), responseTimeMs: -5 },
      { ...answerBody("forged-timing-2"), timing: { ...answerBody("x").timing, exposureLeftMs: 1e12 } },
      answerBody("key'); DELETE FROM \"Response\";--"),
      answerBody("<script>alert(1)</script>"),
      { ...answerBody("forged-side-001"), chosenSide: "both" },
    ];
    for (const forged of forgeries) {
      const response = await rater.client.post(url, forged);
      expect(response.status, JSON.stringify(forged)).toBe(422);
    }
    // None of those stored anything: the genuine answer is still the first.
    const genuine = await rater.client.post(url, answerBody("ok-first-answer", "left"));
    expect(genuine.status).toBe(200);
    expect(genuine.data.replayed).toBe(false);
    legitimateAnswers += 1;
    expect(genuine.data.session.next.position).toBe(1);

    // A replay of the stored answer (same key, same side) is acknowledged again without a second row.
    const replay = await rater.client.post(url, answerBody("ok-first-answer", "left"));
    expect(replay.status).toBe(200);
    expect(replay.data.replayed).toBe(true);
    expect(replay.data.session.progress.answered).toBe(1);
    // The same key with the other side, or another key: the stored answer stands (409).
    expect((await rater.client.post(url, answerBody("ok-first-answer", "right"))).data).toMatchObject({ status: 409, code: "already_answered" });
    expect((await rater.client.post(url, answerBody("another-key-001", "right"))).data).toMatchObject({ status: 409, code: "already_answered" });

    // Another rater replaying this rater's request (same key) against their own trial: refused, and
    // their own answer under a fresh key still works afterwards.
    const other = await startRater(app, first.studyId);
    const stolenKey = await other.client.post(`/api/rater/trials/${other.session.next!.trialId}/answer`, answerBody("ok-first-answer", "left"));
    expect(stolenKey.status).toBe(409);
    expect((await other.client.post(`/api/rater/trials/${other.session.next!.trialId}/answer`, answerBody("others-own-key-1", "right"))).status).toBe(200);
    legitimateAnswers += 1;

    const state = await rater.client.get(`/api/rater/sessions/current?studyId=${first.studyId}`);
    expect(state.data.session.progress).toMatchObject({ answered: 1, total: TRIALS_PER_SESSION });
  });

  it("afterwards the database holds exactly the legitimate answers", async () => {
    const stored = await app.inspectAfterStop(async (db) => db.response.findMany({ select: { idempotencyKey: true, chosenSide: true } }));
    expect(stored.map((row) => row.idempotencyKey).sort()).toEqual(["ok-first-answer", "others-own-key-1"]);
    expect(stored).toHaveLength(legitimateAnswers);
    expect(stored.find((row) => row.idempotencyKey === "ok-first-answer")?.chosenSide).toBe("left");
  });
});
