import { describe, expect, it } from "vitest";
import { logitNormalCentre, logitNormalMean, planRaters, StatsError } from "@/lib/stats";

// Independent approximation: the raters bootstrap SE of a mean of R rater rates is
// √(V·(R − 1)/R²), V the variance of an observed rater rate k/T (Efron & Tibshirani 1993, eq. 5.8),
// so the expected 95% half-width is about 1.96·√(V·(R − 1)/R²). V = Var(p_r) + E[p_r(1 − p_r)]/T.
function approximateRaters(variance: number, target: number): number {
  let r = 2;
  while (1.959964 * Math.sqrt((variance * (r - 1)) / (r * r)) > target) r++;
  return r;
}

const everyInteger = Array.from({ length: 90 }, (_, i) => i + 5);

describe("planRaters", () => {
  it("identical raters: matches the binomial approximation (p = 0.3, 40 trials, ±3 points → 22)", () => {
    const variance = (0.3 * 0.7) / 40; // Var(k/T) for p_r ≡ 0.3
    const expected = approximateRaters(variance, 0.03);
    expect(expected).toBe(22);
    const plan = planRaters({
      foolRate: 0.3,
      targetHalfWidth: 0.03,
      trialsPerRater: 40,
      raterSpread: 0,
      seed: 1,
      grid: everyInteger,
      simulations: 200,
      resamples: 500,
    });
    expect(plan.reached).toBe(true);
    expect(Math.abs((plan.raters as number) - expected)).toBeLessThanOrEqual(2);
    expect(plan.halfWidth).toBeLessThanOrEqual(0.03);
    expect(plan.evaluated.at(-1)).toEqual({ raters: plan.raters, meanHalfWidth: plan.halfWidth });
    expect(plan.evaluated.at(-2)!.meanHalfWidth).toBeGreaterThan(0.03);
  });

  it("probability-scale spread: Beta raters with SD 0.1 (V = 0.01 + 0.20/40)", () => {
    // E[p(1 − p)] = m(1 − m) − Var(p) = 0.21 − 0.01 = 0.20 for mean 0.3, SD 0.1.
    const expected = approximateRaters(0.01 + 0.2 / 40, 0.05);
    const plan = planRaters({
      foolRate: 0.3,
      targetHalfWidth: 0.05,
      trialsPerRater: 40,
      raterSpread: 0.1,
      spreadScale: "probability",
      seed: 2,
      grid: everyInteger,
      simulations: 200,
      resamples: 500,
    });
    expect(Math.abs((plan.raters as number) / expected - 1)).toBeLessThanOrEqual(0.12);
  });

  it("logit-scale spread: centres the logit so that the mean rate is the assumed fool rate", () => {
    const sigma = 0.8;
    const mu = logitNormalCentre(0.3, sigma);
    expect(logitNormalMean(mu, sigma)).toBeCloseTo(0.3, 10);
    // Var(p) and E[p(1 − p)] by an independent midpoint rule on a different grid.
    let m1 = 0;
    let m2 = 0;
    let mass = 0;
    for (let z = -10 + 0.0005; z < 10; z += 0.001) {
      const density = Math.exp(-0.5 * z * z);
      const p = 1 / (1 + Math.exp(-(mu + sigma * z)));
      m1 += p * density;
      m2 += p * p * density;
      mass += density;
    }
    m1 /= mass;
    m2 /= mass;
    expect(m1).toBeCloseTo(0.3, 8);
    const variance = m2 - m1 * m1 + (m1 - m2) / 40;
    const expected = approximateRaters(variance, 0.04);
    const plan = planRaters({
      foolRate: 0.3,
      targetHalfWidth: 0.04,
      trialsPerRater: 40,
      raterSpread: sigma,
      seed: 3,
      grid: everyInteger,
      simulations: 200,
      resamples: 500,
    });
    expect(Math.abs((plan.raters as number) / expected - 1)).toBeLessThanOrEqual(0.12);
  });

  it("reports an unreachable target and validates options", () => {
    const plan = planRaters({ foolRate: 0.3, targetHalfWidth: 0.001, trialsPerRater: 40, raterSpread: 0.5, seed: 4, grid: [10, 20], simulations: 20, resamples: 100 });
    expect(plan).toMatchObject({ raters: null, halfWidth: null, reached: false });
    expect(plan.evaluated).toHaveLength(2);
    const base = { foolRate: 0.3, targetHalfWidth: 0.05, trialsPerRater: 40, raterSpread: 0.2, seed: 1 };
    expect(() => planRaters({ ...base, foolRate: 1 })).toThrow(StatsError);
    expect(() => planRaters({ ...base, grid: [20, 10] })).toThrow(StatsError);
    expect(() => planRaters({ ...base, grid: [1, 10] })).toThrow(StatsError);
    expect(() => planRaters({ ...base, raterSpread: 0.5, spreadScale: "probability" })).toThrow(StatsError);
  });
});
