import { assertPositive } from "./argument-checks";

const HALF_LOG_TWO_PI = 0.91893853320467274178; // ½·ln(2π)

/**
 * Remainder of Stirling's series, lnΓ(x) − [(x − ½)·ln x − x + ½·ln(2π)], for x ≥ 10.
 *
 * Definition: Σ_k B_{2k} / (2k(2k − 1)·x^{2k−1}) with Bernoulli numbers B_{2k}; seven terms give an
 * absolute error below 1e−17 at x = 10 (the next term is 3617/(122400·x¹⁵)).
 * Reference: Abramowitz & Stegun (1964), formula 6.1.40. Used by {@link logBeta} to keep relative
 * accuracy when the arguments are large (the approach of R's nmath `lgammacor`/`lbeta`).
 *
 * @param x argument, x ≥ 10 (not checked: internal helper).
 * @example
 * stirlingRemainder(10); // 0.008330563433362871
 */
export function stirlingRemainder(x: number): number {
  const x2 = 1 / (x * x);
  return (
    (1 / 12 +
      x2 *
        (-1 / 360 +
          x2 * (1 / 1260 + x2 * (-1 / 1680 + x2 * (1 / 1188 + x2 * (-691 / 360360 + x2 * (1 / 156))))))) /
    x
  );
}

/**
 * Natural logarithm of the gamma function, lnΓ(x), for x > 0.
 *
 * Definition: Γ(x) = ∫₀^∞ t^{x−1} e^{−t} dt. Computed with Stirling's series for x ≥ 10 and the
 * recurrence Γ(x) = Γ(x + n)/(x(x + 1)…(x + n − 1)) below, giving about 15 significant digits.
 * Reference: Abramowitz & Stegun (1964), 6.1.40 and 6.1.15.
 *
 * @param x a finite number > 0.
 * @throws {StatsError} `invalid-argument` if x is not a finite number > 0.
 * @example
 * logGamma(10); // 12.801827480081469 (= ln 9! = ln 362880)
 */
export function logGamma(x: number): number {
  assertPositive("x", x);
  if (x >= 10) return (x - 0.5) * Math.log(x) - x + HALF_LOG_TWO_PI + stirlingRemainder(x);
  let product = 1;
  let shifted = x;
  while (shifted < 10) {
    product *= shifted;
    shifted += 1;
  }
  return (
    (shifted - 0.5) * Math.log(shifted) - shifted + HALF_LOG_TWO_PI + stirlingRemainder(shifted) - Math.log(product)
  );
}
