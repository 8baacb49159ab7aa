/**
 * Normalization of an uploaded stimulus image before it is stored: decoded (any supported format,
 * EXIF orientation applied, ICC profile converted to sRGB, grey expanded to RGB, alpha flattened on
 * white), re-encoded without any metadata, and hashed. Storing the normalized bytes means every
 * later step reads the same pixels whatever the uploader's file looked like.
 */
import sharp from "sharp";
import { decodeImage, type DecodeOptions } from "./decode";
import { sha256Hex } from "./hash";

export interface NormalizeOptions extends DecodeOptions {
  /** "png" (lossless, default) or "jpeg" (quality 95, 4:4:4). */
  format?: "png" | "jpeg";
}

export interface NormalizedImage {
  bytes: Buffer;
  width: number;
  height: number;
  mimeType: "image/png" | "image/jpeg";
  /** SHA-256 of the normalized bytes (hex). */
  sha256: string;
  /** SHA-256 of the uploaded bytes (hex), e.g. to detect duplicate uploads. */
  sourceSha256: string;
  /** The uploaded file's format as sharp names it. */
  sourceFormat: string;
  sourceIsGray: boolean;
}

/** @throws ImageError for empty, unsupported, corrupt or over-limit input (nothing is returned). */
export async function normalizeUpload(bytes: Uint8Array, options: NormalizeOptions = {}): Promise<NormalizedImage> {
  const decoded = await decodeImage(bytes, options);
  const format = options.format ?? "png";
  const pipeline = sharp(Buffer.from(decoded.rgb.buffer, decoded.rgb.byteOffset, decoded.rgb.byteLength), {
    raw: { width: decoded.width, height: decoded.height, channels: 3 },
  });
  const out =
    format === "png"
      ? await pipeline.png({ compressionLevel: 6 }).toBuffer()
      : await pipeline.jpeg({ quality: 95, chromaSubsampling: "4:4:4" }).toBuffer();
  return {
    bytes: out,
    width: decoded.width,
    height: decoded.height,
    mimeType: format === "png" ? "image/png" : "image/jpeg",
    sha256: sha256Hex(out),
    sourceSha256: sha256Hex(bytes),
    sourceFormat: decoded.format,
    sourceIsGray: decoded.sourceIsGray,
  };
}
