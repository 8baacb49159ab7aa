import { assertInteger, assertPositive, assertProbability } from "./argument-checks";
import type { SeededRandom } from "./seeded-random";

// Random variates for simulation (planning, calibration studies, synthetic benchmarks). Each takes
// the generator explicitly so a seeded simulation stays reproducible.

/**
 * A standard normal variate by the Box–Muller transform (one of the pair is used, so each call
 * consumes exactly two uniforms and the stream does not depend on call history).
 * Reference: Box & Muller (1958), Ann. Math. Statist. 29:610–611.
 *
 * @example
 * sampleStandardNormal(new SeededRandom(1)); // a number, N(0, 1) distributed
 */
export function sampleStandardNormal(rng: SeededRandom): number {
  const u1 = 1 - rng.nextFloat(); // (0, 1], so the logarithm is finite
  const u2 = rng.nextFloat();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/**
 * A Gamma(shape, 1) variate by Marsaglia & Tsang's squeeze method; for shape < 1 the boost
 * Gamma(a) = Gamma(a + 1)·U^{1/a}.
 * Reference: Marsaglia & Tsang (2000), ACM TOMS 26:363–372.
 *
 * @param shape a finite number > 0.
 * @throws {StatsError} `invalid-argument` for a non-positive shape.
 * @example
 * sampleGamma(new SeededRandom(1), 2); // a positive number; Gamma(2, 1) has mean 2, variance 2
 */
export function sampleGamma(rng: SeededRandom, shape: number): number {
  assertPositive("shape", shape);
  if (shape < 1) {
    const boost = Math.pow(1 - rng.nextFloat(), 1 / shape);
    return sampleGamma(rng, shape + 1) * boost;
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = sampleStandardNormal(rng);
    const v0 = 1 + c * x;
    if (v0 <= 0) continue;
    const v = v0 * v0 * v0;
    const u = 1 - rng.nextFloat();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

/**
 * A Beta(a, b) variate as X/(X + Y) with X ~ Gamma(a), Y ~ Gamma(b).
 *
 * @throws {StatsError} `invalid-argument` for non-positive shapes.
 * @example
 * sampleBeta(new SeededRandom(1), 3, 7); // a number in (0, 1); Beta(3, 7) has mean 0.3
 */
export function sampleBeta(rng: SeededRandom, a: number, b: number): number {
  const x = sampleGamma(rng, a);
  const y = sampleGamma(rng, b);
  return x / (x + y);
}

/**
 * A Binomial(n, p) variate as a sum of n Bernoulli draws — exact and O(n), meant for the trial
 * counts of a simulated session (tens to hundreds of trials).
 *
 * @throws {StatsError} `invalid-argument` for a negative or non-integer n or p outside [0, 1].
 * @example
 * sampleBinomial(new SeededRandom(1), 40, 1); // 40 (and 0 for p = 0; otherwise random)
 */
export function sampleBinomial(rng: SeededRandom, n: number, p: number): number {
  assertInteger("n", n);
  assertProbability("p", p);
  let successes = 0;
  for (let i = 0; i < n; i++) if (rng.nextFloat() < p) successes++;
  return successes;
}
