import { assertPositive, assertProbability } from "./argument-checks";
import { betaQuantile } from "./beta-quantile";
import { regularizedIncompleteBeta } from "./incomplete-beta";
import { StatsError } from "./stats-error";

/**
 * Distribution function of Student's t with ν degrees of freedom.
 *
 * Definition: for t ≥ 0, F(t) = 1 − ½·I_{ν/(ν + t²)}(ν/2, ½), and F(−t) = 1 − F(t)
 * (Abramowitz & Stegun 1964, 26.7.1 with 26.5.27).
 *
 * @param t any finite number or ±Infinity.
 * @param degreesOfFreedom ν > 0 (need not be an integer).
 * @throws {StatsError} `invalid-argument` for NaN or ν ≤ 0.
 * @example
 * studentTCdf(2.262157162798205, 9); // 0.975 (to about 1e−15)
 */
export function studentTCdf(t: number, degreesOfFreedom: number): number {
  assertPositive("degreesOfFreedom", degreesOfFreedom);
  if (Number.isNaN(t)) throw new StatsError("invalid-argument", "t is NaN");
  if (t === Infinity) return 1;
  if (t === -Infinity) return 0;
  const nu = degreesOfFreedom;
  const tail = 0.5 * regularizedIncompleteBeta(nu / (nu + t * t), nu / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/**
 * Quantile function of Student's t with ν degrees of freedom.
 *
 * Definition: for p > ½, x = B⁻¹(2(1 − p); ν/2, ½) and t = √(ν(1 − x)/x); t(p) = −t(1 − p) for
 * p < ½ (inverting {@link studentTCdf} through the Beta quantile).
 *
 * @param p probability in (0, 1).
 * @param degreesOfFreedom ν > 0.
 * @throws {StatsError} `invalid-argument` for p outside (0, 1) or ν ≤ 0.
 * @example
 * studentTQuantile(0.975, 9); // 2.262157162798205 (R: qt(0.975, 9))
 */
export function studentTQuantile(p: number, degreesOfFreedom: number): number {
  assertProbability("p", p);
  assertPositive("degreesOfFreedom", degreesOfFreedom);
  if (p === 0 || p === 1) throw new StatsError("invalid-argument", "p must be inside (0, 1)");
  if (p === 0.5) return 0;
  if (p < 0.5) return -studentTQuantile(1 - p, degreesOfFreedom);
  const x = betaQuantile(2 * (1 - p), degreesOfFreedom / 2, 0.5);
  return Math.sqrt((degreesOfFreedom * (1 - x)) / x);
}
