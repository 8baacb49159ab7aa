import { describe, expect, it } from "vitest";
import { dPrimeFromFoolRate, dPrimeTwoAfc, StatsError } from "@/lib/stats";

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
    const d = dPrimeFromFoolRate({ estimate: 0.24, lower: 0.2, upper: 0.3, level: 0.95 });
    expect(d.estimate).toBeCloseTo(0.99886266350732691, 13);
    expect(d.lower).toBeCloseTo(0.74161431718711586, 13); // √2·Φ⁻¹(0.7), mpmath
    expect(d.upper).toBeCloseTo(1.1902321628999897, 13); // √2·Φ⁻¹(0.8), mpmath
    expect(d.level).toBe(0.95);
  });

  it("gives a negative d′ above a 50% fool rate and infinite bounds at 0 and 1", () => {
    expect(dPrimeFromFoolRate({ estimate: 0.6, lower: 0.55, upper: 0.65, level: 0.95 }).estimate).toBeLessThan(0);
    const perfect = dPrimeFromFoolRate({ estimate: 0, lower: 0, upper: 0.05, level: 0.95 });
    expect(perfect.estimate).toBe(Infinity);
    expect(perfect.upper).toBe(Infinity);
    expect(Number.isFinite(perfect.lower)).toBe(true);
    expect(() => dPrimeFromFoolRate({ estimate: 0.2, lower: 0.3, upper: 0.4, level: 0.95 })).toThrow(StatsError);
  });
});
