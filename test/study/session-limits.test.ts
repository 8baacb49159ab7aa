import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StartLimits } from "@/lib/study/session-start-limits";
import { startOrResumeSession } from "@/lib/study/start-session";
import { createTestDatabase, databaseKinds, type TestDatabase } from "../support/database";
import { seedStudy } from "../support/seed-study";
import { toProblem } from "@/lib/http/errors";

// Anonymous session starts are limited per client address and per study (each start writes a
// session and its trials and counts toward the balance), and sessions left idle are marked
// abandoned so that they no longer hold their method's place in the balance.
describe.each(databaseKinds())("limits on rater session starts on %s", (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await database?.drop();
  });

  const PROTOCOL = { practiceTrials: 0, testTrials: 2, vigilanceShare: 0 } as const;
  const start = (studyId: string, clientAddress: string, limits: StartLimits) =>
    startOrResumeSession(database.db, { studyId, params: {}, existingToken: undefined, userAgent: null, screen: null, clientAddress, limits });

  it("refuses with 429 the starts over the per-address and the per-study limit, and nothing is written for them", async () => {
    const seeded = await seedStudy(database.db, { stimuli: 4, methods: ["full"], protocol: PROTOCOL });
    const limits = { perAddressPerHour: 3, perStudyPerMinute: 5, idleMinutes: 60 };
    const outcomes: (number | "ok")[] = [];
    for (let index = 0; index < 5; index++) {
      outcomes.push(await start(seeded.study.id, "198.51.100.1", limits).then(() => "ok" as const, (error: unknown) => toProblem(error).status));
    }
    expect(outcomes).toEqual(["ok", "ok", "ok", 429, 429]);
    // Another address may start, until the study's own limit per minute.
    expect(await start(seeded.study.id, "198.51.100.2", limits).then(() => "ok")).toBe("ok");
    expect(await start(seeded.study.id, "198.51.100.3", limits).then(() => "ok")).toBe("ok");
    await expect(start(seeded.study.id, "198.51.100.4", limits)).rejects.toMatchObject({ code: "too_many_sessions" });
    expect(await start(seeded.study.id, "198.51.100.4", limits).catch((error: unknown) => toProblem(error).status)).toBe(429);
    expect(await database.db.raterSession.count({ where: { studyId: seeded.study.id } })).toBe(5);
    // The address is stored only as a salted hash.
    const stored = await database.db.raterSession.findMany({ where: { studyId: seeded.study.id }, select: { clientHash: true } });
    expect(stored.every((row) => /^[0-9a-f]{64}$/.test(row.clientHash ?? ""))).toBe(true);
  });

  it("idle sessions are abandoned and leave the balance of methods", async () => {
    const db = database.db;
    const seeded = await seedStudy(db, { stimuli: 4, methods: ["A", "B"], protocol: PROTOCOL });
    const limits = { perAddressPerHour: 100, perStudyPerMinute: 100, idleMinutes: 60 };
    const methodA = seeded.methods.find((method) => method.name === "A")!;
    // Three sessions of method A that started two hours ago and never answered.
    const idle = [];
    for (let index = 0; index < 3; index++) {
      const started = await start(seeded.study.id, `203.0.113.${index}`, limits);
      idle.push(started.sessionId);
    }
    await db.raterSession.updateMany({ where: { id: { in: idle } }, data: { methodId: methodA.id, createdAt: new Date(Date.now() - 2 * 3_600_000) } });
    const next = await start(seeded.study.id, "203.0.113.50", limits);
    const statuses = await db.raterSession.findMany({ where: { id: { in: idle } }, select: { status: true } });
    expect(statuses.map((row) => row.status)).toEqual(["abandoned", "abandoned", "abandoned"]);
    // Both methods now stand at zero live sessions: the next session may get either; before, A's
    // three idle sessions forced B. Over four more starts the live balance stays within one.
    const later = [next.sessionId];
    for (let index = 0; index < 3; index++) later.push((await start(seeded.study.id, `203.0.113.${60 + index}`, limits)).sessionId);
    const live = await db.raterSession.groupBy({ by: ["methodId"], where: { id: { in: later } }, _count: { _all: true } });
    expect(live.map((row) => row._count._all).sort()).toEqual([2, 2]);
  });
});
