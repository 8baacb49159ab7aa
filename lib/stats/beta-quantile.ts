import { assertPositive, assertProbability } from "./argument-checks";
import { regularizedIncompleteBeta } from "./incomplete-beta";
import { logBeta } from "./log-beta";
import { StatsError } from "./stats-error";

const MAX_ITERATIONS = 300;
/** Relative accuracy the residual can reach: the incomplete beta is good to about 1e−14 relative. */
const RESIDUAL_TOLERANCE = 1e-13;
/** Absolute floor of the residual tolerance: a few ulps of 1 (I near 1 is computed as 1 − tail). */
const RESIDUAL_FLOOR = 8 * Number.EPSILON;

/** Starting point of the iteration, Numerical Recipes 3rd ed. §6.14 (invbetai), after A&S 26.5.22. */
function initialGuess(p: number, a: number, b: number): number {
  if (a >= 1 && b >= 1) {
    const pp = p < 0.5 ? p : 1 - p;
    const t = Math.sqrt(-2 * Math.log(pp));
    let x = (2.30753 + t * 0.27061) / (1 + t * (0.99229 + t * 0.04481)) - t;
    if (p < 0.5) x = -x;
    const al = (x * x - 3) / 6;
    const h = 2 / (1 / (2 * a - 1) + 1 / (2 * b - 1));
    const w = (x * Math.sqrt(al + h)) / h - (1 / (2 * b - 1) - 1 / (2 * a - 1)) * (al + 5 / 6 - 2 / (3 * h));
    return a / (a + b * Math.exp(2 * w));
  }
  const lna = Math.log(a / (a + b));
  const lnb = Math.log(b / (a + b));
  const t = Math.exp(a * lna) / a;
  const u = Math.exp(b * lnb) / b;
  const w = t + u;
  return p < t / w ? Math.pow(a * w * p, 1 / a) : 1 - Math.pow(b * w * (1 - p), 1 / b);
}

/**
 * Quantile function of the Beta(a, b) distribution: the x in [0, 1] with I_x(a, b) = p.
 *
 * Definition: inverse of the regularized incomplete beta function
 * ({@link regularizedIncompleteBeta}). Solved by Halley steps from the Numerical Recipes starting
 * point, safeguarded by bisection on a bracket that always contains the root. It stops when the
 * residual I_x(a, b) − p is within what the incomplete beta itself resolves (relative accuracy
 * about 1e−14, so a tolerance of {@link RESIDUAL_TOLERANCE}·min(p, 1 − p), at least a few ulps of
 * 1), when a step no longer moves x by more than 1e−15 relative, or when the bracket has closed.
 * A tolerance tighter than the incomplete beta's accuracy made the iteration wander between
 * neighbouring doubles and give up (e.g. Clopper–Pearson for 10 of 1,000).
 * Reference: Press et al., Numerical Recipes, 3rd ed. (2007), §6.14 (invbetai).
 *
 * @param p probability in [0, 1]; p = 0 gives 0 and p = 1 gives 1.
 * @param a first shape, finite and > 0.
 * @param b second shape, finite and > 0.
 * @throws {StatsError} `invalid-argument` for p outside [0, 1] or non-positive shapes;
 *   `no-convergence` if the safeguarded iteration does not settle.
 * @example
 * betaQuantile(0.975, 1, 10); // 0.30849710781876083 (= 1 − 0.025^{1/10})
 */
export function betaQuantile(p: number, a: number, b: number): number {
  assertProbability("p", p);
  assertPositive("a", a);
  assertPositive("b", b);
  if (p === 0) return 0;
  if (p === 1) return 1;
  const logNormalizer = logBeta(a, b);
  let lo = 0;
  let hi = 1;
  let x = initialGuess(p, a, b);
  if (!(x > 0 && x < 1)) x = 0.5;
  const tolerance = Math.max(RESIDUAL_TOLERANCE * Math.min(p, 1 - p), RESIDUAL_FLOOR);
  for (let iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
    const error = regularizedIncompleteBeta(x, a, b) - p;
    if (error === 0) return x;
    if (error < 0) lo = x;
    else hi = x;
    const logDensity = (a - 1) * Math.log(x) + (b - 1) * Math.log1p(-x) - logNormalizer;
    const density = Math.exp(logDensity);
    let next: number;
    let halley = false;
    if (density > 0 && Number.isFinite(density)) {
      const t = error / density;
      // Halley correction with the derivative of the log density, damped as in invbetai.
      const curvature = (a - 1) / x - (b - 1) / (1 - x);
      const step = t / (1 - 0.5 * Math.min(1, t * curvature));
      next = x - step;
      halley = next > lo && next < hi;
      if (!halley) next = 0.5 * (lo + hi);
    } else {
      next = 0.5 * (lo + hi);
    }
    // Converged when the residual is within what I_x resolves, or within what moving x by a couple
    // of ulps changes (steep densities): a last Halley step still refines x; more steps chase noise.
    const resolvable = tolerance + (Number.isFinite(density) ? density * 4 * Number.EPSILON * x : 0);
    if (Math.abs(error) <= resolvable) return halley ? next : x;
    if (Math.abs(next - x) <= 1e-15 * Math.max(x, 1e-300) || hi - lo <= 4e-16 * Math.max(x, 1e-300)) return next;
    x = next;
  }
  throw new StatsError("no-convergence", `beta quantile did not converge for p=${p}, a=${a}, b=${b}`);
}
