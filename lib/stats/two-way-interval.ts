import { assertLevel } from "./argument-checks";
import { normalQuantile } from "./normal-quantile";
import { StatsError } from "./stats-error";
import { studentTCdf } from "./student-t";
import { studentTQuantile } from "./student-t-quantile";
import type { TrialCounts } from "./trial-counts";

// The reported interval of a fool rate and of a difference of fool rates, for trials crossed by
// raters and images, derived in docs/statistics.md. Summary of the derivation:
//
// The pooled rate θ̂ = K/N is a ratio; linearized, θ̂ − θ ≈ Σ_t e_t/N with e_t = y_t − θ the
// residual of trial t. Under crossed random raters and images, Var(Σ e) is the sum over pairs of
// trials that share a rater, plus pairs that share an image, minus pairs that share both (counted
// twice), so the variance is V_R + V_I − V_RI, each term the cluster-robust (sandwich) variance for
// one clustering: by rater, by image, by (rater, image) cell (Cameron, Gelbach & Miller 2011,
// J. Bus. Econ. Stat. 29:238–249). V_R and V_I each contain the trial-level variance once and V_RI
// is that variance, so the difference counts it exactly once.
//
// (The pigeonhole bootstrap of Owen 2007 counts it three times: its variance is V_R + V_I + V_RI,
// which makes its percentile interval conservative; it is reported beside this one, not used.)
//
// Few clusters and skew: a sandwich variance from G clusters is itself uncertain, with about G − 1
// degrees of freedom, and θ̂ is skewed near 0 and 1. The interval is therefore the Wilson score
// interval at the effective sample size n* = θ̂(1 − θ̂)/SE² · (z/t)², t the Student quantile with
// min(G_R, G_I) − 1 degrees of freedom — the Korn–Graubard construction for proportions from
// clustered samples (Korn & Graubard 1998, Survey Methodology 24:193–201), in the Wilson form
// (compared with others by Dean & Pagano 2015, J. Surv. Stat. Methodol. 3:484–503). The Wilson
// form is asymmetric the way θ̂ is: its arms stretch toward 0.5. Floor: n* is capped at the number
// of trials N (a design effect below 1 is not credited), so the interval always contains the Wilson
// interval of the pooled counts; at 0 or 100% fooled (SE 0, n_eff = N) it is that interval with the
// t quantile for z.
//
// Coverage is checked by simulation over a grid of designs in test/stats/interval-grid.ts (run by
// interval-grid-between.test.ts and interval-grid-within.test.ts), whose table is kept in
// docs/statistics.md.

/** Fewest raters a method needs before an interval or a test is reported for it. */
export const MIN_RATERS_PER_METHOD = 10;
/** Fewest distinct images a method needs before an interval or a test is reported for it. */
export const MIN_IMAGES_PER_METHOD = 10;

/** Linearized (sandwich) variances of a statistic Σ c_m θ̂_m under three clusterings. */
export interface TwoWayVarianceComponents {
  /** Clustered by rater: (G_R/(G_R − 1))·Σ_r (Σ_{t∈r} influence_t)². */
  readonly raters: number;
  /** Clustered by image. */
  readonly images: number;
  /** Clustered by (rater, image) cell — the intersection. */
  readonly cells: number;
  /** raters + images − cells, floored at max(raters, images) (Cameron et al. 2011, §II.E). */
  readonly combined: number;
  readonly raterClusters: number;
  readonly imageClusters: number;
  /** min(raterClusters, imageClusters) − 1 (at least 1): the degrees of freedom of the t reference. */
  readonly degreesOfFreedom: number;
}

interface Term {
  readonly counts: TrialCounts;
  /** Weight of this method's rate in the statistic (1 for a rate; 1 and −1 for a difference). */
  readonly coefficient: number;
}

function smallSample(sumOfSquares: number, clusters: number): number {
  return clusters < 2 ? 0 : (clusters / (clusters - 1)) * sumOfSquares;
}

/**
 * Variance components of Σ c_m θ̂_m. Raters and images are identified across methods by their
 * input indices (TrialCounts.raterIds and cellImage), so a rater who saw several methods is one
 * cluster — the pairing of a within-subjects design — and so is an image shown with several.
 */
function combinationComponents(terms: readonly Term[]): TwoWayVarianceComponents {
  let maxRater = 0;
  let maxImage = 0;
  for (const { counts } of terms) {
    for (const id of counts.raterIds) if (id > maxRater) maxRater = id;
    for (const image of counts.cellImage) if (image > maxImage) maxImage = image;
  }
  const raterSum = new Float64Array(maxRater + 1);
  const raterSeen = new Uint8Array(maxRater + 1);
  const imageSum = new Float64Array(maxImage + 1);
  const imageSeen = new Uint8Array(maxImage + 1);
  const imageSpan = maxImage + 1;
  if ((maxRater + 1) * imageSpan > Number.MAX_SAFE_INTEGER) throw new StatsError("invalid-argument", "rater and image indices too large");
  // One method: its cells are distinct already. Several: a (rater, image) pair may recur.
  const cellSum = terms.length > 1 ? new Map<number, number>() : null;
  let cellSquares = 0;
  let cellCount = 0;
  for (const { counts, coefficient } of terms) {
    const theta = counts.fooled / counts.trials;
    const scale = coefficient / counts.trials;
    for (let r = 0; r < counts.raters; r++) {
      const id = counts.raterIds[r] as number;
      raterSeen[id] = 1;
      for (let c = counts.cellStart[r] as number; c < (counts.cellStart[r + 1] as number); c++) {
        const influence = scale * ((counts.cellFooled[c] as number) - theta * (counts.cellTrials[c] as number));
        raterSum[id]! += influence;
        const image = counts.cellImage[c] as number;
        imageSum[image]! += influence;
        imageSeen[image] = 1;
        if (cellSum === null) {
          cellSquares += influence * influence;
          cellCount++;
        } else {
          const key = id * imageSpan + image;
          cellSum.set(key, (cellSum.get(key) ?? 0) + influence);
        }
      }
    }
  }
  if (cellSum !== null) {
    cellCount = cellSum.size;
    for (const value of cellSum.values()) cellSquares += value * value;
  }
  let raterSquares = 0;
  let raterClusters = 0;
  for (let i = 0; i <= maxRater; i++) {
    if (raterSeen[i] === 1) {
      raterClusters++;
      raterSquares += (raterSum[i] as number) ** 2;
    }
  }
  let imageSquares = 0;
  let imageClusters = 0;
  for (let i = 0; i <= maxImage; i++) {
    if (imageSeen[i] === 1) {
      imageClusters++;
      imageSquares += (imageSum[i] as number) ** 2;
    }
  }
  const raters = smallSample(raterSquares, raterClusters);
  const images = smallSample(imageSquares, imageClusters);
  const cells = smallSample(cellSquares, cellCount);
  const combined = Math.max(raters + images - cells, raters, images);
  // Degrees of freedom of the t reference: min(G_R, G_I) − 1, as Cameron, Gelbach & Miller (2011)
  // advise. (A Welch–Satterthwaite count from the estimated components was tried: it grows when the
  // rater term is underestimated by chance — exactly when the interval is too short — and
  // under-covered above with 10 raters in the coverage grid.)
  const degreesOfFreedom = Math.max(1, Math.min(raterClusters, imageClusters) - 1);
  return {
    raters,
    images,
    cells,
    combined,
    raterClusters,
    imageClusters,
    degreesOfFreedom,
  };
}

/**
 * Two-way cluster-robust variance of the pooled fool rate θ̂ = Σk/Σn (Cameron, Gelbach & Miller
 * 2011): the linearized variances clustered by rater and by image, minus the one clustered by
 * their intersection, each with the small-sample factor G/(G − 1).
 *
 * @example
 * // Raters 0, 1 × images 0, 1, 2, one trial each; rater 0 fooled on images 0 and 1, rater 1 on 0:
 * twoWayVarianceComponents(counts);
 * // { raters: 1/36, images: 3/36, cells: 1.8/36, combined: 3/36, raterClusters: 2, imageClusters: 3,
 * //   degreesOfFreedom: 1 } (2.2/36 floored at max(raters, images))
 */
export function twoWayVarianceComponents(counts: TrialCounts): TwoWayVarianceComponents {
  if (!(counts.trials >= 1)) throw new StatsError("no-data", "no trials");
  return combinationComponents([{ counts, coefficient: 1 }]);
}

/**
 * Why a method has too few raters or images for an interval or a test, or null when it has enough.
 *
 * @example
 * clusterShortfall({ raters: 12, images: 4 }); // "4 images (at least 10 needed)"
 */
export function clusterShortfall(counts: Pick<TrialCounts, "raters" | "images">): string | null {
  const missing: string[] = [];
  if (counts.raters < MIN_RATERS_PER_METHOD) missing.push(`${counts.raters} ${counts.raters === 1 ? "rater" : "raters"} (at least ${MIN_RATERS_PER_METHOD} needed)`);
  if (counts.images < MIN_IMAGES_PER_METHOD) missing.push(`${counts.images} ${counts.images === 1 ? "image" : "images"} (at least ${MIN_IMAGES_PER_METHOD} needed)`);
  return missing.length === 0 ? null : missing.join(" and ");
}

function assertEnoughClusters(counts: TrialCounts): void {
  const shortfall = clusterShortfall(counts);
  if (shortfall !== null) throw new StatsError("too-sparse", `too few clusters for an interval: ${shortfall}`);
}

/** The reported interval of a fool rate. */
export interface FoolRateInterval {
  readonly estimate: number;
  /** √(two-way cluster-robust variance), on the rate scale. */
  readonly standardError: number;
  readonly lower: number;
  readonly upper: number;
  readonly level: number;
  readonly degreesOfFreedom: number;
  /** n_eff = min(N, θ̂(1 − θ̂)/SE²): trials that independent answers would need for this precision. */
  readonly effectiveTrials: number;
}

/**
 * Confidence interval of a method's fool rate for trials crossed by raters and images (see the
 * derivation at the top of this file): the Wilson interval at n* = min(N, n_eff·(z/t)²), with
 * n_eff = θ̂(1 − θ̂)/SE², SE² the two-way cluster-robust variance and t Student's quantile with
 * min(G_R, G_I) − 1 degrees of freedom.
 *
 * @param counts the method's counts.
 * @param level confidence level, default 0.95.
 * @throws {StatsError} `too-sparse` below {@link MIN_RATERS_PER_METHOD} raters or
 *   {@link MIN_IMAGES_PER_METHOD} images; `invalid-argument` for a bad level.
 * @example
 * twoWayFoolRateInterval(counts); // { estimate: 0.32, standardError: 0.021, lower: 0.28, upper: 0.36, … }
 */
export function twoWayFoolRateInterval(counts: TrialCounts, level = 0.95): FoolRateInterval {
  assertLevel(level);
  assertEnoughClusters(counts);
  const components = combinationComponents([{ counts, coefficient: 1 }]);
  const estimate = counts.fooled / counts.trials;
  const standardError = Math.sqrt(components.combined);
  const binomial = estimate * (1 - estimate);
  const effectiveTrials = binomial > 0 && components.combined > 0 ? Math.min(counts.trials, binomial / components.combined) : counts.trials;
  // Korn–Graubard: n* = n_eff·(z/t)², then the Wilson interval with z; n* ≤ N keeps the pooled
  // counts' Wilson interval as the floor.
  const z = normalQuantile(0.5 + level / 2);
  const t = studentTQuantile(0.5 + level / 2, components.degreesOfFreedom);
  const adjustedTrials = Math.min(counts.trials, effectiveTrials * (z / t) ** 2);
  const { lower, upper } = wilsonBounds(estimate, adjustedTrials, z);
  return {
    estimate,
    standardError,
    lower,
    upper,
    level,
    degreesOfFreedom: components.degreesOfFreedom,
    effectiveTrials,
  };
}

/** Wilson score bounds for a proportion p from n trials with quantile q (Wilson 1927, JASA 22:209–212). */
function wilsonBounds(p: number, n: number, q: number): { lower: number; upper: number } {
  const q2n = (q * q) / n;
  const centre = p + q2n / 2;
  const halfWidth = q * Math.sqrt((p * (1 - p)) / n + (q * q) / (4 * n * n));
  return {
    lower: p === 0 ? 0 : Math.max(0, (centre - halfWidth) / (1 + q2n)),
    upper: p === 1 ? 1 : Math.min(1, (centre + halfWidth) / (1 + q2n)),
  };
}

/** Difference of fool rates between two methods, a − b. */
export interface TwoWayDifference {
  /** Index of the first method in the input. */
  readonly a: number;
  readonly b: number;
  /** θ̂_a − θ̂_b. */
  readonly difference: number;
  /** Standard error of the difference (see {@link compareFoolRatesTwoWay}). */
  readonly standardError: number;
  readonly degreesOfFreedom: number;
  /** Simultaneous interval: covers all differences of the family at once with the family level. */
  readonly lower: number;
  readonly upper: number;
  /** Two-sided p-value of "no difference", before adjustment. */
  readonly pValue: number;
  /** Bonferroni-adjusted p-value: min(1, m·p). Below 1 − level exactly when the interval excludes 0. */
  readonly adjustedPValue: number;
}

export interface TwoWayComparison {
  readonly correction: "bonferroni";
  /** Family-wise level of the intervals (and 1 − the family-wise error rate of the tests). */
  readonly level: number;
  readonly comparisons: readonly TwoWayDifference[];
}

/**
 * Pairwise differences of fool rates, intervals and tests as one family.
 *
 * Definition: for each pair, d = θ̂_a − θ̂_b and SE² its two-way cluster-robust variance, computed
 * from the influence of every trial on d with raters and images identified across methods — a
 * rater who saw both methods is one cluster, so the pairing of a within-subjects design (and the
 * shared images of any design) is used, not discarded. SE is floored at the Agresti–Caffo standard
 * error of the pooled counts (Agresti & Caffo 2000, Am. Statist. 54:280–288), so an interval never
 * collapses. With m pairs, the statistic d/SE is referred to Student's t with min(G_R, G_I) − 1
 * degrees of freedom; p is two-sided; the interval is d ± t_{1 − α/(2m)}·SE and the adjusted p-value
 * min(1, m·p) (Bonferroni): one family, in which an interval excludes 0 exactly when its adjusted
 * p-value is below α, and all m intervals cover together with probability ≥ level.
 *
 * @param methods counts of each method.
 * @param options level (family-wise, default 0.95); pairs (default every pair a < b).
 * @throws {StatsError} `too-sparse` when a compared method is below the cluster minimum;
 *   `invalid-argument` for a bad pair or level; `no-data` with fewer than two methods.
 * @example
 * compareFoolRatesTwoWay([ours, dahl]).comparisons[0]; // { a: 0, b: 1, difference, lower, upper, … }
 */
export function compareFoolRatesTwoWay(
  methods: readonly TrialCounts[],
  options: { level?: number; pairs?: readonly (readonly [number, number])[] } = {},
): TwoWayComparison {
  const level = options.level ?? 0.95;
  assertLevel(level);
  if (methods.length < 2) throw new StatsError("no-data", "comparisons need at least two methods");
  const pairs: (readonly [number, number])[] = [];
  if (options.pairs === undefined) {
    for (let a = 0; a < methods.length; a++) for (let b = a + 1; b < methods.length; b++) pairs.push([a, b]);
  } else {
    for (const [a, b] of options.pairs) {
      if (!Number.isInteger(a) || !Number.isInteger(b) || a < 0 || b < 0 || a >= methods.length || b >= methods.length || a === b) {
        throw new StatsError("invalid-argument", `bad pair (${a}, ${b}) for ${methods.length} methods`);
      }
      pairs.push([a, b]);
    }
  }
  const m = pairs.length;
  const comparisons = pairs.map(([a, b]): TwoWayDifference => {
    const countsA = methods[a] as TrialCounts;
    const countsB = methods[b] as TrialCounts;
    assertEnoughClusters(countsA);
    assertEnoughClusters(countsB);
    const components = combinationComponents([
      { counts: countsA, coefficient: 1 },
      { counts: countsB, coefficient: -1 },
    ]);
    const difference = countsA.fooled / countsA.trials - countsB.fooled / countsB.trials;
    const agrestiCaffo = (k: number, n: number) => {
      const p = (k + 1) / (n + 2);
      return (p * (1 - p)) / (n + 2);
    };
    const floor = Math.sqrt(agrestiCaffo(countsA.fooled, countsA.trials) + agrestiCaffo(countsB.fooled, countsB.trials));
    const standardError = Math.max(Math.sqrt(components.combined), floor);
    const df = components.degreesOfFreedom;
    const statistic = difference / standardError;
    const pValue = Math.min(1, 2 * studentTCdf(-Math.abs(statistic), df));
    const q = studentTQuantile(1 - (1 - level) / (2 * m), df);
    return {
      a,
      b,
      difference,
      standardError,
      degreesOfFreedom: df,
      lower: difference - q * standardError,
      upper: difference + q * standardError,
      pValue,
      adjustedPValue: Math.min(1, m * pValue),
    };
  });
  return { correction: "bonferroni", level, comparisons };
}
