import { describe, expect, it } from "vitest";
import { bootstrapFoolRate, calibrateTwoWayInterval, countTrials, sampleStandardNormal, SeededRandom } from "@/lib/stats";

// Calibration of the two-way cluster bootstrap by simulation. Each simulated study follows the
// paper's session design (protocol.md: 40 raters per method, 40 test trials each) with a random
// pool of 100 images per study, and a crossed random-effects logistic model:
//   fooled(r, i) ~ Bernoulli(logistic(μ + a_r + b_i)), a_r ~ N(0, 0.6²), b_i ~ N(0, 0.8²).
// Raters and images are both samples from populations, so the estimand is the population mean fool
// rate θ = E[logistic(μ + a + b)] = ∫ logistic(μ + s·z) φ(z) dz with s² = 0.6² + 0.8², computed
// below by numerical integration. Each rater sees 40 distinct images of the pool and answers once
// per image, so the pooled fool rate of a study is unbiased for θ.
//
// Finding: the two-way (pigeonhole) bootstrap is conservative here — it counts the trial-level
// variance through both margins (Owen 2007; McCullagh 2000) — and covers about 98–99%, above the
// 93–97% band. The test therefore checks (1) that the two-way interval is conservative, never
// anti-conservative: coverage in [95%, 99.5%]; and (2) that the calibrated interval
// (calibrateTwoWayInterval: the same bootstrap rescaled to the two-way cluster-robust variance of
// Cameron, Gelbach & Miller 2011) covers in 93–97%.
const STUDIES = 1000;
const RATERS = 40;
const TRIALS = 40;
const POOL = 100;
const MU = Math.log(0.25 / 0.75); // logit(0.25)
const RATER_SD = 0.6;
const IMAGE_SD = 0.8;
const RESAMPLES = 1000;

function logistic(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** θ by the midpoint rule on [−12, 12] (step 1e−4; the integrand is smooth and decays like φ). */
function populationFoolRate(): number {
  const s = Math.hypot(RATER_SD, IMAGE_SD);
  const step = 1e-4;
  let sum = 0;
  for (let z = -12 + step / 2; z < 12; z += step) sum += logistic(MU + s * z) * Math.exp(-0.5 * z * z);
  return (sum * step) / Math.sqrt(2 * Math.PI);
}

function simulateStudy(rng: SeededRandom) {
  const imageEffect = Float64Array.from({ length: POOL }, () => IMAGE_SD * sampleStandardNormal(rng));
  const rater = new Int32Array(RATERS * TRIALS);
  const image = new Int32Array(RATERS * TRIALS);
  const fooled = new Uint8Array(RATERS * TRIALS);
  const order = Int32Array.from({ length: POOL }, (_, i) => i);
  for (let r = 0; r < RATERS; r++) {
    const raterEffect = RATER_SD * sampleStandardNormal(rng);
    for (let t = 0; t < TRIALS; t++) {
      const j = t + rng.nextBelow(POOL - t); // partial Fisher–Yates: distinct images per rater
      const chosen = order[j] as number;
      order[j] = order[t] as number;
      order[t] = chosen;
      const k = r * TRIALS + t;
      rater[k] = r;
      image[k] = chosen;
      fooled[k] = rng.nextFloat() < logistic(MU + raterEffect + (imageEffect[chosen] as number)) ? 1 : 0;
    }
  }
  return countTrials({ rater, image, fooled });
}

describe("two-way bootstrap calibration", () => {
  it(`is conservative, and calibrated to 93–97% after correction, over ${STUDIES} simulated studies`, () => {
    const truth = populationFoolRate();
    // Sanity check of θ by a large direct simulation of the generating model (4e6 draws, SE ≈ 2.2e−4).
    const check = new SeededRandom(1, 99);
    let hits = 0;
    const draws = 4_000_000;
    for (let n = 0; n < draws; n++) {
      const eta = MU + RATER_SD * sampleStandardNormal(check) + IMAGE_SD * sampleStandardNormal(check);
      hits += logistic(eta);
    }
    expect(Math.abs(hits / draws - truth)).toBeLessThan(1e-3);

    const rng = new SeededRandom(20160401);
    let covered = 0;
    let coveredCalibrated = 0;
    let coveredRatersOnly = 0;
    let widthSum = 0;
    let calibratedWidthSum = 0;
    for (let s = 0; s < STUDIES; s++) {
      const counts = simulateStudy(rng);
      const twoWay = bootstrapFoolRate(counts, { seed: 1000 + s, variant: "two-way", resamples: RESAMPLES });
      if (twoWay.lower <= truth && truth <= twoWay.upper) covered++;
      widthSum += twoWay.upper - twoWay.lower;
      const calibrated = calibrateTwoWayInterval(twoWay, counts);
      if (calibrated.lower <= truth && truth <= calibrated.upper) coveredCalibrated++;
      calibratedWidthSum += calibrated.upper - calibrated.lower;
      const raters = bootstrapFoolRate(counts, { seed: 1000 + s, variant: "raters", resamples: RESAMPLES });
      if (raters.lower <= truth && truth <= raters.upper) coveredRatersOnly++;
    }
    const coverage = covered / STUDIES;
    const calibratedCoverage = coveredCalibrated / STUDIES;
    console.log(
      `calibration over ${STUDIES} studies, θ = ${truth.toFixed(4)}, nominal 95%: ` +
        `two-way bootstrap ${(100 * coverage).toFixed(1)}% (mean width ${(widthSum / STUDIES).toFixed(4)}); ` +
        `calibrated two-way ${(100 * calibratedCoverage).toFixed(1)}% (mean width ${(calibratedWidthSum / STUDIES).toFixed(4)}); ` +
        `raters-only ${((100 * coveredRatersOnly) / STUDIES).toFixed(1)}% (ignores image sampling)`,
    );
    expect(coverage).toBeGreaterThanOrEqual(0.95);
    expect(coverage).toBeLessThanOrEqual(0.995);
    expect(calibratedCoverage).toBeGreaterThanOrEqual(0.93);
    expect(calibratedCoverage).toBeLessThanOrEqual(0.97);
  });
});
