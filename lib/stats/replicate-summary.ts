import { assertLevel } from "./argument-checks";
import { StatsError } from "./stats-error";

/** Standard error and percentile interval of a statistic from its bootstrap replicates. */
export interface ReplicateSummary {
  /** Sample standard deviation of the replicates (divisor B − 1): the bootstrap standard error. */
  readonly standardError: number;
  /** Mean of the replicates. */
  readonly mean: number;
  /** Percentile interval: the (1 − level)/2 and (1 + level)/2 quantiles of the replicates. */
  readonly lower: number;
  readonly upper: number;
  readonly level: number;
}

/**
 * Quantile of sorted data by linear interpolation between order statistics (Hyndman & Fan 1996,
 * Am. Statist. 50:361–365, definition 7, the default of R's `quantile`).
 *
 * @param sorted data in ascending order, at least one value.
 * @param p probability in [0, 1].
 * @example
 * quantileSorted(Float64Array.of(1, 2, 3, 4), 0.5); // 2.5
 */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) throw new StatsError("no-data", "quantile of an empty sample");
  if (!(p >= 0 && p <= 1)) throw new StatsError("invalid-argument", `p must be in [0, 1], got ${String(p)}`);
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (h - lo) * (b - a);
}

/**
 * Summarizes bootstrap replicates: standard error (SD with divisor B − 1, Efron & Tibshirani 1993,
 * eq. 6.6) and percentile interval (Efron & Tibshirani 1993, §13.3) with type-7 quantiles.
 *
 * @param replicates at least two finite replicate values.
 * @param level confidence level in (0, 1).
 * @throws {StatsError} `no-data` for fewer than two replicates; `invalid-argument` for a bad level
 *   or a non-finite replicate.
 * @example
 * summarizeReplicates(Float64Array.of(1, 2, 3, 4, 5), 0.5);
 * // { standardError: 1.5811…, mean: 3, lower: 2, upper: 4, level: 0.5 }
 */
export function summarizeReplicates(replicates: ArrayLike<number>, level: number): ReplicateSummary {
  assertLevel(level);
  const n = replicates.length;
  if (n < 2) throw new StatsError("no-data", "a bootstrap summary needs at least two replicates");
  // Deviations from the first replicate: exact zeros when all replicates are equal (one rater,
  // a rate of 0 or 1), so the standard error is then exactly 0 rather than a rounding residue.
  const shift = replicates[0] as number;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const value = replicates[i] as number;
    if (!Number.isFinite(value)) throw new StatsError("invalid-argument", `replicate ${i} is not finite`);
    sum += value - shift;
  }
  const meanDeviation = sum / n;
  let squares = 0;
  for (let i = 0; i < n; i++) {
    const d = (replicates[i] as number) - shift - meanDeviation;
    squares += d * d;
  }
  const mean = shift + meanDeviation;
  const sorted = Float64Array.from(replicates).sort();
  const tail = (1 - level) / 2;
  return {
    standardError: Math.sqrt(squares / (n - 1)),
    mean,
    lower: quantileSorted(sorted, tail),
    upper: quantileSorted(sorted, 1 - tail),
    level,
  };
}
