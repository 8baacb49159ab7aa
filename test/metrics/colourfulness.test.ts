import { describe, expect, it } from "vitest";
import { colourfulness } from "@/lib/metrics/colourfulness";

describe("colourfulness (Hasler & Süsstrunk 2003)", () => {
  it("matches the formula on a red and a blue pixel, computed by hand", () => {
    // (255,0,0): rg = 255, yb = ½(255+0) − 0 = 127.5;  (0,0,255): rg = 0, yb = 0 − 255 = −255.
    // μ_rg = 127.5, σ_rg² = 127.5² = 16256.25;  μ_yb = −63.75, σ_yb² = 191.25² = 36576.5625.
    // σ_rgyb = √(16256.25 + 36576.5625) = √52832.8125 = 229.853893…
    // μ_rgyb = √(127.5² + 63.75²) = √20320.3125 = 142.549333…
    // M = 229.853893 + 0.3 · 142.549333 = 272.618693…
    const m = colourfulness(Uint8Array.of(255, 0, 0, 0, 0, 255));
    expect(m).toBeCloseTo(272.618693, 5);
  });

  it("is 0.3·μ for a uniform colour and 0 for gray", () => {
    // (200,100,50): rg = 100, yb = 150 − 50 = 100, σ = 0 → M = 0.3·√(100² + 100²) = 42.426407…
    expect(colourfulness(Uint8Array.of(200, 100, 50, 200, 100, 50, 200, 100, 50))).toBeCloseTo(42.426407, 5);
    expect(colourfulness(Uint8Array.of(7, 7, 7, 180, 180, 180))).toBe(0);
  });

  it("ignores alpha with 4 channels and throws on an empty image", () => {
    expect(colourfulness(Uint8Array.of(255, 0, 0, 9, 0, 0, 255, 200), 4)).toBeCloseTo(272.618693, 5);
    expect(() => colourfulness(new Uint8Array(0))).toThrow(RangeError);
  });
});
