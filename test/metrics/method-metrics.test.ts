import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { computeMethodMetrics } from "@/lib/metrics/method-metrics";
import { grayBaseline } from "@/lib/methods/baselines";
import { labToRgb8, rgb8ToLab } from "@/lib/model/color-space";

const solid = (r: number, g: number, b: number, width = 8, height = 6) =>
  sharp({ create: { width, height, channels: 3, background: { r, g, b } } }).png().toBuffer();

/** A small colourful photo-like image (gradients), PNG. */
async function gradientPng(width: number, height: number): Promise<Buffer> {
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = 3 * (y * width + x);
      rgb[i] = Math.round(255 * (x / (width - 1)));
      rgb[i + 1] = Math.round(200 * (y / (height - 1)));
      rgb[i + 2] = 90;
    }
  }
  return sharp(rgb, { raw: { width, height, channels: 3 } }).png().toBuffer();
}

describe("computeMethodMetrics", () => {
  it("gives AuC 100, rebalanced 100, PSNR Infinity and no colourfulness gap for the ground truth", async () => {
    const a = await gradientPng(16, 12);
    const b = await gradientPng(9, 7);
    const metrics = await computeMethodMetrics([
      { real: a, fake: a },
      { real: b, fake: b },
    ]);
    expect(metrics.images).toBe(2);
    expect(metrics.auc).toBe(100);
    expect(metrics.aucRebalanced).toBe(100);
    expect(metrics.psnr).toBe(Infinity);
    expect(metrics.colourfulnessGap).toBe(0);
    expect(metrics.colourfulness).toBeGreaterThan(0);
  });

  it("matches hand-computed values for the Gray baseline of a pure red image", async () => {
    // sRGB red (255,0,0) is Lab (53.2408, 80.0925, 67.2032): chroma √(80.0925² + 67.2032²) = 104.552.
    // Gray keeps L = 53.2408, whose sRGB is (127,127,127) (Y = 0.21267 → 1.055·Y^(1/2.4) − 0.055 =
    // 0.4985 → 127.1), with ab = 0. Every pixel's error is 104.55, so CMF(t) = 0 for t ≤ 104, 1 from 105:
    //   area = (0 + 1)/2 + Σ_{t=105}^{149} 1 = 0.5 + 45 = 45.5 → AuC = 100·45.5/150 = 30.333…
    // One class only, so the rebalanced AuC is the same.
    // Colourfulness of red: rg = 255, yb = 127.5, σ = 0: M = 0.3·√(255² + 127.5²) = 85.5296…; gray: 0.
    // PSNR: MSE = (128² + 127² + 127²)/3 = 16214 → 10·log10(255²/16214) = 6.03190… dB.
    const real = await solid(255, 0, 0);
    const { data, info } = await sharp(real).raw().toBuffer({ resolveWithObject: true });
    const gray = grayBaseline({ width: info.width, height: info.height, lab: rgb8ToLab(data) });
    const grayRgb = labToRgb8(gray.lab);
    expect(Array.from(grayRgb.subarray(0, 3))).toEqual([127, 127, 127]);
    const fake = await sharp(grayRgb, { raw: { width: info.width, height: info.height, channels: 3 } }).png().toBuffer();

    const metrics = await computeMethodMetrics([{ real, fake }]);
    expect(metrics.auc).toBeCloseTo(30.333333333, 8);
    expect(metrics.aucRebalanced).toBeCloseTo(30.333333333, 8);
    expect(metrics.colourfulnessGroundTruth).toBeCloseTo(85.5296001, 5);
    expect(metrics.colourfulness).toBe(0);
    expect(metrics.colourfulnessGap).toBeCloseTo(-85.5296001, 5);
    expect(metrics.psnr).toBeCloseTo(6.0319019, 5);
  });

  it("averages PSNR and colourfulness over images", async () => {
    // Pair 1: identical-size grays differing by 1 in every sample → PSNR 48.1308 dB.
    // Pair 2: black vs (255,0,0) → MSE 255²/3 → 4.7712 dB. Mean (48.1308 + 4.7712)/2 = 26.4510.
    const metrics = await computeMethodMetrics(
      (async function* () {
        yield { real: await solid(100, 100, 100), fake: await solid(101, 101, 101) };
        yield { real: await solid(0, 0, 0), fake: await solid(255, 0, 0) };
      })(),
    );
    expect(metrics.images).toBe(2);
    expect(metrics.psnr).toBeCloseTo((48.1308036086791 + 4.771212547196624) / 2, 8);
    // Fake colourfulness: 0 (gray) and 85.5295 (red) → mean 42.7648; real: 0 and 0.
    expect(metrics.colourfulness).toBeCloseTo(85.5296001 / 2, 5);
    expect(metrics.colourfulnessGroundTruth).toBe(0);
  });

  it("throws on a size mismatch unless asked to resize, then notes it", async () => {
    const real = await gradientPng(16, 12);
    const fake = await gradientPng(32, 24);
    await expect(computeMethodMetrics([{ real, fake, name: "x" }])).rejects.toThrow(/x: real is 16×12 but fake is 32×24/);
    const notes: string[] = [];
    const metrics = await computeMethodMetrics([{ real, fake, name: "x" }], {
      resizeFakeToReal: true,
      onNote: (note) => notes.push(note),
    });
    expect(notes).toEqual(["x: fake resized from 32×24 to 16×12"]);
    expect(metrics.auc).toBeGreaterThan(95);
  });

  it("throws without pairs and names an undecodable pair", async () => {
    await expect(computeMethodMetrics([])).rejects.toThrow(RangeError);
    await expect(computeMethodMetrics([{ real: Buffer.from("x"), fake: Buffer.from("y"), name: "bad" }])).rejects.toThrow(
      /bad: cannot decode/,
    );
  });
});
