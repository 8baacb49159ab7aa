import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, databaseKinds, type TestDatabase } from "../support/database";
import { betweenStudySpec, seedStudy } from "../results/seed-study";
import { DEFAULT_START_LIMITS } from "@/lib/study/session-start-limits";
import { startOrResumeSession } from "@/lib/study/start-session";
import { readRecruitment } from "@/lib/study/recruitment";
import { studyProgress } from "@/lib/study/studies";
import { toProblem } from "@/lib/http/errors";

// Recruiting toward the analysed target: per method of the seeded study (test/results/seed-study.ts)
// Ours has 2 analysed, 1 excluded (vigilance) and 1 active session; Dahl 2 analysed, 1 excluded
// (timing) and 1 abandoned.
describe.each(databaseKinds())("recruitment on %s", (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await database?.drop();
  });

  const open = async (target: number, email: string) => {
    const spec = betweenStudySpec(`target ${target}`);
    const seeded = await seedStudy(database.db, { ...spec, protocol: { ...spec.protocol, targetSessionsPerMethod: target } }, email);
    await database.db.study.update({ where: { id: seeded.studyId }, data: { status: "open", closedAt: null } });
    return seeded;
  };
  // The seeded sessions date from January 2026: an idle window of ten years keeps the seeded
  // active session in the balance (abandoning idle sessions has its own test).
  const limits = { ...DEFAULT_START_LIMITS, idleMinutes: 10 * 366 * 24 * 60 };
  const start = (studyId: string, pid: string) => startOrResumeSession(database.db, { studyId, params: { PROLIFIC_PID: pid }, existingToken: undefined, userAgent: null, screen: null, limits });

  it("counts analysed, excluded and active sessions as the results decide them", async () => {
    const seeded = await open(3, "counts@example.org");
    const { counts } = await readRecruitment(database.db, seeded.studyId, seeded.protocol);
    expect(counts.get(seeded.methodIds.get("Ours")!)).toEqual({ analysed: 2, excluded: 1, active: 1 });
    expect(counts.get(seeded.methodIds.get("Dahl")!)).toEqual({ analysed: 2, excluded: 1, active: 0 });
    const progress = await studyProgress(database.db, seeded.studyId);
    expect(progress.full).toBe(false);
    expect(progress.methods.find((method) => method.name === "Ours")).toMatchObject({ analysed: 2, excluded: 1, completed: 3, active: 1, beyondTarget: 0 });
  });

  it("keeps recruiting while a method is below its analysed target, to the method furthest from it", async () => {
    const seeded = await open(3, "below@example.org");
    // Ours has an active session (2 + 1), Dahl none (2 + 0): the next rater goes to Dahl.
    const first = await start(seeded.studyId, "p1");
    const session = await database.db.raterSession.findUniqueOrThrow({ where: { id: first.sessionId }, select: { methodId: true } });
    expect(session.methodId).toBe(seeded.methodIds.get("Dahl"));
  });

  it("refuses a new rater once every method has its analysed target (study full)", async () => {
    const seeded = await open(2, "full@example.org");
    await expect(start(seeded.studyId, "late")).rejects.toMatchObject({ code: "study_full" });
    expect(await start(seeded.studyId, "late-again").catch((error: unknown) => toProblem(error).status)).toBe(409);
    expect((await studyProgress(database.db, seeded.studyId)).full).toBe(true);
  });
});
