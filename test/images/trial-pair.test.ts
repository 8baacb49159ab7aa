import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { imageDeltaE } from "@/lib/metrics/delta-e";
import { renderRealStimulus } from "@/lib/images/render-stimulus";
import { padToCommonLength, renderServedPair } from "@/lib/images/trial-pair";
import { recolour, syntheticPhoto } from "../support/test-images";

const decodeRgb = async (bytes: Uint8Array) => {
  const { data, info } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
  return { rgb: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height, channels: info.channels };
};

/** The JPEG marker sequence up to the scan, with each segment's length except COM's. */
function markerSequence(jpeg: Buffer): string[] {
  const markers: string[] = [];
  let offset = 2;
  while (offset < jpeg.length) {
    const marker = jpeg[offset + 1]!;
    const length = jpeg.readUInt16BE(offset + 2);
    markers.push(marker === 0xfe ? "COM" : `${marker.toString(16)}:${length}`);
    if (marker === 0xda) break;
    offset += 2 + length;
  }
  return markers;
}

describe("served trial pairs", () => {
  it("gives both photos one length, one structure and one size, whichever is the larger", async () => {
    const photo = await renderRealStimulus(await syntheticPhoto(320, 300, 3));
    const flat = await renderRealStimulus(await recolour(await syntheticPhoto(320, 300, 3)));
    expect(photo.bytes.length).not.toBe(flat.bytes.length);
    for (const [left, right] of [[photo.bytes, flat.bytes], [flat.bytes, photo.bytes]]) {
      const pair = await renderServedPair(left!, right!, 42n);
      expect(pair.left.length).toBe(pair.right.length);
      expect(pair.left.length % 1024).toBe(0);
      expect(markerSequence(pair.left)).toEqual(markerSequence(pair.right));
      const [decodedLeft, decodedRight] = [await decodeRgb(pair.left), await decodeRgb(pair.right)];
      expect([decodedLeft.width, decodedLeft.height, decodedLeft.channels]).toEqual([decodedRight.width, decodedRight.height, decodedRight.channels]);
      // What a person sees: the stored stimulus up to JPEG noise.
      const before = await decodeRgb(left!);
      expect(imageDeltaE(before.rgb, decodedLeft.rgb).meanDeltaE2000).toBeLessThan(1.5);
    }
  });

  it("never sends the same bytes twice: another seed, other bytes for the same photo", async () => {
    const stimulus = (await renderRealStimulus(await syntheticPhoto(256, 256, 5))).bytes;
    const first = await renderServedPair(stimulus, stimulus, 1n);
    const second = await renderServedPair(stimulus, stimulus, 2n);
    const again = await renderServedPair(stimulus, stimulus, 1n);
    expect(first.left.equals(second.left)).toBe(false);
    expect(first.left.equals(first.right)).toBe(false);
    expect(first.left.equals(again.left)).toBe(true);
    expect(first.left.equals(stimulus)).toBe(false);
  });

  it("pads across the 64 KiB segment limit with the same number of COM segments on each side", () => {
    const jpeg = (scanBytes: number) => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0, 0, 0xff, 0xdb, 0x00, 0x02]), Buffer.alloc(scanBytes, 1), Buffer.from([0xff, 0xd9])]);
    const [small, large] = padToCommonLength([jpeg(100), jpeg(200_000)]);
    expect(small!.length).toBe(large!.length);
    const comCount = (file: Buffer) => markerSequence(file).filter((marker) => marker === "COM").length;
    expect(comCount(small!)).toBe(comCount(large!));
    expect(comCount(small!)).toBeGreaterThan(1);
  });
});
