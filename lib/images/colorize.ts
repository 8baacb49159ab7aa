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
import { labPixelToRgb8, lAndAbToRgb8, rgb8ToL, rgb8ToLab, splitLab } from "@/lib/model/color-space";
import type { Colorizer, PredictOptions } from "@/lib/model/session";
import { decodeImage, type DecodedImage, type DecodeOptions } from "./decode";
import { computeTaps, resizeBilinear, resizeRows } from "./resize";

export interface ColorizeOptions extends PredictOptions, DecodeOptions {}

export interface ColorizedImage {
  width: number;
  height: number;
  /** Full-resolution L plane of the input (0..100), width × height values. */
  L: Float32Array;
  /** Predicted ab at full resolution, interleaved (2 per pixel); computed on first read. */
  readonly ab: Float32Array;
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
  return prepareDecoded(await decodeImage(bytes, options), colorizer);
}

function prepareDecoded(decoded: DecodedImage, colorizer: Colorizer): PreparedImage {
  const L = rgb8ToL(decoded.rgb, 3);
  const { inputWidth, inputHeight } = colorizer.manifest;
  const lInput = resizeBilinear(L, decoded.width, decoded.height, 1, inputWidth, inputHeight);
  return { width: decoded.width, height: decoded.height, L, lInput };
}

/** A prepared image with its own colours at the network's output size: a real photo to fit or check a model against. */
export interface PreparedPhoto extends PreparedImage {
  /** The photo's a, b resized (antialiased) to outputWidth × outputHeight, interleaved. */
  abOutput: Float32Array;
}

/**
 * Like {@link prepareImage}, and keep the photo's colours at the network's output resolution,
 * where a class model's logits live (the colour calibration fits the decoded output to them).
 * @throws ImageError
 */
export async function preparePhoto(bytes: Uint8Array, colorizer: Colorizer, options: DecodeOptions = {}): Promise<PreparedPhoto> {
  const decoded = await decodeImage(bytes, options);
  const { ab } = splitLab(rgb8ToLab(decoded.rgb, 3));
  const { outputWidth, outputHeight } = colorizer.manifest;
  return { ...prepareDecoded(decoded, colorizer), abOutput: resizeBilinear(ab, decoded.width, decoded.height, 2, outputWidth, outputHeight) };
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
  const results = prepared.map((p, k) => colorizedImage(p, abModels[k]!, outputWidth, outputHeight));
  timings.postprocessMs += performance.now() - t;
  return { results, timings };
}

/**
 * The result for one image. Its full-resolution ab is resized only when read: turning the result
 * into pixels (colorizedToRgb8) upsamples row by row instead, so the CLI and the benchmark never
 * build the full-resolution ab array.
 */
function colorizedImage(p: PreparedImage, abModel: Float32Array, modelWidth: number, modelHeight: number): ColorizedImage {
  let ab: Float32Array | undefined;
  return {
    width: p.width,
    height: p.height,
    L: p.L,
    abModel,
    modelWidth,
    modelHeight,
    get ab() {
      return (ab ??= resizeBilinear(abModel, modelWidth, modelHeight, 2, p.width, p.height));
    },
  };
}

/** Colorize one encoded image (see {@link colorizeImages}). */
export async function colorizeImage(bytes: Uint8Array, colorizer: Colorizer, options: ColorizeOptions = {}): Promise<ColorizedImage> {
  const { results } = await colorizeImages([bytes], colorizer, options);
  return results[0]!;
}

/** The colorized image as 8-bit sRGB (full-resolution L joined with the predicted ab). */
export function colorizedToRgb8(image: ColorizedImage): Uint8Array {
  const { L, width, height, abModel, modelWidth, modelHeight } = image;
  // Shrinking ab (an image smaller than the network's output) takes more than two taps per row.
  if (width < modelWidth || height < modelHeight) return lAndAbToRgb8(L, image.ab);
  return lAndUpsampledAbToRgb8(L, width, height, abModel, modelWidth, modelHeight);
}

/**
 * lAndAbToRgb8(L, resizeBilinear(abModel, …, width, height)) with the same bits, in one pass: the
 * vertical half of the bilinear upsampling (two rows, accumulated in float32 exactly as
 * resizeBilinear stores them) feeds the colour conversion pixel by pixel, so the full-resolution
 * ab array (8 bytes a pixel) is never written and read back. For enlarging only.
 */
export function lAndUpsampledAbToRgb8(
  L: Float32Array,
  width: number,
  height: number,
  abModel: Float32Array,
  modelWidth: number,
  modelHeight: number,
): Uint8Array {
  const rows = resizeRows(abModel, modelWidth, modelHeight, 2, width);
  const taps = computeTaps(modelHeight, height);
  const rowLength = 2 * width;
  const out = new Uint8Array(3 * width * height);
  const fround = Math.fround;
  for (let y = 0; y < height; y++) {
    const first = taps.start[y]!, count = taps.count[y]!, wb = y * taps.maxTaps;
    const w0 = taps.weights[wb]!, row0 = first * rowLength;
    const w1 = count > 1 ? taps.weights[wb + 1]! : 0, row1 = count > 1 ? row0 + rowLength : row0;
    const pixel0 = y * width;
    for (let x = 0, i = 0; x < width; x++, i += 2) {
      let a = fround(w0 * rows[row0 + i]!);
      let b = fround(w0 * rows[row0 + i + 1]!);
      if (count > 1) {
        a = fround(a + w1 * rows[row1 + i]!);
        b = fround(b + w1 * rows[row1 + i + 1]!);
      }
      labPixelToRgb8(L[pixel0 + x]!, a, b, out, 3 * (pixel0 + x));
    }
  }
  return out;
}

/**
 * zlib level of the colorizer's PNGs. Photographs barely compress without PNG's row filters, and
 * filtering or higher levels cost more than the network: for 481×321 photos, level 0 writes in
 * about 1–3 ms and 453 KB, level 2 in 9–10 ms and 362 KB, level 6 with adaptive filtering in 26 ms
 * and 263 KB (sharp, 2 cores). Outputs are working files, so speed wins by default; `--png-level`
 * in the CLI trades it back for size.
 */
export const DEFAULT_PNG_COMPRESSION_LEVEL = 0;

/** Encode 8-bit RGB pixels losslessly as PNG (no metadata); level 0–9, 6 and up with adaptive row filters. */
export async function encodeRgbPng(rgb: Uint8Array, width: number, height: number, compressionLevel = DEFAULT_PNG_COMPRESSION_LEVEL): Promise<Buffer> {
  return sharp(Buffer.from(rgb.buffer, rgb.byteOffset, rgb.byteLength), { raw: { width, height, channels: 3 } })
    .png({ compressionLevel, adaptiveFiltering: compressionLevel >= 6 })
    .toBuffer();
}
