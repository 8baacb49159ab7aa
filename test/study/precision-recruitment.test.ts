import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_START_LIMITS } from "@/lib/study/session-start-limits";
import { startOrResumeSession } from "@/lib/study/start-session";
import { studyProgress } from "@/lib/study/studies";
import { createTestDatabase, databaseKinds, type TestDatabase } from "../support/database";
import { seedStudy, type SeedSession, type SeedStudy } from "../results/seed-study";

// Recruiting to a precision target at session start: a method whose interval is as narrow as the
// target is full, the next rater goes to the method whose interval is widest, and the study is
// full once every method is.
//
// Four analysed raters per method, 16 test trials each. "Steady": every rater 8/16 fooled, so the
// interval over raters is the binomial floor, half-width 0.189 (p̃ = 0.5, SE √(0.25/64) = 0.0625,
// t(0.975, 3) = 3.182: logistic(±0.795) = 0.311 … 0.689). "Split": two raters 0/16 and two 16/16,
// half-width 0.475 (cluster SE √(4/3 · 256 / 4096) = 0.289: logistic(±3.67)).
describe.each(databaseKinds())("recruiting to a precision target on %s", (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await database?.drop();
  });

  const images = Array.from({ length: 16 }, (_, index) => `s${index + 1}`);
  const session = (key: string, method: string, fooledCount: number): SeedSession => ({
    key,
    status: "completed",
    method,
    trials: images.map((image, index) => ({ kind: "test", method, image, fooled: index < fooledCount ? 1 : 0 })),
  });
  const spec = (name: string, targetHalfWidth: number): SeedStudy => ({
    name,
    design: "between",
    protocol: { practiceTrials: 0, testTrials: 16, vigilanceShare: 0, precisionTarget: { targetHalfWidth, minRaters: 3, maxRaters: null } },
    methods: [
      { name: "Steady", kind: "model", tested: true },
      { name: "Split", kind: "upload", tested: true },
    ],
    images,
    sessions: [
      ...["a", "b", "c", "d"].map((key) => session(`steady-${key}`, "Steady", 8)),
      ...[0, 16, 0, 16].map((fooled, index) => session(`split-${index}`, "Split", fooled)),
    ],
  });
  const open = async (name: string, targetHalfWidth: number, email: string) => {
    const seeded = await seedStudy(database.db, spec(name, targetHalfWidth), email);
    await database.db.study.update({ where: { id: seeded.studyId }, data: { status: "open", closedAt: null } });
    return seeded;
  };
  const start = (studyId: string, pid: string) =>
    startOrResumeSession(database.db, { studyId, params: { PROLIFIC_PID: pid }, existingToken: undefined, userAgent: null, screen: null, limits: DEFAULT_START_LIMITS });

  it("sends new raters to the method whose interval is still wider than the target, and reports both", async () => {
    const seeded = await open("precision 0.2", 0.2, "precision-a@example.org");
    const progress = await studyProgress(database.db, seeded.studyId);
    const byName = new Map(progress.methods.map((method) => [method.name, method]));
    expect(progress.precisionTarget?.targetHalfWidth).toBe(0.2);
    expect(byName.get("Steady")?.precision?.full).toBe(true);
    expect(byName.get("Steady")?.precision?.halfWidth).toBeCloseTo(0.189, 3);
    expect(byName.get("Split")?.precision?.full).toBe(false);
    expect(byName.get("Split")?.precision?.halfWidth).toBeCloseTo(0.475, 3);
    expect(progress.full).toBe(false);
    // Steady has 4 analysed raters against Split's 4, but its target is met: every new rater goes to Split.
    for (const pid of ["p1", "p2", "p3"]) {
      const started = await start(seeded.studyId, pid);
      const row = await database.db.raterSession.findUniqueOrThrow({ where: { id: started.sessionId }, select: { methodId: true } });
      expect(row.methodId).toBe(seeded.methodIds.get("Split"));
    }
  });

  it("refuses new raters as study full once every method meets the target or its cap of raters", async () => {
    const capped = spec("precision capped", 0.2);
    capped.protocol = { ...capped.protocol, precisionTarget: { targetHalfWidth: 0.2, minRaters: 3, maxRaters: 4 } };
    const seeded = await seedStudy(database.db, capped, "precision-b@example.org");
    await database.db.study.update({ where: { id: seeded.studyId }, data: { status: "open", closedAt: null } });
    // Steady by its interval, Split by its cap of four raters.
    expect((await studyProgress(database.db, seeded.studyId)).full).toBe(true);
    await expect(start(seeded.studyId, "late")).rejects.toMatchObject({ code: "study_full" });
  });

  it("without the minimum of raters a method is not full, however narrow its interval", async () => {
    const narrow = spec("precision min raters", 0.2);
    narrow.protocol = { ...narrow.protocol, precisionTarget: { targetHalfWidth: 0.2, minRaters: 5, maxRaters: null } };
    const seeded = await seedStudy(database.db, narrow, "precision-c@example.org");
    await database.db.study.update({ where: { id: seeded.studyId }, data: { status: "open", closedAt: null } });
    const progress = await studyProgress(database.db, seeded.studyId);
    expect(progress.methods.map((method) => method.precision?.full)).toEqual([false, false]);
    // Both below five raters: the one with fewer raters (counting the rater in progress) goes next.
    const first = await start(seeded.studyId, "m1");
    const second = await start(seeded.studyId, "m2");
    const methods = await database.db.raterSession.findMany({ where: { id: { in: [first.sessionId, second.sessionId] } }, select: { methodId: true } });
    expect(new Set(methods.map((row) => row.methodId)).size).toBe(2);
  });
});
