import { describe, expect, it } from "vitest";
import {
  adjustPValues,
  bootstrapFoolRates,
  bootstrapPValue,
  compareFoolRates,
  countCells,
  SeededRandom,
  StatsError,
  type TrialCounts,
} from "@/lib/stats";

describe("adjustPValues", () => {
  it("Holm: Wikipedia's worked example (Holm–Bonferroni method, 'Example')", () => {
    // Four hypotheses with p = 0.01, 0.04, 0.03, 0.005 at α = 0.05: H4 and H1 are rejected, then
    // 0.03 > 0.05/2 stops the procedure. Adjusted p by hand: 4·0.005 = 0.02, 3·0.01 = 0.03,
    // 2·0.03 = 0.06, max(0.06, 1·0.04) = 0.06.
    const adjusted = adjustPValues([0.01, 0.04, 0.03, 0.005], "holm");
    [0.03, 0.06, 0.06, 0.02].forEach((expected, i) => expect(adjusted[i]).toBeCloseTo(expected, 15));
    expect(adjusted.map((p) => p <= 0.05)).toEqual([true, false, false, true]);
  });

  it("Benjamini–Hochberg: the 15 p-values of Benjamini & Hochberg (1995), §4", () => {
    // BH reject the four smallest at q = 0.05 (Bonferroni and Holm reject three). Adjusted values by
    // hand: min over j ≥ i of 15·p₍ⱼ₎/j, e.g. p₍₄₎: min(15·0.0095/4 = 0.035625, 15·0.0201/5 = 0.0603, …).
    const p = [0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.324, 0.4262, 0.5719, 0.6528, 0.759, 1.0];
    const bh = adjustPValues(p, "benjamini-hochberg");
    expect(bh.filter((x) => x <= 0.05)).toHaveLength(4);
    expect(bh[0]).toBeCloseTo(0.0015, 15);
    expect(bh[1]).toBeCloseTo(0.003, 15);
    expect(bh[2]).toBeCloseTo(0.0095, 15);
    expect(bh[3]).toBeCloseTo(0.035625, 15);
    // p₍₅₎: min(15·0.0201/5 = 0.0603, 15·0.0278/6 = 0.0695, 15·0.0298/7 = 0.0639, 15·0.0344/8 = 0.0645, …).
    expect(bh[4]).toBeCloseTo(0.0603, 15);
    expect(bh[6]).toBeCloseTo((15 * 0.0298) / 7, 15);
    expect(bh[14]).toBe(1);
    expect(adjustPValues(p, "holm").filter((x) => x <= 0.05)).toHaveLength(3);
  });

  it("keeps the input order, handles no p-values and rejects bad input", () => {
    expect(adjustPValues([], "holm")).toEqual([]);
    expect(adjustPValues([0.5], "benjamini-hochberg")).toEqual([0.5]);
    expect(() => adjustPValues([1.2], "holm")).toThrow(StatsError);
    expect(() => adjustPValues([0.1], "bonferroni" as never)).toThrow(StatsError);
  });
});

describe("bootstrapPValue", () => {
  it("is 2·min(1 + #{d ≤ 0}, 1 + #{d ≥ 0})/(B + 1), capped at 1 (hand computation)", () => {
    expect(bootstrapPValue(Float64Array.of(1, 2, 3))).toBe(0.5);
    expect(bootstrapPValue(Float64Array.of(-1, 2, 3, 4))).toBe(0.8);
    expect(bootstrapPValue(Float64Array.of(-1, 1))).toBe(1);
    expect(bootstrapPValue(Float64Array.of(0, 0, 0))).toBe(1);
    expect(() => bootstrapPValue(new Float64Array(0))).toThrow(StatsError);
  });
});

/** One method's raters, numbered from `seed`·1000 so that methods do not share raters (between design). */
function study(seed: number, raters: number, rate: number): TrialCounts {
  const rng = new SeededRandom(seed);
  const fooled = Int32Array.from({ length: raters }, () => {
    const p = Math.min(0.95, Math.max(0.02, rate + 0.15 * (rng.nextFloat() - 0.5)));
    let k = 0;
    for (let t = 0; t < 40; t++) if (rng.nextFloat() < p) k++;
    return k;
  });
  return countCells({
    rater: Int32Array.from({ length: raters }, (_, r) => seed * 1000 + r),
    image: new Int32Array(raters),
    trials: new Int32Array(raters).fill(40),
    fooled,
  });
}

describe("compareFoolRates", () => {
  const methods = [study(1, 40, 0.32), study(2, 40, 0.18), study(3, 40, 0.31)];
  const set = bootstrapFoolRates(methods, { seed: 99, resamples: 4000 });

  it("compares every pair with the observed difference and Holm-adjusted p-values", () => {
    const { correction, comparisons } = compareFoolRates(set);
    expect(correction).toBe("holm");
    expect(comparisons.map((c) => [c.a, c.b])).toEqual([
      [0, 1],
      [0, 2],
      [1, 2],
    ]);
    for (const c of comparisons) {
      expect(c.difference).toBeCloseTo(set.methods[c.a]!.estimate - set.methods[c.b]!.estimate, 15);
      expect(c.lower).toBeLessThanOrEqual(c.upper);
    }
    const adjusted = adjustPValues(comparisons.map((c) => c.pValue), "holm");
    comparisons.forEach((c, i) => expect(c.adjustedPValue).toBe(adjusted[i]));
    // 32% vs 18% with 40 raters × 40 trials: clearly different; 32% vs 31%: not.
    expect(comparisons[0]!.adjustedPValue).toBeLessThan(0.01);
    expect(comparisons[1]!.adjustedPValue).toBeGreaterThan(0.05);
  });

  it("has SE² of a difference ≈ sum of SE² for independent methods (raters variant)", () => {
    const { comparisons } = compareFoolRates(set);
    const c = comparisons[0]!;
    const expected = Math.hypot(set.methods[0]!.standardError, set.methods[1]!.standardError);
    expect(Math.abs(c.standardError / expected - 1)).toBeLessThan(0.05);
  });

  it("supports Benjamini–Hochberg, chosen pairs, and rejects bad pairs", () => {
    const bh = compareFoolRates(set, { correction: "benjamini-hochberg", pairs: [[2, 0]] });
    expect(bh.comparisons).toHaveLength(1);
    expect(bh.comparisons[0]!.adjustedPValue).toBe(bh.comparisons[0]!.pValue);
    expect(() => compareFoolRates(set, { pairs: [[0, 0]] })).toThrow(StatsError);
    expect(() => compareFoolRates(set, { pairs: [[0, 3]] })).toThrow(StatsError);
    expect(() => compareFoolRates(bootstrapFoolRates([methods[0]!], { seed: 1, resamples: 10 }))).toThrow(StatsError);
  });
});
