import { assertInteger, assertLevel, assertPositive } from "./argument-checks";
import type { BootstrapOptions } from "./cluster-bootstrap";
import { summarizeReplicates, type ReplicateSummary } from "./replicate-summary";
import { SeededRandom, seedToUint64 } from "./seeded-random";
import { StatsError } from "./stats-error";

// HYPE-time (Zhou, Gordon, Krishna, Narcomey, Fei-Fei & Bernstein 2019, "HYPE: A Benchmark for
// Human eYe Perceptual Evaluation of Generative Models", NeurIPS, §3.1): each rater sees images
// for a limited exposure, set by an adaptive staircase — shorter after correct answers, longer
// after a wrong one (their Fig. 3) — and the rater's perceptual threshold is the modal exposure
// (the exposure shown most often). A method's HYPE-time score is the mean threshold over its
// raters, with a bootstrap interval over raters. A longer threshold means people need to look
// longer to tell the method's output from real photos: the better method.

/** One staircase trial: the exposure it was shown at, and whether the rater answered correctly. */
export interface StaircaseTrial {
  readonly exposureMs: number;
  readonly correct: boolean;
}

export interface StaircaseRule {
  /** Allowed exposures, ascending, in milliseconds. */
  readonly exposuresMs: readonly number[];
  /** Index into `exposuresMs` of the first trial's exposure. */
  readonly startIndex: number;
  /** Consecutive correct answers (at one level) that shorten the exposure by one step. */
  readonly correctToShorten: number;
  /** Consecutive wrong answers that lengthen it by one step. */
  readonly wrongToLengthen: number;
}

/**
 * HYPE-time's exposure range, 100 ms to 1000 ms, here in 50 ms steps (19 levels; 3 frames of a
 * 60 Hz display per step). The range is the paper's; the step and the start in the middle
 * (500 ms) are this project's choice, set in the protocol.
 */
export const HYPE_TIME_EXPOSURES_MS: readonly number[] = Array.from({ length: 19 }, (_, k) => 100 + 50 * k);

/**
 * The HYPE-time rule: 3-down/1-up (three correct answers in a row shorten the exposure one step,
 * one wrong answer lengthens it). Levitt's (1971) transformed up-down rule: it settles where
 * P(three correct in a row) = ½, i.e. at the exposure with p(correct) = 0.5^(1/3) ≈ 0.794.
 * Reference: Levitt (1971), J. Acoust. Soc. Am. 49:467–477, Table I.
 */
export const HYPE_TIME_RULE: StaircaseRule = {
  exposuresMs: HYPE_TIME_EXPOSURES_MS,
  startIndex: 8,
  correctToShorten: 3,
  wrongToLengthen: 1,
};

function checkRule(rule: StaircaseRule): void {
  if (rule.exposuresMs.length === 0) throw new StatsError("invalid-argument", "the staircase needs at least one exposure");
  rule.exposuresMs.forEach((value, index) => {
    assertPositive(`exposuresMs[${index}]`, value);
    if (index > 0 && !(value > (rule.exposuresMs[index - 1] as number))) {
      throw new StatsError("invalid-argument", "exposuresMs must be strictly ascending");
    }
  });
  assertInteger("startIndex", rule.startIndex);
  if (rule.startIndex >= rule.exposuresMs.length) throw new StatsError("invalid-argument", "startIndex is past the last exposure");
  assertInteger("correctToShorten", rule.correctToShorten, 1);
  assertInteger("wrongToLengthen", rule.wrongToLengthen, 1);
}

/**
 * The exposure of the next trial, from the trials so far (in order).
 *
 * Definition: start at exposuresMs[startIndex]. Count the run of answers since the level last
 * changed: after `correctToShorten` correct answers in a row the level goes one step shorter,
 * after `wrongToLengthen` wrong answers in a row one step longer, and the run restarts; an answer
 * of the other kind breaks the run. Levels stop at both ends of the ladder (a rater at 100 ms who
 * keeps answering correctly stays there). Each trial's stored exposure must be the one this rule
 * gave — it is replayed, so a session restored from storage continues exactly.
 *
 * @throws {StatsError} `invalid-argument` for a bad rule, or a history whose exposures are not
 *   the ones the rule would have given (a different rule, or tampering).
 * @example
 * nextExposure([]); // 500
 * nextExposure([{ exposureMs: 500, correct: true }, { exposureMs: 500, correct: true },
 *   { exposureMs: 500, correct: true }]); // 450
 * nextExposure([{ exposureMs: 500, correct: false }]); // 550
 */
export function nextExposure(history: readonly StaircaseTrial[], rule: StaircaseRule = HYPE_TIME_RULE): number {
  checkRule(rule);
  let level = rule.startIndex;
  let correctRun = 0;
  let wrongRun = 0;
  const top = rule.exposuresMs.length - 1;
  history.forEach((trial, index) => {
    if (trial.exposureMs !== rule.exposuresMs[level]) {
      throw new StatsError(
        "invalid-argument",
        `trial ${index} was shown at ${String(trial.exposureMs)} ms, but the staircase gave ${String(rule.exposuresMs[level])} ms`,
      );
    }
    if (trial.correct) {
      correctRun++;
      wrongRun = 0;
      if (correctRun === rule.correctToShorten) {
        level = Math.max(0, level - 1);
        correctRun = 0;
      }
    } else {
      wrongRun++;
      correctRun = 0;
      if (wrongRun === rule.wrongToLengthen) {
        level = Math.min(top, level + 1);
        wrongRun = 0;
      }
    }
  });
  return rule.exposuresMs[level] as number;
}

/**
 * A rater's perceptual threshold: the modal exposure of their staircase trials (HYPE-time, §3.1).
 * When several exposures are shown equally often, their mean (the paper names no tie rule; the
 * mean keeps the estimate between the tied levels rather than favouring either end).
 *
 * @throws {StatsError} `no-data` for an empty history.
 * @example
 * staircaseThreshold([{ exposureMs: 500, correct: true }, { exposureMs: 450, correct: false },
 *   { exposureMs: 500, correct: true }]); // 500
 */
export function staircaseThreshold(history: readonly StaircaseTrial[]): number {
  if (history.length === 0) throw new StatsError("no-data", "a threshold needs at least one staircase trial");
  const counts = new Map<number, number>();
  for (const trial of history) counts.set(trial.exposureMs, (counts.get(trial.exposureMs) ?? 0) + 1);
  let most = 0;
  for (const count of counts.values()) most = Math.max(most, count);
  const modes = [...counts].filter(([, count]) => count === most).map(([exposure]) => exposure);
  return modes.reduce((sum, value) => sum + value, 0) / modes.length;
}

export interface ExposureThresholdEstimate extends ReplicateSummary {
  /** Mean of the raters' thresholds, ms: the method's HYPE-time score. */
  readonly estimate: number;
  readonly resamples: number;
  readonly raters: number;
}

/** Seed (required), resamples (default 10,000, HYPE's count) and level (default 0.95). */
export type ThresholdBootstrapOptions = Pick<BootstrapOptions, "seed" | "resamples" | "level">;

/**
 * A method's HYPE-time score with a bootstrap interval: the mean of its raters' thresholds, and
 * the percentile interval and standard error of that mean over resamples of raters drawn with
 * replacement (Efron & Tibshirani 1993, ch. 6 and 13).
 *
 * @param thresholds one per rater (from {@link staircaseThreshold}), at least one.
 * @throws {StatsError} `no-data` without raters; `invalid-argument` for bad options or a
 *   non-finite threshold.
 * @example
 * bootstrapExposureThreshold([300, 400, 500], { seed: 1 }).estimate; // 400
 */
export function bootstrapExposureThreshold(thresholds: readonly number[], options: ThresholdBootstrapOptions): ExposureThresholdEstimate {
  const resamples = options.resamples ?? 10_000;
  const level = options.level ?? 0.95;
  assertInteger("resamples", resamples, 2);
  assertLevel(level);
  if (thresholds.length === 0) throw new StatsError("no-data", "no raters' thresholds to estimate from");
  thresholds.forEach((value, index) => assertPositive(`thresholds[${index}]`, value));
  const raters = thresholds.length;
  const values = Float64Array.from(thresholds);
  const estimate = values.reduce((sum, value) => sum + value, 0) / raters;
  const rng = new SeededRandom(seedToUint64(options.seed));
  const draws = new Int32Array(raters);
  const replicates = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) {
    rng.fillBelow(raters, draws);
    let sum = 0;
    for (let k = 0; k < raters; k++) sum += values[draws[k] as number] as number;
    replicates[b] = sum / raters;
  }
  return { estimate, ...summarizeReplicates(replicates, level), resamples, raters };
}
