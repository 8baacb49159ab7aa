import { assertInteger, assertLevel, assertPositive } from "./argument-checks";
import { StatsError } from "./stats-error";
import { studentTQuantile } from "./student-t-quantile";

// Recruiting to a precision instead of to a fixed number of raters: each method's fool-rate
// interval is tracked as raters finish, the next rater goes to the method whose interval is
// widest, and a method stops recruiting ("full") once its half-width reaches the target.

/**
 * A cluster-robust interval for a pooled proportion, built on the logit scale: trials are
 * clustered within raters, so the variance comes from how raters' counts scatter around the
 * pooled rate, not from a binomial model.
 *
 * Definition: p̂ = Σk_r / Σn_r over R raters. Its linearization (sandwich) variance is
 * V = R/(R − 1) · Σ_r (k_r − p̂·n_r)² / (Σn_r)², the ratio-estimator variance of cluster sampling
 * (Cochran 1977, Sampling Techniques, 3rd ed., §6.11, without finite-population correction),
 * floored at the binomial p̃(1 − p̃)/Σn_r (raters add variance; an interval narrower than
 * independent trials would give is a chance low spread, not precision). The interval is
 * logistic(logit p̃ ± t_{R−1, (1+level)/2}·√V / (p̃(1 − p̃))) with the empirical logit centre
 * p̃ = (Σk + ½)/(Σn + 1) (Cox 1970, The Analysis of Binary Data, §3.2), so it stays inside (0, 1)
 * and is longer on the side away from 0 or 1 — a symmetric (Wald) interval undercovers small
 * rates, and a rule that stops when the interval is narrow would stop exactly when a small rate
 * happens to be underestimated. The half-width is (upper − lower)/2.
 */
export interface ClusterProportionInterval {
  /** The pooled rate p̂ = Σk/Σn. */
  readonly estimate: number;
  /** √V, on the proportion scale. */
  readonly standardError: number;
  /** (upper − lower)/2: what the stopping rule compares with its target. */
  readonly halfWidth: number;
  readonly lower: number;
  readonly upper: number;
  readonly level: number;
  readonly raters: number;
}

/** Sums over a method's raters that determine its interval (kept running by simulations). */
export interface ClusterSums {
  readonly raters: number;
  readonly trials: number;
  readonly fooled: number;
  /** Σ_r (k_r − p̂·n_r)². */
  readonly squaredResiduals: number;
}

/**
 * The interval of {@link ClusterProportionInterval} from the sums and the t quantile
 * t_{R−1, (1+level)/2} (passed in so that callers looping over many studies compute it once).
 */
export function clusterIntervalFromSums(sums: ClusterSums, tQuantile: number, level: number): ClusterProportionInterval {
  const { raters, trials, fooled, squaredResiduals } = sums;
  const estimate = fooled / trials;
  const centre = (fooled + 0.5) / (trials + 1);
  const binomialVariance = (centre * (1 - centre)) / trials;
  const clusterVariance = ((raters / (raters - 1)) * Math.max(0, squaredResiduals)) / (trials * trials);
  const standardError = Math.sqrt(Math.max(clusterVariance, binomialVariance));
  const logitCentre = Math.log(centre / (1 - centre));
  const logitHalf = (tQuantile * standardError) / (centre * (1 - centre));
  const lower = 1 / (1 + Math.exp(-(logitCentre - logitHalf)));
  const upper = 1 / (1 + Math.exp(-(logitCentre + logitHalf)));
  return { estimate, standardError, halfWidth: (upper - lower) / 2, lower, upper, level, raters };
}

/**
 * @param raterTrials trials per rater (each ≥ 1).
 * @param raterFooled fooled trials per rater.
 * @throws {StatsError} `no-data` with fewer than two raters; `invalid-argument` for mismatched
 *   or bad counts.
 * @example
 * // 12 raters × 40 trials, 61 fooled: p̂ = 0.12708, cluster SE 0.016125, t(0.975, 11) = 2.2010:
 * // logit interval (0.09636, 0.16774)
 * clusterProportionInterval(Array(12).fill(40), [4, 6, 2, 9, 5, 3, 7, 4, 5, 6, 2, 8]).halfWidth; // 0.035687…
 */
export function clusterProportionInterval(
  raterTrials: ArrayLike<number>,
  raterFooled: ArrayLike<number>,
  level = 0.95,
): ClusterProportionInterval {
  assertLevel(level);
  const raters = raterTrials.length;
  if (raterFooled.length !== raters) throw new StatsError("invalid-argument", "raterTrials and raterFooled differ in length");
  if (raters < 2) throw new StatsError("no-data", "an interval over raters needs at least two raters");
  let trials = 0;
  let fooled = 0;
  for (let r = 0; r < raters; r++) {
    const n = raterTrials[r] as number;
    const k = raterFooled[r] as number;
    assertInteger(`raterTrials[${r}]`, n, 1);
    assertInteger(`raterFooled[${r}]`, k);
    if (k > n) throw new StatsError("invalid-argument", `rater ${r} has more fooled than trials`);
    trials += n;
    fooled += k;
  }
  const estimate = fooled / trials;
  let squaredResiduals = 0;
  for (let r = 0; r < raters; r++) {
    const residual = (raterFooled[r] as number) - estimate * (raterTrials[r] as number);
    squaredResiduals += residual * residual;
  }
  return clusterIntervalFromSums({ raters, trials, fooled, squaredResiduals }, studentTQuantile((1 + level) / 2, raters - 1), level);
}

export interface PrecisionTarget {
  /** Target half-width of each method's interval, e.g. 0.04 for ±4 points. */
  readonly targetHalfWidth: number;
  /**
   * Raters a method gets before its interval may stop it (default 10): below that an interval
   * over raters says too little about rater-to-rater spread to be trusted as a stopping signal.
   */
  readonly minRaters?: number;
  /** A cap per method, reached or not (default none). */
  readonly maxRaters?: number | null;
  readonly level?: number;
}

/** Where a method stands against the target. */
export interface MethodPrecision {
  readonly raters: number;
  /** Current half-width; Infinity below two raters. */
  readonly halfWidth: number;
  /** No more raters needed: target met with at least minRaters, or the cap reached. */
  readonly full: boolean;
}

function targetOptions(target: PrecisionTarget): { targetHalfWidth: number; minRaters: number; maxRaters: number | null; level: number } {
  const minRaters = target.minRaters ?? 10;
  const maxRaters = target.maxRaters ?? null;
  const level = target.level ?? 0.95;
  assertPositive("targetHalfWidth", target.targetHalfWidth);
  assertInteger("minRaters", minRaters, 2);
  if (maxRaters !== null) assertInteger("maxRaters", maxRaters, minRaters);
  assertLevel(level);
  return { targetHalfWidth: target.targetHalfWidth, minRaters, maxRaters, level };
}

/**
 * A method's precision against the target, from its finished raters' counts.
 *
 * @throws {StatsError} see {@link clusterProportionInterval}; `invalid-argument` for a bad target.
 * @example
 * methodPrecision([10, 10, 10], [2, 4, 3], { targetHalfWidth: 0.05, minRaters: 2 });
 * // { raters: 3, halfWidth: 0.3169…, full: false } (the binomial floor: 30 trials say little)
 */
export function methodPrecision(raterTrials: ArrayLike<number>, raterFooled: ArrayLike<number>, target: PrecisionTarget): MethodPrecision {
  const { targetHalfWidth, minRaters, maxRaters, level } = targetOptions(target);
  const raters = raterTrials.length;
  const halfWidth = raters < 2 ? Infinity : clusterProportionInterval(raterTrials, raterFooled, level).halfWidth;
  const full = (raters >= minRaters && halfWidth <= targetHalfWidth) || (maxRaters !== null && raters >= maxRaters);
  return { raters, halfWidth, full };
}

/**
 * Which method the next rater should rate: the open (not full) method that most needs raters.
 * Methods below `minRaters` come first, fewest raters first; then the widest current interval;
 * ties go to fewer raters, then to the earlier method. Returns null when every method is full —
 * the study link then says the study is full.
 *
 * Counting raters who are still rating (assigned, not finished) in `raters`, without their
 * answers, keeps simultaneous arrivals from all being sent to the same method.
 *
 * @example
 * chooseMethodForRater([{ raters: 12, halfWidth: 0.05, full: false },
 *   { raters: 12, halfWidth: 0.07, full: false }], { targetHalfWidth: 0.04 }); // 1
 */
export function chooseMethodForRater(methods: readonly MethodPrecision[], target: PrecisionTarget): number | null {
  const { minRaters } = targetOptions(target);
  let best: number | null = null;
  const priority = (m: MethodPrecision): [number, number, number] => [m.raters < minRaters ? 0 : 1, m.raters < minRaters ? m.raters : -m.halfWidth, m.raters];
  methods.forEach((method, index) => {
    if (method.full) return;
    if (best === null) {
      best = index;
      return;
    }
    const a = priority(method);
    const b = priority(methods[best] as MethodPrecision);
    for (let k = 0; k < 3; k++) {
      if ((a[k] as number) < (b[k] as number)) {
        best = index;
        return;
      }
      if ((a[k] as number) > (b[k] as number)) return;
    }
  });
  return best;
}
