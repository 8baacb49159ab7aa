/**
 * Decoding of encoded images (JPEG, PNG, WebP, TIFF, AVIF, …) to 8-bit sRGB pixels with sharp, the
 * one path the metrics and the upload checks share so that real and fake images are read alike:
 * EXIF orientation applied (`rotate()`), embedded ICC profile converted to sRGB, 16-bit input
 * reduced to 8 bits.
 */
import sharp from "sharp";

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
 * Decode to interleaved 8-bit sRGB, alpha dropped:
 * `sharp(buf).rotate().removeAlpha().toColourspace('srgb').raw()`.
 * @throws Error from sharp when the bytes are not a readable image (or exceed sharp's default
 *   pixel limit of 268 Mpx)
 */
export async function decodeRgb8(bytes: Buffer | Uint8Array): Promise<DecodedRgb> {
  const { data, info } = await sharp(bytes)
    .rotate()
    .removeAlpha()
    .toColourspace("srgb")
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`expected 3 channels after removeAlpha, got ${info.channels}`);
  return { width: info.width, height: info.height, channels: 3, pixels: checkRaw(data, info.width, info.height, 3) };
}

/** Decode to interleaved 8-bit sRGB with alpha (opaque where the source has no alpha). */
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
