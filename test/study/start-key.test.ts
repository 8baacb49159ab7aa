import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sha256Hex } from "@/lib/crypto";
import { startOrResumeSession } from "@/lib/study/start-session";
import { createTestDatabase, databaseKinds, type TestDatabase } from "../support/database";
import { seedStudy } from "../support/seed-study";

// A start whose reply is lost (an instance killed mid-request, a dropped connection) is retried by
// the page with the same start key: the retry must get the session the first attempt made, with a
// token that works, and never a second session or a refusal as a repeat participant.
describe.each(databaseKinds())("retried session starts on %s", (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await database?.drop();
  });

  const PROTOCOL = { practiceTrials: 0, testTrials: 2, vigilanceShare: 0 } as const;
  const limits = { perAddressPerHour: 100, perStudyPerMinute: 100, idleMinutes: 60 };
  const start = (studyId: string, startKey: string | null, params: Record<string, string> = {}) =>
    startOrResumeSession(database.db, { studyId, params, startKey, existingToken: undefined, userAgent: null, screen: null, clientAddress: "198.51.100.7", limits });

  it("answers a retry with the same key with the first attempt's session and token", async () => {
    const seeded = await seedStudy(database.db, { stimuli: 4, methods: ["full"], protocol: PROTOCOL });
    const params = { PROLIFIC_PID: "5f00aa00bb00cc00dd00ee01" };
    const first = await start(seeded.study.id, "a".repeat(22), params);
    expect(first.resumed).toBe(false);
    // The reply never arrived; the page retries with the same key (and the same Prolific id).
    const retry = await start(seeded.study.id, "a".repeat(22), params);
    expect(retry).toEqual({ sessionId: first.sessionId, token: first.token, resumed: true });
    const stored = await database.db.raterSession.findMany({ where: { studyId: seeded.study.id }, select: { id: true, tokenHash: true } });
    expect(stored).toEqual([{ id: first.sessionId, tokenHash: sha256Hex(first.token) }]);
    expect(await database.db.trial.count({ where: { sessionId: first.sessionId } })).toBe(2);
    // Another key with the same Prolific id is a second participation.
    await expect(start(seeded.study.id, "b".repeat(22), params)).rejects.toMatchObject({ code: "already_participated" });
  });

  it("concurrent attempts with one key make one session; other keys and no key make their own", async () => {
    const seeded = await seedStudy(database.db, { stimuli: 4, methods: ["full"], protocol: PROTOCOL });
    const attempts = await Promise.all(Array.from({ length: 4 }, () => start(seeded.study.id, "c".repeat(22))));
    expect(new Set(attempts.map((attempt) => attempt.sessionId)).size).toBe(1);
    expect(attempts.filter((attempt) => !attempt.resumed)).toHaveLength(1);
    const other = await start(seeded.study.id, "d".repeat(22));
    const keyless = [await start(seeded.study.id, null), await start(seeded.study.id, null)];
    const ids = new Set([attempts[0]!.sessionId, other.sessionId, ...keyless.map((started) => started.sessionId)]);
    expect(ids.size).toBe(4);
    expect(await database.db.raterSession.count({ where: { studyId: seeded.study.id } })).toBe(4);
  });

  it("a key names a session of its own study only, and its token cannot be guessed without the server's salt", async () => {
    const one = await seedStudy(database.db, { stimuli: 4, methods: ["full"], protocol: PROTOCOL });
    const two = await seedStudy(database.db, { stimuli: 4, methods: ["full"], protocol: PROTOCOL });
    const inOne = await start(one.study.id, "e".repeat(22));
    const inTwo = await start(two.study.id, "e".repeat(22));
    expect(inTwo.resumed).toBe(false);
    expect(inTwo.sessionId).not.toBe(inOne.sessionId);
    expect(inTwo.token).not.toBe(inOne.token);
    expect(inOne.token).not.toContain("e".repeat(8));
  });
});
