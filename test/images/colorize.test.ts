import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aspectRatioWarning, colorizeImage, colorizeImages, colorizedToRgb8, lAndUpsampledAbToRgb8 } from "@/lib/images/colorize";
import { resizeBilinear } from "@/lib/images/resize";
import { ImageError } from "@/lib/images/errors";
import { renderFakeStimulus, renderRealStimulus, renderStimulusFromLAndAb } from "@/lib/images/render-stimulus";
import { AB_BINS, NUM_AB_BINS, abBinIndex } from "@/lib/model/ab-bins";
import { joinLab, lAndAbToRgb8, labToRgb8, rgb8ToL } from "@/lib/model/color-space";
import { closeColorizers, loadColorizer, type Colorizer } from "@/lib/model/session";
import { buildLogitsModel } from "../support/onnx-builder";
import { seededRandom } from "../support/random";

// The test network: AveragePool(4) then a 1×1 convolution whose logits are +60·x for BRIGHT and
// −60·x for DARK (x = (L − 50)/100) and 0 for the other 311 bins. At T = 0.38 a pixel with L well
// above 50 decodes to BRIGHT's centre (other weights ≤ exp(−60·0.2/0.38) ≈ 2e−14), one well below
// to DARK's. So the expected colorized image is known exactly: original L, that bin's ab.
const BRIGHT = abBinIndex(30, 50);
const DARK = abBinIndex(-20, -30);
let dir: string;
let colorizer: Colorizer;

const solid = (width: number, height: number, rgb: [number, number, number]) =>
  sharp({ create: { width, height, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } }).png().toBuffer();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "colorize-"));
  const w = new Float32Array(NUM_AB_BINS);
  w[BRIGHT] = 60;
  w[DARK] = -60;
  await writeFile(join(dir, "net.onnx"), buildLogitsModel({ size: 16, stride: 4, weights: w, biases: new Float32Array(NUM_AB_BINS) }));
  await writeFile(
    join(dir, "net.manifest.json"),
    JSON.stringify({
      schemaVersion: 1,
      name: "two-bins",
      file: "net.onnx",
      input: { name: "input_l", layout: "NCHW", height: 16, width: 16, lNormalization: { offset: -50, scale: 0.01 } },
      output: { name: "logits", kind: "logits", stride: 4 },
      bins: { source: "grid10-in-gamut" },
      decoding: { temperature: 0.38 },
    }),
  );
  colorizer = await loadColorizer(join(dir, "net.manifest.json"), { providers: ["cpu"], maxBatch: 2, log: () => {} });
});

afterAll(async () => {
  await closeColorizers();
  await rm(dir, { recursive: true, force: true });
});

describe("colorizeImage", () => {
  it("keeps the full-resolution L and paints the known bin at full resolution, whatever the input's colour", async () => {
    // A light saturated blue 37×23 image: L ≈ 70 (> 50), so the network picks BRIGHT.
    const input = await solid(37, 23, [120, 170, 255]);
    const result = await colorizeImage(input, colorizer);
    expect([result.width, result.height, result.modelWidth, result.modelHeight]).toEqual([37, 23, 4, 4]);
    const L = rgb8ToL(Uint8Array.from([120, 170, 255]))[0]!;
    expect(result.L.length).toBe(37 * 23);
    for (const v of result.L) expect(v).toBeCloseTo(L, 4);
    for (let i = 0; i < 37 * 23; i++) {
      expect(result.ab[2 * i]).toBeCloseTo(AB_BINS[2 * BRIGHT]!, 4);
      expect(result.ab[2 * i + 1]).toBeCloseTo(AB_BINS[2 * BRIGHT + 1]!, 4);
    }
    const expected = labToRgb8(Float32Array.from([L, AB_BINS[2 * BRIGHT]!, AB_BINS[2 * BRIGHT + 1]!]));
    const rgb = colorizedToRgb8(result);
    expect(Array.from(rgb.subarray(0, 3))).toEqual(Array.from(expected));
    expect(Array.from(rgb.subarray(rgb.length - 3))).toEqual(Array.from(expected));
  });

  it("colorizes a batch larger than maxBatch in order (bright, dark, grey-bright)", async () => {
    const images = [await solid(20, 20, [250, 250, 250]), await solid(30, 10, [20, 10, 40]), await solid(9, 40, [200, 200, 200])];
    const { results, timings } = await colorizeImages(images, colorizer);
    expect(results.map((r) => [r.width, r.height])).toEqual([[20, 20], [30, 10], [9, 40]]);
    const bins = [BRIGHT, DARK, BRIGHT];
    results.forEach((r, k) => {
      expect(r.ab[0]).toBeCloseTo(AB_BINS[2 * bins[k]!]!, 4);
      expect(r.ab[1]).toBeCloseTo(AB_BINS[2 * bins[k]! + 1]!, 4);
    });
    expect(timings.inferenceMs).toBeGreaterThan(0);
  });

  it("uses the requested temperature: T = 1 on a tie gives the mean of all centres", async () => {
    // Grey 119 has L ≈ 50.0 → x ≈ 0: all logits ≈ 0, a uniform distribution.
    const grey = await solid(8, 8, [119, 119, 119]);
    const L = rgb8ToL(Uint8Array.from([119, 119, 119]))[0]!;
    expect(Math.abs(L - 50)).toBeLessThan(0.2);
    const result = await colorizeImage(grey, colorizer, { temperature: 1 });
    let a = 0;
    for (let q = 0; q < NUM_AB_BINS; q++) a += AB_BINS[2 * q]! / NUM_AB_BINS;
    expect(result.ab[0]).toBeCloseTo(a, 0);
  });

  it("fails a batch with a corrupt image before running the model", async () => {
    const good = await solid(8, 8, [1, 2, 3]);
    await expect(colorizeImages([good, Buffer.from("not an image")], colorizer)).rejects.toBeInstanceOf(ImageError);
  });
});

describe("stimulus rendering", () => {
  it("renders real and fake through the same path: same size, format, encoder settings, no metadata", async () => {
    const photo = await sharp({ create: { width: 300, height: 200, channels: 3, background: { r: 30, g: 120, b: 200 } } })
      .composite([{ input: await solid(100, 200, [240, 200, 20]), left: 0, top: 0 }])
      .withMetadata({ exif: { IFD0: { Copyright: "x" } } })
      .jpeg({ quality: 95 })
      .toBuffer();
    const real = await renderRealStimulus(photo);
    const colorized = await colorizeImage(photo, colorizer);
    const fake = await renderFakeStimulus(photo, colorized.ab);
    for (const s of [real, fake]) {
      expect([s.width, s.height, s.mimeType]).toEqual([256, 256, "image/jpeg"]);
      const meta = await sharp(s.bytes).metadata();
      expect([meta.width, meta.height, meta.chromaSubsampling, meta.isProgressive]).toEqual([256, 256, "4:4:4", false]);
      expect(meta.exif).toBeUndefined();
      expect(meta.icc).toBeUndefined();
    }
    // Same L: the lightness of real and fake agree (up to JPEG noise); the colours differ.
    const rawReal = await sharp(real.bytes).raw().toBuffer();
    const rawFake = await sharp(fake.bytes).raw().toBuffer();
    const Lr = rgb8ToL(rawReal), Lf = rgb8ToL(rawFake);
    let worst = 0;
    for (let i = 0; i < Lr.length; i++) worst = Math.max(worst, Math.abs(Lr[i]! - Lf[i]!));
    expect(worst).toBeLessThan(6);
    expect(real.sha256).not.toBe(fake.sha256);
  });

  it("renders the real image faithfully: the Lab round trip changes no pixel before encoding", async () => {
    const photo = await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 30, g: 120, b: 200 } } }).png().toBuffer();
    const real = await renderRealStimulus(photo, { size: 64, format: "png" });
    const direct = await sharp(photo).png({ compressionLevel: 9 }).toBuffer();
    expect(Buffer.compare(await sharp(real.bytes).raw().toBuffer(), await sharp(direct).raw().toBuffer())).toBe(0);
  });

  it("centre-crops to a square before resizing, and supports other sizes and PNG", async () => {
    // Left third yellow, right two-thirds blue, 300×100: the centre square (100..200) is all blue.
    const wide = await sharp({ create: { width: 300, height: 100, channels: 3, background: { r: 0, g: 0, b: 255 } } })
      .composite([{ input: await solid(100, 100, [255, 255, 0]), left: 0, top: 0 }])
      .png()
      .toBuffer();
    const s = await renderRealStimulus(wide, { size: 32, format: "png" });
    const px = await sharp(s.bytes).raw().toBuffer();
    expect([s.width, s.height, s.mimeType]).toEqual([32, 32, "image/png"]);
    expect(Array.from(px.subarray(0, 3))).toEqual([0, 0, 255]);
    const fit = await renderRealStimulus(wide, { size: 60, crop: "fit", format: "png" });
    expect([fit.width, fit.height]).toEqual([60, 20]);
  });

  it("refuses an ab of the wrong size and bad input", async () => {
    const photo = await solid(10, 10, [1, 2, 3]);
    await expect(renderFakeStimulus(photo, new Float32Array(2 * 99))).rejects.toMatchObject({ code: "image_invalid" });
    await expect(renderRealStimulus(Buffer.from("nope"))).rejects.toMatchObject({ code: "image_unsupported" });
    const L = new Float32Array(4).fill(50);
    const lab = joinLab(L, new Float32Array(8));
    expect(lab.length).toBe(12);
    await expect(renderStimulusFromLAndAb(L, new Float32Array(8), 2, 2, { size: 0 })).rejects.toThrow(RangeError);
  });
});

describe("aspectRatioWarning", () => {
  it("warns beyond 4:1 relative to the network input, in either direction", () => {
    expect(aspectRatioWarning(20000, 200, 256, 256)).toMatch(/20000×200 is squashed 100\.0:1 to the network's 256×256 input/);
    expect(aspectRatioWarning(200, 1000, 256, 256)).toMatch(/squashed 5\.0:1/);
    expect(aspectRatioWarning(1024, 256, 256, 256)).toBeNull(); // exactly 4:1
    expect(aspectRatioWarning(481, 321, 256, 256)).toBeNull();
    expect(aspectRatioWarning(2000, 250, 512, 128)).toBeNull(); // 8:1 image on a 4:1 input: squashed 2:1
  });
});

describe("lAndUpsampledAbToRgb8", () => {
  it("gives the same bytes as resizing ab to full resolution and converting, for every shape it serves", () => {
    const random = seededRandom(7);
    for (const [width, height, modelWidth, modelHeight] of [[481, 321, 64, 64], [64, 64, 64, 64], [200, 64, 64, 64], [65, 97, 16, 8], [1, 300, 1, 4]] as const) {
      const L = Float32Array.from({ length: width * height }, () => 100 * random());
      const abModel = Float32Array.from({ length: 2 * modelWidth * modelHeight }, () => 220 * random() - 110);
      const fused = lAndUpsampledAbToRgb8(L, width, height, abModel, modelWidth, modelHeight);
      const twoPass = lAndAbToRgb8(L, resizeBilinear(abModel, modelWidth, modelHeight, 2, width, height));
      expect(Buffer.from(fused).equals(Buffer.from(twoPass)), `${width}×${height} from ${modelWidth}×${modelHeight}`).toBe(true);
    }
  });
});
