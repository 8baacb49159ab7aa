import sharp from "sharp";
import { readMultipart } from "@/lib/http/read-request";
import { ArchiveError, readImageArchive, sniffArchiveFormat, sniffImageFormat, DEFAULT_ARCHIVE_LIMITS, type ArchiveImage, type ArchiveLimits } from "./archive";

export interface UploadedFile {
  name: string;
  bytes: Buffer;
}

/**
 * Turns what a researcher uploaded (loose image files and/or zips) into images, under the same
 * rules as archives: zips are unpacked safely, other archives and non-images are refused, pixel
 * limits are read from headers. Any violation rejects the whole upload (ArchiveError).
 */
export async function collectUploadedImages(files: UploadedFile[], limits: Partial<ArchiveLimits> = {}): Promise<ArchiveImage[]> {
  const merged = { ...DEFAULT_ARCHIVE_LIMITS, ...limits };
  const images: ArchiveImage[] = [];
  for (const file of files) {
    const archive = sniffArchiveFormat(file.bytes);
    if (archive?.startsWith("zip")) {
      images.push(...(await readImageArchive(file.bytes, merged)));
      continue;
    }
    if (archive) throw new ArchiveError("nested_archive", `${file.name}: only zip archives are accepted (this is ${archive})`, file.name);
    const format = sniffImageFormat(file.bytes);
    if (!format) throw new ArchiveError("not_an_image", `${file.name} is not a JPEG, PNG, WebP, TIFF or AVIF image`, file.name);
    const metadata = await sharp(file.bytes).metadata().catch(() => null);
    if (!metadata?.width || !metadata.height) throw new ArchiveError("not_an_image", `${file.name} cannot be read as an image`, file.name);
    if (metadata.width * metadata.height > merged.maxPixels) {
      throw new ArchiveError("too_many_pixels", `${file.name} is ${metadata.width}×${metadata.height}, over ${merged.maxPixels} pixels`, file.name);
    }
    const base = file.name.split(/[\\/]/).pop() ?? file.name;
    images.push({ name: base, stem: base.replace(/\.[^.]*$/, ""), bytes: file.bytes, format, width: metadata.width, height: metadata.height });
  }
  const stems = new Set<string>();
  for (const image of images) {
    if (stems.has(image.stem)) throw new ArchiveError("duplicate_stem", `Two files are named ${image.stem}`, image.name);
    stems.add(image.stem);
  }
  return images;
}

/** Reads a multipart upload of images or zips under the configured limits (ArchiveError → 422). */
export async function readUploadedImages(request: Request, limits: { maxBytes: number; maxPixels: number }) {
  const upload = await readMultipart(request, limits.maxBytes);
  const images = await collectUploadedImages(upload.files, { maxPixels: limits.maxPixels });
  return { images, fields: upload.fields };
}
