/**
 * Decoding any image sharp reads (JPEG, PNG, WebP, TIFF, AVIF, GIF's first frame, …) to 8-bit sRGB:
 * EXIF orientation applied (`rotate()`), an embedded ICC profile converted to sRGB, 16-bit samples
 * reduced to 8 bits, grey expanded to RGB, alpha flattened onto white. A pixel limit guards against
 * decompression bombs; corrupt, truncated or non-image input fails with an ImageError.
 */
import sharp, { type Sharp } from "sharp";
import { ImageError, imageErrorFromSharp } from "./errors";
import { decodeBudget, type PixelBudget } from "./pixel-budget";

/** Default pixel limit (width × height) for decoded input: 40 megapixels. */
export const DEFAULT_PIXEL_LIMIT = 40_000_000;

export interface DecodeOptions {
  /** Largest width × height accepted (before orientation); default 40 MP. */
  limitInputPixels?: number;
  /** Pixels decoded at once across the process; default {@link decodeBudget}. */
  budget?: PixelBudget;
}

export interface DecodedImage {
  width: number;
  height: number;
  /** Interleaved R, G, B (8-bit sRGB), after orientation. Invariant: length = 3 · width · height. */
  rgb: Uint8Array;
  /** The source's format as sharp names it ("jpeg", "png", "webp", "tiff", "heif", …). */
  format: string;
  /** Whether the source had a single grey channel (with or without alpha). */
  sourceIsGray: boolean;
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A sharp pipeline on untrusted bytes: pixel limit, fail on truncation or decoder warnings, oriented. */
export function openImage(bytes: Uint8Array, options: DecodeOptions = {}): Sharp {
  if (bytes.length === 0) throw new ImageError("image_empty", "The image is empty (0 bytes)");
  return sharp(toBuffer(bytes), {
    limitInputPixels: options.limitInputPixels ?? DEFAULT_PIXEL_LIMIT,
    failOn: "warning",
    sequentialRead: true,
  }).rotate();
}

/**
 * Decode to 8-bit sRGB RGB.
 * @throws ImageError image_empty | image_unsupported | image_corrupt | image_too_large
 */
export async function decodeImage(bytes: Uint8Array, options: DecodeOptions = {}): Promise<DecodedImage> {
  const image = openImage(bytes, options);
  let release: (() => void) | undefined;
  try {
    // The header tells the size before any pixel is decoded; the decode waits for its share.
    const meta = await image.metadata();
    release = await (options.budget ?? decodeBudget).acquire((meta.width ?? 1) * (meta.height ?? 1));
    const { data, info } = await image
      .flatten({ background: { r: 255, g: 255, b: 255 } })
      .toColourspace("srgb")
      .raw({ depth: "uchar" })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3 || data.length !== 3 * info.width * info.height) {
      throw new ImageError("image_invalid", `Decoding produced ${info.channels} channels; expected RGB`);
    }
    const sourceChannels = meta.channels ?? 3;
    return {
      width: info.width,
      height: info.height,
      rgb: new Uint8Array(data.buffer, data.byteOffset, data.length),
      format: meta.format ?? "unknown",
      sourceIsGray: sourceChannels <= 2 || meta.space === "b-w" || meta.space === "grey16",
    };
  } catch (error) {
    if (error instanceof ImageError) throw error;
    throw imageErrorFromSharp(error);
  } finally {
    release?.();
  }
}
