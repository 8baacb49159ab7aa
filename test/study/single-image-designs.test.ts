import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/lib/db/client";
import type { AnswerInput } from "@/lib/contract/rater-api";
import { answerTrial } from "@/lib/study/answers";
import { buildSessionState } from "@/lib/study/session-state";
import { startOrResumeSession } from "@/lib/study/start-session";
import { resolveRaterImage } from "@/lib/study/trial-images";
import { computeStudyResults } from "@/lib/results/study-results";
import { writeMethodsParagraph } from "@/lib/results/methods-paragraph";
import { buildStudyExport } from "@/lib/results/study-export";
import { readTrialPage, TRIAL_CSV_COLUMNS, formatTrialRecord } from "@/lib/results/trial-export";
import { createTestDatabase, databaseKinds, type TestDatabase } from "../support/database";
import { seedStudy } from "../support/seed-study";
import { syntheticPhoto } from "../support/test-images";

// The single-image designs end to end below the page: the plan, the served photo, the answers
// (judgements), the server's staircase, and the figures of lib/results.

// The pace and timing rules are not under test here: answers arrive at once.
const lenientExclusion = { maxVigilanceFailures: 1, maxTimingFlaggedShare: 1, maxTooFastAnswers: 1000 };
const judge = (key: string, judgement: "real" | "fake", exposureMs: number | null = null): AnswerInput => ({
  idempotencyKey: key,
  judgement,
  responseTimeMs: 600,
  timing: { frameIntervalMs: 16.7, exposureLeftMs: exposureMs, exposureRightMs: null, onsets: {}, offsets: {}, flagged: false },
});
const photos = async (kind: string, index: number) => ({ bytes: await syntheticPhoto(64, 64, index + (kind === "real" ? 0 : 100), "jpeg"), mimeType: "image/jpeg", width: 64, height: 64 });

async function trialsOf(db: Db, sessionId: string) {
  return db.trial.findMany({ where: { sessionId }, orderBy: { position: "asc" } });
}

describe.each(databaseKinds())("single-image designs on %s", (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await database?.drop();
  });

  it("single-image trials: one photo per trial, real in realShare of them, judged real or fake, HYPE∞ computed", async () => {
    const db = database.db;
    const seeded = await seedStudy(db, {
      stimuli: 12,
      methods: ["Ours"],
      imageBytes: photos,
      protocol: { practiceTrials: 2, testTrials: 8, vigilanceShare: 0.25, trialFormat: { kind: "single-image", realShare: 0.5 }, exclusion: lenientExclusion },
    });
    const studyId = seeded.study.id;
    const ours = seeded.methods[0]!.id;
    // Three raters: one calls every photo real, one is always right, one calls every photo fake
    // (all three answer vigilance trials correctly, so nobody is excluded).
    type Judgement = "real" | "fake";
    const strategies: Record<string, (real: boolean) => Judgement> = { credulous: () => "real", perfect: (real) => (real ? "real" : "fake"), sceptic: () => "fake" };
    for (const [name, strategy] of Object.entries(strategies)) {
      const { sessionId } = await startOrResumeSession(db, { studyId, params: { PROLIFIC_PID: name }, existingToken: undefined, userAgent: null, screen: null });
      const trials = await trialsOf(db, sessionId);
      expect(trials.every((trial) => trial.showsReal !== null && trial.rightToken === null && trial.exposureMs === null)).toBe(true);
      const regular = trials.filter((trial) => trial.kind === "test");
      expect(regular.filter((trial) => trial.showsReal)).toHaveLength(3); // half of 6
      expect(trials.filter((trial) => trial.kind === "vigilance").every((trial) => trial.showsReal === false)).toBe(true);
      expect(trials.filter((trial) => trial.kind === "practice" && trial.showsReal)).toHaveLength(1);

      // The page sees one photo, untimed; a real and a fake photo come with one length.
      const state = await buildSessionState(db, sessionId);
      expect(state.next).toMatchObject({ format: "single", exposureMs: null, maskMs: 0, imageUrl: `/api/rater/images/${trials[0]!.leftToken}` });
      const lengths = new Set<number>();
      for (const trial of trials.slice(0, 4)) lengths.add((await resolveRaterImage(db, sessionId, trial.leftToken)).bytes.length);
      expect(lengths.size).toBe(1);

      const session = { id: sessionId, studyId };
      await expect(answerTrial(db, session, trials[0]!.id, { ...judge("pair-answer-1", "real"), judgement: undefined, chosenSide: "left" })).rejects.toMatchObject({ code: "wrong_answer_kind" });
      for (const trial of trials) {
        const real = trial.showsReal === true;
        const judgement = trial.kind === "vigilance" ? "fake" : strategy(real);
        const result = await answerTrial(db, session, trial.id, judge(`${name}-${trial.position}-key`, judgement));
        if (trial.kind === "practice") expect(result.feedback).toEqual({ correct: (judgement === "real") === real, imageWasReal: real });
        else expect(result.feedback).toBeNull();
      }
      expect((await buildSessionState(db, sessionId)).status).toBe("completed");
      // A retry of the last answer replays; a different judgement for it is refused.
      const last = trials[trials.length - 1]!;
      const lastJudgement = last.kind === "vigilance" ? "fake" : strategy(last.showsReal === true);
      expect((await answerTrial(db, session, last.id, judge(`${name}-${last.position}-key`, lastJudgement))).replayed).toBe(true);
      await expect(answerTrial(db, session, last.id, judge(`${name}-${last.position}-key`, lastJudgement === "real" ? "fake" : "real"))).rejects.toMatchObject({ code: "already_answered" });
    }
    const responses = await db.response.findMany({ where: { trial: { session: { studyId }, kind: "test" } }, include: { trial: true } });
    for (const response of responses) {
      expect(response.chosenSide).toBeNull();
      expect(response.correct).toBe(response.judgedReal === response.trial.showsReal);
      expect(response.fooled).toBe(!response.trial.showsReal && response.judgedReal === true);
    }

    const results = await computeStudyResults(db, studyId);
    expect(results.sessions.analysed).toBe(3);
    const figures = results.designFigures!;
    expect(figures.kind).toBe("single-image");
    const method = figures.methods.find((entry) => entry.methodId === ours)!;
    // Fakes judged real: 3 (credulous) of 9; reals judged fake: 3 (sceptic) of 9; HYPE∞ 6 of 18.
    expect(method).toMatchObject({ raters: 3, fakeTrials: 9, realTrials: 9, thresholdMs: null });
    expect(method.fakeError!.estimate).toBeCloseTo(3 / 9, 12);
    expect(method.realError!.estimate).toBeCloseTo(3 / 9, 12);
    expect(method.hypeInfinity!.estimate).toBeCloseTo(6 / 18, 12);
    expect(method.hypeInfinity!.lower).toBeLessThan(method.hypeInfinity!.upper);
    // The fool-rate table counts fake trials only: the fake error.
    const paired = results.methods.find((entry) => entry.id === ours)!;
    expect(paired.used.trials).toBe(9);
    expect(paired.foolRate).toBeCloseTo(3 / 9, 12);
    expect(paired.dPrime).toBeNull(); // the 2AFC formula does not apply to yes/no judgements
    expect(writeMethodsParagraph(results)).toMatch(/HYPE∞ \(Zhou et al\. 2019\).*Ours: HYPE∞ 33\.3% \[95% CI/);
    expect(buildStudyExport(results).summary.design).toEqual(figures);

    // The CSV carries what was shown and judged.
    const rows = await readTrialPage(db, studyId, null);
    const record = formatTrialRecord("s", rows.find((row) => row.kind === "test" && row.showsReal === false)!, new Map()).trimEnd().split(",");
    const column = (name: (typeof TRIAL_CSV_COLUMNS)[number]) => record[TRIAL_CSV_COLUMNS.indexOf(name)];
    expect([column("real_side"), column("chosen_side"), column("shown"), column("exposure_ms")]).toEqual(["", "", "fake", ""]);
    expect(["real", "fake"]).toContain(column("judgement"));
  });

  it("adaptive exposure: the server's staircase sets each trial's exposure from the stored answers; thresholds per method", async () => {
    const db = database.db;
    const seeded = await seedStudy(db, {
      stimuli: 16,
      methods: ["Ours"],
      protocol: { practiceTrials: 2, testTrials: 12, vigilanceShare: 0, trialFormat: { kind: "adaptive-exposure" }, exclusion: lenientExclusion },
    });
    const studyId = seeded.study.id;
    // HYPE_TIME_RULE: 100–1000 ms in 50 ms steps, start 500 ms, 3 correct in a row → one step
    // shorter, 1 wrong → one step longer. Patterns of correct answers over the 12 test trials
    // and the exposures the rule must give (traced by hand):
    const T = true;
    const F = false;
    const raters = [
      { pattern: [T, T, T, T, T, T, F, T, T, T, F, T], exposures: [500, 500, 500, 450, 450, 450, 400, 450, 450, 450, 400, 450], threshold: 450 },
      { pattern: Array<boolean>(12).fill(T), exposures: [500, 500, 500, 450, 450, 450, 400, 400, 400, 350, 350, 350], threshold: 425 },
      { pattern: Array<boolean>(12).fill(F), exposures: [500, 550, 600, 650, 700, 750, 800, 850, 900, 950, 1000, 1000], threshold: 1000 },
    ];
    for (const [index, rater] of raters.entries()) {
      const { sessionId } = await startOrResumeSession(db, { studyId, params: { PROLIFIC_PID: `stair-${index}` }, existingToken: undefined, userAgent: null, screen: null });
      const session = { id: sessionId, studyId };
      let trials = await trialsOf(db, sessionId);
      // Only the trial handed out has an exposure: the next one waits for this answer.
      expect(trials.map((trial) => trial.exposureMs)).toEqual([500, ...Array<null>(13).fill(null)]);
      const shown: number[] = [];
      for (const [position, trial] of trials.entries()) {
        const state = await buildSessionState(db, sessionId);
        expect(state.next).toMatchObject({ trialId: trial.id, format: "single", maskMs: 500 });
        const exposureMs = state.next!.format === "single" ? state.next!.exposureMs! : -1;
        const correct = trial.kind === "practice" ? T : (rater.pattern[position - 2] as boolean);
        const real = trial.showsReal === true;
        // The page reports a measured exposure; the staircase never reads it.
        await answerTrial(db, session, trial.id, judge(`stair-${index}-${position}-k`, correct === real ? "real" : "fake", 2000));
        if (trial.kind === "practice") expect(exposureMs).toBe(500);
        else shown.push(exposureMs);
      }
      expect(shown).toEqual(rater.exposures);
      trials = await trialsOf(db, sessionId);
      expect(trials.filter((trial) => trial.kind === "test").map((trial) => trial.exposureMs)).toEqual(rater.exposures);
      // The measured 2000 ms misses every target: flagged, and stored beside the server's exposure.
      const stored = await db.response.findMany({ where: { trial: { sessionId } } });
      expect(stored.every((response) => response.timingFlagged && response.exposureLeftMs === 2000)).toBe(true);
    }

    const results = await computeStudyResults(db, studyId);
    const method = results.designFigures!.methods[0]!;
    expect(results.designFigures!.kind).toBe("adaptive-exposure");
    expect(method.raters).toBe(3);
    expect(method.thresholdMs!.estimate).toBeCloseTo((450 + 425 + 1000) / 3, 9);
    expect(method.thresholdMs!.lower).toBeGreaterThanOrEqual(425);
    expect(method.thresholdMs!.upper).toBeLessThanOrEqual(1000);
    expect(writeMethodsParagraph(results)).toMatch(/staircase.*Ours: .*threshold 625 ms \[95% CI/);
    const rows = await readTrialPage(db, studyId, null);
    expect(rows.filter((row) => row.kind === "test").every((row) => row.exposureMs !== null && row.judgedReal !== null)).toBe(true);
  });
});
