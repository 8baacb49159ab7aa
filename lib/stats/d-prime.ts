import { assertProbability } from "./argument-checks";
import { normalQuantile } from "./normal-quantile";
import { StatsError } from "./stats-error";

/**
 * Sensitivity d′ of an unbiased observer in a two-alternative forced choice (2AFC).
 *
 * Definition: d′ = √2·Φ⁻¹(p_c), p_c the proportion correct (Macmillan & Creelman 2005, Detection
 * Theory: A User's Guide, 2nd ed., ch. 7, eq. 7.2). In the colorization Turing test a trial is
 * "correct" when the rater picks the real photo, so p_c = 1 − fool rate: a fool rate of 50% is
 * d′ = 0 (indistinguishable), and a fool rate above 50% gives a negative d′.
 * Not clamped: p_c = 1 returns +Infinity and p_c = 0 returns −Infinity, exactly and on purpose, so
 * that a perfect score is never reported as a finite sensitivity; display code must handle them.
 *
 * @param proportionCorrect p_c in [0, 1].
 * @throws {StatsError} `invalid-argument` for p_c outside [0, 1] or NaN.
 * @example
 * dPrimeTwoAfc(0.76); // 0.99886… (Macmillan & Creelman's table: d′ ≈ 1.00 for p_c = .76)
 */
export function dPrimeTwoAfc(proportionCorrect: number): number {
  assertProbability("proportionCorrect", proportionCorrect);
  return Math.SQRT2 * normalQuantile(proportionCorrect);
}

/** d′ with an interval. Invariant: lower ≤ estimate ≤ upper (±Infinity allowed, see dPrimeTwoAfc). */
export interface DPrimeInterval {
  readonly estimate: number;
  readonly lower: number;
  readonly upper: number;
  readonly level: number;
}

/**
 * d′ of a fool rate with its interval, by transforming the interval of the fool rate.
 *
 * Definition: p_c = 1 − fool rate and d′ = √2·Φ⁻¹(p_c) is decreasing in the fool rate, so the
 * d′ interval is [d′(1 − upper), d′(1 − lower)]; a transformed percentile (or Wilson, or
 * Clopper–Pearson) interval keeps its coverage because the map is monotone.
 *
 * @param foolRate estimate, lower and upper bound of a fool rate, each in [0, 1], and the level.
 * @throws {StatsError} `invalid-argument` for values outside [0, 1] or lower > estimate > upper.
 * @example
 * dPrimeFromFoolRate({ estimate: 0.24, lower: 0.2, upper: 0.3, level: 0.95 });
 * // { estimate: 0.99886…, lower: 0.74161… (= √2·Φ⁻¹(0.7)), upper: 1.19004… (= √2·Φ⁻¹(0.8)), level: 0.95 }
 */
export function dPrimeFromFoolRate(foolRate: {
  readonly estimate: number;
  readonly lower: number;
  readonly upper: number;
  readonly level: number;
}): DPrimeInterval {
  const { estimate, lower, upper, level } = foolRate;
  assertProbability("estimate", estimate);
  assertProbability("lower", lower);
  assertProbability("upper", upper);
  if (!(lower <= estimate && estimate <= upper)) {
    throw new StatsError("invalid-argument", "expected lower ≤ estimate ≤ upper");
  }
  return {
    estimate: dPrimeTwoAfc(1 - estimate),
    lower: dPrimeTwoAfc(1 - upper),
    upper: dPrimeTwoAfc(1 - lower),
    level,
  };
}
