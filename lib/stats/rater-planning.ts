import { assertInteger, assertLevel, assertPositive } from "./argument-checks";
import { bootstrapFoolRate } from "./cluster-bootstrap";
import { sampleBeta, sampleBinomial, sampleStandardNormal } from "./random-variates";
import { deriveSeed, SeededRandom, type Seed } from "./seeded-random";
import { StatsError } from "./stats-error";
import { countCells } from "./trial-counts";

/**
 * Scale on which the spread of rater-level fool rates is given.
 * - `logit`: logit(p_r) ~ Normal(μ, sd²), μ chosen so that the mean of p_r is the assumed fool rate
 *   (a random-intercept logistic model, the usual model of rater heterogeneity).
 * - `probability`: p_r ~ Beta with the assumed fool rate as mean and sd as standard deviation
 *   (requires sd² < rate·(1 − rate)).
 */
export type RaterSpreadScale = "logit" | "probability";

export interface RaterPlanningOptions {
  /** Assumed population fool rate (mean of rater-level rates), in (0, 1). */
  readonly foolRate: number;
  /** Target half-width of the 95% (or `level`) interval, e.g. 0.03 for ±3 points. */
  readonly targetHalfWidth: number;
  /** Test trials per rater (40 in the paper's protocol). */
  readonly trialsPerRater: number;
  /** Standard deviation of rater-level fool rates on `spreadScale`; 0 for identical raters. */
  readonly raterSpread: number;
  readonly spreadScale?: RaterSpreadScale;
  readonly seed: Seed;
  /** Candidate numbers of raters, ascending integers ≥ 2; default 10 … 1000. */
  readonly grid?: readonly number[];
  /** Simulated studies per candidate, default 200. */
  readonly simulations?: number;
  /** Bootstrap resamples per simulated study, default 1,000. */
  readonly resamples?: number;
  /** Interval level, default 0.95. */
  readonly level?: number;
}

export interface RaterPlan {
  /** Smallest number of raters on the grid whose mean half-width meets the target, or null. */
  readonly raters: number | null;
  /** Mean half-width achieved at `raters` (null when the target was not reached). */
  readonly halfWidth: number | null;
  readonly reached: boolean;
  /** Every candidate evaluated, in grid order (the search stops at the first success). */
  readonly evaluated: readonly { readonly raters: number; readonly meanHalfWidth: number }[];
}

export const DEFAULT_PLANNING_GRID: readonly number[] = [
  10, 15, 20, 25, 30, 40, 50, 60, 80, 100, 120, 150, 200, 250, 300, 400, 500, 750, 1000,
];

function logistic(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/**
 * Mean of a logit-normal variable, E[logistic(μ + σZ)] with Z ~ N(0, 1), by the trapezoid rule on
 * [−12, 12] with step 0.005 (smooth, Gaussian-weighted integrand: the rule converges geometrically,
 * error < 1e−12).
 *
 * @example
 * logitNormalMean(0, 1); // 0.5 (by symmetry)
 */
export function logitNormalMean(mu: number, sigma: number): number {
  if (sigma === 0) return logistic(mu);
  const step = 0.005;
  let sum = 0;
  for (let z = -12; z <= 12 + 1e-9; z += step) {
    sum += logistic(mu + sigma * z) * Math.exp(-0.5 * z * z);
  }
  return (sum * step) / Math.sqrt(2 * Math.PI);
}

/**
 * The centre μ with E[logistic(μ + σZ)] = mean, by bisection (the mean increases with μ).
 *
 * @example
 * logitNormalCentre(0.5, 0.8); // 0 (up to 1e−12)
 */
export function logitNormalCentre(mean: number, sigma: number): number {
  let lo = -40;
  let hi = 40;
  for (let i = 0; i < 200 && hi - lo > 1e-12; i++) {
    const mid = 0.5 * (lo + hi);
    if (logitNormalMean(mid, sigma) < mean) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

/**
 * Number of raters per method needed for a target interval half-width, by simulation.
 *
 * Definition: for each candidate n on the grid (ascending), `simulations` studies are drawn — n
 * raters with rates p_r from the spread model, each answering `trialsPerRater` trials,
 * fooled ~ Binomial(trials, p_r) — and each is analysed with the default cluster bootstrap
 * (`raters` variant, `resamples` resamples, percentile interval). The half-width of a study is
 * (upper − lower)/2; the plan returns the first n whose mean half-width is ≤ the target. Image
 * effects are not modelled (they add to the interval of a two-way analysis). Simulation s uses
 * the same raters for every n (common random numbers), so half-widths decrease smoothly in n.
 * Reference: the design logic of HYPE (Zhou et al. 2019, 30 evaluators per model); Arnold et al.
 * (2011), BMC Med Res Methodol 11:94 (simulation-based sample size).
 *
 * @throws {StatsError} `invalid-argument` for a rate outside (0, 1), non-positive target, bad
 *   counts, a spread impossible on the probability scale, or a bad grid.
 * @example
 * planRaters({ foolRate: 0.3, targetHalfWidth: 0.05, trialsPerRater: 40, raterSpread: 0.5, seed: 1 });
 * // { raters: 30, halfWidth: 0.0485…, reached: true, evaluated: [...] } (values depend on the seed)
 */
export function planRaters(options: RaterPlanningOptions): RaterPlan {
  const { foolRate, targetHalfWidth, trialsPerRater, raterSpread } = options;
  const scale = options.spreadScale ?? "logit";
  const grid = options.grid ?? DEFAULT_PLANNING_GRID;
  const simulations = options.simulations ?? 200;
  const resamples = options.resamples ?? 1000;
  const level = options.level ?? 0.95;
  if (!(foolRate > 0 && foolRate < 1)) {
    throw new StatsError("invalid-argument", `foolRate must be in (0, 1), got ${String(foolRate)}`);
  }
  assertPositive("targetHalfWidth", targetHalfWidth);
  assertInteger("trialsPerRater", trialsPerRater, 1);
  if (!(raterSpread >= 0 && Number.isFinite(raterSpread))) {
    throw new StatsError("invalid-argument", `raterSpread must be a finite number ≥ 0, got ${String(raterSpread)}`);
  }
  if (scale !== "logit" && scale !== "probability") {
    throw new StatsError("invalid-argument", `unknown spread scale ${String(scale)}`);
  }
  assertInteger("simulations", simulations, 1);
  assertInteger("resamples", resamples, 2);
  assertLevel(level);
  if (grid.length === 0) throw new StatsError("invalid-argument", "grid is empty");
  grid.forEach((n, i) => {
    assertInteger(`grid[${i}]`, n, 2);
    if (i > 0 && n <= (grid[i - 1] as number)) throw new StatsError("invalid-argument", "grid must be ascending");
  });

  let drawRate: (rng: SeededRandom) => number;
  if (raterSpread === 0) {
    drawRate = () => foolRate;
  } else if (scale === "logit") {
    const mu = logitNormalCentre(foolRate, raterSpread);
    drawRate = (rng) => logistic(mu + raterSpread * sampleStandardNormal(rng));
  } else {
    const variance = raterSpread * raterSpread;
    if (variance >= foolRate * (1 - foolRate)) {
      throw new StatsError("invalid-argument", "raterSpread² must be below foolRate·(1 − foolRate) on the probability scale");
    }
    const concentration = (foolRate * (1 - foolRate)) / variance - 1;
    drawRate = (rng) => sampleBeta(rng, foolRate * concentration, (1 - foolRate) * concentration);
  }

  const largest = grid[grid.length - 1] as number;
  const evaluated: { raters: number; meanHalfWidth: number }[] = [];
  // fooled[s][r]: simulation s, rater r; drawn lazily up to the largest n needed so far.
  const fooled: Int32Array[] = [];
  const streams: SeededRandom[] = [];
  const drawn: number[] = [];
  for (let s = 0; s < simulations; s++) {
    fooled.push(new Int32Array(largest));
    streams.push(new SeededRandom(options.seed, 1, s));
    drawn.push(0);
  }
  for (const n of grid) {
    let total = 0;
    for (let s = 0; s < simulations; s++) {
      const rng = streams[s] as SeededRandom;
      const counts = fooled[s] as Int32Array;
      for (let r = drawn[s] as number; r < n; r++) counts[r] = sampleBinomial(rng, trialsPerRater, drawRate(rng));
      drawn[s] = Math.max(drawn[s] as number, n);
      const study = countCells({
        rater: Int32Array.from({ length: n }, (_, r) => r),
        image: new Int32Array(n),
        trials: new Int32Array(n).fill(trialsPerRater),
        fooled: counts.slice(0, n),
      });
      const result = bootstrapFoolRate(study, { seed: deriveSeed(options.seed, 2, n, s), resamples, level });
      total += (result.upper - result.lower) / 2;
    }
    const meanHalfWidth = total / simulations;
    evaluated.push({ raters: n, meanHalfWidth });
    if (meanHalfWidth <= targetHalfWidth) return { raters: n, halfWidth: meanHalfWidth, reached: true, evaluated };
  }
  return { raters: null, halfWidth: null, reached: false, evaluated };
}
