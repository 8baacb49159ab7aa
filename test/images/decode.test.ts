import { crc32 } from "node:zlib";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { decodeImage } from "@/lib/images/decode";
import { ImageError } from "@/lib/images/errors";
import { normalizeUpload } from "@/lib/images/normalize-upload";
import { sha256Hex } from "@/lib/images/hash";

/** A width × height RGB image whose pixel (x, y) is (10x, 10y, 100). */
function gradient(width: number, height: number): Buffer {
  const px = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) px.set([10 * x, 10 * y, 100], 3 * (y * width + x));
  return px;
}
const raw = (px: Buffer, width: number, height: number, channels: 1 | 3 | 4 = 3) => sharp(px, { raw: { width, height, channels } });

/** Rewrite a PNG's IHDR width and height (and its CRC), as a decompression bomb's header would. */
function withPngSize(png: Buffer, width: number, height: number): Buffer {
  const out = Buffer.from(png);
  // Signature (8) + IHDR length (4) + "IHDR" (4), then width, height, …; CRC over type + 13 data bytes.
  out.writeUInt32BE(width, 16);
  out.writeUInt32BE(height, 20);
  out.writeUInt32BE(crc32(out.subarray(12, 29)), 29);
  return out;
}

const expectImageError = async (promise: Promise<unknown>, code: string) => {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(ImageError);
  expect((error as ImageError).code).toBe(code);
  return error as ImageError;
};

describe("decodeImage", () => {
  it("decodes PNG, WebP, TIFF and AVIF losslessly or closely to 8-bit RGB", async () => {
    const px = gradient(6, 4);
    for (const [format, tolerance] of [["png", 0], ["webp", 0], ["tiff", 0], ["avif", 0]] as const) {
      const pipeline = raw(px, 6, 4);
      const bytes = format === "png" ? await pipeline.png().toBuffer() : format === "webp" ? await pipeline.webp({ lossless: true }).toBuffer() : format === "tiff" ? await pipeline.tiff({ compression: "lzw" }).toBuffer() : await pipeline.avif({ lossless: true }).toBuffer();
      const d = await decodeImage(bytes);
      expect([d.width, d.height, d.format]).toEqual([6, 4, format === "avif" ? "heif" : format]);
      const worst = Math.max(...Array.from(d.rgb, (v, i) => Math.abs(v - px[i]!)));
      expect(worst, format).toBeLessThanOrEqual(format === "avif" ? 2 : tolerance);
    }
  });

  it("applies the EXIF orientation", async () => {
    // Stored 6×4, orientation 6 (rotate 90° clockwise to display): displayed 4×6.
    const jpeg = await raw(gradient(6, 4), 6, 4).png().toBuffer();
    const oriented = await sharp(jpeg).withMetadata({ orientation: 6 }).png().toBuffer();
    const d = await decodeImage(oriented);
    expect([d.width, d.height]).toEqual([4, 6]);
    // Display pixel (x, y) = stored pixel (y, H − 1 − x) for a 90° clockwise rotation.
    const at = (x: number, y: number) => Array.from(d.rgb.subarray(3 * (y * 4 + x), 3 * (y * 4 + x) + 3));
    expect(at(0, 0)).toEqual([0, 30, 100]);
    expect(at(3, 0)).toEqual([0, 0, 100]);
  });

  it("expands grey input (with or without alpha) to RGB", async () => {
    const grey = Buffer.from([0, 64, 128, 255]);
    const greyPng = await raw(grey, 2, 2, 1).toColourspace("b-w").png().toBuffer();
    expect((await sharp(greyPng).metadata()).channels).toBe(1);
    const d = await decodeImage(greyPng);
    expect(d.sourceIsGray).toBe(true);
    expect(Array.from(d.rgb)).toEqual([0, 0, 0, 64, 64, 64, 128, 128, 128, 255, 255, 255]);
    const rgba = await raw(Buffer.from([255, 0, 0, 0, 0, 0, 255, 255]), 2, 1, 4).png().toBuffer();
    expect(Array.from((await decodeImage(rgba)).rgb)).toEqual([255, 255, 255, 0, 0, 255]); // transparent → white
  });

  it("fails clearly on empty, non-image, corrupt and truncated input", async () => {
    await expectImageError(decodeImage(new Uint8Array(0)), "image_empty");
    await expectImageError(decodeImage(Buffer.from("just some text, not an image")), "image_unsupported");
    const jpeg = await raw(gradient(64, 48), 64, 48).jpeg().toBuffer();
    const truncated = await expectImageError(decodeImage(jpeg.subarray(0, jpeg.length - 300)), "image_corrupt");
    expect(truncated.message).toMatch(/corrupt or truncated/);
    const corrupt = Buffer.from(jpeg);
    corrupt.fill(0x55, 200, 600);
    await expectImageError(decodeImage(corrupt), "image_corrupt");
    const png = await raw(gradient(64, 48), 64, 48).png().toBuffer();
    await expectImageError(decodeImage(png.subarray(0, png.length - 40)), "image_corrupt");
  });

  it("refuses images over the pixel limit (decompression bombs)", async () => {
    const png = await raw(gradient(20, 10), 20, 10).png().toBuffer();
    await expectImageError(decodeImage(png, { limitInputPixels: 199 }), "image_too_large");
    expect((await decodeImage(png, { limitInputPixels: 200 })).width).toBe(20);
    // A PNG whose header claims 100 000 × 100 000 pixels (30 GB decoded): refused from the header.
    await expectImageError(decodeImage(withPngSize(png, 100_000, 100_000)), "image_too_large");
  });
});

describe("normalizeUpload", () => {
  it("decodes, orients, strips metadata and hashes", async () => {
    const source = await sharp(await raw(gradient(6, 4), 6, 4).png().toBuffer())
      .withMetadata({ orientation: 6, exif: { IFD0: { Copyright: "someone", ImageDescription: "secret" } } })
      .jpeg({ quality: 100 })
      .toBuffer();
    const n = await normalizeUpload(source);
    expect([n.width, n.height, n.mimeType, n.sourceFormat]).toEqual([4, 6, "image/png", "jpeg"]);
    expect(n.sha256).toBe(sha256Hex(n.bytes));
    expect(n.sourceSha256).toBe(sha256Hex(source));
    const meta = await sharp(n.bytes).metadata();
    expect(meta.exif).toBeUndefined();
    expect(meta.icc).toBeUndefined();
    expect(meta.orientation).toBeUndefined();
    expect(n.bytes.includes(Buffer.from("secret"))).toBe(false);
    const jpeg = await normalizeUpload(source, { format: "jpeg" });
    expect(jpeg.mimeType).toBe("image/jpeg");
  });

  it("rejects bad input without returning anything", async () => {
    const error = await normalizeUpload(Buffer.from("GIF89a but not really")).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(ImageError);
    expect(["image_corrupt", "image_unsupported"]).toContain((error as ImageError).code);
    await expectImageError(normalizeUpload(Buffer.from("plain text")), "image_unsupported");
  });
});

describe("sha256Hex", () => {
  it("matches the FIPS 180-2 example for 'abc'", () => {
    expect(sha256Hex(Buffer.from("abc"))).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });
});
