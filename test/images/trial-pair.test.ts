import sharp from "sharp";
import { inflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { imageDeltaE } from "@/lib/metrics/delta-e";
import { encodeFixedLengthPng, fixedLengthPngBytes } from "@/lib/images/fixed-length-png";
import { renderRealStimulus } from "@/lib/images/render-stimulus";
import { renderServedPair } from "@/lib/images/trial-pair";
import { SeededRandom } from "@/lib/stats";
import { recolour, syntheticPhoto } from "../support/test-images";

const decodeRgb = async (bytes: Uint8Array) => {
  const { data, info } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
  return { rgb: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height, channels: info.channels };
};

/** The chunk types of a PNG in order, and the filter type of each scanline of its image data. */
function pngLayout(png: Buffer, width: number) {
  const chunks: string[] = [];
  const idat: Buffer[] = [];
  for (let offset = 8; offset < png.length; ) {
    const length = png.readUInt32BE(offset);
    const type = png.toString("latin1", offset + 4, offset + 8);
    chunks.push(type);
    if (type === "IDAT") idat.push(png.subarray(offset + 8, offset + 8 + length));
    offset += 12 + length;
  }
  const rows = inflateSync(Buffer.concat(idat));
  const filters: number[] = [];
  for (let offset = 0; offset < rows.length; offset += 3 * width + 1) filters.push(rows[offset]!);
  return { chunks, filters };
}

describe("fixed-length PNG", () => {
  it("decodes to exactly the pixels given, every row filter included, at any size", async () => {
    for (const [width, height] of [[1, 1], [7, 5], [256, 256], [300, 229]] as const) {
      const random = new SeededRandom(BigInt(width * 1000 + height));
      const rgb = new Uint8Array(width * height * 3).map(() => random.nextUint32() & 0xff);
      const png = encodeFixedLengthPng(rgb, width, height, random);
      expect(png.length).toBe(fixedLengthPngBytes(width, height));
      const decoded = await decodeRgb(png);
      expect([decoded.width, decoded.height, decoded.channels]).toEqual([width, height, 3]);
      expect(Buffer.from(decoded.rgb).equals(Buffer.from(rgb))).toBe(true);
      const { chunks, filters } = pngLayout(png, width);
      expect(chunks).toEqual(["IHDR", "IDAT", "IEND"]);
      if (height >= 200) expect(new Set(filters).size).toBe(5);
    }
  });

  it("has one length for a flat image and for noise of the same size", () => {
    const flat = encodeFixedLengthPng(new Uint8Array(64 * 48 * 3).fill(128), 64, 48, new SeededRandom(1n));
    const noiseRandom = new SeededRandom(2n);
    const noisy = encodeFixedLengthPng(new Uint8Array(64 * 48 * 3).map(() => noiseRandom.nextUint32() & 0xff), 64, 48, new SeededRandom(3n));
    expect(flat.length).toBe(noisy.length);
  });
});

describe("served trial pairs", () => {
  it("gives both photos one length, one structure and one size, whichever compresses better", async () => {
    const photo = await renderRealStimulus(await syntheticPhoto(320, 300, 3));
    const flat = await renderRealStimulus(await recolour(await syntheticPhoto(320, 300, 3)));
    expect(photo.bytes.length).not.toBe(flat.bytes.length);
    for (const [left, right] of [[photo.bytes, flat.bytes], [flat.bytes, photo.bytes]]) {
      const pair = await renderServedPair(left!, right!, 42n);
      expect(pair.left.length).toBe(fixedLengthPngBytes(photo.width, photo.height));
      expect(pair.right.length).toBe(pair.left.length);
      expect(pngLayout(pair.left, photo.width).chunks).toEqual(pngLayout(pair.right, photo.width).chunks);
      const [decodedLeft, decodedRight] = [await decodeRgb(pair.left), await decodeRgb(pair.right)];
      expect([decodedLeft.width, decodedLeft.height, decodedLeft.channels]).toEqual([decodedRight.width, decodedRight.height, decodedRight.channels]);
      // What a person sees: the stored stimulus, each sample moved by at most one level.
      const before = await decodeRgb(left!);
      expect(before.rgb.every((value, index) => Math.abs(value - decodedLeft.rgb[index]!) <= 1)).toBe(true);
      expect(imageDeltaE(before.rgb, decodedLeft.rgb).meanDeltaE2000).toBeLessThan(1);
    }
  });

  it("never sends the same bytes twice: another seed, other bytes and row filters for the same photo", async () => {
    const stimulus = (await renderRealStimulus(await syntheticPhoto(256, 256, 5))).bytes;
    const first = await renderServedPair(stimulus, stimulus, 1n);
    const second = await renderServedPair(stimulus, stimulus, 2n);
    const again = await renderServedPair(stimulus, stimulus, 1n);
    expect(first.left.equals(second.left)).toBe(false);
    expect(first.left.equals(first.right)).toBe(false);
    expect(first.left.equals(again.left)).toBe(true);
    expect(pngLayout(first.left, 256).filters).not.toEqual(pngLayout(second.left, 256).filters);
  });
});
