import { crc32 } from "node:zlib";
import sharp from "sharp";
import { beforeAll, describe, expect, it } from "vitest";
import {
  checkUploadedImage,
  colourShare,
  decodeStimulus,
  meanAbsoluteLDifference,
} from "@/lib/methods/checks";
import type { CheckedImage, UploadCheckResult } from "@/lib/methods/checks";
import { labToRgb8, rgb8ToLab } from "@/lib/model/color-space";

const W = 64;
const H = 48;

/** A colourful test photo with edges and texture (so that shifts and blur change L locally). */
function texturedRgb(): Uint8Array {
  const rgb = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = 3 * (y * W + x);
      const block = ((x >> 3) + (y >> 3)) % 2; // 8-px checkerboard: hard edges
      const wave = Math.sin(x / 1.7) * Math.cos(y / 2.3); // fine texture
      rgb[i] = Math.round(40 + 150 * block + 40 * wave);
      rgb[i + 1] = Math.round(60 + 100 * (x / W) + 30 * wave);
      rgb[i + 2] = Math.round(200 - 120 * block + 20 * (y / H));
    }
  }
  return rgb;
}

/** A smooth colourful photo (gradients only), for the resize case. */
function smoothRgb(): Uint8Array {
  const rgb = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = 3 * (y * W + x);
      rgb[i] = Math.round(60 + 120 * (x / W));
      rgb[i + 1] = Math.round(80 + 100 * (y / H));
      rgb[i + 2] = Math.round(150 - 60 * (x / W));
    }
  }
  return rgb;
}

const png = (rgb: Uint8Array, width = W, height = H, channels: 3 | 4 = 3) =>
  sharp(rgb, { raw: { width, height, channels } }).png().toBuffer();

/** Same L, other ab: rotate every pixel's ab by 90° (a, b) → (−b, a) and scale to stay in gamut. */
function recolour(rgb: Uint8Array): Uint8Array {
  const lab = rgb8ToLab(rgb);
  for (let i = 0; i < lab.length; i += 3) {
    const a = lab[i + 1]!, b = lab[i + 2]!;
    lab[i + 1] = -0.6 * b;
    lab[i + 2] = 0.6 * a;
  }
  return labToRgb8(lab);
}

function expectRejected(result: UploadCheckResult, reason: string): void {
  if (result.ok) throw new Error(`expected ${reason}, got ok (stats ${JSON.stringify(result.stats)})`);
  expect(result.reason).toBe(reason);
}

let stimulusBytes: Buffer;
let stimulus: CheckedImage;
let textured: Uint8Array;

beforeAll(async () => {
  textured = texturedRgb();
  stimulusBytes = await png(textured);
  stimulus = await decodeStimulus(stimulusBytes);
});

describe("checkUploadedImage", () => {
  it("accepts a recolouring of the same L (built in Lab: same L, other ab)", async () => {
    const upload = await png(recolour(textured));
    const result = await checkUploadedImage(stimulusBytes, upload);
    if (!result.ok) throw new Error(`rejected: ${result.message}`);
    expect(result.width).toBe(W);
    expect(result.height).toBe(H);
    expect(result.rgb.length).toBe(W * H * 3);
    expect(result.lab.length).toBe(W * H * 3);
    expect(result.notes).toEqual([]);
    // 8-bit rounding of a same-L colour moves L by well under one unit.
    expect(result.stats.meanAbsDeltaL).toBeLessThan(0.5);
    expect(result.stats.lSsim).toBeGreaterThan(0.99);
  });

  it("accepts the stimulus decoded once and reused", async () => {
    const result = await checkUploadedImage(stimulus, await png(recolour(textured)));
    expect(result.ok).toBe(true);
  });

  it("rejects the recolouring translated by 3 pixels", async () => {
    const shifted = await sharp(await png(recolour(textured)))
      .extend({ left: 3, extendWith: "copy" })
      .png()
      .toBuffer();
    const cropped = await sharp(shifted).extract({ left: 0, top: 0, width: W, height: H }).png().toBuffer();
    const result = await checkUploadedImage(stimulus, cropped);
    expectRejected(result, "luminance_mismatch");
    // Caught by the mean |ΔL| rule already (edges moved by 3 px).
    expect(result.ok ? 0 : result.stats?.meanAbsDeltaL).toBeGreaterThan(3);
  });

  it("rejects the recolouring blurred (Gaussian σ = 1.5 px)", async () => {
    const blurred = await sharp(await png(recolour(textured))).blur(1.5).png().toBuffer();
    const result = await checkUploadedImage(stimulus, blurred);
    expectRejected(result, "luminance_mismatch");
    // The mean |ΔL| stays under 3 here: the SSIM rule is what catches a blur.
    expect(result.ok ? 0 : result.stats?.meanAbsDeltaL).toBeLessThan(3);
    expect(result.ok ? 1 : result.stats?.lSsim).toBeLessThan(0.95);
  });

  it("says that the size differs when an upload made at another size fails the lightness rules", async () => {
    // Outputs saved at 4/5 of the stimulus' size (like 400×400 for 500×500): resized back, the
    // fine texture is lost, so the lightness rules fail; the message names both sizes.
    const small = await sharp(await png(recolour(textured))).resize(Math.round((W * 4) / 5), Math.round((H * 4) / 5)).png().toBuffer();
    const result = await checkUploadedImage(stimulus, small);
    expectRejected(result, "size_mismatch");
    expect(result.ok ? "" : result.message).toContain(`the upload is ${Math.round((W * 4) / 5)}×${Math.round((H * 4) / 5)} but the stimulus is ${W}×${H}`);
  });

  it("rejects a relit upload (L + 6 everywhere, same ab) by the mean |ΔL| rule", async () => {
    const lab = rgb8ToLab(recolour(smoothRgb()));
    for (let i = 0; i < lab.length; i += 3) lab[i]! += 6;
    const smoothStimulus = await png(smoothRgb());
    const result = await checkUploadedImage(smoothStimulus, await png(labToRgb8(lab)));
    expectRejected(result, "luminance_mismatch");
    expect(result.ok ? 0 : result.stats?.meanAbsDeltaL).toBeGreaterThan(3);
  });

  it("rejects a gray upload with the same L as 'no colour'", async () => {
    const lab = rgb8ToLab(textured);
    for (let i = 0; i < lab.length; i += 3) {
      lab[i + 1] = 0;
      lab[i + 2] = 0;
    }
    const result = await checkUploadedImage(stimulus, await png(labToRgb8(lab)));
    expectRejected(result, "no_colour");
  });

  it("rejects an alpha channel with one non-opaque pixel, accepts a fully opaque one with a note", async () => {
    const rgb = recolour(textured);
    const rgba = new Uint8Array(W * H * 4);
    for (let p = 0; p < W * H; p++) {
      rgba.set(rgb.subarray(3 * p, 3 * p + 3), 4 * p);
      rgba[4 * p + 3] = 255;
    }
    const opaque = await checkUploadedImage(stimulus, await png(rgba, W, H, 4));
    if (!opaque.ok) throw new Error(opaque.message);
    expect(opaque.notes.join(" ")).toMatch(/opaque/);
    rgba[4 * 17 + 3] = 254;
    expectRejected(await checkUploadedImage(stimulus, await png(rgba, W, H, 4)), "alpha");
  });

  it("resizes an upload of the same aspect ratio with a note, rejects another aspect ratio", async () => {
    const smooth = smoothRgb();
    const smoothStimulus = await decodeStimulus(await png(smooth));
    const doubled = await sharp(await png(recolour(smooth))).resize(2 * W, 2 * H).png().toBuffer();
    const resized = await checkUploadedImage(smoothStimulus, doubled);
    if (!resized.ok) throw new Error(resized.message);
    expect(resized.stats.resized).toBe(true);
    expect(resized.notes.join(" ")).toMatch(/resized from 128×96 to the stimulus' 64×48/);
    expect(resized.rgb.length).toBe(W * H * 3);
    // 64×44: ratio 1.4545 vs 1.3333, 9% off.
    const squashed = await sharp(await png(recolour(smooth))).resize(W, 44, { fit: "fill" }).png().toBuffer();
    expectRejected(await checkUploadedImage(smoothStimulus, squashed), "aspect_ratio");
  });

  it("rejects an upload whose header declares too many pixels, before decoding it", async () => {
    // A valid PNG whose IHDR claims 30000×30000 (CRC fixed; PNG spec §5.3): 900 Mpx > 50 Mpx.
    const huge = Buffer.from(await png(textured));
    huge.writeUInt32BE(30_000, 16);
    huge.writeUInt32BE(30_000, 20);
    huge.writeUInt32BE(crc32(huge.subarray(12, 29)) >>> 0, 29);
    expectRejected(await checkUploadedImage(stimulus, huge), "too_many_pixels");
  });

  it("rejects bytes that are not an image", async () => {
    expectRejected(await checkUploadedImage(stimulus, Buffer.from("not an image")), "undecodable");
  });
});

describe("meanAbsoluteLDifference and colourShare", () => {
  it("computes the hand-checked values", () => {
    // L differences 1, 3 (the second pixel), ab ignored: mean (1 + 3) / 2 = 2.
    const x = Float32Array.of(50, 0, 0, 20, 5, 5);
    const y = Float32Array.of(51, 9, 9, 17, 0, 0);
    expect(meanAbsoluteLDifference(x, y)).toBeCloseTo(2, 6);
    // Chroma of the pixels of y: √(81+81) = 12.7 > 5, 0: one of two is coloured.
    expect(colourShare(y, 5)).toBe(0.5);
    // Chroma exactly 5 (3, 4) is not above 5.
    expect(colourShare(Float32Array.of(50, 3, 4), 5)).toBe(0);
  });
});
