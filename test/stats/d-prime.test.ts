import { describe, expect, it } from "vitest";
import { dPrimeFromFoolRate, dPrimeTwoAfc, dPrimeWithBias, proportionOffBounds, StatsError } from "@/lib/stats";

describe("dPrimeTwoAfc", () => {
  it("matches Macmillan & Creelman's 2AFC values: p_c = .76 → d′ ≈ 1.00, p_c = .92 → 1.99", () => {
    // Macmillan & Creelman (2005), Detection Theory, ch. 7: d′ = √2·z(p_c) for unbiased 2AFC
    // (table values to 2 decimals); the fine values are mpmath 1.2.1: sqrt(2)·sqrt(2)·erfinv(2p − 1).
    expect(dPrimeTwoAfc(0.76)).toBeCloseTo(1.0, 2);
    expect(dPrimeTwoAfc(0.76)).toBeCloseTo(0.99886266350732691, 13);
    expect(dPrimeTwoAfc(0.92)).toBeCloseTo(1.99, 2);
    expect(dPrimeTwoAfc(0.92)).toBeCloseTo(1.9870712566946085, 13);
    expect(dPrimeTwoAfc(0.69)).toBeCloseTo(0.70123828612617853, 13);
    expect(dPrimeTwoAfc(0.99)).toBeCloseTo(3.2899527142663741, 12);
  });

  it("is 0 at chance (fool rate 50%) and ±Infinity, not clamped, at 1 and 0", () => {
    expect(dPrimeTwoAfc(0.5)).toBe(0);
    expect(dPrimeTwoAfc(1)).toBe(Infinity);
    expect(dPrimeTwoAfc(0)).toBe(-Infinity);
    expect(() => dPrimeTwoAfc(1.01)).toThrow(StatsError);
    expect(() => dPrimeTwoAfc(Number.NaN)).toThrow(StatsError);
  });
});

describe("dPrimeFromFoolRate", () => {
  it("maps a fool-rate interval through p_c = 1 − fool rate, swapping the bounds", () => {
    const d = dPrimeFromFoolRate({ estimate: 0.24, lower: 0.2, upper: 0.3, level: 0.95 }, 400);
    expect(d.estimate).toBeCloseTo(0.99886266350732691, 13);
    expect(d.lower).toBeCloseTo(0.74161431718711586, 13); // √2·Φ⁻¹(0.7), mpmath
    expect(d.upper).toBeCloseTo(1.1902321628999897, 13); // √2·Φ⁻¹(0.8), mpmath
    expect(d.level).toBe(0.95);
  });

  it("gives a negative d′ above a 50% fool rate, and a finite d′ at 0% and 100% by the 1/(2N) rule", () => {
    expect(dPrimeFromFoolRate({ estimate: 0.6, lower: 0.55, upper: 0.65, level: 0.95 }, 100).estimate).toBeLessThan(0);
    // 0 of 40 fooled: p_c = 1 − 1/80; scipy: sqrt(2)*norm.ppf(1 - 0.5/40) = 3.169822136118964.
    const perfect = dPrimeFromFoolRate({ estimate: 0, lower: 0, upper: 0.09, level: 0.95 }, 40);
    expect(perfect.estimate).toBeCloseTo(3.169822136118964, 12);
    expect(perfect.upper).toBe(perfect.estimate);
    expect(Number.isFinite(perfect.lower)).toBe(true);
    const never = dPrimeFromFoolRate({ estimate: 1, lower: 0.9, upper: 1, level: 0.95 }, 40);
    expect(never.estimate).toBeCloseTo(-3.169822136118964, 12);
    expect(proportionOffBounds(0.3, 40)).toBe(0.3);
    expect(() => dPrimeFromFoolRate({ estimate: 0.2, lower: 0.3, upper: 0.4, level: 0.95 }, 10)).toThrow(StatsError);
  });
});

describe("dPrimeWithBias", () => {
  it("separates sensitivity from a side preference (values from scipy.stats.norm.ppf)", () => {
    // H = 0.9, F = 0.4: d′ = (z(.9) − z(.4))/√2 = 1.0853372570581146, c = −(z(.9) + z(.4))/2 = −0.5141022312044004.
    const biased = dPrimeWithBias({ realLeftTrials: 100, realLeftCorrect: 90, realRightTrials: 100, realRightCorrect: 60 });
    expect(biased.dPrime).toBeCloseTo(1.0853372570581146, 12);
    expect(biased.criterion).toBeCloseTo(-0.5141022312044004, 12);
    expect(biased.leftShare).toBeCloseTo(0.65, 15);
    // No side preference: equals the unbiased 2AFC d′ of p_c = 0.75, criterion 0.
    const fair = dPrimeWithBias({ realLeftTrials: 100, realLeftCorrect: 75, realRightTrials: 100, realRightCorrect: 75 });
    expect(fair.dPrime).toBeCloseTo(dPrimeTwoAfc(0.75), 13);
    expect(fair.criterion).toBeCloseTo(0, 13);
    // All correct on both sides: finite by the 1/(2N) rule of each side.
    const perfect = dPrimeWithBias({ realLeftTrials: 20, realLeftCorrect: 20, realRightTrials: 20, realRightCorrect: 20 });
    expect(Number.isFinite(perfect.dPrime)).toBe(true);
    expect(() => dPrimeWithBias({ realLeftTrials: 0, realLeftCorrect: 0, realRightTrials: 3, realRightCorrect: 1 })).toThrow(StatsError);
  });
});
