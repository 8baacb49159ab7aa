/**
 * A PNG whose length depends on its dimensions only: 8-bit RGB, no ancillary chunks, and the image
 * data in deflate's stored (uncompressed) blocks. Compressed formats let a file's length summarise
 * its content (a real photo's chroma detail compresses worse than a colorization's); this one
 * cannot, so two images of one size always have one length.
 *
 * Each row's PNG filter type (None, Sub, Up, Average, Paeth) is drawn from the caller's random
 * stream, so the bytes of one image differ from one encoding to the next even where the pixels
 * agree. Decoders undo the filters exactly: what a browser displays is the pixels given.
 */
import { crc32 } from "node:zlib";
import type { SeededRandom } from "@/lib/stats";

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const BYTES_PER_PIXEL = 3;
/** deflate's stored blocks carry at most 65,535 bytes each. */
const STORED_BLOCK_BYTES = 0xffff;
const FILTER_TYPES = 5;

function chunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, "latin1");
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

function adler32(bytes: Uint8Array): number {
  let a = 1;
  let b = 0;
  // 5552 is the most bytes that can be summed before the 32-bit sums must be reduced.
  for (let start = 0; start < bytes.length; start += 5552) {
    const end = Math.min(start + 5552, bytes.length);
    for (let index = start; index < end; index++) {
      a += bytes[index]!;
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/** A zlib stream of stored blocks: its length is a function of the input's length alone. */
function storedZlib(raw: Uint8Array): Buffer {
  const blocks = Math.max(1, Math.ceil(raw.length / STORED_BLOCK_BYTES));
  const out = Buffer.alloc(2 + blocks * 5 + raw.length + 4);
  out[0] = 0x78; // deflate, 32 KiB window
  out[1] = 0x01; // no preset dictionary, fastest; (0x78 << 8 | 0x01) is a multiple of 31 as required
  let offset = 2;
  for (let block = 0; block < blocks; block++) {
    const start = block * STORED_BLOCK_BYTES;
    const length = Math.min(STORED_BLOCK_BYTES, raw.length - start);
    out[offset] = block === blocks - 1 ? 1 : 0; // BFINAL, BTYPE = 00 (stored)
    out.writeUInt16LE(length, offset + 1);
    out.writeUInt16LE(~length & 0xffff, offset + 3);
    out.set(raw.subarray(start, start + length), offset + 5);
    offset += 5 + length;
  }
  out.writeUInt32BE(adler32(raw), offset);
  return out;
}

function paeth(left: number, up: number, upLeft: number): number {
  const estimate = left + up - upLeft;
  const toLeft = Math.abs(estimate - left);
  const toUp = Math.abs(estimate - up);
  const toUpLeft = Math.abs(estimate - upLeft);
  return toLeft <= toUp && toLeft <= toUpLeft ? left : toUp <= toUpLeft ? up : upLeft;
}

/** Filtered scanlines: each row's filter byte, then its bytes as that filter predicts them. */
function filteredRows(rgb: Uint8Array, width: number, height: number, random: SeededRandom): Uint8Array {
  const rowBytes = width * BYTES_PER_PIXEL;
  const out = new Uint8Array(height * (rowBytes + 1));
  for (let row = 0; row < height; row++) {
    const filter = random.nextUint32() % FILTER_TYPES;
    const source = row * rowBytes;
    const target = row * (rowBytes + 1);
    out[target] = filter;
    for (let index = 0; index < rowBytes; index++) {
      const value = rgb[source + index]!;
      const left = index >= BYTES_PER_PIXEL ? rgb[source + index - BYTES_PER_PIXEL]! : 0;
      const up = row > 0 ? rgb[source - rowBytes + index]! : 0;
      const upLeft = row > 0 && index >= BYTES_PER_PIXEL ? rgb[source - rowBytes + index - BYTES_PER_PIXEL]! : 0;
      const predicted = filter === 0 ? 0 : filter === 1 ? left : filter === 2 ? up : filter === 3 ? (left + up) >> 1 : paeth(left, up, upLeft);
      out[target + 1 + index] = (value - predicted) & 0xff;
    }
  }
  return out;
}

/** Bytes of a fixed-length PNG of `width` × `height` interleaved 8-bit RGB pixels. */
export function encodeFixedLengthPng(rgb: Uint8Array, width: number, height: number, random: SeededRandom): Buffer {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) throw new RangeError("width and height must be positive integers");
  if (rgb.length !== width * height * BYTES_PER_PIXEL) throw new RangeError(`expected ${width * height * BYTES_PER_PIXEL} RGB bytes, got ${rgb.length}`);
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // truecolour (RGB)
  // compression 0 (deflate), filter method 0 (adaptive, per row), interlace 0 (none): already zero
  return Buffer.concat([PNG_SIGNATURE, chunk("IHDR", header), chunk("IDAT", storedZlib(filteredRows(rgb, width, height, random))), chunk("IEND", Buffer.alloc(0))]);
}

/** The length {@link encodeFixedLengthPng} gives every image of this size. */
export function fixedLengthPngBytes(width: number, height: number): number {
  const raw = height * (width * BYTES_PER_PIXEL + 1);
  const zlib = 2 + Math.max(1, Math.ceil(raw / STORED_BLOCK_BYTES)) * 5 + raw + 4;
  return PNG_SIGNATURE.length + (12 + 13) + (12 + zlib) + 12;
}
