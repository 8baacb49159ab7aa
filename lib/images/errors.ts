/**
 * The one error the image pipeline throws for bad input. `code` is stable and machine-readable
 * (lib/http maps it to a status); the message is safe to show.
 */
export type ImageErrorCode = "image_empty" | "image_unsupported" | "image_corrupt" | "image_too_large" | "image_invalid";

export class ImageError extends Error {
  override name = "ImageError";
  constructor(
    readonly code: ImageErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Map a sharp/libvips failure to an ImageError with a clear message. */
export function imageErrorFromSharp(error: unknown, what = "The image"): ImageError {
  const message = error instanceof Error ? error.message : String(error);
  if (/pixel limit/i.test(message)) {
    return new ImageError("image_too_large", `${what} has more pixels than the limit allows`, { cause: error });
  }
  if (/unsupported image format|bad seek|not a known file format|is not in a known format/i.test(message)) {
    return new ImageError("image_unsupported", `${what} is not a supported image (JPEG, PNG, WebP, TIFF, AVIF, GIF)`, { cause: error });
  }
  if (/empty/i.test(message)) return new ImageError("image_empty", `${what} is empty`, { cause: error });
  return new ImageError("image_corrupt", `${what} is corrupt or truncated and cannot be decoded (${message.split("\n")[0]})`, { cause: error });
}
