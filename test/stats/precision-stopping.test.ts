import { describe, expect, it } from "vitest";
import { StatsError } from "@/lib/stats";
import { chooseMethodForRater, clusterProportionInterval, methodPrecision, type MethodPrecision } from "@/lib/stats/precision-stopping";
import { simulatePrecisionStopping } from "@/lib/stats/precision-stopping-simulation";

describe("clusterProportionInterval", () => {
  it("matches an independent scipy computation of the logit cluster interval", () => {
    // Python 3 + scipy 1.10: p = K/N; V = max(R/(R−1)·Σ(k − p n)²/N², c(1 − c)/N), c = (K + ½)/(N + 1);
    // logistic(logit c ± t.ppf(0.975, R − 1)·√V/(c(1 − c))).
    const a = clusterProportionInterval(Array(12).fill(40), [4, 6, 2, 9, 5, 3, 7, 4, 5, 6, 2, 8]);
    expect(a.estimate).toBeCloseTo(0.12708333333333333, 14);
    expect(a.standardError).toBeCloseTo(0.016125200648661582, 12); // the cluster variance wins
    expect(a.lower).toBeCloseTo(0.09636317652348568, 8);
    expect(a.upper).toBeCloseTo(0.16773726681101075, 8);
    expect(a.halfWidth).toBeCloseTo(0.03568704514376254, 8);
    // Few trials: the binomial floor wins over the (smaller) spread between raters.
    const b = clusterProportionInterval([10, 10, 10], [2, 4, 3]);
    expect(b.standardError).toBeCloseTo(0.08417026827651937, 12);
    expect(b.lower).toBeCloseTo(0.07441908661966591, 8);
    expect(b.upper).toBeCloseTo(0.7083092925356084, 8);
    // Raters who disagree completely: a wide interval, still inside (0, 1).
    const c = clusterProportionInterval([10, 10, 10], [0, 10, 5]);
    expect(c.standardError).toBeCloseTo(0.28867513459481287, 12);
    expect(c.lower).toBeCloseTo(0.006907092611053943, 8);
  });

  it("needs two raters and consistent counts", () => {
    expect(() => clusterProportionInterval([40], [3])).toThrow(StatsError);
    expect(() => clusterProportionInterval([40, 40], [3])).toThrow(StatsError);
    expect(() => clusterProportionInterval([40, 40], [3, 41])).toThrow(StatsError);
  });
});

describe("methodPrecision and chooseMethodForRater", () => {
  const target = { targetHalfWidth: 0.04, minRaters: 10 };

  it("marks a method full once the target is met with at least minRaters, or at the cap", () => {
    const trials = Array(12).fill(40);
    const fooled = [4, 6, 2, 9, 5, 3, 7, 4, 5, 6, 2, 8]; // half-width 0.0357 (above)
    expect(methodPrecision(trials, fooled, target).full).toBe(true);
    expect(methodPrecision(trials, fooled, { targetHalfWidth: 0.03 }).full).toBe(false);
    expect(methodPrecision(trials, fooled, { targetHalfWidth: 0.04, minRaters: 13 }).full).toBe(false);
    expect(methodPrecision(trials, fooled, { targetHalfWidth: 0.01, maxRaters: 12 }).full).toBe(true);
    expect(methodPrecision([40], [3], target)).toEqual({ raters: 1, halfWidth: Infinity, full: false });
    expect(() => methodPrecision(trials, fooled, { targetHalfWidth: 0 })).toThrow(StatsError);
  });

  it("sends the next rater to methods below minRaters first, then to the widest interval", () => {
    const m = (raters: number, halfWidth: number, full = false): MethodPrecision => ({ raters, halfWidth, full });
    expect(chooseMethodForRater([m(12, 0.05), m(4, 0.2), m(3, 0.1)], target)).toBe(2); // fewest below 10
    expect(chooseMethodForRater([m(12, 0.05), m(15, 0.07), m(20, 0.03, true)], target)).toBe(1); // widest open
    expect(chooseMethodForRater([m(12, 0.05), m(11, 0.05)], target)).toBe(1); // tie: fewer raters
    expect(chooseMethodForRater([m(12, 0.05), m(12, 0.05)], target)).toBe(0); // tie: earlier method
    expect(chooseMethodForRater([m(30, 0.03, true), m(40, 0.02, true)], target)).toBeNull(); // study full
  });
});

describe("recruiting to a target precision, simulated", () => {
  // Three methods at fool rates 10 %, 25 %, 40 %, 40 trials per rater, rater rates logit-normal
  // with SD 0.5 (moderate) or 1.0 (strong heterogeneity), target ±4 points, minRaters 10.
  for (const raterSpread of [0.5, 1.0]) {
    it(`keeps 95 % intervals at 93–97 % coverage and saves raters against a fixed design (spread ${raterSpread})`, () => {
      const result = simulatePrecisionStopping({
        foolRates: [0.1, 0.25, 0.4],
        raterSpread,
        trialsPerRater: 40,
        target: { targetHalfWidth: 0.04 },
        studies: 1500,
        seed: 20261129,
      });
      const perMethod = result.methods
        .map((m) => `${(100 * m.foolRate).toFixed(0)} %: ${m.meanRaters.toFixed(1)} raters, coverage ${(100 * m.coverage).toFixed(1)} %`)
        .join("; ");
      console.log(
        `spread ${raterSpread}: coverage ${(100 * result.coverage).toFixed(1)} % (± ${(100 * result.coverageStandardError).toFixed(1)}) over ${result.studies} studies × 3 methods; ` +
          `${perMethod}. Adaptive ${result.meanTotalRaters.toFixed(1)} raters per study vs fixed ${result.fixed.ratersPerMethod} per method ` +
          `(${result.fixed.totalRaters}, planned at the worst case p = ½; coverage ${(100 * result.fixed.coverage).toFixed(1)} %): ` +
          `${result.ratersSaved.toFixed(1)} raters saved (${(100 * result.savedShare).toFixed(0)} %); oracle fixed n ${result.oracleRatersPerMethod.join(", ")}.`,
      );
      expect(result.coverage).toBeGreaterThanOrEqual(0.93);
      expect(result.coverage).toBeLessThanOrEqual(0.97);
      for (const method of result.methods) expect(method.coverage).toBeGreaterThan(0.91);
      expect(result.savedShare).toBeGreaterThan(0.25);
      // Adaptive recruiting comes close to what a fixed design could do only by knowing the rates.
      const oracleTotal = result.oracleRatersPerMethod.reduce((a, b) => a + b, 0);
      expect(result.meanTotalRaters).toBeLessThan(1.1 * oracleTotal);
    });
  }
});
