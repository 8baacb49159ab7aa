// `npm run quantization-accuracy -- --int8 models/full-int8.manifest.json --images DIR [--every 12]
//   [--limit 100] [--float MANIFEST] [--out DIR] [--json]`
//
// How far a quantized model's colours are from its float source's, on held-out photos, through
// the platform's own path (decode → L → network → annealed mean → full-resolution ab → sRGB,
// lib/images/colorize.ts): every --every-th photo of DIR (sorted by name), at most --limit.
// - ΔE2000 between the float and the int8 colorization of each photo (8-bit sRGB as a rater sees
//   it): the mean over all pixels, the 99th percentile over all pixels (pooled), and the worst
//   photo's mean;
// - the automatic metrics of each against the real photos (lib/metrics/method-metrics.ts, the
//   same as `npm run metrics`): AuC, class-rebalanced AuC, colourfulness, PSNR, hue shares.
// --float defaults to the manifest named in the int8 manifest's `quantization.source`.
// --out DIR writes DIR/float32/<stem>.png and DIR/int8/<stem>.png (for `npm run metrics` or eyes).
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { basename, extname, join, resolve } from "node:path";
import { z } from "zod";
import { colorizedToRgb8, colorizePrepared, encodeRgbPng, prepareImage } from "@/lib/images/colorize";
import { decodeRgb8, resizeRgb8 } from "@/lib/metrics/decode-image";
import { deltaE2000 } from "@/lib/metrics/delta-e";
import { MethodMetricsAccumulator, type MethodMetrics } from "@/lib/metrics/method-metrics";
import { rgb8ToLab } from "@/lib/model/color-space";
import { loadManifest } from "@/lib/model/manifest";
import { closeColorizers, loadColorizer } from "@/lib/model/session";
import { listPhotoNames } from "./support/image-folder";
import { checkFlags, CliUsageError, readFlags, runScript } from "./support/run-script";

const USAGE = `usage: npm run quantization-accuracy -- --int8 models/full-int8.manifest.json --images DIR [--every 12]
       [--limit 100] [--float MANIFEST] [--out DIR] [--json]`;

const argsSchema = z.object({
  int8: z.string({ error: "--int8 MANIFEST is required" }).min(1),
  images: z.string({ error: "--images DIR is required" }).min(1),
  every: z.coerce.number().int().min(1),
  limit: z.coerce.number().int().min(1),
  float: z.string().min(1).optional(),
  out: z.string().min(1).optional(),
  json: z.boolean(),
});

/** ΔE2000 values pooled in bins of 0.01 (percentiles to that resolution without keeping every pixel). */
class DeltaEHistogram {
  private readonly bins = new Float64Array(20001); // 0 … 200, the last bin open-ended
  private sum = 0;
  count = 0;
  add(value: number): void {
    this.bins[Math.min(this.bins.length - 1, Math.floor(value * 100))]!++;
    this.sum += value;
    this.count++;
  }
  mean(): number {
    return this.sum / this.count;
  }
  /** Upper edge of the bin holding the q-quantile. */
  quantile(q: number): number {
    let acc = 0;
    for (let i = 0; i < this.bins.length; i++) {
      acc += this.bins[i]!;
      if (acc >= q * this.count) return (i + 1) / 100;
    }
    return Infinity;
  }
}

const round = (x: number, digits = 3) => Number(x.toFixed(digits));
const summarize = (m: MethodMetrics) => ({
  auc: round(m.auc, 2),
  auc_rebalanced: round(m.aucRebalanced, 2),
  colourfulness: round(m.colourfulness, 2),
  colourfulness_real: round(m.colourfulnessGroundTruth, 2),
  psnr: round(m.psnr, 2),
  hue_share: { red: round(m.hues.red, 1), yellow: round(m.hues.yellow, 1), green: round(m.hues.green, 1), blue: round(m.hues.blue, 1), chromatic: round(m.hues.chromaticShare, 1) },
});

runScript(async () => {
  const raw = readFlags(
    {
      int8: { type: "string" },
      images: { type: "string" },
      every: { type: "string", default: "12" },
      limit: { type: "string", default: "100" },
      float: { type: "string" },
      out: { type: "string" },
      json: { type: "boolean", default: false },
    },
    USAGE,
  );
  if (!raw) return;
  const args = checkFlags(argsSchema, raw, USAGE);
  const log = (m: string) => process.stderr.write(`${m}\n`);

  const int8Manifest = await loadManifest(args.int8);
  const source = int8Manifest.manifest.quantization?.source;
  const floatPath = args.float ?? (source?.manifest ? resolve(args.int8, "..", source.manifest) : undefined);
  if (!floatPath) throw new CliUsageError(`${args.int8} names no float source manifest; pass --float`);
  const options = { providers: ["cpu"], log };
  const float = await loadColorizer(floatPath, options);
  const int8 = await loadColorizer(args.int8, options);
  if (float.manifest.inputWidth !== int8.manifest.inputWidth || float.manifest.inputHeight !== int8.manifest.inputHeight) {
    throw new CliUsageError("the two models take different input sizes");
  }

  const names = await listPhotoNames(args.images, "--images");
  const chosen = names.filter((_, i) => i % args.every === 0).slice(0, args.limit);
  if (chosen.length === 0) throw new CliUsageError(`no images in ${args.images}`);
  if (args.out) for (const side of ["float32", "int8"]) await mkdir(join(args.out, side), { recursive: true });
  log(`${chosen.length} photos: every ${args.every}th of ${names.length} in ${args.images}`);

  const histogram = new DeltaEHistogram();
  const perImage: { name: string; mean: number }[] = [];
  const metrics = { float32: new MethodMetricsAccumulator(), int8: new MethodMetricsAccumulator() };
  let resized = 0;
  for (const [index, name] of chosen.entries()) {
    const bytes = await readFile(join(args.images, name));
    const prepared = await prepareImage(bytes, float);
    const [a, b] = [(await colorizePrepared([prepared], float)).results[0]!, (await colorizePrepared([prepared], int8)).results[0]!];
    const rgbA = colorizedToRgb8(a);
    const rgbB = colorizedToRgb8(b);
    const labA = rgb8ToLab(rgbA);
    const labB = rgb8ToLab(rgbB);
    let sum = 0;
    for (let i = 0; i < labA.length; i += 3) {
      const d = deltaE2000([labA[i]!, labA[i + 1]!, labA[i + 2]!], [labB[i]!, labB[i + 1]!, labB[i + 2]!]);
      histogram.add(d);
      sum += d;
    }
    perImage.push({ name, mean: sum / (labA.length / 3) });
    const real = await decodeRgb8(bytes);
    for (const [side, rgb] of [["float32", rgbA], ["int8", rgbB]] as const) {
      let fake = { width: a.width, height: a.height, pixels: rgb };
      if (fake.width !== real.width || fake.height !== real.height) {
        fake = await resizeRgb8({ ...fake, channels: 3 }, real.width, real.height);
        resized++;
      }
      metrics[side].add(real, fake);
      if (args.out) await writeFile(join(args.out, side, `${basename(name, extname(name))}.png`), await encodeRgbPng(rgb, a.width, a.height));
    }
    if ((index + 1) % 20 === 0 || index + 1 === chosen.length) log(`${index + 1}/${chosen.length}`);
  }
  await closeColorizers();

  perImage.sort((x, y) => y.mean - x.mean);
  const result = {
    float32_model: float.manifest.modelPath,
    int8_model: int8.manifest.modelPath,
    images: { folder: args.images, every: args.every, count: chosen.length, pixels: histogram.count },
    delta_e2000: {
      mean: round(histogram.mean()),
      p99: round(histogram.quantile(0.99), 2),
      p999: round(histogram.quantile(0.999), 2),
      worst_image: { name: perImage[0]!.name, mean: round(perImage[0]!.mean) },
      images_with_mean_above_1: perImage.filter((p) => p.mean > 1).length,
    },
    metrics: { float32: summarize(metrics.float32.result()), int8: summarize(metrics.int8.result()) },
    ...(resized ? { resized_to_real: resized } : {}),
  };
  const f = result.metrics.float32, q = result.metrics.int8;
  log("");
  log(`ΔE2000 float32 → int8 over ${result.images.pixels} pixels of ${chosen.length} photos: mean ${result.delta_e2000.mean}, 99th percentile ${result.delta_e2000.p99}, 99.9th ${result.delta_e2000.p999}; worst photo ${result.delta_e2000.worst_image.name} (mean ${result.delta_e2000.worst_image.mean})`);
  log(`${"".padEnd(24)}${"float32".padStart(10)}${"int8".padStart(10)}`);
  for (const [label, x, y] of [
    ["AuC (%)", f.auc, q.auc],
    ["rebalanced AuC (%)", f.auc_rebalanced, q.auc_rebalanced],
    ["colourfulness", f.colourfulness, q.colourfulness],
    ["PSNR (dB)", f.psnr, q.psnr],
    ["hue red (%)", f.hue_share.red, q.hue_share.red],
    ["hue yellow (%)", f.hue_share.yellow, q.hue_share.yellow],
    ["hue green (%)", f.hue_share.green, q.hue_share.green],
    ["hue blue (%)", f.hue_share.blue, q.hue_share.blue],
    ["chromatic pixels (%)", f.hue_share.chromatic, q.hue_share.chromatic],
  ] as const) {
    log(`${label.padEnd(24)}${String(x).padStart(10)}${String(y).padStart(10)}`);
  }
  console.log(args.json ? JSON.stringify(result) : JSON.stringify(result, null, 2));
});
