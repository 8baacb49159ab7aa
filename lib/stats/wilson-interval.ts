import { assertInteger, assertLevel } from "./argument-checks";
import { normalQuantile } from "./normal-quantile";
import type { ProportionInterval } from "./proportion-interval";
import { StatsError } from "./stats-error";

/**
 * Wilson score interval for a binomial proportion.
 *
 * Definition: the set of p with |p̂ − p| ≤ z·√(p(1 − p)/n), z = Φ⁻¹(1 − (1 − level)/2), i.e.
 * centre (p̂ + z²/2n)/(1 + z²/n) ± (z/(1 + z²/n))·√(p̂(1 − p̂)/n + z²/4n²).
 * Reference: Wilson (1927), JASA 22:209–212; Newcombe (1998), Stat Med 17:857–872, method 3.
 * It treats trials as independent: for a fool rate pooled over raters use the cluster bootstrap.
 *
 * @param successes number of successes, integer in [0, trials].
 * @param trials number of trials, integer ≥ 1.
 * @param level confidence level in (0, 1), default 0.95.
 * @returns estimate, lower and upper bound (lower is exactly 0 when successes = 0, upper exactly 1
 *   when successes = trials).
 * @throws {StatsError} `no-data` when trials = 0; `invalid-argument` for non-integer counts,
 *   successes > trials, or a level outside (0, 1).
 * @example
 * wilsonInterval(81, 263); // { estimate: 0.30798…, lower: 0.25529…, upper: 0.36621…, level: 0.95 }
 */
export function wilsonInterval(successes: number, trials: number, level = 0.95): ProportionInterval {
  assertInteger("successes", successes);
  assertInteger("trials", trials);
  assertLevel(level);
  if (trials === 0) throw new StatsError("no-data", "a proportion needs at least one trial");
  if (successes > trials) {
    throw new StatsError("invalid-argument", `successes (${successes}) exceed trials (${trials})`);
  }
  const z = normalQuantile(1 - (1 - level) / 2);
  const n = trials;
  const p = successes / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (z / denominator) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // At the boundaries the bound is 0 (or 1) analytically; avoid a rounding residue of ±1e−17.
  const lower = successes === 0 ? 0 : Math.max(0, centre - half);
  const upper = successes === trials ? 1 : Math.min(1, centre + half);
  return { estimate: p, lower, upper, level };
}
