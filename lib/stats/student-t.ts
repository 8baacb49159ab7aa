import { assertPositive } from "./argument-checks";
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
 * studentTCdf(2.262157162798205, 9); // 0.975 (to about 1e−15); its inverse is studentTQuantile
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
