import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { computeStudyResults, getStudyResults } from "@/lib/results/study-results";
import { readMethodAggregates, readSessionAggregates } from "@/lib/results/study-aggregates";
import { decideSessions, excludedSessionList, studySeed } from "@/lib/results/summarize-study";
import { countCells } from "@/lib/stats";
import { databaseKinds, createTestDatabase, type TestDatabase } from "../support/database";
import { betweenStudySpec, seedStudy, withinStudySpec, type SeededStudy } from "./seed-study";

// Expected values are hand-computed from the tables in seed-study.ts. Wilson bounds come from
// SciPy 1.17: scipy.stats.binomtest(k, n).proportion_ci(0.95, method="wilson"); d′ from
// sqrt(2) * scipy.stats.norm.ppf(1 - fool rate).

describe.each(databaseKinds())("study results on %s", (kind) => {
  let database: TestDatabase;
  let between: SeededStudy;
  let within: SeededStudy;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    between = await seedStudy(database.db, betweenStudySpec());
    within = await seedStudy(database.db, withinStudySpec());
  });
  afterAll(async () => {
    await database?.drop();
  });

  it("aggregates each session in SQL: test, vigilance and timing counts, practice never", async () => {
    const sessions = await readSessionAggregates(database.db, between.studyId);
    expect(sessions).toHaveLength(8);
    const byKey = new Map([...between.sessionIds].map(([key, id]) => [key, sessions.find((s) => s.sessionId === id)]));
    expect(byKey.get("a1")).toMatchObject({ status: "completed", testTrials: 4, testFooled: 2, vigilanceTrials: 2, vigilanceFailures: 0, analysableTrials: 6, timingFlagged: 0 });
    expect(byKey.get("a2")).toMatchObject({ testTrials: 4, testFooled: 2, vigilanceFailures: 1 });
    expect(byKey.get("a3")).toMatchObject({ testTrials: 4, testFooled: 4, vigilanceFailures: 2 });
    expect(byKey.get("a4")).toMatchObject({ status: "active", testTrials: 2, testFooled: 1, vigilanceTrials: 0, analysableTrials: 2 });
    expect(byKey.get("b1")).toMatchObject({ recruiter: "mturk", testTrials: 4, testFooled: 1, timingFlagged: 2, analysableTrials: 6 });
    expect(byKey.get("b2")).toMatchObject({ recruiter: "link", testFooled: 1, vigilanceFailures: 1, timingFlagged: 1 });
    expect(byKey.get("b4")).toMatchObject({ status: "abandoned", testTrials: 1, testFooled: 1 });
    expect(byKey.get("a1")?.meanFrameIntervalMs).toBeCloseTo(16.7, 9);
    expect(byKey.get("a1")?.methodId).toBe(between.methodIds.get("Ours"));
    expect(byKey.get("a1")?.createdAt).toBeInstanceOf(Date);
  });

  it("applies the protocol's exclusion rules to completed sessions and leaves incomplete ones out", async () => {
    const sessions = await readSessionAggregates(database.db, between.studyId);
    const { decisions, counts } = decideSessions(sessions, between.protocol.exclusion);
    expect(counts).toEqual({ sessions: 6, kept: 4, excluded: 2, byReason: { vigilance: 1, timing: 1, pace: 0, "no-trials": 0 } });
    const of = (key: string) => decisions.get(between.sessionIds.get(key) as string);
    expect(of("a3")).toEqual({ disposition: "excluded", reasons: ["vigilance"] });
    expect(of("b1")).toEqual({ disposition: "excluded", reasons: ["timing"] });
    expect(of("a4")).toEqual({ disposition: "incomplete", reasons: ["incomplete"] });
    expect(of("b2")).toEqual({ disposition: "included", reasons: [] });
    // A stricter rule (no vigilance failure allowed) also removes a2 and b2.
    const strict = decideSessions(sessions, { maxVigilanceFailures: 0, maxTimingFlaggedShare: 0.2, maxTooFastAnswers: 0 });
    expect(strict.counts.kept).toBe(2);
  });

  it("packs per-(rater, image) cells, per-image counts and left-out tallies per method in one query", async () => {
    const sessions = await readSessionAggregates(database.db, between.studyId);
    const { decisions } = decideSessions(sessions, between.protocol.exclusion);
    const aggregates = await readMethodAggregates(database.db, between.studyId, excludedSessionList(decisions));
    const ours = aggregates.find((a) => a.methodId === between.methodIds.get("Ours"));
    const dahl = aggregates.find((a) => a.methodId === between.methodIds.get("Dahl"));
    expect(aggregates).toHaveLength(2); // Random has vigilance trials only: no test trials, no row
    const oursCounts = countCells(ours?.cells as NonNullable<typeof ours>["cells"] & object);
    expect({ raters: oursCounts.raters, images: oursCounts.images, trials: oursCounts.trials, fooled: oursCounts.fooled }).toEqual({ raters: 2, images: 6, trials: 8, fooled: 4 });
    const dahlCounts = countCells(dahl?.cells as NonNullable<typeof dahl>["cells"] & object);
    expect({ raters: dahlCounts.raters, images: dahlCounts.images, trials: dahlCounts.trials, fooled: dahlCounts.fooled }).toEqual({ raters: 2, images: 5, trials: 8, fooled: 3 });
    const name = new Map([...between.stimulusIds].map(([key, id]) => [id, key]));
    const perImage = (rows: { stimulusId: string; trials: number; fooled: number }[]) =>
      Object.fromEntries(rows.map((row) => [name.get(row.stimulusId), `${row.fooled}/${row.trials}`]));
    expect(perImage(ours?.images ?? [])).toEqual({ s1: "2/2", s2: "1/2", s3: "1/1", s4: "0/1", s5: "0/1", s6: "0/1" });
    expect(perImage(dahl?.images ?? [])).toEqual({ s1: "0/2", s2: "1/1", s3: "1/2", s4: "1/2", s5: "0/1" });
    expect(ours?.leftOut).toEqual([
      { reason: "incomplete", sessions: 1, trials: 2 },
      { reason: "vigilance", sessions: 1, trials: 4 },
    ]);
    expect(dahl?.leftOut).toEqual([
      { reason: "incomplete", sessions: 1, trials: 1 },
      { reason: "timing", sessions: 1, trials: 4 },
    ]);
  });

  it("computes every figure of the between study", async () => {
    const results = await computeStudyResults(database.db, between.studyId);
    expect(results.sessions).toEqual({
      total: 8,
      byStatus: { active: 1, completed: 6, abandoned: 1, screened_out: 0 },
      analysed: 4,
      excluded: 2,
      excludedByReason: { vigilance: 1, timing: 1, pace: 0, "no-trials": 0 },
      incomplete: 2,
      analysedTrials: 16,
      leftOutTrials: 11,
    });
    expect(results.methods.map((m) => m.name)).toEqual(["Ours", "Dahl"]);
    const [ours, dahl] = results.methods;
    expect(ours?.foolRate).toBe(0.5);
    expect(dahl?.foolRate).toBe(0.375);
    expect(ours?.used).toEqual({ sessions: 2, images: 6, trials: 8, fooled: 4 });
    expect(ours?.leftOut.sessions).toBe(2);
    expect(ours?.leftOut.trials).toBe(6);
    // Two raters per method: below the minimum (10 raters, 10 images), so no interval and no test —
    // the estimate, its counts and d′ (1/(2N) rule; scipy: sqrt(2)*norm.ppf(1 − 0.375)) only.
    expect(ours?.dPrime?.estimate).toBeCloseTo(0, 12);
    expect(dahl?.dPrime?.estimate).toBeCloseTo(0.4506241100243562, 9);
    expect(dahl?.dPrime?.lower).toBeNull();
    for (const method of results.methods) {
      expect(method.interval).toBeNull();
      expect(method.bootstrap).toBeNull();
      expect(method.wilson).toBeNull();
      expect(method.withheld).toMatch(/^2 raters \(at least 10 needed\) and \d images \(at least 10 needed\)$/);
    }
    expect(results.notes).toContain("Ours: no interval or test, 2 raters (at least 10 needed) and 6 images (at least 10 needed).");
    // Sides: position parity sets the real side; a1's first test trial (position 1) is real-right.
    expect(ours?.sideBias).not.toBeNull();
    expect(ours?.metrics).toEqual({ auc: 0.894, aucRebalanced: 0.671, colourfulness: 31.2, colourfulnessGroundTruth: 40.1, psnr: 22.4 });
    expect(dahl?.metrics).toBeNull();
    expect(results.comparisons).toHaveLength(0);
    expect(results.analysis.bootstrap).toEqual({ variant: "two-way", resamples: 10_000, level: 0.95, seed: studySeed(between.studyId).toString(), jointRaters: false });
    expect(results.analysis.correction).toBe("bonferroni");
    // Images sorted by fool rate within each method; the gallery links real and candidate blobs.
    const oursImages = results.images.filter((image) => image.methodId === ours?.id);
    expect(oursImages.map((image) => image.foolRate)).toEqual([1, 1, 0.5, 0, 0, 0]);
    expect(oursImages[0]?.candidateSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(oursImages[0]?.realSha256).toMatch(/^[0-9a-f]{64}$/);
    // Raters: excluded first, then incomplete, then analysed.
    expect(results.raters.map((rater) => rater.disposition)).toEqual(["excluded", "excluded", "incomplete", "incomplete", "included", "included", "included", "included"]);
  });

  it("gives the same numbers on a reload (seeded by the study id)", async () => {
    const first = await computeStudyResults(database.db, between.studyId);
    const second = await computeStudyResults(database.db, between.studyId);
    expect(second.methods).toEqual(first.methods);
    expect(second.comparisons).toEqual(first.comparisons);
  });

  it("uses each trial's method in the within design, the rater being the cluster within each method", async () => {
    const results = await computeStudyResults(database.db, within.studyId);
    expect(results.design).toBe("within");
    const [ours, dahl] = results.methods;
    expect(ours?.used).toEqual({ sessions: 2, images: 3, trials: 4, fooled: 1 });
    expect(dahl?.used).toEqual({ sessions: 2, images: 3, trials: 4, fooled: 3 });
    expect(ours?.leftOut.byReason).toEqual([{ reason: "vigilance", sessions: 1, trials: 2 }]);
    expect(ours?.withheld).toBe("2 raters (at least 10 needed) and 3 images (at least 10 needed)");
    expect(dahl?.dPrime?.estimate).toBeCloseTo(-0.9538725524089398, 9);
    // The same raters saw both methods: the bootstrap resampled them jointly.
    expect(results.analysis.bootstrap.jointRaters).toBe(true);
    expect(results.raters.every((rater) => rater.methodId === null)).toBe(true);
    expect(results.sessions.excludedByReason.vigilance).toBe(1);
  });

  it("caches results until a session starts or completes", async () => {
    const first = await getStudyResults(database.db, within.studyId);
    expect(await getStudyResults(database.db, within.studyId)).toBe(first);
    const w1 = within.sessionIds.get("w1") as string;
    await database.db.raterSession.update({ where: { id: w1 }, data: { status: "abandoned", completedAt: null } });
    const second = await getStudyResults(database.db, within.studyId);
    expect(second).not.toBe(first);
    expect(second.sessions.incomplete).toBe(1);
    expect(second.methods[0]?.used.sessions).toBe(1);
    await database.db.raterSession.update({ where: { id: w1 }, data: { status: "completed", completedAt: new Date() } });
  });
});
