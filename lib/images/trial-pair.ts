/**
 * The two photos of a trial as the rater's browser receives them. The stored stimuli are rendered
 * once per study (render-stimulus.ts), so served as they are they would tell the real photo from
 * the fake by more than their colours:
 *
 * - by size: a real photo has more chroma detail than a colorization and compresses worse, so its
 *   file was the larger in every trial of a walkthrough;
 * - by repetition: the real photo's bytes were the same in every session, while the fake's change
 *   with the method, so one session's bytes recognised the real photo in the next.
 *
 * So at serving time both sides of a trial go through one identical path: decode → add seeded
 * ±1 noise to every 8-bit sample (the seed is per trial and secret, so no two trials, sessions or
 * raters ever receive the same bytes) → encode (JPEG q = 90, 4:4:4, baseline, the standard Huffman
 * tables of the JPEG specification rather than tables fitted to each image) → pad both files to
 * one length with comment (COM) segments of zeros, the same number of segments in each.
 *
 * What remains different is what the pixels themselves imply: how many entropy-coded bytes the
 * scan takes is a function of the decoded coefficients (anyone who decodes the pixels can compute
 * it), as is the chroma detail a person sees. Cost in colour: docs/protocol.md ("Serving").
 */
import sharp, { type OutputInfo } from "sharp";
import { SeededRandom } from "@/lib/stats";
import { ImageError, imageErrorFromSharp } from "./errors";

export const SERVED_JPEG_QUALITY = 90;
/** Files are padded to a multiple of this many bytes (and by at least MIN_PADDING_BYTES). */
const PADDED_LENGTH_STEP = 1024;
const MIN_PADDING_BYTES = 16;
/** A JPEG marker segment: 2 marker bytes + a 16-bit length that counts itself (≤ 65535). */
const MAX_SEGMENT_BYTES = 2 + 0xffff;
const MIN_SEGMENT_BYTES = 4;

export interface ServedPair {
  left: Buffer;
  right: Buffer;
}

/** Decode → seeded ±1 noise → JPEG with standard tables: the one path for both sides. */
async function reencodeWithNoise(bytes: Uint8Array, rng: SeededRandom): Promise<Buffer> {
  let decoded: { data: Buffer; info: OutputInfo };
  try {
    decoded = await sharp(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), { failOn: "warning" })
      .removeAlpha()
      .toColourspace("srgb")
      .raw({ depth: "uchar" })
      .toBuffer({ resolveWithObject: true });
  } catch (error) {
    throw imageErrorFromSharp(error);
  }
  const { data, info } = decoded;
  if (info.channels !== 3) throw new ImageError("image_invalid", `A stimulus decoded to ${info.channels} channels; expected RGB`);
  const noisy = Buffer.allocUnsafe(data.length);
  for (let index = 0; index < data.length; index++) {
    // One uniform draw in {−1, 0, +1}; clamped at the ends of the 8-bit range.
    const value = data[index]! + (rng.nextUint32() % 3) - 1;
    noisy[index] = value < 0 ? 0 : value > 255 ? 255 : value;
  }
  return sharp(noisy, { raw: { width: info.width, height: info.height, channels: 3 } })
    .jpeg({
      quality: SERVED_JPEG_QUALITY,
      chromaSubsampling: "4:4:4",
      mozjpeg: false,
      progressive: false,
      optimiseCoding: false,
      trellisQuantisation: false,
      overshootDeringing: false,
      optimiseScans: false,
    })
    .toBuffer();
}

/** Offset of the first marker segment after SOI and any APPn (where a COM segment may go). */
function paddingOffset(jpeg: Buffer): number {
  if (jpeg[0] !== 0xff || jpeg[1] !== 0xd8) throw new ImageError("image_invalid", "Not a JPEG stream");
  let offset = 2;
  while (offset + 4 <= jpeg.length && jpeg[offset] === 0xff && jpeg[offset + 1]! >= 0xe0 && jpeg[offset + 1]! <= 0xef) {
    offset += 2 + jpeg.readUInt16BE(offset + 2);
  }
  return offset;
}

/** `count` COM segments of zeros totalling exactly `bytes` (each at least 4 bytes long). */
function commentPadding(bytes: number, count: number): Buffer {
  const padding = Buffer.alloc(bytes);
  let offset = 0;
  for (let segment = 0; segment < count; segment++) {
    const size = Math.floor(bytes / count) + (segment < bytes % count ? 1 : 0);
    padding[offset] = 0xff;
    padding[offset + 1] = 0xfe;
    padding.writeUInt16BE(size - 2, offset + 2);
    offset += size;
  }
  return padding;
}

/**
 * Pads JPEG files to one common length (a multiple of 1 KiB) with the same number of COM segments
 * in each, inserted after any APPn segments.
 */
export function padToCommonLength(files: readonly Buffer[]): Buffer[] {
  const longest = Math.max(...files.map((file) => file.length));
  const shortest = Math.min(...files.map((file) => file.length));
  let target = Math.ceil((longest + MIN_PADDING_BYTES) / PADDED_LENGTH_STEP) * PADDED_LENGTH_STEP;
  let segments = Math.ceil((target - shortest) / MAX_SEGMENT_BYTES);
  while (target - longest < MIN_SEGMENT_BYTES * segments) {
    target += PADDED_LENGTH_STEP;
    segments = Math.ceil((target - shortest) / MAX_SEGMENT_BYTES);
  }
  return files.map((file) => {
    const at = paddingOffset(file);
    return Buffer.concat([file.subarray(0, at), commentPadding(target - file.length, segments), file.subarray(at)]);
  });
}

/**
 * Both photos of a trial, ready to serve: re-encoded through one path with noise from `seed`
 * (left first, then right, from one stream) and padded to one length.
 */
export async function renderServedPair(left: Uint8Array, right: Uint8Array, seed: bigint): Promise<ServedPair> {
  const rng = new SeededRandom(seed);
  const leftJpeg = await reencodeWithNoise(left, rng);
  const rightJpeg = await reencodeWithNoise(right, rng);
  const [paddedLeft, paddedRight] = padToCommonLength([leftJpeg, rightJpeg]);
  return { left: paddedLeft!, right: paddedRight! };
}
