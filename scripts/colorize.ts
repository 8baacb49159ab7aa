// `npm run colorize -- <input file or folder> <output folder> [--model models/full.manifest.json]
//   [--temperature 0.38] [--batch 8] [--providers cuda,webgpu,cpu] [--pixel-limit 40000000] [--png-level 0]`
//
// Colorizes every image (JPEG, PNG, WebP, TIFF, AVIF, GIF) of a file or folder and writes
// <output>/<name>.png at the input's full resolution: the original L joined with the predicted ab.
// --png-level (zlib 0–9, default 0) trades writing time for file size (see encodeRgbPng).
// Progress goes to stderr; a summary (images, time, provider) ends the run. An image that cannot be
// decoded is reported and skipped, and nothing is written for it (outputs are written to a temporary
// name and renamed, so a partial file never appears). Exit code: 0 all done, 1 some images failed,
// 2 bad usage or an unusable model (then nothing is written at all).
import { mkdir, readdir, readFile, stat } from "node:fs/promises";
import { basename, extname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import { aspectRatioWarning, colorizedToRgb8, DEFAULT_PNG_COMPRESSION_LEVEL, encodeRgbPng } from "@/lib/images/colorize";
import { colorizePipeline } from "@/lib/images/colorize-pipeline";
import { DEFAULT_PIXEL_LIMIT } from "@/lib/images/decode";
import { ImageError } from "@/lib/images/errors";
import { ModelError } from "@/lib/model/errors";
import { DEFAULT_EXECUTION_PROVIDERS } from "@/lib/model/session";
import { startWorkerColorizer } from "@/lib/model/worker-colorizer";
import { writeAtomically } from "./support/run-script";

export const IMAGE_EXTENSIONS = new Set([".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff", ".avif", ".gif"]);

const argsSchema = z.object({
  input: z.string().min(1),
  output: z.string().min(1),
  model: z.string().min(1),
  temperature: z.coerce.number().finite().min(0).optional(),
  batch: z.coerce.number().int().min(1).max(256),
  providers: z.array(z.string().min(1)).min(1),
  pixelLimit: z.coerce.number().int().min(1),
  pngLevel: z.coerce.number().int().min(0).max(9),
});

const usage = `usage: npm run colorize -- <input file or folder> <output folder> [--model models/full.manifest.json]
       [--temperature 0.38] [--batch 8] [--providers cuda,webgpu,cpu] [--pixel-limit 40000000] [--png-level 0]`;

class UsageError extends Error {}

function parse(argv: string[]): z.infer<typeof argsSchema> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        model: { type: "string", default: "models/full.manifest.json" },
        temperature: { type: "string" },
        batch: { type: "string", default: "8" },
        providers: { type: "string", default: DEFAULT_EXECUTION_PROVIDERS.join(",") },
        "pixel-limit": { type: "string", default: String(DEFAULT_PIXEL_LIMIT) },
        "png-level": { type: "string", default: String(DEFAULT_PNG_COMPRESSION_LEVEL) },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (parsed.values.help) {
    console.log(usage);
    process.exit(0);
  }
  if (parsed.positionals.length !== 2) throw new UsageError("expected an input and an output path");
  const result = argsSchema.safeParse({
    input: parsed.positionals[0],
    output: parsed.positionals[1],
    model: parsed.values.model,
    temperature: parsed.values.temperature,
    batch: parsed.values.batch,
    providers: parsed.values.providers.split(",").map((p) => p.trim()).filter(Boolean),
    pixelLimit: parsed.values["pixel-limit"],
    pngLevel: parsed.values["png-level"],
  });
  if (!result.success) throw new UsageError(result.error.issues.map((i) => `--${i.path.join(".")}: ${i.message}`).join("; "));
  return result.data;
}

async function listInputs(input: string): Promise<string[]> {
  const info = await stat(input).catch(() => null);
  if (!info) throw new UsageError(`input not found: ${input}`);
  if (info.isFile()) return [resolve(input)];
  const names = (await readdir(input)).filter((n) => IMAGE_EXTENSIONS.has(extname(n).toLowerCase())).sort();
  if (names.length === 0) throw new UsageError(`no images (${[...IMAGE_EXTENSIONS].join(" ")}) in ${input}`);
  return names.map((n) => resolve(input, n));
}

/** A progress bar on stderr (redrawn in place on a terminal, one line per 10% otherwise). */
function progress(total: number): (done: number, failed: number) => void {
  const start = performance.now();
  let lastDecile = -1;
  return (done, failed) => {
    const seconds = (performance.now() - start) / 1000;
    const rate = done / Math.max(seconds, 1e-9);
    const width = 30;
    const filled = Math.round((done / total) * width);
    const line = `[${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${total} images${failed ? `, ${failed} failed` : ""}, ${rate.toFixed(2)} images/s`;
    if (process.stderr.isTTY) {
      process.stderr.write(`\r${line}${done === total ? "\n" : ""}`);
    } else {
      const decile = Math.floor((10 * done) / total);
      if (decile !== lastDecile) {
        lastDecile = decile;
        process.stderr.write(`${line}\n`);
      }
    }
  };
}

/** How the model's output becomes ab: a temperature only exists for class distributions. */
function decodingSummary(kind: "logits" | "probabilities" | "ab", temperature: number): string {
  return kind === "ab" ? "ab predicted directly (no temperature)" : `annealed mean T = ${temperature}`;
}

async function main(argv: string[]): Promise<number> {
  const args = parse(argv);
  const inputs = await listInputs(args.input);
  // The network runs on a worker thread, so decoding and encoding overlap with it (colorizePipeline).
  const colorizer = await startWorkerColorizer(args.model, {
    providers: args.providers,
    maxBatch: args.batch,
    log: (m) => process.stderr.write(`${m}\n`),
  });
  if (args.temperature !== undefined && colorizer.manifest.manifest.output.kind === "ab") {
    process.stderr.write(`warning: --temperature ${args.temperature} is ignored: ${colorizer.manifest.manifest.name} predicts ab directly\n`);
  }
  await mkdir(args.output, { recursive: true });
  const started = performance.now();
  const show = progress(inputs.length);
  const failures: { file: string; reason: string }[] = [];
  let done = 0;
  show(0, 0);
  const newline = process.stderr.isTTY ? "\n" : "";
  let timings;
  try {
    timings = await colorizePipeline(
      inputs,
      (file) => readFile(file),
      colorizer,
      async (file, result) => {
        const png = await encodeRgbPng(colorizedToRgb8(result), result.width, result.height, args.pngLevel);
        await writeAtomically(join(args.output, `${basename(file, extname(file))}.png`), png);
        show(++done, failures.length);
      },
      {
        batch: args.batch,
        limitInputPixels: args.pixelLimit,
        ...(args.temperature === undefined ? {} : { temperature: args.temperature }),
        onPrepared: (file, image) => {
          const squashed = aspectRatioWarning(image.width, image.height, colorizer.manifest.inputWidth, colorizer.manifest.inputHeight);
          if (squashed) process.stderr.write(`${newline}warning: ${basename(file)}: ${squashed}\n`);
        },
        onSkip: (file, error) => {
          failures.push({ file, reason: error.message });
          process.stderr.write(`${newline}skipped ${file}: ${error.message}\n`);
          show(++done, failures.length);
        },
      },
    );
  } finally {
    await colorizer.close();
  }
  const inferenceMs = timings.inferenceMs;
  const seconds = (performance.now() - started) / 1000;
  const ok = inputs.length - failures.length;
  console.error(
    `colorized ${ok}/${inputs.length} images in ${seconds.toFixed(1)} s (${(ok / Math.max(seconds, 1e-9)).toFixed(2)} images/s, ` +
      `inference ${(inferenceMs / 1000).toFixed(1)} s) with ${colorizer.manifest.manifest.name} on execution provider "${colorizer.provider}"` +
      `, ${decodingSummary(colorizer.manifest.manifest.output.kind, args.temperature ?? colorizer.manifest.defaultTemperature)}; output in ${resolve(args.output)}`,
  );
  if (failures.length) console.error(`${failures.length} image(s) failed:\n${failures.map((f) => `  ${f.file}: ${f.reason}`).join("\n")}`);
  return failures.length ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) console.error(`error: ${error.message}\n${usage}`);
    else if (error instanceof ModelError || error instanceof ImageError) console.error(`error: ${error.message}`);
    else console.error(error);
    process.exit(2);
  },
);
