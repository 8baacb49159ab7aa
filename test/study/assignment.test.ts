import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, databaseKinds, type TestDatabase } from "../support/database";
import { seedStudy } from "../support/seed-study";
import { startOrResumeSession } from "@/lib/study/start-session";

// Atomic assignment under concurrency: 50 raters start at the same instant.
describe.each(databaseKinds())("assignment under concurrency on %s", (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await database?.drop();
  });

  it("50 sessions started at once end with balanced methods and no image repeated within a session", async () => {
    const db = database.db;
    const seeded = await seedStudy(db, { stimuli: 30, methods: ["full", "class", "l2"], protocol: { practiceTrials: 4, testTrials: 20, vigilanceShare: 0.1 } });
    const starts = await Promise.all(
      Array.from({ length: 50 }, (_, index) =>
        startOrResumeSession(db, { studyId: seeded.study.id, params: { PROLIFIC_PID: `pid-${index}` }, existingToken: undefined, userAgent: "test", screen: null }),
      ),
    );
    expect(new Set(starts.map((start) => start.sessionId)).size).toBe(50);

    const perMethod = await db.raterSession.groupBy({ by: ["methodId"], where: { studyId: seeded.study.id }, _count: { _all: true } });
    const counts = perMethod.map((row) => row._count._all);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(50);
    expect(perMethod).toHaveLength(3);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);

    const sessions = await db.raterSession.findMany({ where: { studyId: seeded.study.id }, select: { methodId: true, trials: { select: { stimulusId: true, methodId: true, kind: true } } } });
    for (const session of sessions) {
      expect(session.trials).toHaveLength(24);
      expect(new Set(session.trials.map((trial) => trial.stimulusId)).size).toBe(24);
      expect(session.trials.filter((trial) => trial.kind === "vigilance")).toHaveLength(2);
      expect(session.trials.filter((trial) => trial.kind !== "vigilance").every((trial) => trial.methodId === session.methodId)).toBe(true);
    }
    // Images least shown first: over 50 sessions, each method's test images are spread evenly.
    const shown = await db.trial.groupBy({ by: ["methodId", "stimulusId"], where: { kind: "test", session: { studyId: seeded.study.id } }, _count: { _all: true } });
    for (const method of seeded.methods.filter((m) => m.name !== "Random")) {
      const perImage = shown.filter((row) => row.methodId === method.id).map((row) => row._count._all);
      expect(Math.max(...perImage) - Math.min(...perImage)).toBeLessThanOrEqual(2);
    }
  });

  it("the same participant cannot take the study twice, and the same browser resumes", async () => {
    const db = database.db;
    const seeded = await seedStudy(db, { stimuli: 12, methods: ["full"], protocol: { practiceTrials: 2, testTrials: 8 } });
    const first = await startOrResumeSession(db, { studyId: seeded.study.id, params: { workerId: "W1", assignmentId: "A1", hitId: "H1" }, existingToken: undefined, userAgent: null, screen: null });
    const resumed = await startOrResumeSession(db, { studyId: seeded.study.id, params: { workerId: "W1" }, existingToken: first.token, userAgent: null, screen: null });
    expect(resumed).toMatchObject({ sessionId: first.sessionId, resumed: true });
    await expect(startOrResumeSession(db, { studyId: seeded.study.id, params: { workerId: "W1" }, existingToken: undefined, userAgent: null, screen: null })).rejects.toMatchObject({ code: "already_participated" });
    const stored = await db.raterSession.findUniqueOrThrow({ where: { id: first.sessionId } });
    expect(stored.participantHash).not.toContain("W1");
    expect(stored.recruiterIds).toEqual({ workerId: "W1", assignmentId: "A1", hitId: "H1" });
    await expect(startOrResumeSession(db, { studyId: seeded.study.id, params: { assignmentId: "ASSIGNMENT_ID_NOT_AVAILABLE", workerId: "W2" }, existingToken: undefined, userAgent: null, screen: null })).rejects.toMatchObject({ code: "mturk_preview" });
  });
});
