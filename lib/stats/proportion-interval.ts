/**
 * A confidence interval for a proportion (a fool rate, a proportion correct).
 * Invariant relied on by callers: 0 ≤ lower ≤ estimate ≤ upper ≤ 1.
 */
export interface ProportionInterval {
  /** The observed proportion successes / trials. */
  readonly estimate: number;
  readonly lower: number;
  readonly upper: number;
  /** Confidence level, e.g. 0.95. */
  readonly level: number;
}
