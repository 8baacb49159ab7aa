import { assertInteger, assertLevel } from "./argument-checks";
import { betaQuantile } from "./beta-quantile";
import type { ProportionInterval } from "./proportion-interval";
import { StatsError } from "./stats-error";

/**
 * Clopper–Pearson ("exact") interval for a binomial proportion.
 *
 * Definition: lower = B⁻¹(α/2; k, n − k + 1) (0 when k = 0) and upper = B⁻¹(1 − α/2; k + 1, n − k)
 * (1 when k = n), α = 1 − level, where B⁻¹ is the Beta quantile ({@link betaQuantile}); equivalently
 * the p at which P(X ≥ k | p) = α/2 and P(X ≤ k | p) = α/2 for X ~ Binomial(n, p).
 * Reference: Clopper & Pearson (1934), Biometrika 26:404–413; Newcombe (1998), Stat Med 17:857–872,
 * method 5. Like Wilson it assumes independent trials.
 *
 * @param successes number of successes, integer in [0, trials].
 * @param trials number of trials, integer ≥ 1.
 * @param level confidence level in (0, 1), default 0.95.
 * @throws {StatsError} `no-data` when trials = 0; `invalid-argument` for non-integer counts,
 *   successes > trials, or a level outside (0, 1).
 * @example
 * clopperPearsonInterval(0, 10); // { estimate: 0, lower: 0, upper: 0.30849710781876083, level: 0.95 }
 */
export function clopperPearsonInterval(successes: number, trials: number, level = 0.95): ProportionInterval {
  assertInteger("successes", successes);
  assertInteger("trials", trials);
  assertLevel(level);
  if (trials === 0) throw new StatsError("no-data", "a proportion needs at least one trial");
  if (successes > trials) {
    throw new StatsError("invalid-argument", `successes (${successes}) exceed trials (${trials})`);
  }
  const alpha = 1 - level;
  const k = successes;
  const n = trials;
  const lower = k === 0 ? 0 : betaQuantile(alpha / 2, k, n - k + 1);
  const upper = k === n ? 1 : betaQuantile(1 - alpha / 2, k + 1, n - k);
  return { estimate: k / n, lower, upper, level };
}
