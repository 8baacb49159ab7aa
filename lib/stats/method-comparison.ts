import { assertLevel } from "./argument-checks";
import type { FoolRateBootstrapSet } from "./cluster-bootstrap";
import { adjustPValues, type PValueCorrection } from "./p-value-adjustment";
import { summarizeReplicates } from "./replicate-summary";
import { StatsError } from "./stats-error";

/** Difference of fool rates between two methods, a − b. */
export interface FoolRateDifference {
  /** Index of the first method in the bootstrap set. */
  readonly a: number;
  /** Index of the second method. */
  readonly b: number;
  /** Observed difference estimate_a − estimate_b. */
  readonly difference: number;
  readonly standardError: number;
  /** Percentile interval of the replicate differences. */
  readonly lower: number;
  readonly upper: number;
  readonly level: number;
  /** Two-sided bootstrap p-value for "no difference", before correction. */
  readonly pValue: number;
  /** p-value after the correction across all pairs compared. */
  readonly adjustedPValue: number;
}

export interface MethodComparison {
  readonly correction: PValueCorrection;
  readonly comparisons: readonly FoolRateDifference[];
}

export interface CompareOptions {
  /** Correction across the pairs, default `holm`. */
  readonly correction?: PValueCorrection;
  /** Interval level, default the bootstrap set's level. */
  readonly level?: number;
  /** Pairs to compare, default every pair (a < b) in index order. */
  readonly pairs?: readonly (readonly [number, number])[];
}

/**
 * Two-sided bootstrap p-value for H₀: difference = 0 from replicate differences d₁…d_B:
 * p = min(1, 2·min((1 + #{d ≤ 0})/(B + 1), (1 + #{d ≥ 0})/(B + 1))). The +1 counts the observed
 * data as one resample, so p is never 0 (Davison & Hinkley 1997, Bootstrap Methods, eq. 4.11).
 *
 * @example
 * bootstrapPValue(Float64Array.of(1, 2, 3)); // 0.5 (= 2·(1 + 0)/4)
 */
export function bootstrapPValue(differences: ArrayLike<number>): number {
  const n = differences.length;
  if (n === 0) throw new StatsError("no-data", "no replicate differences");
  let atMostZero = 0;
  let atLeastZero = 0;
  for (let i = 0; i < n; i++) {
    const d = differences[i] as number;
    if (d <= 0) atMostZero++;
    if (d >= 0) atLeastZero++;
  }
  return Math.min(1, (2 * Math.min(1 + atMostZero, 1 + atLeastZero)) / (n + 1));
}

/**
 * Compares the fool rates of methods pairwise from a joint bootstrap ({@link bootstrapFoolRates}).
 *
 * Definition: for each pair, the replicate differences d_b = θ*_a,b − θ*_b,b give the standard error
 * (their SD), a percentile interval and a two-sided p-value ({@link bootstrapPValue}); the p-values
 * are then corrected across the pairs (Holm by default, Benjamini–Hochberg as an option); the
 * intervals are per comparison, not adjusted — so this is not one family of intervals and tests.
 * The reported comparisons use compareFoolRatesTwoWay (two-way-interval.ts), whose
 * simultaneous intervals and Bonferroni p-values are. Raters are resampled jointly across methods
 * when they saw several (within-subjects), else per method; in the two-way variant each replicate
 * shares its image draw across methods, so image difficulty cancels in the difference as it does
 * in the data. The two-way bootstrap counts trial-level variance three times (docs/statistics.md),
 * so its difference intervals and p-values err on the conservative side.
 * Reference: Efron & Tibshirani (1993), ch. 16 (bootstrap hypothesis tests); Holm (1979).
 *
 * @param set joint bootstrap of at least two methods.
 * @param options correction, level, pairs.
 * @throws {StatsError} `no-data` with fewer than two methods; `invalid-argument` for a bad pair or
 *   level.
 * @example
 * compareFoolRates(bootstrapFoolRates([ours, dahl], { seed: 1 })).comparisons[0].difference;
 * // estimate(ours) − estimate(dahl)
 */
export function compareFoolRates(set: FoolRateBootstrapSet, options: CompareOptions = {}): MethodComparison {
  const correction = options.correction ?? "holm";
  const level = options.level ?? set.level;
  assertLevel(level);
  const methods = set.methods.length;
  if (methods < 2) throw new StatsError("no-data", "comparisons need at least two methods");
  const pairs: (readonly [number, number])[] = [];
  if (options.pairs === undefined) {
    for (let a = 0; a < methods; a++) for (let b = a + 1; b < methods; b++) pairs.push([a, b]);
  } else {
    for (const [a, b] of options.pairs) {
      if (!Number.isInteger(a) || !Number.isInteger(b) || a < 0 || b < 0 || a >= methods || b >= methods || a === b) {
        throw new StatsError("invalid-argument", `bad pair (${a}, ${b}) for ${methods} methods`);
      }
      pairs.push([a, b]);
    }
  }
  const raw = pairs.map(([a, b]) => {
    const ra = set.replicates[a] as Float64Array;
    const rb = set.replicates[b] as Float64Array;
    const differences = new Float64Array(ra.length);
    for (let i = 0; i < ra.length; i++) differences[i] = (ra[i] as number) - (rb[i] as number);
    const summary = summarizeReplicates(differences, level);
    return {
      a,
      b,
      difference: (set.methods[a]?.estimate as number) - (set.methods[b]?.estimate as number),
      standardError: summary.standardError,
      lower: summary.lower,
      upper: summary.upper,
      level,
      pValue: bootstrapPValue(differences),
    };
  });
  const adjusted = adjustPValues(
    raw.map((r) => r.pValue),
    correction,
  );
  return {
    correction,
    comparisons: raw.map((r, i) => ({ ...r, adjustedPValue: adjusted[i] as number })),
  };
}
