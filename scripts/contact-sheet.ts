// `npm run contact-sheet -- --real DIR --column NAME=DIR [--column NAME=DIR ...] --out FILE.png
//   [--count 16] [--tile 96]`
//
// A contact sheet for looking at colours side by side: one row per photo (`--count` photos spread
// evenly over the real folder's images, in name order), one column for the real photo and one per
// `--column` (a folder of results matched by file-name stem, e.g. the output of `npm run colorize`).
// Each tile is the image's centre square resized to `--tile` pixels; column titles on top. Written
// as a palette PNG to keep it small. Missing results are an error (a sheet with holes misleads).
import { readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import sharp, { type OverlayOptions } from "sharp";
import { spreadEvenly } from "./support/image-folder";
import { CliUsageError, readFlags, runScript } from "./support/run-script";

const USAGE = "usage: npm run contact-sheet -- --real DIR --column NAME=DIR [...] --out FILE.png [--count 16] [--tile 96]";
const IMAGE = /\.(jpe?g|png|webp|tiff?)$/i;
const TITLE_HEIGHT = 22;

async function byStem(dir: string): Promise<Map<string, string>> {
  const names = (await readdir(dir)).filter((n) => IMAGE.test(n) && !n.startsWith(".")).sort();
  return new Map(names.map((n) => [n.slice(0, n.length - path.extname(n).length), path.join(dir, n)]));
}

async function tile(file: string, size: number): Promise<Buffer> {
  return sharp(await readFile(file)).removeAlpha().resize(size, size, { fit: "cover", position: "centre" }).png().toBuffer();
}

function title(text: string, width: number): Buffer {
  const escaped = text.replace(/&/g, "&amp;").replace(/</g, "&lt;");
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${TITLE_HEIGHT}"><rect width="100%" height="100%" fill="white"/>` +
      `<text x="50%" y="16" font-family="sans-serif" font-size="13" text-anchor="middle" fill="black">${escaped}</text></svg>`,
  );
}

runScript(async () => {
  const flags = readFlags(
    { real: { type: "string" }, column: { type: "string", multiple: true }, out: { type: "string" }, count: { type: "string", default: "16" }, tile: { type: "string", default: "96" } },
    USAGE,
  );
  if (!flags) return;
  const values = flags as { real?: string; column?: string[]; out?: string; count: string; tile: string };
  if (!values.real || !values.out || !values.column?.length) throw new CliUsageError(USAGE);
  const count = Number(values.count);
  const size = Number(values.tile);
  if (!Number.isInteger(count) || count < 1 || !Number.isInteger(size) || size < 16) throw new CliUsageError(`--count and --tile must be positive integers\n${USAGE}`);
  const columns = values.column.map((c) => {
    const eq = c.indexOf("=");
    if (eq <= 0) throw new CliUsageError(`--column ${c}: expected NAME=DIR`);
    return { name: c.slice(0, eq), dir: c.slice(eq + 1) };
  });
  const real = await byStem(values.real);
  const stems = [...real.keys()];
  if (stems.length === 0) throw new CliUsageError(`no images in ${values.real}`);
  const chosen = spreadEvenly(stems, count);
  const folders = await Promise.all(columns.map((c) => byStem(c.dir)));

  const width = size * (columns.length + 1);
  const composites: OverlayOptions[] = [];
  ["real", ...columns.map((c) => c.name)].forEach((name, k) => composites.push({ input: title(name, size), left: k * size, top: 0 }));
  for (const [row, stem] of chosen.entries()) {
    const top = TITLE_HEIGHT + row * size;
    composites.push({ input: await tile(real.get(stem)!, size), left: 0, top });
    for (const [k, folder] of folders.entries()) {
      const file = folder.get(stem);
      if (!file) throw new CliUsageError(`${columns[k]!.dir}: no result for ${stem}`);
      composites.push({ input: await tile(file, size), left: (k + 1) * size, top });
    }
  }
  const png = await sharp({ create: { width, height: TITLE_HEIGHT + chosen.length * size, channels: 3, background: "white" } })
    .composite(composites)
    .png({ palette: true, quality: 90, compressionLevel: 9 })
    .toBuffer();
  await writeFile(values.out, png);
  console.log(`wrote ${values.out}: ${chosen.length} photos × ${columns.length + 1} columns, ${(png.length / 1024).toFixed(0)} KiB`);
});
