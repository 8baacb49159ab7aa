/**
 * Decoding of encoded images (JPEG, PNG, WebP, TIFF, AVIF, …) to 8-bit sRGB pixels with sharp, the
 * one path the metrics and the upload checks share so that real and fake images are read alike:
 * EXIF orientation applied (`rotate()`), embedded ICC profile converted to sRGB, 16-bit input
 * reduced to 8 bits.
 */
import sharp from "sharp";
import { decodeImage } from "@/lib/images/decode";

/** A decoded 8-bit image. Invariant: pixels.length === channels · width · height. */
export interface DecodedRgb {
  width: number;
  height: number;
  channels: 3;
  /** Interleaved R, G, B. */
  pixels: Uint8Array;
}

/** A decoded 8-bit image with its alpha channel (255 where the source had none). */
export interface DecodedRgba {
  width: number;
  height: number;
  channels: 4;
  /** Interleaved R, G, B, A. */
  pixels: Uint8Array;
  /** Whether the source declared an alpha channel. */
  sourceHasAlpha: boolean;
}

/** One byte per sample: a 16-bit result would have twice the bytes (sharp's OutputInfo types lack `depth`). */
function checkRaw(data: Buffer, width: number, height: number, channels: number): Uint8Array {
  if (data.length !== width * height * channels) {
    throw new Error(`unexpected decode result: ${width}×${height}×${channels} in ${data.length} bytes`);
  }
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * Decode to interleaved 8-bit sRGB through `lib/images/decode` (EXIF orientation applied, alpha
 * flattened, 40 MP pixel limit).
 * @throws ImageError when the bytes are not a readable image or exceed the pixel limit
 */
export async function decodeRgb8(bytes: Buffer | Uint8Array): Promise<DecodedRgb> {
  // The platform's one decoder (orientation, ICC → sRGB, pixel limit, clear ImageErrors).
  const decoded = await decodeImage(bytes);
  return { width: decoded.width, height: decoded.height, channels: 3, pixels: decoded.rgb };
}

export async function decodeRgba8(bytes: Buffer | Uint8Array): Promise<DecodedRgba> {
  const image = sharp(bytes);
  const meta = await image.metadata();
  const { data, info } = await image
    .rotate()
    .toColourspace("srgb")
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 4) throw new Error(`expected 4 channels after ensureAlpha, got ${info.channels}`);
  return {
    width: info.width,
    height: info.height,
    channels: 4,
    pixels: checkRaw(data, info.width, info.height, 4),
    sourceHasAlpha: meta.hasAlpha === true,
  };
}

/**
 * Resize interleaved 8-bit RGB pixels to exactly width × height (aspect ratio not kept; sharp's
 * default Lanczos-3 kernel).
 */
export async function resizeRgb8(image: DecodedRgb, width: number, height: number): Promise<DecodedRgb> {
  const { data, info } = await sharp(image.pixels, {
    raw: { width: image.width, height: image.height, channels: 3 },
  })
    .resize(width, height, { fit: "fill" })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: 3, pixels: checkRaw(data, info.width, info.height, 3) };
}
