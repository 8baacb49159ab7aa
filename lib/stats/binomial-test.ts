import { assertInteger, assertProbability } from "./argument-checks";
import { logGamma } from "./log-gamma";
import { StatsError } from "./stats-error";

/** ln P(X = k) for X ~ Binomial(n, p), with the 0·ln 0 = 0 convention at p = 0 or 1. */
function logBinomialPmf(k: number, n: number, p: number): number {
  const logChoose = logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);
  const successes = k === 0 ? 0 : k * Math.log(p);
  const failures = n - k === 0 ? 0 : (n - k) * Math.log1p(-p);
  return logChoose + successes + failures;
}

/**
 * Exact two-sided binomial test of H₀: success probability = p, given k successes in n trials.
 *
 * Definition: the probability under H₀ of every outcome no more likely than the one observed,
 * Σ_{i : P(i) ≤ P(k)} P(i) — the "minimum likelihood" two-sided p-value of R's `binom.test`, with
 * its relative tolerance of 1e−7 so that outcomes tied with k in exact arithmetic count as tied.
 * Used to check that a guesser's accuracy is consistent with chance (p = ½).
 *
 * @param k successes, 0 ≤ k ≤ n.
 * @param n trials, n ≥ 1.
 * @param p success probability under H₀, in [0, 1]; default ½.
 * @returns the p-value in [0, 1].
 * @throws {StatsError} `invalid-argument` for k outside 0..n, n < 1 or p outside [0, 1].
 * @example
 * binomialTestTwoSided(7, 10); // 0.34375
 * binomialTestTwoSided(120, 200); // 0.0056851559967503…
 */
export function binomialTestTwoSided(k: number, n: number, p = 0.5): number {
  assertInteger("n", n, 1);
  assertInteger("k", k, 0);
  if (k > n) throw new StatsError("invalid-argument", `k must be ≤ n (${n}), got ${k}`);
  assertProbability("p", p);
  if (p === 0) return k === 0 ? 1 : 0;
  if (p === 1) return k === n ? 1 : 0;
  const observed = logBinomialPmf(k, n, p);
  const threshold = observed + Math.log1p(1e-7);
  let total = 0;
  for (let i = 0; i <= n; i++) {
    const logProbability = logBinomialPmf(i, n, p);
    if (logProbability <= threshold) total += Math.exp(logProbability);
  }
  return Math.min(1, total);
}
