import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, databaseKinds, type TestDatabase } from "../support/database";
import { seedStudy } from "../support/seed-study";
import { startOrResumeSession } from "@/lib/study/start-session";
import type { AnswerInput } from "@/lib/contract/rater-api";
import { answerTrial, exposureMissed } from "@/lib/study/answers";
import { buildSessionState } from "@/lib/study/session-state";
import { protocolSchema } from "@/lib/contract/protocol";

const timing = { frameIntervalMs: 16.7, exposureLeftMs: 1000, exposureRightMs: 1001, onsets: {}, offsets: {}, flagged: false };
const answer = (key: string, chosenSide: "left" | "right"): AnswerInput => ({ idempotencyKey: key, chosenSide, responseTimeMs: 700, timing });

describe.each(databaseKinds())("answers on %s", (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await database?.drop();
  });

  it("stores each answer once, replays retries, refuses out-of-order, double, foreign and closed-study answers", async () => {
    const db = database.db;
    const seeded = await seedStudy(db, { stimuli: 8, methods: ["full"], protocol: { practiceTrials: 2, testTrials: 4, vigilanceShare: 0.25 } });
    const start = async (pid: string) => startOrResumeSession(db, { studyId: seeded.study.id, params: { PROLIFIC_PID: pid }, existingToken: undefined, userAgent: null, screen: null });
    const mine = await start("p1");
    const theirs = await start("p2");
    const session = { id: mine.sessionId, studyId: seeded.study.id };
    const trials = await db.trial.findMany({ where: { sessionId: mine.sessionId }, orderBy: { position: "asc" } });
    const theirTrial = await db.trial.findFirstOrThrow({ where: { sessionId: theirs.sessionId } });

    await expect(answerTrial(db, session, theirTrial.id, answer("key-foreign-1", "left"))).rejects.toMatchObject({ code: "not_found" });
    await expect(answerTrial(db, session, trials[1]!.id, answer("key-order-01", "left"))).rejects.toMatchObject({ code: "out_of_order" });

    const first = trials[0]!;
    const realSide = first.realOnLeft ? "left" : "right";
    const stored = await answerTrial(db, session, first.id, answer("key-first-01", realSide));
    expect(stored.feedback).toEqual({ correct: true, realSide }); // practice: feedback after the answer
    const [replayA, replayB] = await Promise.all([
      answerTrial(db, session, first.id, answer("key-first-01", realSide)),
      answerTrial(db, session, first.id, answer("key-first-01", realSide)),
    ]);
    expect(replayA.replayed && replayB.replayed).toBe(true);
    await expect(answerTrial(db, session, first.id, answer("key-other-01", realSide))).rejects.toMatchObject({ code: "already_answered" });
    expect(await db.response.count({ where: { trialId: first.id } })).toBe(1);

    // Concurrent deliveries of the same answer to the next trial: stored exactly once.
    const second = trials[1]!;
    const racing = await Promise.allSettled(Array.from({ length: 5 }, () => answerTrial(db, session, second.id, answer("key-second-1", "left"))));
    expect(racing.filter((result) => result.status === "rejected").map((result) => String((result as PromiseRejectedResult).reason))).toEqual([]);
    expect(await db.response.count({ where: { trialId: second.id } })).toBe(1);

    // Test trials give no feedback; the last answer completes the session.
    for (const trial of trials.slice(2)) {
      const result = await answerTrial(db, session, trial.id, answer(`key-${trial.position}-abcdef`, "right"));
      expect(result.feedback).toBeNull();
    }
    const state = await buildSessionState(db, mine.sessionId);
    expect(state.status).toBe("completed");
    expect(state.completion?.redirectUrl).toBe("https://app.prolific.com/submissions/complete?cc=SEEDCODE42");
    const responses = await db.response.findMany({ where: { trial: { sessionId: mine.sessionId } }, include: { trial: true } });
    expect(responses).toHaveLength(trials.length);
    for (const response of responses) {
      expect(response.correct).toBe((response.chosenSide === "left") === response.trial.realOnLeft);
      expect(response.fooled).toBe(!response.correct);
    }

    await db.study.update({ where: { id: seeded.study.id }, data: { status: "closed" } });
    const theirFirst = await db.trial.findFirstOrThrow({ where: { sessionId: theirs.sessionId, position: 0 } });
    await expect(answerTrial(db, { id: theirs.sessionId, studyId: seeded.study.id }, theirFirst.id, answer("key-closed-1", "left"))).rejects.toMatchObject({ code: "study_closed" });
    expect(await db.response.count({ where: { trial: { sessionId: theirs.sessionId } } })).toBe(0);
  });
});

describe("exposure check", () => {
  const protocol = protocolSchema.parse({});
  it("flags an exposure that missed its duration by more than one frame", () => {
    // More than one frame late (1.5 frames, the browser's margin against timestamp jitter).
    expect(exposureMissed(protocol, { ...timing, exposureLeftMs: 1016.7 })).toBe(false);
    expect(exposureMissed(protocol, { ...timing, exposureLeftMs: 1033.4 })).toBe(true);
    expect(exposureMissed(protocol, { ...timing, exposureLeftMs: 966.6 })).toBe(true);
    expect(exposureMissed(protocol, { ...timing, exposureRightMs: null })).toBe(true);
    expect(exposureMissed(protocolSchema.parse({ presentation: { mode: "unlimited" } }), { ...timing, exposureLeftMs: null })).toBe(false);
  });
});
