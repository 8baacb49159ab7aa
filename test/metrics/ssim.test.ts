import { describe, expect, it } from "vitest";
import { meanSsim } from "@/lib/metrics/ssim";

describe("meanSsim (Wang et al. 2004)", () => {
  it("is 1 for identical images", () => {
    const x = Float64Array.from({ length: 15 * 13 }, (_, i) => (i * 37) % 101);
    expect(meanSsim(x, x, 15, 13, 100)).toBeCloseTo(1, 12);
  });

  it("is the luminance term alone for two constant images, computed by hand", () => {
    // σ = 0: SSIM = (2·50·60 + C1) / (50² + 60² + C1) with C1 = (0.01·100)² = 1 → 6001/6101.
    const x = new Float64Array(12 * 12).fill(50);
    const y = new Float64Array(12 * 12).fill(60);
    expect(meanSsim(x, y, 12, 12, 100)).toBeCloseTo(6001 / 6101, 12);
  });

  it("matches an independent numpy implementation on a patterned 20×16 image", () => {
    // numpy: 11×11 Gaussian (σ 1.5) outer product, 'valid' windows, C1 = 1, C2 = 9, mean of the map;
    // x[i,j] = ((7i + 13j) mod 17)·5, y = ((5i + 3j) mod 11)·4 + x/2 → 0.6987165980269084.
    const w = 20, h = 16;
    const x = new Float64Array(w * h);
    const y = new Float64Array(w * h);
    for (let i = 0; i < h; i++) {
      for (let j = 0; j < w; j++) {
        x[i * w + j] = ((i * 7 + j * 13) % 17) * 5;
        y[i * w + j] = ((i * 5 + j * 3) % 11) * 4 + x[i * w + j]! * 0.5;
      }
    }
    expect(meanSsim(x, y, w, h, 100)).toBeCloseTo(0.6987165980269084, 10);
  });

  it("throws for images smaller than the window", () => {
    expect(() => meanSsim(new Float64Array(100), new Float64Array(100), 10, 10, 100)).toThrow(RangeError);
  });
});
