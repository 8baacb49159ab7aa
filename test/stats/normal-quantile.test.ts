import { describe, expect, it } from "vitest";
import { normalQuantile, StatsError } from "@/lib/stats";

// Expected values: standard normal tables (Abramowitz & Stegun 1964, Table 26.5: 1.959964 for
// 0.975, 2.575829 for 0.995, 1.281552 for 0.9, 3.090232 for 0.999), given here to 17 digits as
// computed independently with mpmath 1.2.1 at 40 digits, sqrt(2)·erfinv(2p − 1), at the exact
// binary value of each p (mpf(0.975), not mpf("0.975"): in the far tail the difference matters).
const CASES: readonly [number, number][] = [
  [0.975, 1.9599639845400538556],
  [0.995, 2.5758293035489004539],
  [0.9, 1.2815515655446005935],
  [0.999, 3.0902323061678132778],
  [0.025, -1.9599639845400542118],
  [0.3, -0.52440051270804081597],
  [0.075, -1.4395314709384559349], // boundary of AS241's central region
  [0.925, 1.4395314709384562291],
  [1e-10, -6.3613409024040561991], // intermediate tail
  [1e-20, -9.2623400897984075796], // far tail (r > 5)
  [0.9999999, 5.1993375822906610937],
];

describe("normalQuantile (Wichura AS241)", () => {
  it.each(CASES)("Φ⁻¹(%s) matches the table value", (p, expected) => {
    expect(normalQuantile(p)).toBeCloseTo(expected, 14);
    expect(Math.abs(normalQuantile(p) - expected) / Math.abs(expected)).toBeLessThan(4e-16);
  });

  it("is 0 at the median and antisymmetric", () => {
    expect(normalQuantile(0.5)).toBe(0);
    for (const p of [0.01, 0.2, 0.4, 1e-5]) expect(normalQuantile(p)).toBeCloseTo(-normalQuantile(1 - p), 10);
  });

  it("returns ±Infinity at 0 and 1 and throws outside [0, 1]", () => {
    expect(normalQuantile(0)).toBe(-Infinity);
    expect(normalQuantile(1)).toBe(Infinity);
    for (const bad of [-0.1, 1.1, Number.NaN]) {
      expect(() => normalQuantile(bad)).toThrow(StatsError);
    }
  });
});
