/**
 * Checks on one uploaded candidate image against its stimulus, before it may enter a study.
 *
 * The Turing test asks raters to judge colours. An upload must therefore differ from the real photo
 * in colour only: the same size (or the same aspect ratio, then resized), the same luminance L
 * pixel by pixel (a method sees the real L and predicts ab; a shifted, cropped, blurred or
 * sharpened upload would be spotted by its structure, not its colours), real colour (a gray upload
 * is the Gray baseline, not a method), and no transparency (a half-transparent image shows the page
 * behind it and differs from the real photo for that reason).
 *
 * Thresholds (defaults in {@link DEFAULT_UPLOAD_CHECK_OPTIONS}), measured on the 200 BSDS500 test
 * photos (481×321), decoded as everywhere here (lib/metrics/decode-image.ts); min / median / max
 * over photos, and how many pass both L rules:
 *
 * | upload                                          | mean abs ΔL          | SSIM of L              | pass    |
 * |-------------------------------------------------|----------------------|------------------------|---------|
 * | the real photo re-encoded as JPEG q90           | 0.20 / 0.45 / 0.91   | 0.990 / 0.994 / 0.997  | 200/200 |
 * | another photo's ab on this L (Random), PNG      | 0.07 / 0.12 / 1.78   | 0.966 / 0.999 / 1.000  | 200/200 |
 * | the same, JPEG q90                              | 0.26 / 0.57 / 2.26   | 0.958 / 0.992 / 0.996  | 200/200 |
 * | own ab × 2 (heavy gamut clipping), PNG          | 0.07 / 0.19 / 3.12   | 0.965 / 0.999 / 1.000  | 199/200 |
 * | ab at ¼ resolution, upsampled (like the model)  | 0.23 / 0.47 / 0.94   | 0.989 / 0.993 / 0.997  | 200/200 |
 * | the real photo as JPEG q75                      | 0.65 / 1.48 / 2.85   | 0.849 / 0.933 / 0.971  | 33/200  |
 * | shifted by 1 px                                 | 1.01 / 3.60 / 9.83   | 0.337 / 0.728 / 0.926  | 0/200   |
 * | shifted by 2 px                                 | 1.58 / 5.30 / 12.97  | 0.005 / 0.528 / 0.862  | 0/200   |
 * | Gaussian blur σ = 0.6 px                        | 0.32 / 1.38 / 3.97   | 0.855 / 0.948 / 0.991  | 93/200  |
 * | Gaussian blur σ = 1 px                          | 0.54 / 2.09 / 5.96   | 0.654 / 0.876 / 0.977  | 8/200   |
 * | Gaussian blur σ = 2 px                          | 1.03 / 3.50 / 8.71   | 0.306 / 0.694 / 0.931  | 0/200   |
 * | half resolution, scaled back up                 | 0.91 / 2.90 / 7.46   | 0.526 / 0.800 / 0.956  | 1/200   |
 *
 * The mean |ΔL| alone cannot separate a blur or a 1-px shift of a smooth photo from a legitimate
 * recolouring, so two rules apply, both reported as `luminance_mismatch`:
 * - mean |ΔL| ≤ 3.0 L units: catches global relighting, to which SSIM is nearly blind (L + 5 on
 *   every pixel keeps SSIM at 0.954 or above on the first 40 photos, so it would pass the SSIM
 *   rule). Legitimate recolourings stay below it; only the most extreme gamut clipping reaches it
 *   (one photo with its own ab doubled: 3.12).
 * - SSIM of L ≥ 0.95 (Wang et al. 2004, see lib/metrics/ssim.ts): catches shifts, rescaling and
 *   blur from σ = 1 px on, and heavy re-compression (JPEG q75: 167 of 200 rejected; its block
 *   artefacts, which the real photo lacks, would also give the fake away). Legitimate recolourings
 *   saved as PNG or JPEG q90 stay at 0.958 or above. A slight blur (σ = 0.6 px) passes for about
 *   half the photos: below what these rules can tell from compression noise.
 *
 * test/methods/checks-calibration.test.ts re-checks these outcomes on 10 of the photos. The other
 * rules:
 * - at least 1% of pixels with chroma √(a² + b²) > 5: "colour" as in the paper's training filter
 *   (method.md: images with no |ab| > 5 are left out). Real photos: 41% to 100% of pixels; a gray
 *   photo saved as JPEG q90: 0%.
 * - aspect ratio within 1% of the stimulus', else rejected; a size difference within it is resized
 *   (Lanczos-3) with a note, and the resized image must still pass the L rules.
 */
import sharp from "sharp";
import { rgb8ToLab } from "@/lib/model/color-space";
import { decodeRgba8, resizeRgb8 } from "@/lib/metrics/decode-image";
import type { DecodedRgb } from "@/lib/metrics/decode-image";
import { meanSsim } from "@/lib/metrics/ssim";

/** Why an upload is rejected. */
export type UploadCheckCode =
  | "undecodable"
  | "too_many_pixels"
  | "alpha"
  | "aspect_ratio"
  | "luminance_mismatch"
  // Resized from another size of the same aspect ratio, and then not the same lightness.
  | "size_mismatch"
  | "no_colour";

export interface UploadCheckOptions {
  /** Largest accepted mean absolute L difference (CIE L units, 0..100). */
  maxMeanAbsDeltaL: number;
  /** Smallest accepted SSIM between the L planes (Wang et al. 2004 settings, dynamic range 100). */
  minLSsim: number;
  /** Chroma above which a pixel counts as coloured (Lab units). */
  chromaThreshold: number;
  /** Smallest accepted share (0..1) of coloured pixels. */
  minColourShare: number;
  /** Largest accepted relative difference of width/height ratios (0.01 = 1%). */
  maxAspectRatioDifference: number;
  /** Largest upload in pixels (decode memory). */
  maxPixels: number;
}

export const DEFAULT_UPLOAD_CHECK_OPTIONS: Readonly<UploadCheckOptions> = Object.freeze({
  maxMeanAbsDeltaL: 3.0,
  minLSsim: 0.95,
  chromaThreshold: 5,
  minColourShare: 0.01,
  maxAspectRatioDifference: 0.01,
  maxPixels: 50_000_000,
});

/** A stimulus decoded once (reuse it when checking many uploads against the same stimulus). */
export interface CheckedImage {
  width: number;
  height: number;
  /** Interleaved 8-bit sRGB. */
  rgb: Uint8Array;
  /** Interleaved CIE Lab (lib/model/color-space.ts). */
  lab: Float32Array;
}

/** Measurements of an upload, also returned on rejection where they were reached. */
export interface UploadCheckStats {
  uploadWidth: number;
  uploadHeight: number;
  resized: boolean;
  meanAbsDeltaL?: number;
  /** SSIM of the L planes; absent for images smaller than SSIM's 11×11 window. */
  lSsim?: number;
  colourShare?: number;
}

export type UploadCheckResult =
  | ({ ok: true; notes: string[]; stats: UploadCheckStats } & CheckedImage)
  | { ok: false; reason: UploadCheckCode; message: string; stats?: UploadCheckStats };

/**
 * Decode a stimulus (its original bytes) for {@link checkUploadedImage}.
 * @throws Error when the bytes are not a readable image
 */
export async function decodeStimulus(bytes: Buffer | Uint8Array): Promise<CheckedImage> {
  const rgba = await decodeRgba8(bytes);
  const rgb = dropAlpha(rgba.pixels);
  return { width: rgba.width, height: rgba.height, rgb, lab: rgb8ToLab(rgb) };
}

function dropAlpha(rgba: Uint8Array): Uint8Array {
  const n = rgba.length / 4;
  const rgb = new Uint8Array(n * 3);
  for (let p = 0; p < n; p++) {
    rgb[3 * p] = rgba[4 * p]!;
    rgb[3 * p + 1] = rgba[4 * p + 1]!;
    rgb[3 * p + 2] = rgba[4 * p + 2]!;
  }
  return rgb;
}

/**
 * Mean absolute difference of L between two interleaved Lab images of the same size.
 * @throws RangeError on different sizes or empty images
 */
export function meanAbsoluteLDifference(x: Float32Array, y: Float32Array): number {
  if (x.length !== y.length || x.length === 0 || x.length % 3 !== 0) {
    throw new RangeError(`Lab images must be non-empty and the same size: ${x.length} vs ${y.length}`);
  }
  let sum = 0;
  for (let i = 0; i < x.length; i += 3) sum += Math.abs(x[i]! - y[i]!);
  return sum / (x.length / 3);
}

function lPlane(lab: Float32Array): Float32Array {
  const out = new Float32Array(lab.length / 3);
  for (let p = 0; p < out.length; p++) out[p] = lab[3 * p]!;
  return out;
}

/** Share (0..1) of pixels whose chroma √(a² + b²) exceeds `threshold`. */
export function colourShare(lab: Float32Array, threshold: number): number {
  if (lab.length === 0 || lab.length % 3 !== 0) throw new RangeError(`bad Lab length ${lab.length}`);
  const t2 = threshold * threshold;
  let coloured = 0;
  for (let i = 0; i < lab.length; i += 3) {
    const a = lab[i + 1]!, b = lab[i + 2]!;
    if (a * a + b * b > t2) coloured += 1;
  }
  return coloured / (lab.length / 3);
}

/**
 * Check an uploaded candidate against its stimulus: decodes, no transparency, same size (or same
 * aspect ratio within 1%, then resized with a note), same L (mean |ΔL| ≤ 3 and SSIM of L ≥ 0.95),
 * has colour.
 *
 * @param stimulus the stimulus' original bytes, or the result of {@link decodeStimulus}
 * @param upload the uploaded image's bytes
 * @param options overrides of {@link DEFAULT_UPLOAD_CHECK_OPTIONS}
 * @returns `{ ok: true, notes, width, height, rgb, lab, stats }` with the (resized) upload's pixels
 *   at the stimulus' size, or `{ ok: false, reason, message }`; never throws for a bad upload
 * @throws Error when the stimulus itself cannot be decoded (a server-side fault, not the uploader's)
 */
export async function checkUploadedImage(
  stimulus: Buffer | Uint8Array | CheckedImage,
  upload: Buffer | Uint8Array,
  options?: Partial<UploadCheckOptions>,
): Promise<UploadCheckResult> {
  const opts: UploadCheckOptions = { ...DEFAULT_UPLOAD_CHECK_OPTIONS, ...options };
  const reference = "lab" in stimulus ? stimulus : await decodeStimulus(stimulus);
  const notes: string[] = [];

  const undecodable = (err: unknown): UploadCheckResult => ({
    ok: false,
    reason: "undecodable",
    message: `the upload is not a readable image: ${(err as Error).message}`,
  });
  // Header first (no decode; sharp's own pixel limit lifted so that ours decides).
  let declaredWidth: number;
  let declaredHeight: number;
  try {
    const meta = await sharp(upload, { limitInputPixels: false }).metadata();
    declaredWidth = meta.width;
    declaredHeight = meta.height;
  } catch (err) {
    return undecodable(err);
  }
  if (declaredWidth * declaredHeight > opts.maxPixels) {
    return {
      ok: false,
      reason: "too_many_pixels",
      message: `${declaredWidth}×${declaredHeight} exceeds ${opts.maxPixels} pixels`,
      stats: { uploadWidth: declaredWidth, uploadHeight: declaredHeight, resized: false },
    };
  }
  let decoded;
  try {
    decoded = await decodeRgba8(upload);
  } catch (err) {
    return undecodable(err);
  }
  const stats: UploadCheckStats = { uploadWidth: decoded.width, uploadHeight: decoded.height, resized: false };
  if (decoded.sourceHasAlpha) {
    let transparent = 0;
    for (let i = 3; i < decoded.pixels.length; i += 4) if (decoded.pixels[i] !== 255) transparent += 1;
    if (transparent > 0) {
      return {
        ok: false,
        reason: "alpha",
        message: `${transparent} pixel(s) are not fully opaque; transparency would show the page behind the image`,
        stats,
      };
    }
    notes.push("alpha channel present but fully opaque; dropped");
  }

  let image: DecodedRgb = { width: decoded.width, height: decoded.height, channels: 3, pixels: dropAlpha(decoded.pixels) };
  if (image.width !== reference.width || image.height !== reference.height) {
    const want = reference.width / reference.height;
    const got = image.width / image.height;
    const difference = Math.abs(got - want) / want;
    if (difference > opts.maxAspectRatioDifference) {
      return {
        ok: false,
        reason: "aspect_ratio",
        message: `the upload is ${image.width}×${image.height} but the stimulus is ${reference.width}×${reference.height}: aspect ratios differ by ${(100 * difference).toFixed(1)}% (at most ${(100 * opts.maxAspectRatioDifference).toFixed(1)}%)`,
        stats,
      };
    }
    image = await resizeRgb8(image, reference.width, reference.height);
    stats.resized = true;
    notes.push(`resized from ${decoded.width}×${decoded.height} to the stimulus' ${reference.width}×${reference.height}`);
  }

  const lab = rgb8ToLab(image.pixels);
  // A resized upload that then fails the lightness rules was most likely made at another size
  // (outputs saved at the network's resolution, say): say that, not only that L differs.
  const sizeNote = stats.resized
    ? `the upload is ${decoded.width}×${decoded.height} but the stimulus is ${reference.width}×${reference.height}; resized to compare, `
    : "";
  const failLightness = (message: string): UploadCheckResult => ({
    ok: false,
    reason: stats.resized ? "size_mismatch" : "luminance_mismatch",
    message: stats.resized ? `${sizeNote}${message} — upload images at the stimulus' size` : message,
    stats,
  });
  const meanAbsDeltaL = meanAbsoluteLDifference(reference.lab, lab);
  stats.meanAbsDeltaL = meanAbsDeltaL;
  if (meanAbsDeltaL > opts.maxMeanAbsDeltaL) {
    return failLightness(
      `the upload's lightness differs from the stimulus' by ${meanAbsDeltaL.toFixed(2)} L units on average (at most ${opts.maxMeanAbsDeltaL}); a candidate may change colours only, not structure (shifted, cropped, blurred or re-lit images are rejected)`,
    );
  }
  const width = reference.width;
  const height = reference.height;
  if (width >= 11 && height >= 11) {
    const lSsim = meanSsim(lPlane(reference.lab), lPlane(lab), width, height, 100);
    stats.lSsim = lSsim;
    if (lSsim < opts.minLSsim) {
      return failLightness(
        `the upload's lightness structure differs from the stimulus' (SSIM of L ${lSsim.toFixed(3)}, at least ${opts.minLSsim} needed): a candidate may change colours only; shifted, rescaled, blurred or heavily compressed images are rejected (save as PNG or JPEG quality ≥ 90)`,
      );
    }
  }
  const share = colourShare(lab, opts.chromaThreshold);
  stats.colourShare = share;
  if (share < opts.minColourShare) {
    return {
      ok: false,
      reason: "no_colour",
      message: `only ${(100 * share).toFixed(2)}% of pixels have chroma above ${opts.chromaThreshold} (at least ${(100 * opts.minColourShare).toFixed(0)}% needed): the upload is (nearly) gray`,
      stats,
    };
  }
  return { ok: true, notes, width: image.width, height: image.height, rgb: image.pixels, lab, stats };
}
