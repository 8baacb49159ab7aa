import { assertPositive } from "./argument-checks";
import { logGamma, stirlingRemainder } from "./log-gamma";

const HALF_LOG_TWO_PI = 0.91893853320467274178;

/**
 * Natural logarithm of the beta function, ln B(a, b) = lnΓ(a) + lnΓ(b) − lnΓ(a + b).
 *
 * When both arguments are large the three log-gamma terms are huge and nearly cancel, so the sum
 * is rearranged around Stirling's series to keep relative accuracy (the scheme of R's nmath
 * `lbeta.c`, after DiDonato & Morris 1992, ACM TOMS 18:360–373).
 *
 * @param a first shape, finite and > 0.
 * @param b second shape, finite and > 0.
 * @throws {StatsError} `invalid-argument` if a or b is not a finite number > 0.
 * @example
 * logBeta(2, 3); // −2.4849066497880004 (= ln(1/12))
 */
export function logBeta(a: number, b: number): number {
  assertPositive("a", a);
  assertPositive("b", b);
  const p = Math.min(a, b);
  const q = Math.max(a, b);
  if (p >= 10) {
    const correction = stirlingRemainder(p) + stirlingRemainder(q) - stirlingRemainder(p + q);
    return (
      -0.5 * Math.log(q) +
      HALF_LOG_TWO_PI +
      correction +
      (p - 0.5) * Math.log(p / (p + q)) +
      q * Math.log1p(-p / (p + q))
    );
  }
  if (q >= 10) {
    const correction = stirlingRemainder(q) - stirlingRemainder(p + q);
    return logGamma(p) + correction + p - p * Math.log(p + q) + (q - 0.5) * Math.log1p(-p / (p + q));
  }
  return logGamma(p) + logGamma(q) - logGamma(p + q);
}
