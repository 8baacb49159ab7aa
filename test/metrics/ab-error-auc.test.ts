import { describe, expect, it } from "vitest";
import { abErrorAuc, aucFromErrorHistogram, AUC_ERROR_BINS, errorBinOf } from "@/lib/metrics/ab-error-auc";
import { grayBaseline, groundTruthBaseline } from "@/lib/methods/baselines";

/** Interleaved Lab from [L, a, b] triples. */
const lab = (...pixels: Array<[number, number, number]>) => Float32Array.from(pixels.flat());

describe("abErrorAuc", () => {
  it("is 100 for the ground truth", () => {
    const real = lab([50, 12.3, -40.1], [70, -3, 8.5], [20, 0, 0], [90, 99, -99]);
    const gt = groundTruthBaseline({ width: 2, height: 2, lab: real });
    expect(abErrorAuc([[real, gt.lab]])).toBe(100);
  });

  it("matches the hand-computed value for the Gray baseline on a 2×2 image", () => {
    // Real ab (0,0), (3,4), (30,40), (−60,80); Gray predicts (0,0), so the errors are the chromas
    // 0, 5, 50, 100 (3-4-5 triangles). CMF(t) = share of errors ≤ t:
    //   t = 0..4: 1/4;  t = 5..49: 2/4;  t = 50..99: 3/4;  t = 100..150: 1.
    // Trapezoid over t = 0..150: (CMF(0) + CMF(150))/2 + Σ_{t=1}^{149} CMF(t)
    //   = (0.25 + 1)/2 + 4·0.25 + 45·0.5 + 50·0.75 + 50·1 = 0.625 + 1 + 22.5 + 37.5 + 50 = 111.625.
    // AuC = 100 · 111.625 / 150 = 74.41666…
    // (numpy 2.4: np.trapezoid([(e <= t).mean() for t in range(151)]) / 150 * 100 → 74.41666666666666)
    const real = lab([50, 0, 0], [50, 3, 4], [50, 30, 40], [50, -60, 80]);
    const gray = grayBaseline({ width: 2, height: 2, lab: real });
    expect(abErrorAuc([[real, gray.lab]])).toBeCloseTo(74.416666666666667, 10);
  });

  it("counts an error above 150 as never within, and rounds fractional errors up to the next threshold", () => {
    // Errors 0 and 200: CMF = 0.5 at every threshold → AuC 50.
    expect(abErrorAuc([[lab([50, 0, 0], [50, 0, 0]), lab([50, 0, 0], [50, 120, 160])]])).toBeCloseTo(50, 10);
    // Error 0.5: within from t = 1 on. Area = 0/2 + 149·1 + 1/2 = 149.5 → 100 · 149.5/150 = 99.6666…
    expect(abErrorAuc([[lab([50, 0.5, 0]), lab([50, 0, 0])]])).toBeCloseTo(99.666666666666667, 10);
  });

  it("pools pixels over images (not a mean of per-image AuCs)", () => {
    // Image 1: one pixel, error 0. Image 2: three pixels, error 200. Pooled CMF = 1/4 everywhere → 25;
    // the mean of per-image AuCs would be (100 + 0)/2 = 50.
    const one = [lab([50, 0, 0]), lab([50, 0, 0])] as const;
    const two = [lab([50, 0, 0], [50, 0, 0], [50, 0, 0]), lab([50, 120, 160], [50, 120, 160], [50, 120, 160])] as const;
    expect(abErrorAuc([one, two])).toBeCloseTo(25, 10);
  });

  it("throws on mismatched sizes and on no pixels", () => {
    expect(() => abErrorAuc([[lab([50, 0, 0]), lab([50, 0, 0], [1, 1, 1])]])).toThrow(RangeError);
    expect(() => abErrorAuc([])).toThrow(RangeError);
    expect(() => aucFromErrorHistogram(new Float64Array(AUC_ERROR_BINS - 1))).toThrow(RangeError);
  });

  it("bins errors by ceiling with an overflow bin", () => {
    expect([0, 0.0001, 1, 1.5, 150, 150.01, 1e9].map(errorBinOf)).toEqual([0, 1, 1, 2, 150, 151, 151]);
    expect(() => errorBinOf(Number.NaN)).toThrow(RangeError);
  });
});
