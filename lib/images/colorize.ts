/**
 * The colorization pipeline for whole images (architecture: "L in, 313-class distribution out,
 * annealed mean, ab joined with full-resolution L"):
 *
 *   bytes → decode (oriented 8-bit sRGB) → L at full resolution
 *         → L resized to the network's input (bilinear, antialiased when shrinking)
 *         → network → ab at the output resolution (annealed mean of the 313 bins, or direct ab)
 *         → ab resized to the full image (bilinear on floats) → joined with the original full L.
 *
 * The original colour is never used: only L enters the network, and the output's L is the input's.
 */
import sharp from "sharp";
import { lAndAbToRgb8, rgb8ToL } from "@/lib/model/color-space";
import type { Colorizer, PredictOptions } from "@/lib/model/session";
import { decodeImage, type DecodeOptions } from "./decode";
import { resizeBilinear } from "./resize";

export interface ColorizeOptions extends PredictOptions, DecodeOptions {}

export interface ColorizedImage {
  width: number;
  height: number;
  /** Full-resolution L plane of the input (0..100), width × height values. */
  L: Float32Array;
  /** Predicted ab at full resolution, interleaved (2 per pixel). */
  ab: Float32Array;
  /** Predicted ab at the network's output resolution (before resizing). */
  abModel: Float32Array;
  modelWidth: number;
  modelHeight: number;
}

export interface ColorizeTimings {
  /** Decoding, L, resizing L to the network input. */
  preprocessMs: number;
  /** Input tensor preparation + session.run. */
  inferenceMs: number;
  /** Annealed mean and ab resizing to full resolution. */
  postprocessMs: number;
}

/** An image decoded and reduced to what the network needs (see {@link prepareImage}). */
export interface PreparedImage {
  width: number;
  height: number;
  /** Full-resolution L plane. */
  L: Float32Array;
  /** L resized to the network's input size. */
  lInput: Float32Array;
}

/** Aspect ratios (long side / short side) above this are squashed visibly by the network input. */
export const EXTREME_ASPECT_RATIO = 4;

/**
 * A warning when an image of `width` × `height` is squashed to the network's input beyond
 * {@link EXTREME_ASPECT_RATIO} (relative to the input's own aspect ratio), else null. The network
 * sees the whole image resized to its input size, so a 20000 × 200 panorama becomes a 256 × 256
 * smear whose objects the model cannot recognise: colours come out unreliable.
 */
export function aspectRatioWarning(width: number, height: number, inputWidth: number, inputHeight: number): string | null {
  const squash = width / height / (inputWidth / inputHeight);
  const ratio = Math.max(squash, 1 / squash);
  if (!(ratio > EXTREME_ASPECT_RATIO)) return null;
  return (
    `${width}×${height} is squashed ${ratio.toFixed(1)}:1 to the network's ${inputWidth}×${inputHeight} input ` +
    `(more than ${EXTREME_ASPECT_RATIO}:1): its colours are unreliable; crop it into tiles of moderate aspect ratio first`
  );
}

/**
 * Decode one image and compute its full-resolution L and the network's input L. Lets a caller
 * (the CLI, a generation job) reject bad images one by one before batching the good ones.
 * @throws ImageError
 */
export async function prepareImage(bytes: Uint8Array, colorizer: Colorizer, options: DecodeOptions = {}): Promise<PreparedImage> {
  const decoded = await decodeImage(bytes, options);
  const L = rgb8ToL(decoded.rgb, 3);
  const { inputWidth, inputHeight } = colorizer.manifest;
  const lInput = resizeBilinear(L, decoded.width, decoded.height, 1, inputWidth, inputHeight);
  return { width: decoded.width, height: decoded.height, L, lInput };
}

/**
 * Colorize a batch of encoded images. Images are decoded, run through the network in chunks of at
 * most `colorizer.maxBatch` and post-processed; results are in input order. All images are decoded
 * before any inference, so a bad image fails the call before the model runs.
 * @throws ImageError for undecodable input; ModelError for model problems.
 */
export async function colorizeImages(
  images: readonly Uint8Array[],
  colorizer: Colorizer,
  options: ColorizeOptions = {},
): Promise<{ results: ColorizedImage[]; timings: ColorizeTimings }> {
  const timings: ColorizeTimings = { preprocessMs: 0, inferenceMs: 0, postprocessMs: 0 };
  const t = performance.now();
  const prepared = await Promise.all(images.map((bytes) => prepareImage(bytes, colorizer, options)));
  timings.preprocessMs += performance.now() - t;
  const done = await colorizePrepared(prepared, colorizer, options);
  done.timings.preprocessMs += timings.preprocessMs;
  return done;
}

/** Run the network on prepared images (chunks of at most maxBatch) and bring ab to full resolution. */
export async function colorizePrepared(
  prepared: readonly PreparedImage[],
  colorizer: Colorizer,
  options: PredictOptions = {},
): Promise<{ results: ColorizedImage[]; timings: ColorizeTimings }> {
  const timings: ColorizeTimings = { preprocessMs: 0, inferenceMs: 0, postprocessMs: 0 };
  const { ab: abModels, timings: predict } = await colorizer.predictAb(
    prepared.map((p) => p.lInput),
    options.temperature === undefined ? {} : { temperature: options.temperature },
  );
  timings.inferenceMs += predict.prepareMs + predict.inferenceMs;
  timings.postprocessMs += predict.decodeMs;
  const t = performance.now();
  const { outputWidth, outputHeight } = colorizer.manifest;
  const results = prepared.map((p, k): ColorizedImage => ({
    width: p.width,
    height: p.height,
    L: p.L,
    ab: resizeBilinear(abModels[k]!, outputWidth, outputHeight, 2, p.width, p.height),
    abModel: abModels[k]!,
    modelWidth: outputWidth,
    modelHeight: outputHeight,
  }));
  timings.postprocessMs += performance.now() - t;
  return { results, timings };
}

/** Colorize one encoded image (see {@link colorizeImages}). */
export async function colorizeImage(bytes: Uint8Array, colorizer: Colorizer, options: ColorizeOptions = {}): Promise<ColorizedImage> {
  const { results } = await colorizeImages([bytes], colorizer, options);
  return results[0]!;
}

/** The colorized image as 8-bit sRGB (full-resolution L joined with the predicted ab). */
export function colorizedToRgb8(image: Pick<ColorizedImage, "L" | "ab">): Uint8Array {
  return lAndAbToRgb8(image.L, image.ab);
}

/** Encode 8-bit RGB pixels losslessly as PNG (no metadata). */
export async function encodeRgbPng(rgb: Uint8Array, width: number, height: number): Promise<Buffer> {
  return sharp(Buffer.from(rgb.buffer, rgb.byteOffset, rgb.byteLength), { raw: { width, height, channels: 3 } })
    .png({ compressionLevel: 2, adaptiveFiltering: false })
    .toBuffer();
}
