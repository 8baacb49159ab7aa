/**
 * Rendering of the two images of a Turing-test trial (Zhang et al. 2016, Sec. 3.1: real and fake
 * shown side by side at 256×256). Real and fake go through *the same* final steps, so that nothing
 * but the colours tells them apart:
 *
 *   full-resolution Lab → 8-bit sRGB (labToRgb8: clamped, correctly rounded)
 *     → centre crop to a square (side = min(width, height), offset ⌊(W − side)/2⌋, ⌊(H − side)/2⌋)
 *     → resize to size × size (default 256; sharp, Lanczos-3, in the 8-bit sRGB values)
 *     → encode (default JPEG q = 90, 4:4:4 chroma — no subsampling — baseline, Huffman-optimized;
 *       or PNG), no metadata, no ICC profile, no EXIF.
 *
 * The real image is rendered from its own L and ab (decode → Lab → the path above), not from its
 * original bytes, so the Lab round trip and the encoder are identical for both. With crop "fit" the
 * whole image is kept and its longer side resized to `size`.
 */
import sharp from "sharp";
import { lAndAbToRgb8, labToRgb8, rgb8ToL, rgb8ToLab } from "@/lib/model/color-space";
import { decodeImage, type DecodeOptions } from "./decode";
import { ImageError } from "./errors";
import { sha256Hex } from "./hash";

export interface StimulusOptions {
  /** Output side in pixels (square with crop "centre-square"; longer side with "fit"). Default 256. */
  size?: number;
  crop?: "centre-square" | "fit";
  format?: "jpeg" | "png";
  /** JPEG quality 1..100, default 90. */
  quality?: number;
}

export interface Stimulus {
  bytes: Buffer;
  width: number;
  height: number;
  mimeType: "image/jpeg" | "image/png";
  sha256: string;
}

export const DEFAULT_STIMULUS_SIZE = 256;
export const DEFAULT_STIMULUS_QUALITY = 90;

/** The centre square of a width × height image. */
export function centreSquare(width: number, height: number): { left: number; top: number; width: number; height: number } {
  const side = Math.min(width, height);
  return { left: Math.floor((width - side) / 2), top: Math.floor((height - side) / 2), width: side, height: side };
}

/** The final steps shared by every stimulus: 8-bit sRGB pixels → crop → resize → encode. */
async function renderRgb(rgb: Uint8Array, width: number, height: number, options: StimulusOptions): Promise<Stimulus> {
  const size = options.size ?? DEFAULT_STIMULUS_SIZE;
  const crop = options.crop ?? "centre-square";
  const format = options.format ?? "jpeg";
  const quality = options.quality ?? DEFAULT_STIMULUS_QUALITY;
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`stimulus size must be a positive integer, got ${size}`);
  if (!Number.isInteger(quality) || quality < 1 || quality > 100) throw new RangeError(`JPEG quality must be 1..100, got ${quality}`);
  let pipeline = sharp(Buffer.from(rgb.buffer, rgb.byteOffset, rgb.byteLength), { raw: { width, height, channels: 3 } });
  let outW: number, outH: number;
  if (crop === "centre-square") {
    pipeline = pipeline.extract(centreSquare(width, height)).resize(size, size, { kernel: "lanczos3", fit: "fill" });
    outW = outH = size;
  } else {
    const scale = size / Math.max(width, height);
    outW = Math.max(1, Math.round(width * scale));
    outH = Math.max(1, Math.round(height * scale));
    pipeline = pipeline.resize(outW, outH, { kernel: "lanczos3", fit: "fill" });
  }
  const bytes =
    format === "jpeg"
      ? await pipeline
          .jpeg({ quality, chromaSubsampling: "4:4:4", mozjpeg: false, progressive: false, optimiseCoding: true, trellisQuantisation: false, overshootDeringing: false, optimiseScans: false })
          .toBuffer()
      : await pipeline.png({ compressionLevel: 9 }).toBuffer();
  return { bytes, width: outW, height: outH, mimeType: format === "jpeg" ? "image/jpeg" : "image/png", sha256: sha256Hex(bytes) };
}

/** Render a stimulus from a full-resolution interleaved Lab image (3 values per pixel). */
export async function renderStimulusFromLab(lab: Float32Array, width: number, height: number, options: StimulusOptions = {}): Promise<Stimulus> {
  if (lab.length !== 3 * width * height) throw new RangeError(`Lab image has ${lab.length} values for ${width}×${height}`);
  return renderRgb(labToRgb8(lab), width, height, options);
}

/** Render a stimulus from a full-resolution L plane and interleaved ab (e.g. a colorizer's output). */
export async function renderStimulusFromLAndAb(L: Float32Array, ab: Float32Array, width: number, height: number, options: StimulusOptions = {}): Promise<Stimulus> {
  if (L.length !== width * height) throw new RangeError(`L plane has ${L.length} values for ${width}×${height}`);
  return renderRgb(lAndAbToRgb8(L, ab), width, height, options);
}

/** The "real" image of a trial: decoded, taken to Lab, and rendered from its own L and ab. */
export async function renderRealStimulus(imageBytes: Uint8Array, options: StimulusOptions & DecodeOptions = {}): Promise<Stimulus> {
  const decoded = await decodeImage(imageBytes, options);
  return renderStimulusFromLab(rgb8ToLab(decoded.rgb, 3), decoded.width, decoded.height, options);
}

/**
 * A "fake" image of a trial: the original's full-resolution L joined with predicted ab at the same
 * full resolution (interleaved, 2 values per pixel), rendered by the same path as the real one.
 * @throws ImageError image_invalid when the ab size does not match the decoded image.
 */
export async function renderFakeStimulus(
  imageBytes: Uint8Array,
  abFullRes: Float32Array,
  options: StimulusOptions & DecodeOptions = {},
): Promise<Stimulus> {
  const decoded = await decodeImage(imageBytes, options);
  if (abFullRes.length !== 2 * decoded.width * decoded.height) {
    throw new ImageError(
      "image_invalid",
      `The ab prediction has ${abFullRes.length / 2} pixels but the image is ${decoded.width}×${decoded.height}`,
    );
  }
  return renderStimulusFromLAndAb(rgb8ToL(decoded.rgb, 3), abFullRes, decoded.width, decoded.height, options);
}
