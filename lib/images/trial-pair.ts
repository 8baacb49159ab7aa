/**
 * The two photos of a trial as the rater's browser receives them. The stored stimuli are rendered
 * once per study (render-stimulus.ts), so served as they are they would tell the real photo from
 * the fake by more than their colours:
 *
 * - by size: a real photo has more chroma detail than a colorization and compresses worse, so its
 *   file was the larger in every trial of a walkthrough. Padding compressed files to one length
 *   only hides this behind a parse: the length of a JPEG's entropy-coded scan still follows the
 *   content.
 * - by repetition: the real photo's bytes were the same in every session, while the fake's change
 *   with the method, so one session's bytes recognised the real photo in the next.
 *
 * So at serving time both sides of a trial go through one identical path: decode → move a seeded
 * quarter of the 8-bit samples by one level (the seed is per trial and secret, so no two trials,
 * sessions or raters ever receive the same bytes) → a PNG of uncompressed (stored) deflate blocks with a
 * seeded filter type per row (fixed-length-png.ts). The file's length is a function of the
 * dimensions alone, and its bytes are the pixels (filtered) with a fixed header: the only thing
 * left to tell the photos apart is what they show. Cost in colour and bytes: docs/serving.md.
 */
import sharp, { type OutputInfo } from "sharp";
import { SeededRandom } from "@/lib/stats";
import { ImageError, imageErrorFromSharp } from "./errors";
import { encodeFixedLengthPng } from "./fixed-length-png";

export const SERVED_IMAGE_TYPE = "image/png";

export interface ServedPair {
  left: Buffer;
  right: Buffer;
}

/** Decode → seeded ±1 noise → fixed-length PNG: the one path for both sides. */
async function renderWithNoise(bytes: Uint8Array, random: SeededRandom): Promise<Buffer> {
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
  const noisy = new Uint8Array(data.length);
  for (let index = 0; index < data.length; index++) {
    // A quarter of the samples move by one level (−1 or +1, an eighth each), clamped at the ends
    // of the 8-bit range: enough that no 16 bytes in a row repeat between two encodings of one
    // photo (each byte agrees with probability 0.59, 16 in a row with 0.0002), at a mean ΔE2000
    // of about 0.15, a tenth of what the stored JPEG's own compression costs.
    const draw = random.nextUint32() & 7;
    const value = data[index]! + (draw === 0 ? -1 : draw === 1 ? 1 : 0);
    noisy[index] = value < 0 ? 0 : value > 255 ? 255 : value;
  }
  return encodeFixedLengthPng(noisy, info.width, info.height, random);
}

/**
 * Both photos of a trial, ready to serve: through one path with noise and row filters from `seed`
 * (left first, then right, from one stream). Stimuli of one study share one size, so the two
 * files have one length.
 */
export async function renderServedPair(left: Uint8Array, right: Uint8Array, seed: bigint): Promise<ServedPair> {
  const random = new SeededRandom(seed);
  const servedLeft = await renderWithNoise(left, random);
  const servedRight = await renderWithNoise(right, random);
  return { left: servedLeft, right: servedRight };
}
