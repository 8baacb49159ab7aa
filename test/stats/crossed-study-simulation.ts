// Simulated studies for the calibration tests: crossed logit-normal rater and image effects, as a
// GLMM would model them, with the design knobs the grid varies. Pure and seeded.
import { countTrials, sampleStandardNormal, SeededRandom, type TrialCounts } from "@/lib/stats";

export interface SimulatedDesign {
  design: "between" | "within";
  /** Image × method interaction on the logit scale (SD {@link INTERACTION_SD}) or none. */
  interaction: boolean;
  /** Unbalanced: trials per rater vary (20–40 left after exclusions), images drawn unevenly. */
  unbalanced: boolean;
  /** Raters per method (within: raters in all, each seeing both methods). */
  raters: number;
  /** Population (marginal) fool rate of method 0. */
  foolRates: readonly [number, number];
}

export const RATER_SD = 0.7;
export const IMAGE_SD = 0.9;
export const INTERACTION_SD = 0.5;
/** Test trials per session (the paper's design); within: split evenly over the two methods. */
export const TRIALS_PER_SESSION = 40;
/** Images drawn from the population for each study. */
export const IMAGE_POOL = 100;

export function logistic(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** E[logistic(μ + s·Z)], Z ~ N(0, 1), by the midpoint rule on [−10, 10] (2,000 steps). */
export function logitNormalMean(mu: number, s: number): number {
  const steps = 2000;
  const step = 20 / steps;
  let sum = 0;
  for (let i = 0; i < steps; i++) {
    const z = -10 + (i + 0.5) * step;
    sum += logistic(mu + s * z) * Math.exp(-0.5 * z * z);
  }
  return (sum * step) / Math.sqrt(2 * Math.PI);
}

/** The μ whose logit-normal mean with spread s is `rate` (bisection). */
export function centreFor(rate: number, s: number): number {
  let lo = -20;
  let hi = 20;
  for (let i = 0; i < 80; i++) {
    const mid = (lo + hi) / 2;
    if (logitNormalMean(mid, s) < rate) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

export function totalSpread(interaction: boolean): number {
  return Math.sqrt(RATER_SD ** 2 + IMAGE_SD ** 2 + (interaction ? INTERACTION_SD ** 2 : 0));
}

/**
 * One study: counts of both methods. Rater indices are shared across methods in the within design
 * (one rater, both methods) and distinct in the between design; image indices are shared.
 */
export function simulateStudy(rng: SeededRandom, design: SimulatedDesign, centres: readonly [number, number]): [TrialCounts, TrialCounts] {
  return simulate(rng, design, centres, false) as [TrialCounts, TrialCounts];
}

/** As {@link simulateStudy}, counts of method 0 only (between: method 1's sessions not drawn). */
export function simulateFirstMethod(rng: SeededRandom, design: SimulatedDesign, centres: readonly [number, number]): TrialCounts {
  return simulate(rng, design, centres, true)[0] as TrialCounts;
}

function simulate(rng: SeededRandom, design: SimulatedDesign, centres: readonly [number, number], firstOnly: boolean): TrialCounts[] {
  const imageEffect = new Float64Array(IMAGE_POOL);
  const interaction = [new Float64Array(IMAGE_POOL), new Float64Array(IMAGE_POOL)];
  for (let i = 0; i < IMAGE_POOL; i++) {
    imageEffect[i] = IMAGE_SD * sampleStandardNormal(rng);
    if (design.interaction) {
      interaction[0]![i] = INTERACTION_SD * sampleStandardNormal(rng);
      interaction[1]![i] = INTERACTION_SD * sampleStandardNormal(rng);
    }
  }
  // Unbalanced: images drawn with weights ∝ 1..3 (popular images shown more often).
  const weight = Float64Array.from({ length: IMAGE_POOL }, (_, i) => (design.unbalanced ? 1 + (i % 3) : 1));
  const sessions = design.design === "between" ? (firstOnly ? 1 : 2) * design.raters : design.raters;
  const capacity = sessions * TRIALS_PER_SESSION;
  const columns = [0, 1].map(() => ({ rater: new Int32Array(capacity), image: new Int32Array(capacity), fooled: new Uint8Array(capacity), length: 0 }));
  const order = new Int32Array(IMAGE_POOL);
  const available = new Float64Array(IMAGE_POOL);
  for (let s = 0; s < sessions; s++) {
    const raterEffect = RATER_SD * sampleStandardNormal(rng);
    const trials = design.unbalanced ? 20 + rng.nextBelow(21) : TRIALS_PER_SESSION;
    // Distinct images per session: a partial Fisher–Yates shuffle, or (unbalanced) draws by weight
    // without replacement.
    for (let i = 0; i < IMAGE_POOL; i++) order[i] = i;
    available.set(weight);
    let total = design.unbalanced ? available.reduce((x, y) => x + y, 0) : 0;
    for (let t = 0; t < trials; t++) {
      let image: number;
      if (design.unbalanced) {
        let u = rng.nextFloat() * total;
        image = 0;
        while (image < IMAGE_POOL - 1 && (u >= (available[image] as number) || available[image] === 0)) {
          u -= available[image] as number;
          image++;
        }
        total -= available[image] as number;
        available[image] = 0;
      } else {
        const j = t + rng.nextBelow(IMAGE_POOL - t);
        image = order[j] as number;
        order[j] = order[t] as number;
        order[t] = image;
      }
      const method = design.design === "between" ? (s < design.raters ? 0 : 1) : t % 2;
      const eta = (centres[method] as number) + raterEffect + (imageEffect[image] as number) + (interaction[method]![image] as number);
      const column = columns[method]!;
      column.rater[column.length] = s;
      column.image[column.length] = image;
      column.fooled[column.length] = rng.nextFloat() < logistic(eta) ? 1 : 0;
      column.length++;
    }
  }
  return columns
    .slice(0, firstOnly ? 1 : 2)
    .map((column) =>
      countTrials({ rater: column.rater.subarray(0, column.length), image: column.image.subarray(0, column.length), fooled: column.fooled.subarray(0, column.length) }),
    );
}
