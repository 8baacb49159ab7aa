import { describe, expect, it } from "vitest";
import { meanSquaredError, psnr } from "@/lib/metrics/psnr";

describe("psnr", () => {
  it("is 20·log10(255) = 48.1308 dB for an error of 1 in every sample", () => {
    const x = new Uint8Array(2 * 2 * 3).fill(100);
    const y = new Uint8Array(2 * 2 * 3).fill(101);
    expect(meanSquaredError(x, y)).toBe(1);
    // 20·log10(255) = 48.130803608679… (skimage.metrics.peak_signal_noise_ratio gives the same)
    expect(psnr(x, y)).toBeCloseTo(48.1308036086791, 10);
  });

  it("is 10·log10(3) = 4.7712 dB for one full-scale error in one of three samples", () => {
    // MSE = 255²/3 → PSNR = 10·log10(255² / (255²/3)) = 10·log10(3).
    expect(psnr(Uint8Array.of(0, 0, 0), Uint8Array.of(255, 0, 0))).toBeCloseTo(4.771212547196624, 10);
  });

  it("is Infinity for identical images and throws on different sizes", () => {
    expect(psnr(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2, 3))).toBe(Infinity);
    expect(() => psnr(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2, 3, 4, 5, 6))).toThrow(RangeError);
  });
});
