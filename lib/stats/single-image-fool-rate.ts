import { assertInteger, assertLevel } from "./argument-checks";
import { summarizeReplicates, type ReplicateSummary } from "./replicate-summary";
import type { BootstrapOptions } from "./cluster-bootstrap";
import { SeededRandom, seedToUint64 } from "./seeded-random";
import { StatsError } from "./stats-error";

// Single-image trials, HYPE∞ (Zhou et al. 2019, NeurIPS, §3.2): one image at a time, no time
// limit, "real or fake?". Raters see real photos and a method's outputs mixed (HYPE: half each).
// HYPE∞ is the raters' error rate over all those images — fakes judged real plus reals judged
// fake, over all judgements — so 50 % means people cannot tell the method's outputs from real
// photos, and above 50 % the outputs look more real than the real photos ("hyper-realism").
// Its parts are reported beside it: the fake error (fakes judged real: the single-image fool
// rate, comparable in spirit to the paired design's fool rate) and the real error.

/** One rater's single-image judgements for one method (fakes) and the real photos they saw. */
export interface SingleImageRaterCounts {
  /** Method outputs shown, and how many of them the rater judged real. */
  readonly fakeTrials: number;
  readonly fakesJudgedReal: number;
  /** Real photos shown, and how many of them the rater judged fake. */
  readonly realTrials: number;
  readonly realsJudgedFake: number;
}

export interface SingleImageEstimate extends ReplicateSummary {
  /** Point estimate on the observed data (pooled over raters). */
  readonly estimate: number;
}

export interface SingleImageFoolRates {
  /** HYPE∞: (fakes judged real + reals judged fake) / (fake + real trials). */
  readonly hypeInfinity: SingleImageEstimate;
  /** Fake error, fakes judged real / fake trials: the single-image fool rate. */
  readonly fakeError: SingleImageEstimate;
  /** Real error, reals judged fake / real trials. */
  readonly realError: SingleImageEstimate;
  readonly raters: number;
  readonly fakeTrials: number;
  readonly realTrials: number;
  readonly resamples: number;
}

/** Seed (required), resamples (default 10,000, HYPE's count) and level (default 0.95). */
export type SingleImageOptions = Pick<BootstrapOptions, "seed" | "resamples" | "level">;

/** Attempts to redraw a replicate that has no fake or no real trial. */
const MAX_REDRAWS = 1000;

function checkRater(rater: SingleImageRaterCounts, index: number): void {
  assertInteger(`raters[${index}].fakeTrials`, rater.fakeTrials);
  assertInteger(`raters[${index}].fakesJudgedReal`, rater.fakesJudgedReal);
  assertInteger(`raters[${index}].realTrials`, rater.realTrials);
  assertInteger(`raters[${index}].realsJudgedFake`, rater.realsJudgedFake);
  if (rater.fakesJudgedReal > rater.fakeTrials || rater.realsJudgedFake > rater.realTrials) {
    throw new StatsError("invalid-argument", `raters[${index}] has more errors than trials`);
  }
}

/**
 * HYPE∞ and its parts for one method, each with a cluster-bootstrap interval over raters.
 *
 * Definition: pooled over raters, HYPE∞ = (Σ fakesJudgedReal + Σ realsJudgedFake) / (Σ fakeTrials
 * + Σ realTrials); fake error = Σ fakesJudgedReal / Σ fakeTrials; real error = Σ realsJudgedFake /
 * Σ realTrials. Each replicate draws raters with replacement (a rater keeps all their judgements,
 * so a rater's tendency to answer "real" is resampled whole) and recomputes all three from the same
 * draw; a draw without any fake or any real trial is redrawn. Standard error = SD of replicates,
 * interval = percentile interval (Efron & Tibshirani 1993; HYPE reports bootstrapped 95 % CIs).
 *
 * @throws {StatsError} `no-data` without raters, fake trials or real trials;
 *   `invalid-argument` for bad counts or options; `too-sparse` when no valid replicate can be drawn.
 * @example
 * // Two raters, 10 fakes and 10 reals each: 3 + 5 fakes judged real, 1 + 2 reals judged fake.
 * singleImageFoolRates([
 *   { fakeTrials: 10, fakesJudgedReal: 3, realTrials: 10, realsJudgedFake: 1 },
 *   { fakeTrials: 10, fakesJudgedReal: 5, realTrials: 10, realsJudgedFake: 2 },
 * ], { seed: 1 }); // hypeInfinity.estimate 11/40 = 0.275, fakeError 0.4, realError 0.15
 */
export function singleImageFoolRates(raters: readonly SingleImageRaterCounts[], options: SingleImageOptions): SingleImageFoolRates {
  const resamples = options.resamples ?? 10_000;
  const level = options.level ?? 0.95;
  assertInteger("resamples", resamples, 2);
  assertLevel(level);
  if (raters.length === 0) throw new StatsError("no-data", "no raters");
  raters.forEach(checkRater);
  const n = raters.length;
  const fakeTrials = Int32Array.from(raters, (r) => r.fakeTrials);
  const fakeErrors = Int32Array.from(raters, (r) => r.fakesJudgedReal);
  const realTrials = Int32Array.from(raters, (r) => r.realTrials);
  const realErrors = Int32Array.from(raters, (r) => r.realsJudgedFake);
  const sum = (values: Int32Array) => values.reduce((total, value) => total + value, 0);
  const totals = { fake: sum(fakeTrials), fakeErr: sum(fakeErrors), real: sum(realTrials), realErr: sum(realErrors) };
  if (totals.fake === 0) throw new StatsError("no-data", "no fake (method) trials");
  if (totals.real === 0) throw new StatsError("no-data", "no real-photo trials");

  const rng = new SeededRandom(seedToUint64(options.seed));
  const draws = new Int32Array(n);
  const hype = new Float64Array(resamples);
  const fake = new Float64Array(resamples);
  const real = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) {
    for (let attempt = 0; ; attempt++) {
      if (attempt === MAX_REDRAWS) throw new StatsError("too-sparse", "no resample of raters has both fake and real trials");
      rng.fillBelow(n, draws);
      let f = 0;
      let fe = 0;
      let r = 0;
      let re = 0;
      for (let k = 0; k < n; k++) {
        const rater = draws[k] as number;
        f += fakeTrials[rater] as number;
        fe += fakeErrors[rater] as number;
        r += realTrials[rater] as number;
        re += realErrors[rater] as number;
      }
      if (f === 0 || r === 0) continue;
      hype[b] = (fe + re) / (f + r);
      fake[b] = fe / f;
      real[b] = re / r;
      break;
    }
  }
  const summarize = (estimate: number, replicates: Float64Array): SingleImageEstimate => ({
    estimate,
    ...summarizeReplicates(replicates, level),
  });
  return {
    hypeInfinity: summarize((totals.fakeErr + totals.realErr) / (totals.fake + totals.real), hype),
    fakeError: summarize(totals.fakeErr / totals.fake, fake),
    realError: summarize(totals.realErr / totals.real, real),
    raters: n,
    fakeTrials: totals.fake,
    realTrials: totals.real,
    resamples,
  };
}
