import { describe, expect, it } from "vitest";
import { resizeBilinear } from "@/lib/images/resize";

describe("resizeBilinear", () => {
  it("keeps constants constant and is the identity at the same size", () => {
    const src = new Float32Array(7 * 5 * 2).fill(3.5);
    for (const [w, h] of [[3, 2], [14, 10], [1, 1], [64, 64]] as const) {
      const out = resizeBilinear(src, 7, 5, 2, w, h);
      expect(out.length).toBe(w * h * 2);
      for (const v of out) expect(v).toBeCloseTo(3.5, 5);
    }
    const ramp = Float32Array.from({ length: 12 }, (_, i) => i);
    expect(Array.from(resizeBilinear(ramp, 4, 3, 1, 4, 3))).toEqual(Array.from(ramp));
  });

  it("upsamples ×2 with half-pixel centres like PyTorch interpolate(bilinear, align_corners=False)", () => {
    // torch.nn.functional.interpolate(torch.tensor([[[[0., 1., 2., 3.]]]]), size=(1, 8),
    //   mode="bilinear", align_corners=False) = [0, 0.25, 0.75, 1.25, 1.75, 2.25, 2.75, 3].
    const out = resizeBilinear(Float32Array.from([0, 1, 2, 3]), 4, 1, 1, 8, 1);
    expect(Array.from(out)).toEqual([0, 0.25, 0.75, 1.25, 1.75, 2.25, 2.75, 3]);
  });

  it("widens the triangle filter by the scale when shrinking (antialiasing, as PIL's BILINEAR)", () => {
    // 4 → 2: scale 2, triangle half-width 2 source pixels. Output 0 is centred at source x = 1.0;
    // source pixel centres 0.5, 1.5, 2.5 get weights 1 − |c − 1|/2 = 0.75, 0.75, 0.25 (normalized).
    const out = resizeBilinear(Float32Array.from([0, 10, 20, 30]), 4, 1, 1, 2, 1);
    expect(out[0]).toBeCloseTo((0 * 0.75 + 10 * 0.75 + 20 * 0.25) / 1.75, 5);
    expect(out[1]).toBeCloseTo((10 * 0.25 + 20 * 0.75 + 30 * 0.75) / 1.75, 5);
  });

  it("keeps channels apart", () => {
    const src = new Float32Array(4 * 4 * 2);
    for (let i = 0; i < 16; i++) {
      src[2 * i] = 1;
      src[2 * i + 1] = -1;
    }
    const out = resizeBilinear(src, 4, 4, 2, 9, 3);
    for (let i = 0; i < 27; i++) {
      expect(out[2 * i]).toBeCloseTo(1, 6);
      expect(out[2 * i + 1]).toBeCloseTo(-1, 6);
    }
  });

  it("rejects mismatched sizes", () => {
    expect(() => resizeBilinear(new Float32Array(5), 2, 2, 1, 3, 3)).toThrow(RangeError);
    expect(() => resizeBilinear(new Float32Array(4), 2, 2, 1, 0, 3)).toThrow(RangeError);
  });
});
