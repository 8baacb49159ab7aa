import { describe, expect, it } from "vitest";
import { binomialTestTwoSided, StatsError } from "@/lib/stats";

// Reference values: the exact sum of the binomial probabilities no larger than the observed one,
// computed with Python's fractions.Fraction and math.comb (exact rational arithmetic), which is
// also what R's binom.test(k, n, p)$p.value gives.
const REFERENCE: [k: number, n: number, p: number, pValue: number][] = [
  [7, 10, 0.5, 0.34375],
  [60, 100, 0.5, 0.05688793364098079],
  [120, 200, 0.5, 0.0056851559967503055],
  [117, 200, 0.5, 0.019396944540338374],
  [130, 200, 0.5, 2.6528755595268476e-5],
  [100, 200, 0.5, 1],
  [0, 5, 0.5, 0.0625],
  [200, 200, 0.5, 1.2446030555722283e-60],
  [3, 20, 0.3, 0.2204182673807094],
];

describe("binomialTestTwoSided", () => {
  it.each(REFERENCE)("k = %i of n = %i at p = %f", (k, n, p, expected) => {
    const actual = binomialTestTwoSided(k, n, p);
    expect(Math.abs(actual - expected) / expected).toBeLessThan(1e-9);
  });

  it("is symmetric about n/2 at p = ½ and handles the degenerate null", () => {
    expect(binomialTestTwoSided(83, 200)).toBeCloseTo(binomialTestTwoSided(117, 200), 14);
    expect(binomialTestTwoSided(0, 10, 0)).toBe(1);
    expect(binomialTestTwoSided(1, 10, 0)).toBe(0);
    expect(binomialTestTwoSided(10, 10, 1)).toBe(1);
  });

  it("refuses impossible arguments", () => {
    expect(() => binomialTestTwoSided(11, 10)).toThrow(StatsError);
    expect(() => binomialTestTwoSided(-1, 10)).toThrow(StatsError);
    expect(() => binomialTestTwoSided(1, 0)).toThrow(StatsError);
    expect(() => binomialTestTwoSided(1, 10, 1.5)).toThrow(StatsError);
  });
});
