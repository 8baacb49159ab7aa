import { describe, expect, it } from "vitest";
import { bootstrapFoolRates, compareFoolRates, compareFoolRatesTwoWay, SeededRandom } from "@/lib/stats";
import { centreFor, simulateStudy, totalSpread, type SimulatedDesign } from "./crossed-study-simulation";

// Within-subjects studies: every rater sees both methods (20 trials each), so rater effects cancel
// in a difference of fool rates. A comparison that resamples raters independently per method
// ignores that pairing and overstates the standard error of the difference (before this test,
// 1.9–2.5× its true SD; no true difference of 6 points was ever detected).
const STUDIES = 300;

function sd(values: readonly number[]): number {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1));
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

describe("within-subjects comparisons keep the pairing", () => {
  it("estimates the SE of a paired difference near its true SD, and detects a true difference", () => {
    const design: SimulatedDesign = { design: "within", interaction: false, unbalanced: false, raters: 40, foolRates: [0.3, 0.24] };
    const spread = totalSpread(false);
    const centres: [number, number] = [centreFor(0.3, spread), centreFor(0.24, spread)];
    const rng = new SeededRandom(31337);
    const differences: number[] = [];
    const analyticSe: number[] = [];
    const bootstrapSe: number[] = [];
    let detected = 0;
    for (let s = 0; s < STUDIES; s++) {
      const [a, b] = simulateStudy(rng, design, centres);
      const analytic = compareFoolRatesTwoWay([a, b]).comparisons[0]!;
      differences.push(analytic.difference);
      analyticSe.push(analytic.standardError);
      if (analytic.adjustedPValue < 0.05) detected++;
      // Raters-only bootstrap: image effects are shared by both methods and cancel in the
      // difference, so resampling raters jointly is the whole of the pairing here.
      const set = bootstrapFoolRates([a, b], { seed: s, variant: "raters", resamples: 400 });
      expect(set.jointRaters).toBe(true);
      bootstrapSe.push(compareFoolRates(set).comparisons[0]!.standardError);
    }
    const trueSd = sd(differences);
    const analyticRatio = mean(analyticSe) / trueSd;
    const bootstrapRatio = mean(bootstrapSe) / trueSd;
    console.log(
      `within-subjects, ${STUDIES} studies, true difference 6 points: SD of the estimated difference ${(100 * trueSd).toFixed(2)} points; ` +
        `mean SE / SD: two-way cluster-robust ${analyticRatio.toFixed(2)}, joint rater bootstrap ${bootstrapRatio.toFixed(2)}; ` +
        `detected (Bonferroni p < 0.05) in ${detected} of ${STUDIES}`,
    );
    expect(analyticRatio).toBeGreaterThan(0.85);
    expect(analyticRatio).toBeLessThan(1.2);
    expect(bootstrapRatio).toBeGreaterThan(0.8);
    expect(bootstrapRatio).toBeLessThan(1.25);
    expect(detected / STUDIES).toBeGreaterThan(0.5);
  });
});
