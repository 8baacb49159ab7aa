// `npm run metrics -- --real DIR --fake DIR [--json] [--prior FILE]`: the automatic metrics of one
// method (lib/metrics/method-metrics.ts) over the images of two folders matched by file-name stem.
//
// - Images are the files with an image extension (jpg, jpeg, png, webp, tif, tiff, avif) directly in
//   each folder; dotfiles are skipped; two images with the same stem in one folder are an error.
// - Unmatched files on either side are reported and left out.
// - A fake whose size differs from its real is resized to the real's size (Lanczos-3) and noted.
// - `--prior FILE`: a JSON file with `ab_bins` (313 [a, b] centres) and `imagenet_prior` (313
//   probabilities), such as ../shared/datasets/reference/ab-bins-and-prior.json; the rebalanced AuC
//   is then also reported with that prior (mapped to our bin order by centre).
// - Prints a table; with `--json`, one JSON object as the last line of stdout (PSNR of identical
//   images is the string "Infinity").
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { decodeRgb8, resizeRgb8 } from "@/lib/metrics/decode-image";
import { MethodMetricsAccumulator } from "@/lib/metrics/method-metrics";
import type { MethodMetrics } from "@/lib/metrics/method-metrics";
import { abBinIndex, NUM_AB_BINS } from "@/lib/model/ab-bins";
import { PHOTO_EXTENSIONS } from "./support/image-folder";
import { CliUsageError, readFlags, runScript } from "./support/run-script";

const USAGE = "usage: npm run metrics -- --real DIR --fake DIR [--json] [--prior FILE]";

const argsSchema = z.object({
  real: z.string({ error: "--real DIR is required" }).min(1),
  fake: z.string({ error: "--fake DIR is required" }).min(1),
  json: z.boolean().default(false),
  prior: z.string().min(1).optional(),
  help: z.boolean().default(false),
});

const priorFileSchema = z.object({
  ab_bins: z.array(z.tuple([z.number(), z.number()])).length(NUM_AB_BINS),
  imagenet_prior: z.array(z.number().nonnegative()).length(NUM_AB_BINS),
});

/** Image files directly in `dir`, by stem. */
async function listImages(dir: string): Promise<{ byStem: Map<string, string>; skipped: string[] }> {
  let names: string[];
  try {
    names = (await readdir(dir, { withFileTypes: true })).filter((d) => d.isFile()).map((d) => d.name);
  } catch (err) {
    throw new CliUsageError(`cannot read folder ${dir}: ${(err as Error).message}`);
  }
  names.sort();
  const byStem = new Map<string, string>();
  const skipped: string[] = [];
  for (const name of names) {
    const ext = path.extname(name).toLowerCase();
    if (name.startsWith(".") || !PHOTO_EXTENSIONS.has(ext)) {
      skipped.push(name);
      continue;
    }
    const stem = name.slice(0, name.length - ext.length);
    const previous = byStem.get(stem);
    if (previous !== undefined) throw new CliUsageError(`${dir}: ${previous} and ${name} have the same stem "${stem}"`);
    byStem.set(stem, name);
  }
  return { byStem, skipped };
}

/** The prior of `file` in the order of lib/model/ab-bins.ts, matched by bin centre. */
async function readPrior(file: string): Promise<Float64Array> {
  const parsed = priorFileSchema.safeParse(JSON.parse(await readFile(file, "utf8")));
  if (!parsed.success) throw new CliUsageError(`${file}: expected { ab_bins: 313 × [a, b], imagenet_prior: 313 numbers }`);
  const prior = new Float64Array(NUM_AB_BINS).fill(Number.NaN);
  parsed.data.ab_bins.forEach(([a, b], k) => {
    const index = abBinIndex(a, b);
    if (index < 0) throw new CliUsageError(`${file}: bin (${a}, ${b}) is not one of our 313 bins`);
    prior[index] = parsed.data.imagenet_prior[k]!;
  });
  if (prior.some(Number.isNaN)) throw new CliUsageError(`${file}: its bins do not cover our 313 bins`);
  return prior;
}

const format = (x: number, digits: number) => (Number.isFinite(x) ? x.toFixed(digits) : String(x));

runScript(async () => {
  const raw = readFlags({ real: { type: "string" }, fake: { type: "string" }, json: { type: "boolean" }, prior: { type: "string" } }, USAGE);
  if (!raw) return;
  const parsed = argsSchema.safeParse(raw);
  if (!parsed.success) throw new CliUsageError(`${parsed.error.issues.map((i) => i.message).join("; ")}\n${USAGE}`);
  const args = parsed.data;

  const real = await listImages(args.real);
  const fake = await listImages(args.fake);
  const stems = [...real.byStem.keys()].filter((stem) => fake.byStem.has(stem));
  const unmatchedReal = [...real.byStem.keys()].filter((stem) => !fake.byStem.has(stem)).map((s) => real.byStem.get(s)!);
  const unmatchedFake = [...fake.byStem.keys()].filter((stem) => !real.byStem.has(stem)).map((s) => fake.byStem.get(s)!);
  const prior = args.prior === undefined ? undefined : await readPrior(args.prior);

  const log = (line: string) => console.log(line);
  log(`metrics: ${stems.length} matched pair(s); real ${args.real}, fake ${args.fake}`);
  if (unmatchedReal.length) log(`  unmatched real (no fake with that stem), left out: ${unmatchedReal.length}: ${unmatchedReal.join(", ")}`);
  if (unmatchedFake.length) log(`  unmatched fake (no real with that stem), left out: ${unmatchedFake.length}: ${unmatchedFake.join(", ")}`);
  for (const [side, list] of [["real", real.skipped], ["fake", fake.skipped]] as const) {
    if (list.length) log(`  skipped in ${side} (not an image file name): ${list.join(", ")}`);
  }
  if (stems.length === 0) throw new CliUsageError("no file names match between the two folders");

  const accumulator = new MethodMetricsAccumulator();
  const resized: string[] = [];
  for (const stem of stems) {
    const realName = real.byStem.get(stem)!;
    const fakeName = fake.byStem.get(stem)!;
    let realImage, fakeImage;
    try {
      realImage = await decodeRgb8(await readFile(path.join(args.real, realName)));
      fakeImage = await decodeRgb8(await readFile(path.join(args.fake, fakeName)));
    } catch (err) {
      throw new CliUsageError(`${stem}: cannot decode: ${(err as Error).message}`);
    }
    if (fakeImage.width !== realImage.width || fakeImage.height !== realImage.height) {
      const note = `${fakeName}: ${fakeImage.width}×${fakeImage.height} resized to the real's ${realImage.width}×${realImage.height}`;
      resized.push(note);
      log(`  note: ${note}`);
      fakeImage = await resizeRgb8(fakeImage, realImage.width, realImage.height);
    }
    accumulator.add(realImage, fakeImage);
  }

  const metrics: MethodMetrics = accumulator.result();
  const aucRebalancedPrior = prior === undefined ? undefined : accumulator.result(prior).aucRebalanced;
  const rows: Array<[string, string]> = [
    ["images", String(metrics.images)],
    ["AuC, raw (%; thresholds 0..150, pooled pixels)", format(metrics.auc, 2)],
    ["AuC, class-rebalanced (%; classes of these real images)", format(metrics.aucRebalanced, 2)],
    ...(aucRebalancedPrior === undefined
      ? []
      : [["AuC, class-rebalanced (%; prior from --prior)", format(aucRebalancedPrior, 2)] as [string, string]]),
    ["colourfulness of the fakes (Hasler–Süsstrunk M, mean)", format(metrics.colourfulness, 2)],
    ["colourfulness of the reals", format(metrics.colourfulnessGroundTruth, 2)],
    ["colourfulness gap (fake − real)", format(metrics.colourfulnessGap, 2)],
    ["PSNR, RGB (dB, mean over images)", format(metrics.psnr, 2)],
    ...(["red", "yellow", "green", "blue"] as const).map(
      (hue) =>
        [`hue share ${hue} (% of chromatic pixels; fake / real)`, `${format(metrics.hues[hue], 1)} / ${format(metrics.huesGroundTruth[hue], 1)}`] as [string, string],
    ),
    ["chromatic pixels (% with chroma > 10; fake / real)", `${format(metrics.hues.chromaticShare, 1)} / ${format(metrics.huesGroundTruth.chromaticShare, 1)}`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  log("");
  for (const [key, value] of rows) log(`${key.padEnd(width)}  ${value.padStart(12)}`);
  log("");
  log("hue classes, % of all pixels (rows: real; columns: fake; neutral = chroma ≤ 10)");
  const { classes, percent } = metrics.hueConfusion;
  log(["".padEnd(8), ...classes.map((c) => c.padStart(8))].join(" "));
  classes.forEach((real, i) => log([real.padEnd(8), ...percent[i]!.map((x) => format(x, 1).padStart(8))].join(" ")));

  if (args.json) {
    const nonFinite = (x: number) => (Number.isFinite(x) ? x : String(x));
    console.log(
      JSON.stringify({
        real: args.real,
        fake: args.fake,
        ...metrics,
        psnr: nonFinite(metrics.psnr),
        ...(aucRebalancedPrior === undefined ? {} : { aucRebalancedPrior }),
        unmatchedReal,
        unmatchedFake,
        resized,
      }),
    );
  }
});
