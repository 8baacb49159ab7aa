import { describe, expect, it } from "vitest";
import { bootstrapFoolRate, calibrateTwoWayInterval, countCells, StatsError, twoWayVarianceComponents } from "@/lib/stats";

describe("twoWayVarianceComponents", () => {
  it("computes the Cameron–Gelbach–Miller components by hand on a 2 × 3 example", () => {
    // Raters 0, 1 × images 0, 1, 2, one trial per cell; fooled: rater 0 on images 0 and 1, rater 1 on 0.
    // θ = 3/6 = 0.5, N = 6. Rater residuals k − θn: 2 − 1.5 = 0.5, 1 − 1.5 = −0.5 → Σ² = 0.5,
    // V_R = (2/1)·0.5/36. Image residuals: 2 − 1 = 1, 1 − 1 = 0, 0 − 1 = −1 → Σ² = 2, V_I = (3/2)·2/36.
    // Cell residuals ±0.5 → Σ² = 6·0.25 = 1.5, V_RI = (6/5)·1.5/36.
    const counts = countCells({
      rater: Int32Array.of(0, 0, 0, 1, 1, 1),
      image: Int32Array.of(0, 1, 2, 0, 1, 2),
      trials: Int32Array.of(1, 1, 1, 1, 1, 1),
      fooled: Int32Array.of(1, 1, 0, 1, 0, 0),
    });
    const v = twoWayVarianceComponents(counts);
    expect(v.raters).toBeCloseTo(1 / 36, 15);
    expect(v.images).toBeCloseTo(3 / 36, 15);
    expect(v.cells).toBeCloseTo(1.8 / 36, 15);
    expect(v.combined).toBeCloseTo(3 / 36, 15); // 1 + 3 − 1.8 = 2.2 < max(1, 3): floored at V_I
  });

  it("shrinks a two-way interval around the estimate, never widens it, and checks its input", () => {
    const counts = countCells({
      rater: Int32Array.from({ length: 60 }, (_, c) => c % 12),
      image: Int32Array.from({ length: 60 }, (_, c) => Math.floor(c / 12) + (c % 3)),
      trials: new Int32Array(60).fill(2),
      fooled: Int32Array.from({ length: 60 }, (_, c) => (c * 7) % 3),
    });
    const twoWay = bootstrapFoolRate(counts, { seed: 3, variant: "two-way", resamples: 2000 });
    const calibrated = calibrateTwoWayInterval(twoWay, counts);
    expect(calibrated.shrinkage).toBeGreaterThan(0);
    expect(calibrated.shrinkage).toBeLessThanOrEqual(1);
    expect(calibrated.lower).toBeGreaterThanOrEqual(twoWay.lower);
    expect(calibrated.upper).toBeLessThanOrEqual(twoWay.upper);
    expect(calibrated.estimate - calibrated.lower).toBeCloseTo(calibrated.shrinkage * (twoWay.estimate - twoWay.lower), 14);
    const raters = bootstrapFoolRate(counts, { seed: 3, resamples: 100 });
    expect(() => calibrateTwoWayInterval(raters, counts)).toThrow(StatsError);
  });
});
