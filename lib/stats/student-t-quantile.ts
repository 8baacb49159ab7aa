import { assertPositive, assertProbability } from "./argument-checks";
import { betaQuantile } from "./beta-quantile";
import { StatsError } from "./stats-error";

/**
 * Quantile function of Student's t distribution with ν degrees of freedom.
 *
 * Definition: for p > ½, t_p = √(ν·y/(1 − y)) with y the Beta(½, ν/2) quantile at 2p − 1,
 * because P(|T| ≤ t) = I_{t²/(ν+t²)}(½, ν/2) (Abramowitz & Stegun 26.7.1 with 26.5.27); t_{1−p} =
 * −t_p by symmetry.
 *
 * @param p probability in (0, 1).
 * @param degreesOfFreedom ν > 0 (need not be an integer).
 * @throws {StatsError} `invalid-argument` for p outside (0, 1) or ν ≤ 0.
 * @example
 * studentTQuantile(0.975, 9); // 2.2621571627… (R: qt(0.975, 9))
 */
export function studentTQuantile(p: number, degreesOfFreedom: number): number {
  assertProbability("p", p);
  assertPositive("degreesOfFreedom", degreesOfFreedom);
  if (p === 0 || p === 1) throw new StatsError("invalid-argument", "p must be strictly between 0 and 1");
  if (p === 0.5) return 0;
  const upper = p > 0.5;
  const tail = upper ? 1 - p : p;
  // 1 − x ~ Beta(½, ν/2): solving for it keeps the root away from 1, where the beta quantile
  // iteration loses precision for large ν.
  const y = betaQuantile(1 - 2 * tail, 0.5, degreesOfFreedom / 2);
  const t = Math.sqrt((degreesOfFreedom * y) / (1 - y));
  return upper ? t : -t;
}
