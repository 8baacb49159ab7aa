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
 * A proportion moved off 0 and 1 by the 1/(2N) rule (Macmillan & Kaplan 1985, Psychol. Bull.
 * 98:185–199; Macmillan & Creelman 2005, §1.4): values below 1/(2N) become 1/(2N) and values above
 * 1 − 1/(2N) become 1 − 1/(2N), N the number of trials behind it. Others are unchanged.
 *
 * @example
 * proportionOffBounds(0, 40); // 0.0125
 */
export function proportionOffBounds(proportion: number, trials: number): number {
  assertProbability("proportion", proportion);
  if (!(trials >= 1)) throw new StatsError("no-data", "the 1/(2N) rule needs at least one trial");
  const edge = 1 / (2 * trials);
  return Math.min(1 - edge, Math.max(edge, proportion));
}

/**
 * d′ of a fool rate with its interval, by transforming the interval of the fool rate.
 *
 * Definition: p_c = 1 − fool rate and d′ = √2·Φ⁻¹(p_c) is decreasing in the fool rate, so the
 * d′ interval is [d′(1 − upper), d′(1 − lower)]; a transformed interval keeps its coverage because
 * the map is monotone. Estimate and bounds are first moved off 0 and 1 by the 1/(2N) rule
 * ({@link proportionOffBounds}), so d′ is always finite: at 0% fooled of N trials, d′ is
 * √2·Φ⁻¹(1 − 1/(2N)), not +∞.
 *
 * @param foolRate estimate, lower and upper bound of a fool rate, each in [0, 1], and the level.
 * @param trials N, the number of trials behind the fool rate.
 * @throws {StatsError} `invalid-argument` for values outside [0, 1] or lower > estimate > upper.
 * @example
 * dPrimeFromFoolRate({ estimate: 0.24, lower: 0.2, upper: 0.3, level: 0.95 }, 400);
 * // { estimate: 0.99886…, lower: 0.74161… (= √2·Φ⁻¹(0.7)), upper: 1.19004… (= √2·Φ⁻¹(0.8)), level: 0.95 }
 */
export function dPrimeFromFoolRate(
  foolRate: {
    readonly estimate: number;
    readonly lower: number;
    readonly upper: number;
    readonly level: number;
  },
  trials: number,
): DPrimeInterval {
  const { estimate, lower, upper, level } = foolRate;
  assertProbability("estimate", estimate);
  assertProbability("lower", lower);
  assertProbability("upper", upper);
  if (!(lower <= estimate && estimate <= upper)) {
    throw new StatsError("invalid-argument", "expected lower ≤ estimate ≤ upper");
  }
  const dPrime = (rate: number) => dPrimeTwoAfc(1 - proportionOffBounds(rate, trials));
  return { estimate: dPrime(estimate), lower: dPrime(upper), upper: dPrime(lower), level };
}

/** Trials of a method split by the side of the real photograph, with correct answers on each. */
export interface SideCounts {
  readonly realLeftTrials: number;
  /** Of those, trials where the rater picked the left (real) image. */
  readonly realLeftCorrect: number;
  readonly realRightTrials: number;
  /** Of those, trials where the rater picked the right (real) image. */
  readonly realRightCorrect: number;
}

/** d′ and response bias of a 2AFC observer who may favour one side. */
export interface BiasedDPrime {
  /** d′ = (z(H) − z(F))/√2: sensitivity with the side bias removed. */
  readonly dPrime: number;
  /**
   * Criterion c = −(z(H) + z(F))/2: 0 without a side preference, negative when the rater leans to
   * answer "left", positive when leaning to "right".
   */
  readonly criterion: number;
  /** H = P(answer left | real on left) and F = P(answer left | real on right), after the 1/(2N) rule. */
  readonly hitRate: number;
  readonly falseAlarmRate: number;
  /** Share of all answers that picked the left image. */
  readonly leftShare: number;
}

/**
 * d′ and side bias of a 2AFC colorization test from the sides of the real photograph and of the
 * answers.
 *
 * Definition: treat "real photo on the left" as the signal; a hit is answering left when it is on
 * the left, a false alarm answering left when it is on the right. Then d′ = (z(H) − z(F))/√2 and
 * c = −(z(H) + z(F))/2 (Macmillan & Creelman 2005, ch. 7, eqs. 7.1–7.3), z = Φ⁻¹, with H and F moved
 * off 0 and 1 by the 1/(2N) rule of their own trial counts. Without a side preference d′ equals
 * √2·Φ⁻¹(p_c) ({@link dPrimeTwoAfc}); with one, p_c understates sensitivity and this d′ does not.
 *
 * @throws {StatsError} `no-data` when either side has no trials; `invalid-argument` for counts
 *   outside their range.
 * @example
 * dPrimeWithBias({ realLeftTrials: 100, realLeftCorrect: 90, realRightTrials: 100, realRightCorrect: 60 });
 * // { dPrime: 1.0853…, criterion: −0.5141…, hitRate: 0.9, falseAlarmRate: 0.4, leftShare: 0.65 }
 */
export function dPrimeWithBias(counts: SideCounts): BiasedDPrime {
  const { realLeftTrials, realLeftCorrect, realRightTrials, realRightCorrect } = counts;
  for (const [name, value] of Object.entries(counts)) {
    if (!Number.isSafeInteger(value) || value < 0) throw new StatsError("invalid-argument", `${name} must be a count, got ${String(value)}`);
  }
  if (realLeftCorrect > realLeftTrials || realRightCorrect > realRightTrials) {
    throw new StatsError("invalid-argument", "correct answers exceed trials");
  }
  if (realLeftTrials === 0 || realRightTrials === 0) throw new StatsError("no-data", "both sides need trials");
  const hitRate = proportionOffBounds(realLeftCorrect / realLeftTrials, realLeftTrials);
  const falseAlarmRate = proportionOffBounds((realRightTrials - realRightCorrect) / realRightTrials, realRightTrials);
  const zH = normalQuantile(hitRate);
  const zF = normalQuantile(falseAlarmRate);
  return {
    dPrime: (zH - zF) / Math.SQRT2,
    criterion: -(zH + zF) / 2,
    hitRate,
    falseAlarmRate,
    leftShare: (realLeftCorrect + realRightTrials - realRightCorrect) / (realLeftTrials + realRightTrials),
  };
}
