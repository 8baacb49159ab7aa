/**
 * Safe reading of uploaded images, stimuli and methods alike: a ZIP archive (`readImageArchive`)
 * or a folder on disk (`readImageFolder`), under the same rules. Nothing is ever written to disk and nothing is
 * extracted by path: each accepted member is returned as `{ name, stem, bytes }` in memory.
 *
 * Every archive is treated as hostile. It is rejected as a whole, with an {@link ArchiveError}
 * carrying a machine-readable code, on the first entry that
 * - has a name that could escape the folder when extracted elsewhere: `..` segments, absolute
 *   paths, drive letters (`C:`), any `:` (NTFS alternate streams), backslashes, control characters
 *   (code `unsafe_path`);
 * - is a symlink or another special file by the unix mode in its external attributes (`symlink`,
 *   `special_file`);
 * - takes the archive over the entry count, total size, per-entry size or compression ratio limits,
 *   judged on the declared sizes before reading AND on the bytes actually inflated while streaming,
 *   because declared sizes lie (`too_many_entries`, `too_large`, `compression_ratio`,
 *   `size_mismatch`);
 * - is encrypted or uses a compression method other than stored/deflate (`encrypted`,
 *   `unsupported_compression`);
 * - is itself an archive, by extension or by magic bytes (`nested_archive`);
 * - is not a JPEG, PNG, WebP, TIFF or AVIF by its magic bytes, or has a header sharp cannot read
 *   (`not_an_image`), has several frames/pages (`multi_frame`), or declares more pixels than
 *   allowed (read from the header with `sharp(bytes).metadata()`, no decode) (`too_many_pixels`);
 * - has the same file-name stem as another member (compared case-insensitively, because stems are
 *   matched to stimuli by name and case-insensitive file systems would merge them) (`duplicate_stem`).
 *
 * Directories are fine: members are flattened to their base name. `__MACOSX/`, dotfiles and dot
 * folders, `Thumbs.db` and `desktop.ini` are skipped (after the path and symlink checks, and without
 * being inflated).
 *
 * Which checks yauzl would have done itself: with its defaults yauzl rejects `..`, absolute, drive
 * letter and backslash names and wrong entry sizes with plain `Error`s. We open with
 * `decodeStrings: false` and `validateEntrySizes: false` so that every one of these cases reaches
 * OUR checks and gets our code; yauzl itself still rejects a malformed structure (bad signatures,
 * truncated central directory, strong encryption), which we report as `corrupt`.
 */
import { constants as fsConstants } from "node:fs";
import { open as openFile, readdir } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { crc32 } from "node:zlib";
import sharp from "sharp";
import type { Metadata } from "sharp";
import yauzl from "yauzl";
import type { Entry, ZipFile } from "yauzl";

/** Machine-readable reasons an archive or folder is rejected. */
export type ArchiveErrorCode =
  | "corrupt"
  | "unsafe_path"
  | "symlink"
  | "special_file"
  | "too_many_entries"
  | "too_large"
  | "compression_ratio"
  | "size_mismatch"
  | "encrypted"
  | "unsupported_compression"
  | "nested_archive"
  | "not_an_image"
  | "multi_frame"
  | "too_many_pixels"
  | "duplicate_stem";

/** The one error type of this module: the whole archive is rejected; `entry` names the culprit. */
export class ArchiveError extends Error {
  override readonly name = "ArchiveError";
  constructor(
    readonly code: ArchiveErrorCode,
    message: string,
    readonly entry?: string,
  ) {
    super(message);
  }
}

/** Limits for one archive or folder. */
export interface ArchiveLimits {
  /** Most entries (files, directories and ignored entries all count). */
  maxEntries: number;
  /** Most uncompressed bytes over all members read. */
  maxTotalBytes: number;
  /** Most uncompressed bytes of one member. */
  maxEntryBytes: number;
  /** Most uncompressed/compressed bytes of one entry (1 + the compressed size, to allow empty entries). */
  maxCompressionRatio: number;
  /** Most pixels (width × height) an image may declare in its header. */
  maxPixels: number;
  /** Longest entry name in characters, and deepest folder nesting. */
  maxNameLength: number;
  maxDepth: number;
}

/**
 * Defaults sized for a study's candidates (hundreds to a few thousand photos, each a few MB):
 * - 10,000 entries: far above any study's stimulus count, small enough to list cheaply.
 * - 1 GiB in total and 64 MiB per image: the members are held in memory (one upload at a time).
 * - ratio 100: JPEG/PNG/WebP/AVIF are already compressed and deflate gains a few percent on them;
 *   even an uncompressed TIFF of a photo rarely deflates 10:1. A zip bomb reaches 1000:1 (deflate's
 *   maximum is about 1032:1).
 * - 50 megapixels: above a 45 MP camera (8256 × 5504), far below decode-memory trouble
 *   (50 M × 4 bytes = 200 MB of RGBA).
 */
export const DEFAULT_ARCHIVE_LIMITS: Readonly<ArchiveLimits> = Object.freeze({
  maxEntries: 10_000,
  maxTotalBytes: 1024 * 1024 * 1024,
  maxEntryBytes: 64 * 1024 * 1024,
  maxCompressionRatio: 100,
  maxPixels: 50_000_000,
  maxNameLength: 1024,
  maxDepth: 32,
});

/** Image formats accepted, by magic bytes. */
export type ImageFormat = "jpeg" | "png" | "webp" | "tiff" | "avif";

/** One accepted image. */
export interface ArchiveImage {
  /** The member's path inside the archive or folder, `/`-separated. */
  name: string;
  /** The base name without its last extension: the key that matches it to a stimulus. */
  stem: string;
  bytes: Buffer;
  format: ImageFormat;
  width: number;
  height: number;
}

function resolveLimits(limits: Partial<ArchiveLimits> | undefined): ArchiveLimits {
  const merged: ArchiveLimits = { ...DEFAULT_ARCHIVE_LIMITS, ...limits };
  for (const [key, value] of Object.entries(merged)) {
    if (!(typeof value === "number" && value > 0 && Number.isFinite(value))) {
      throw new RangeError(`archive limit ${key} must be a positive finite number, got ${String(value)}`);
    }
  }
  return merged;
}

// ---------------------------------------------------------------------------------------------
// Magic bytes

/**
 * The image format by magic bytes, or null. JPEG FF D8 FF; PNG 89 'PNG' 0D 0A 1A 0A; WebP
 * 'RIFF' size 'WEBP'; TIFF 'II*\0' or 'MM\0*'; AVIF an ISO-BMFF 'ftyp' box whose major or a
 * compatible brand is 'avif' or 'avis' (AV1 Image File Format §9.1.1).
 */
export function sniffImageFormat(bytes: Uint8Array): ImageFormat | null {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return "jpeg";
  if (b.length >= 8 && b.subarray(0, 8).equals(PNG_SIGNATURE)) return "png";
  if (b.length >= 12 && b.toString("latin1", 0, 4) === "RIFF" && b.toString("latin1", 8, 12) === "WEBP") return "webp";
  if (b.length >= 4) {
    const head = b.toString("latin1", 0, 4);
    if (head === "II*\0" || head === "MM\0*") return "tiff";
  }
  if (b.length >= 16 && b.toString("latin1", 4, 8) === "ftyp") {
    const boxSize = Math.min(b.readUInt32BE(0), b.length);
    const brands = [b.toString("latin1", 8, 12)];
    for (let o = 16; o + 4 <= boxSize; o += 4) brands.push(b.toString("latin1", o, o + 4));
    if (brands.some((brand) => brand === "avif" || brand === "avis")) return "avif";
  }
  return null;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Archive and compressed-stream signatures (offset, bytes, name). */
const ARCHIVE_SIGNATURES: ReadonlyArray<readonly [number, Buffer, string]> = [
  [0, Buffer.from("PK\x03\x04", "latin1"), "zip"],
  [0, Buffer.from("PK\x05\x06", "latin1"), "zip (empty)"],
  [0, Buffer.from("PK\x07\x08", "latin1"), "zip (spanned)"],
  [0, Buffer.from([0x1f, 0x8b]), "gzip"],
  [0, Buffer.from([0x1f, 0x9d]), "compress (.Z)"],
  [0, Buffer.from("BZh", "latin1"), "bzip2"],
  [0, Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), "xz"],
  [0, Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), "zstd"],
  [0, Buffer.from([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]), "7z"],
  [0, Buffer.from("Rar!\x1a\x07", "latin1"), "rar"],
  [0, Buffer.from("LZIP", "latin1"), "lzip"],
  [0, Buffer.from("MSCF", "latin1"), "cab"],
  [0, Buffer.from("!<arch>\n", "latin1"), "ar"],
  [0, Buffer.from("0707", "latin1"), "cpio"],
  [257, Buffer.from("ustar", "latin1"), "tar"],
];

/** The archive format by magic bytes (zip, gzip, bzip2, xz, zstd, 7z, rar, tar, …), or null. */
export function sniffArchiveFormat(bytes: Uint8Array): string | null {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const [offset, signature, format] of ARCHIVE_SIGNATURES) {
    if (b.length >= offset + signature.length && b.subarray(offset, offset + signature.length).equals(signature)) {
      return format;
    }
  }
  return null;
}

const ARCHIVE_EXTENSIONS = new Set([
  "zip", "zipx", "jar", "apk", "tar", "gz", "tgz", "bz2", "tbz", "tbz2", "xz", "txz", "zst", "tzst",
  "7z", "rar", "cab", "lz", "lzma", "z", "iso", "dmg", "cpio", "ar",
]);

// ---------------------------------------------------------------------------------------------
// Names

/** Names that operating systems leave in folders; skipped like dotfiles. */
const IGNORED_BASENAMES = new Set(["thumbs.db", "desktop.ini"]);

/**
 * Reject a member name that could escape the folder or confuse another tool; return its segments.
 * @throws ArchiveError `unsafe_path`
 */
function validateMemberName(name: string, limits: ArchiveLimits): string[] {
  const fail = (why: string): never => {
    throw new ArchiveError("unsafe_path", `unsafe entry name ${JSON.stringify(name)}: ${why}`, name);
  };
  if (name.length === 0) fail("empty name");
  if (name.length > limits.maxNameLength) fail(`longer than ${limits.maxNameLength} characters`);
  if (/[\x00-\x1f\x7f]/.test(name)) fail("control characters");
  if (name.includes("\\")) fail("backslash (a Windows path separator; the ZIP spec forbids it)");
  if (name.startsWith("/")) fail("absolute path");
  if (/^[A-Za-z]:/.test(name)) fail("drive letter");
  if (name.includes(":")) fail("colon (drive letter or NTFS alternate data stream)");
  const segments = name.split("/");
  if (segments.includes("..")) fail("'..' segment escapes the folder");
  const dirs = name.endsWith("/") ? segments.length - 1 : segments.length;
  if (dirs > limits.maxDepth) fail(`nested deeper than ${limits.maxDepth} folders`);
  return segments.filter((s) => s !== "" && s !== ".");
}

/** Whether a (validated) member is OS clutter to skip: `__MACOSX/`, dotfiles, dot folders, Thumbs.db. */
function isIgnoredMember(segments: readonly string[]): boolean {
  const base = segments[segments.length - 1] ?? "";
  return (
    segments.some((s) => s === "__MACOSX" || s.startsWith(".")) || IGNORED_BASENAMES.has(base.toLowerCase())
  );
}

function extensionOf(base: string): string {
  const dot = base.lastIndexOf(".");
  return dot > 0 ? base.slice(dot + 1).toLowerCase() : "";
}

function stemOf(base: string): string {
  const dot = base.lastIndexOf(".");
  return dot > 0 ? base.slice(0, dot) : base;
}

// ---------------------------------------------------------------------------------------------
// Shared member pipeline

/** Collects accepted members and enforces the rules that do not depend on the container. */
class MemberCollector {
  readonly images: ArchiveImage[] = [];
  private readonly stems = new Map<string, string>();
  totalBytes = 0;

  constructor(private readonly limits: ArchiveLimits) {}

  /** Reject by extension before reading any byte. */
  checkNameBeforeReading(name: string, base: string): void {
    const ext = extensionOf(base);
    if (ARCHIVE_EXTENSIONS.has(ext)) {
      throw new ArchiveError("nested_archive", `${name}: nested archives are not accepted (.${ext})`, name);
    }
  }

  /** Account for `size` more bytes about to be read; throws when a size limit would be passed. */
  reserve(name: string, size: number): void {
    if (size > this.limits.maxEntryBytes) {
      throw new ArchiveError("too_large", `${name}: ${size} bytes exceeds the per-image limit of ${this.limits.maxEntryBytes}`, name);
    }
    if (this.totalBytes + size > this.limits.maxTotalBytes) {
      throw new ArchiveError("too_large", `${name}: the total size would exceed ${this.limits.maxTotalBytes} bytes`, name);
    }
  }

  /** Check the content of one member and keep it. */
  async accept(name: string, base: string, bytes: Buffer): Promise<void> {
    const archive = sniffArchiveFormat(bytes);
    if (archive !== null) {
      throw new ArchiveError("nested_archive", `${name}: nested archives are not accepted (${archive} by its magic bytes)`, name);
    }
    const format = sniffImageFormat(bytes);
    if (format === null) {
      throw new ArchiveError("not_an_image", `${name}: not a JPEG, PNG, WebP, TIFF or AVIF image (by its magic bytes)`, name);
    }
    let meta: Metadata;
    try {
      // Header only: limitInputPixels is lifted here so that OUR limit decides, with our code.
      meta = await sharp(bytes, { limitInputPixels: false }).metadata();
    } catch (err) {
      throw new ArchiveError("not_an_image", `${name}: unreadable ${format} header (${(err as Error).message})`, name);
    }
    const width = meta.width;
    const height = meta.height;
    if (!(width > 0 && height > 0)) {
      throw new ArchiveError("not_an_image", `${name}: the ${format} header has no size`, name);
    }
    if ((meta.pages ?? 1) > 1) {
      throw new ArchiveError("multi_frame", `${name}: animated or multi-page images are not accepted (${meta.pages} frames)`, name);
    }
    if (width * height > this.limits.maxPixels) {
      throw new ArchiveError(
        "too_many_pixels",
        `${name}: ${width}×${height} = ${width * height} pixels exceeds the limit of ${this.limits.maxPixels}`,
        name,
      );
    }
    const stem = stemOf(base);
    const key = stem.normalize("NFC").toLowerCase();
    const previous = this.stems.get(key);
    if (previous !== undefined) {
      throw new ArchiveError("duplicate_stem", `${name}: same name stem "${stem}" as ${previous}`, name);
    }
    this.stems.set(key, name);
    this.images.push({ name, stem, bytes, format, width, height });
  }
}

// ---------------------------------------------------------------------------------------------
// ZIP

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;

/** CP437 code points for bytes 0x80..0xFF (the ZIP default name encoding, APPNOTE appendix D). */
const CP437_HIGH =
  "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0";

function decodeCp437(raw: Buffer): string {
  let out = "";
  for (const byte of raw) out += byte < 0x80 ? String.fromCharCode(byte) : CP437_HIGH[byte - 0x80];
  return out;
}

/** The fields of a yauzl 3 entry we use (opened with decodeStrings: false, so names stay bytes). */
interface RawEntryFields {
  fileNameRaw: Buffer;
  extraFields: Array<{ id: number; data: Buffer }>;
}

function rawFieldsOf(entry: Entry): RawEntryFields {
  const candidate = entry as unknown as Partial<RawEntryFields>;
  if (!Buffer.isBuffer(candidate.fileNameRaw) || !Array.isArray(candidate.extraFields)) {
    throw new ArchiveError("corrupt", "unexpected entry shape from yauzl (is yauzl 3 installed?)");
  }
  return { fileNameRaw: candidate.fileNameRaw, extraFields: candidate.extraFields };
}

/**
 * All names an unzip tool might use for this entry: the header name (UTF-8 when bit 11 is set,
 * else CP437) and, if present, the Info-ZIP Unicode Path extra field (0x7075) that yauzl and
 * Info-ZIP prefer when its CRC matches. Each one is validated; the last one is used.
 */
function entryNames(entry: Entry): string[] {
  const { fileNameRaw, extraFields } = rawFieldsOf(entry);
  const names: string[] = [];
  if ((entry.generalPurposeBitFlag & 0x800) !== 0) {
    try {
      names.push(new TextDecoder("utf-8", { fatal: true }).decode(fileNameRaw));
    } catch {
      throw new ArchiveError("unsafe_path", "entry name is not valid UTF-8 although it says so");
    }
  } else {
    names.push(decodeCp437(fileNameRaw));
  }
  for (const field of extraFields) {
    if (field.id !== 0x7075 || field.data.length < 6 || field.data[0] !== 1) continue;
    if ((crc32(fileNameRaw) >>> 0) !== field.data.readUInt32LE(1)) continue;
    try {
      names.push(new TextDecoder("utf-8", { fatal: true }).decode(field.data.subarray(5)));
    } catch {
      throw new ArchiveError("unsafe_path", "Unicode path extra field is not valid UTF-8");
    }
  }
  return names;
}

function openZip(bytes: Buffer): Promise<ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(
      bytes,
      // decodeStrings/validateEntrySizes off: see the module comment; we do both checks ourselves.
      { lazyEntries: true, decodeStrings: false, validateEntrySizes: false, strictFileNames: true },
      (err, zip) => {
        if (err) reject(new ArchiveError("corrupt", `not a readable ZIP archive: ${err.message}`));
        else resolve(zip);
      },
    );
  });
}

function nextEntry(zip: ZipFile): Promise<Entry | null> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      zip.off("entry", onEntry);
      zip.off("end", onEnd);
      zip.off("error", onError);
    };
    const onEntry = (entry: Entry) => {
      cleanup();
      resolve(entry);
    };
    const onEnd = () => {
      cleanup();
      resolve(null);
    };
    const onError = (err: Error) => {
      cleanup();
      reject(new ArchiveError("corrupt", `malformed ZIP archive: ${err.message}`));
    };
    zip.on("entry", onEntry);
    zip.on("end", onEnd);
    zip.on("error", onError);
    zip.readEntry();
  });
}

function openEntryStream(zip: ZipFile, entry: Entry, name: string): Promise<Readable> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (err, stream) => {
      if (err) reject(new ArchiveError("corrupt", `${name}: cannot read entry: ${err.message}`, name));
      else resolve(stream);
    });
  });
}

/**
 * Inflate one entry, counting real bytes: stop as soon as it passes its declared size (the header
 * lied), the per-entry or total limit, or the ratio limit; then check the CRC-32.
 */
async function inflateEntry(
  zip: ZipFile,
  entry: Entry,
  name: string,
  limits: ArchiveLimits,
  collector: MemberCollector,
): Promise<Buffer> {
  const declared = entry.uncompressedSize;
  const stream = await openEntryStream(zip, entry, name);
  const chunks: Buffer[] = [];
  let count = 0;
  let crc = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      count += chunk.length;
      if (count > declared) {
        throw new ArchiveError(
          "size_mismatch",
          `${name}: declares ${declared} bytes but inflates to more (lying header, possible zip bomb); stopped at ${count}`,
          name,
        );
      }
      // Redundant with the declared-size checks (count ≤ declared, declared was checked), kept so
      // that the limits hold on counted bytes even if those checks change.
      collector.reserve(name, count);
      if (count / (entry.compressedSize + 1) > limits.maxCompressionRatio) {
        throw new ArchiveError("compression_ratio", `${name}: inflates more than ${limits.maxCompressionRatio}:1`, name);
      }
      crc = crc32(chunk, crc);
      chunks.push(chunk);
    }
  } catch (err) {
    stream.destroy();
    if (err instanceof ArchiveError) throw err;
    throw new ArchiveError("corrupt", `${name}: cannot inflate: ${(err as Error).message}`, name);
  }
  if (count !== declared) {
    throw new ArchiveError("size_mismatch", `${name}: declares ${declared} bytes but holds ${count}`, name);
  }
  if (crc >>> 0 !== entry.crc32 >>> 0) {
    throw new ArchiveError("corrupt", `${name}: CRC-32 mismatch`, name);
  }
  return Buffer.concat(chunks, count);
}

/**
 * Read the images of an uploaded ZIP archive, rejecting the whole archive on anything hostile.
 *
 * @param zipBytes the archive as uploaded
 * @param limits overrides of {@link DEFAULT_ARCHIVE_LIMITS}
 * @returns the accepted images in archive order, each with its base-name stem
 * @throws ArchiveError with a code (see the module comment); nothing is returned on rejection
 * @example
 *   const images = await readImageArchive(await readFile("method.zip"));
 *   // → [{ name: "fake/101085.png", stem: "101085", bytes, format: "png", width: 481, height: 321 }, …]
 */
export async function readImageArchive(
  zipBytes: Buffer | Uint8Array,
  limits?: Partial<ArchiveLimits>,
): Promise<ArchiveImage[]> {
  const lim = resolveLimits(limits);
  const bytes = Buffer.isBuffer(zipBytes) ? zipBytes : Buffer.from(zipBytes.buffer, zipBytes.byteOffset, zipBytes.byteLength);
  const zip = await openZip(bytes);
  try {
    if (zip.entryCount > lim.maxEntries) {
      throw new ArchiveError("too_many_entries", `the archive has ${zip.entryCount} entries; the limit is ${lim.maxEntries}`);
    }
    const collector = new MemberCollector(lim);
    let declaredTotal = 0;
    let seen = 0;
    for (let entry = await nextEntry(zip); entry !== null; entry = await nextEntry(zip)) {
      seen += 1;
      if (seen > lim.maxEntries) {
        throw new ArchiveError("too_many_entries", `more than ${lim.maxEntries} entries`);
      }
      const names = entryNames(entry);
      let segments: string[] = [];
      for (const candidate of names) segments = validateMemberName(candidate, lim);
      const name = names[names.length - 1] ?? "";

      // The unix mode sits in the high 16 bits of the external attributes (APPNOTE 4.4.15; Info-ZIP).
      // Checked whatever the "made by" host says: an extractor that trusts it would create the link.
      const fileType = (entry.externalFileAttributes >>> 16) & S_IFMT;
      if (fileType === S_IFLNK) {
        throw new ArchiveError("symlink", `${name}: symbolic links are not accepted`, name);
      }
      if (fileType !== 0 && fileType !== S_IFREG && fileType !== S_IFDIR) {
        throw new ArchiveError("special_file", `${name}: special files (device, FIFO, socket) are not accepted`, name);
      }
      const isDirectory = name.endsWith("/") || fileType === S_IFDIR;
      if (isDirectory || segments.length === 0 || isIgnoredMember(segments)) continue;
      const base = segments[segments.length - 1] ?? "";

      if ((entry.generalPurposeBitFlag & 0x1) !== 0) {
        throw new ArchiveError("encrypted", `${name}: encrypted entries are not accepted`, name);
      }
      if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) {
        throw new ArchiveError(
          "unsupported_compression",
          `${name}: compression method ${entry.compressionMethod} (only stored and deflate are accepted)`,
          name,
        );
      }
      collector.checkNameBeforeReading(name, base);

      // Declared sizes first: cheap, and they stop an honest bomb before a byte is inflated.
      const declared = entry.uncompressedSize;
      collector.reserve(name, declared);
      if (declaredTotal + declared > lim.maxTotalBytes) {
        throw new ArchiveError("too_large", `${name}: declared sizes add up to more than ${lim.maxTotalBytes} bytes`, name);
      }
      declaredTotal += declared;
      if (declared / (entry.compressedSize + 1) > lim.maxCompressionRatio) {
        throw new ArchiveError(
          "compression_ratio",
          `${name}: declared compression ratio ${(declared / Math.max(entry.compressedSize, 1)).toFixed(0)}:1 exceeds ${lim.maxCompressionRatio}:1 (zip bomb?)`,
          name,
        );
      }
      if (entry.compressionMethod === 0 && entry.compressedSize !== declared) {
        throw new ArchiveError(
          "size_mismatch",
          `${name}: stored entry declares ${declared} bytes but occupies ${entry.compressedSize}`,
          name,
        );
      }

      const content = await inflateEntry(zip, entry, name, lim, collector);
      collector.totalBytes += content.length;
      await collector.accept(name, base, content);
    }
    return collector.images;
  } finally {
    zip.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Folder

/**
 * Read the images of a folder under the same rules as {@link readImageArchive}. The folder is walked
 * without following any symlink (a symlink anywhere below it rejects the folder), and each file is
 * opened with O_NOFOLLOW and read up to its size plus one byte, so a file that grows while being
 * read is caught.
 *
 * @param dir the folder (itself may be reached through a symlink; nothing below it may be one)
 * @param limits overrides of {@link DEFAULT_ARCHIVE_LIMITS} (the ratio limit does not apply)
 * @returns the accepted images, in sorted path order
 * @throws ArchiveError with a code (see the module comment)
 */
export async function readImageFolder(dir: string, limits?: Partial<ArchiveLimits>): Promise<ArchiveImage[]> {
  const lim = resolveLimits(limits);
  const collector = new MemberCollector(lim);
  let seen = 0;

  async function walk(relative: string[]): Promise<void> {
    let dirents;
    try {
      dirents = await readdir(path.join(dir, ...relative), { withFileTypes: true });
    } catch (err) {
      throw new ArchiveError("corrupt", `cannot list ${relative.join("/") || dir}: ${(err as Error).message}`);
    }
    dirents.sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
    for (const dirent of dirents) {
      seen += 1;
      if (seen > lim.maxEntries) throw new ArchiveError("too_many_entries", `more than ${lim.maxEntries} entries`);
      const segments = [...relative, dirent.name];
      const name = segments.join("/") + (dirent.isDirectory() ? "/" : "");
      validateMemberName(name, lim);
      if (dirent.isSymbolicLink()) throw new ArchiveError("symlink", `${name}: symbolic links are not accepted`, name);
      if (dirent.isDirectory()) {
        if (!isIgnoredMember(segments)) await walk(segments);
        continue;
      }
      if (!dirent.isFile()) {
        throw new ArchiveError("special_file", `${name}: special files (device, FIFO, socket) are not accepted`, name);
      }
      if (isIgnoredMember(segments)) continue;
      collector.checkNameBeforeReading(name, dirent.name);
      const content = await readRegularFile(path.join(dir, ...segments), name, collector);
      collector.totalBytes += content.length;
      await collector.accept(name, dirent.name, content);
    }
  }

  await walk([]);
  return collector.images;
}

async function readRegularFile(file: string, name: string, collector: MemberCollector): Promise<Buffer> {
  let handle;
  try {
    handle = await openFile(file, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ELOOP") throw new ArchiveError("symlink", `${name}: symbolic links are not accepted`, name);
    throw new ArchiveError("corrupt", `${name}: cannot open: ${(err as Error).message}`, name);
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new ArchiveError("special_file", `${name}: not a regular file`, name);
    collector.reserve(name, stat.size);
    const buffer = Buffer.alloc(stat.size + 1);
    let filled = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
      if (filled > stat.size) throw new ArchiveError("size_mismatch", `${name}: the file grew while being read`, name);
    }
    return buffer.subarray(0, filled);
  } finally {
    await handle.close();
  }
}
