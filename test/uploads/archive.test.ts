import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { crc32 } from "node:zlib";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ArchiveError,
  readImageArchive,
  readImageFolder,
  sniffArchiveFormat,
  sniffImageFormat,
} from "@/lib/uploads/archive";
import type { ArchiveErrorCode } from "@/lib/uploads/archive";
import { UNIX_MODE, unixAttributes, writeZip } from "@/test/support/zip-writer";

let png: Buffer;
let jpeg: Buffer;

beforeAll(async () => {
  const solid = { width: 12, height: 8, channels: 3 as const, background: { r: 200, g: 40, b: 30 } };
  png = await sharp({ create: solid }).png().toBuffer();
  jpeg = await sharp({ create: solid }).jpeg().toBuffer();
});

/** Expect the promise to reject with an ArchiveError of `code` (our check, not yauzl's). */
async function expectRejected(promise: Promise<unknown>, code: ArchiveErrorCode): Promise<ArchiveError> {
  const error = await promise.then(
    () => {
      throw new Error(`expected rejection with ${code}, but it was accepted`);
    },
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(ArchiveError);
  expect((error as ArchiveError).code).toBe(code);
  return error as ArchiveError;
}

/** A PNG whose IHDR claims width × height; the CRC is fixed so the header is valid (PNG spec §5.3). */
function pngClaiming(source: Buffer, width: number, height: number): Buffer {
  const b = Buffer.from(source);
  // Signature (8) + chunk length (4) + "IHDR" (4), then width and height; the CRC covers type+data.
  expect(b.toString("latin1", 12, 16)).toBe("IHDR");
  b.writeUInt32BE(width, 16);
  b.writeUInt32BE(height, 20);
  b.writeUInt32BE(crc32(b.subarray(12, 29)) >>> 0, 29);
  return b;
}

describe("readImageArchive: a good archive", () => {
  it("accepts images in folders, flattens them, skips __MACOSX, dotfiles and directories", async () => {
    const zip = writeZip([
      { name: "fake/", data: "", method: 0, externalAttributes: unixAttributes(UNIX_MODE.directory) },
      { name: "fake/101085.png", data: png },
      { name: "fake/more/202012.jpg", data: jpeg, method: 0 },
      { name: "__MACOSX/fake/._101085.png", data: "AppleDouble junk" },
      { name: "fake/.DS_Store", data: "junk" },
      { name: "Thumbs.db", data: "junk" },
    ]);
    const images = await readImageArchive(zip);
    expect(images.map((i) => [i.name, i.stem, i.format, i.width, i.height])).toEqual([
      ["fake/101085.png", "101085", "png", 12, 8],
      ["fake/more/202012.jpg", "202012", "jpeg", 12, 8],
    ]);
    expect(images[0]!.bytes.equals(png)).toBe(true);
    expect(images[1]!.bytes.equals(jpeg)).toBe(true);
  });

  it("decodes a non-ASCII UTF-8 name", async () => {
    const images = await readImageArchive(writeZip([{ name: "bilder/bär.png", data: png }]));
    expect(images[0]!.stem).toBe("bär");
  });
});

describe("readImageArchive: hostile archives are rejected by our checks", () => {
  it("rejects ../evil.png", async () => {
    await expectRejected(readImageArchive(writeZip([{ name: "../evil.png", data: png }])), "unsafe_path");
    await expectRejected(readImageArchive(writeZip([{ name: "a/../../evil.png", data: png }])), "unsafe_path");
  });

  it("rejects /abs.png", async () => {
    await expectRejected(readImageArchive(writeZip([{ name: "/abs.png", data: png }])), "unsafe_path");
  });

  it("rejects C:\\x.png, C:/x.png and any backslash", async () => {
    await expectRejected(readImageArchive(writeZip([{ name: "C:\\x.png", data: png }])), "unsafe_path");
    await expectRejected(readImageArchive(writeZip([{ name: "C:/x.png", data: png }])), "unsafe_path");
    await expectRejected(readImageArchive(writeZip([{ name: "a\\..\\..\\x.png", data: png }])), "unsafe_path");
    await expectRejected(readImageArchive(writeZip([{ name: "x.png:stream", data: png }])), "unsafe_path");
  });

  it("rejects a hostile name even on an entry that would be ignored", async () => {
    await expectRejected(readImageArchive(writeZip([{ name: "__MACOSX/../../x.png", data: png }])), "unsafe_path");
  });

  it("rejects a symlink (unix mode 0120777 in the external attributes)", async () => {
    const zip = writeZip([
      { name: "ok.png", data: png },
      { name: "link.png", data: "/etc/passwd", method: 0, externalAttributes: unixAttributes(UNIX_MODE.symlink) },
    ]);
    const error = await expectRejected(readImageArchive(zip), "symlink");
    expect(error.entry).toBe("link.png");
  });

  it("rejects 10,001 entries before reading any", async () => {
    const entries = Array.from({ length: 10_001 }, (_, i) => ({ name: `d/${i}.txt`, data: "", method: 0 as const }));
    await expectRejected(readImageArchive(writeZip(entries)), "too_many_entries");
  });

  it("rejects a zip bomb with honest sizes by its declared compression ratio", async () => {
    // 20 MB of zeros deflate to about 20 kB: ratio ≈ 1000:1 > 100:1.
    const zip = writeZip([{ name: "bomb.png", data: Buffer.alloc(20 * 1024 * 1024) }]);
    expect(zip.length).toBeLessThan(100_000);
    await expectRejected(readImageArchive(zip), "compression_ratio");
  });

  it("rejects a zip bomb whose header lies about its size, while inflating", async () => {
    // Declares 1,000 bytes (ratio 0.05) but inflates to 20 MB: caught by counting real bytes.
    const zip = writeZip([{ name: "bomb.png", data: Buffer.alloc(20 * 1024 * 1024), declaredUncompressedSize: 1000 }]);
    const error = await expectRejected(readImageArchive(zip), "size_mismatch");
    expect(error.message).toMatch(/inflates to more/);
  });

  it("rejects a total over the limit (declared) and an entry over the per-entry limit", async () => {
    const zip = writeZip([
      { name: "a.png", data: png, method: 0 },
      { name: "b.png", data: jpeg, method: 0 },
    ]);
    await expectRejected(readImageArchive(zip, { maxTotalBytes: png.length + 10 }), "too_large");
    await expectRejected(readImageArchive(zip, { maxEntryBytes: 10 }), "too_large");
  });

  it("rejects a stored entry whose sizes disagree, and a CRC mismatch", async () => {
    await expectRejected(
      readImageArchive(writeZip([{ name: "a.png", data: png, method: 0, declaredUncompressedSize: png.length - 1 }])),
      "size_mismatch",
    );
    await expectRejected(readImageArchive(writeZip([{ name: "a.png", data: png, declaredCrc32: 12345 }])), "corrupt");
  });

  it("rejects a nested zip, by extension and by magic bytes", async () => {
    const inner = writeZip([{ name: "a.png", data: png }]);
    await expectRejected(readImageArchive(writeZip([{ name: "inner.zip", data: inner }])), "nested_archive");
    const disguised = await expectRejected(
      readImageArchive(writeZip([{ name: "inner.png", data: inner }])),
      "nested_archive",
    );
    expect(disguised.message).toMatch(/magic bytes/);
    await expectRejected(readImageArchive(writeZip([{ name: "x.tar.gz", data: "x" }])), "nested_archive");
  });

  it("rejects a text file, also when named .png", async () => {
    await expectRejected(readImageArchive(writeZip([{ name: "notes.txt", data: "hello" }])), "not_an_image");
    await expectRejected(readImageArchive(writeZip([{ name: "fake.png", data: "hello" }])), "not_an_image");
  });

  it("rejects a PNG whose header claims 30000×30000 pixels, without decoding it", async () => {
    const huge = pngClaiming(png, 30_000, 30_000);
    expect((await sharp(huge, { limitInputPixels: false }).metadata()).width).toBe(30_000);
    const error = await expectRejected(readImageArchive(writeZip([{ name: "huge.png", data: huge }])), "too_many_pixels");
    expect(error.message).toMatch(/30000×30000/);
  });

  it("rejects duplicate stems, case-insensitively, across folders", async () => {
    const zip = writeZip([
      { name: "a/img1.png", data: png },
      { name: "b/IMG1.jpg", data: jpeg },
    ]);
    await expectRejected(readImageArchive(zip), "duplicate_stem");
  });

  it("rejects encrypted entries and unknown compression methods", async () => {
    await expectRejected(readImageArchive(writeZip([{ name: "a.png", data: png, method: 0, flags: 0x1 }])), "encrypted");
    await expectRejected(
      readImageArchive(writeZip([{ name: "a.png", data: png, method: 0, declaredMethod: 12 }])),
      "unsupported_compression",
    );
  });

  it("rejects bytes that are not a zip at all", async () => {
    await expectRejected(readImageArchive(Buffer.from("definitely not a zip archive")), "corrupt");
  });
});

describe("magic bytes", () => {
  it("recognizes the five image formats and common archives", async () => {
    const base = sharp({ create: { width: 4, height: 4, channels: 3, background: "#808080" } });
    expect(sniffImageFormat(await base.clone().webp().toBuffer())).toBe("webp");
    expect(sniffImageFormat(await base.clone().tiff().toBuffer())).toBe("tiff");
    expect(sniffImageFormat(await base.clone().avif().toBuffer())).toBe("avif");
    expect(sniffImageFormat(png)).toBe("png");
    expect(sniffImageFormat(jpeg)).toBe("jpeg");
    expect(sniffImageFormat(Buffer.from("GIF89a"))).toBeNull();
    expect(sniffArchiveFormat(Buffer.from([0x1f, 0x8b, 8, 0]))).toBe("gzip");
    expect(sniffArchiveFormat(Buffer.from([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c, 0, 4]))).toBe("7z");
    expect(sniffArchiveFormat(Buffer.from("Rar!\x1a\x07\x00", "latin1"))).toBe("rar");
    const tar = Buffer.alloc(512);
    tar.write("ustar", 257, "latin1");
    expect(sniffArchiveFormat(tar)).toBe("tar");
    expect(sniffArchiveFormat(png)).toBeNull();
  });
});

describe("readImageFolder", () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), "archive-folder-"));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it("reads a folder with subfolders and skips dotfiles", async () => {
    const dir = path.join(root, "good");
    await mkdir(path.join(dir, "sub", ".hidden"), { recursive: true });
    await writeFile(path.join(dir, "a.png"), png);
    await writeFile(path.join(dir, "sub", "b.jpg"), jpeg);
    await writeFile(path.join(dir, ".DS_Store"), "junk");
    await writeFile(path.join(dir, "sub", ".hidden", "c.txt"), "junk");
    const images = await readImageFolder(dir);
    expect(images.map((i) => [i.name, i.stem, i.format])).toEqual([
      ["a.png", "a", "png"],
      ["sub/b.jpg", "b", "jpeg"],
    ]);
  });

  it("rejects a symlink inside the folder without following it", async () => {
    const dir = path.join(root, "link");
    await mkdir(dir);
    await writeFile(path.join(dir, "a.png"), png);
    await symlink("/etc/passwd", path.join(dir, "b.png"));
    await expectRejected(readImageFolder(dir), "symlink");
  });

  it("applies the content rules: text, nested archive, pixel limit, duplicate stems", async () => {
    const cases: Array<[string, Buffer | string, ArchiveErrorCode]> = [
      ["t.png", "hello", "not_an_image"],
      ["n.zip", writeZip([]), "nested_archive"],
      ["h.png", pngClaiming(png, 30_000, 30_000), "too_many_pixels"],
    ];
    for (const [file, content, code] of cases) {
      const dir = path.join(root, `case-${code}`);
      await mkdir(dir);
      await writeFile(path.join(dir, file), content);
      await expectRejected(readImageFolder(dir), code);
    }
    const dup = path.join(root, "dup");
    await mkdir(dup);
    await writeFile(path.join(dup, "x.png"), png);
    await writeFile(path.join(dup, "x.jpg"), jpeg);
    await expectRejected(readImageFolder(dup), "duplicate_stem");
  });

  it("rejects more entries than the limit", async () => {
    const dir = path.join(root, "many");
    await mkdir(dir);
    for (let i = 0; i < 4; i++) await writeFile(path.join(dir, `${i}.png`), png);
    await expectRejected(readImageFolder(dir, { maxEntries: 3 }), "too_many_entries");
    expect(await readImageFolder(dir, { maxEntries: 4 })).toHaveLength(4);
  });
});
