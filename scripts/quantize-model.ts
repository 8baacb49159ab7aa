// `npm run quantize-model -- --manifest models/full.manifest.json --calibration DIR [--images 64]
//   [--out models/full-int8.manifest.json] [--method percentile|mse|minmax] [--percentile 99.99]
//   [--keep-head-float] [--float-nodes NAME,…] [--bias-correction PASSES] [--threads N] [--json]`
//
// Writes an int8 copy of a float colorizer (lib/model/quantize.ts) and its manifest:
// - calibration: --images photos spread evenly over DIR (sorted by name), each decoded and reduced
//   to the network's input L exactly as the colorizer does (lib/images/colorize.ts prepareImage);
// - the int8 ONNX goes beside --out (default: <source>-int8.manifest.json beside the source
//   manifest, file <source>-int8.onnx); the manifest records the source file and its SHA-256,
//   the calibration folder, count, input size and method (manifest field `quantization`);
// - then checks what was written: the operators onnxruntime actually runs after its graph
//   optimizations (integer kernels, not float convolutions), the inference time of both models
//   side by side (same batches, interleaved, load average printed beside), and the ab difference
//   on the calibration images. The accuracy check on held-out photos is
//   `npm run quantization-accuracy`.
// Rerun it whenever the source model changes: the output is rebuilt from scratch.
import { mkdir, readFile } from "node:fs/promises";
import os from "node:os";
import { basename, dirname, join } from "node:path";
import { z } from "zod";
import { prepareImage } from "@/lib/images/colorize";
import { ImageError } from "@/lib/images/errors";
import { loadManifest, manifestSchema } from "@/lib/model/manifest";
import { abDifference, calibrationBatches, optimizedOperatorCounts, quantizedManifest, quantizeModel } from "@/lib/model/quantize";
import { closeColorizers, loadColorizer, type Colorizer } from "@/lib/model/session";
import { listPhotoNames, spreadEvenly } from "./support/image-folder";
import { derivedModelPaths, sourceRecord } from "./support/derived-model";
import { checkFlags, CliUsageError, readFlags, runScript, writeAtomically } from "./support/run-script";

const USAGE = `usage: npm run quantize-model -- --manifest models/full.manifest.json --calibration DIR [--images 64]
       [--out models/full-int8.manifest.json] [--method percentile|mse|minmax] [--percentile 99.99]
       [--keep-head-float] [--float-nodes NAME,…] [--bias-correction PASSES] [--threads N] [--json]`;

const argsSchema = z.object({
  manifest: z.string({ error: "--manifest is required" }).min(1),
  calibration: z.string({ error: "--calibration DIR is required" }).min(1),
  images: z.coerce.number().int().min(1).max(100000),
  out: z.string().min(1).optional(),
  method: z.enum(["percentile", "minmax", "mse"]),
  percentile: z.coerce.number().gt(50).max(100),
  keepHeadFloat: z.boolean(),
  floatNodes: z.array(z.string().min(1)),
  biasCorrection: z.coerce.number().int().min(0).max(10),
  threads: z.coerce.number().int().min(1),
  json: z.boolean(),
});

/** Median inference ms per image of each colorizer over `rounds` interleaved passes. */
async function timeSideBySide(colorizers: Colorizer[], planes: Float32Array[], rounds: number): Promise<number[]> {
  const samples: number[][] = colorizers.map(() => []);
  for (const c of colorizers) await c.predictAb(planes.slice(0, c.maxBatch)); // warm-up
  for (let r = 0; r < rounds; r++) {
    for (const [k, c] of colorizers.entries()) {
      const { timings } = await c.predictAb(planes);
      samples[k]!.push((timings.prepareMs + timings.inferenceMs) / planes.length);
    }
  }
  return samples.map((s) => s.sort((a, b) => a - b)[Math.floor(s.length / 2)]!);
}

runScript(async () => {
  const raw = readFlags(
    {
      manifest: { type: "string" },
      calibration: { type: "string" },
      images: { type: "string", default: "64" },
      out: { type: "string" },
      method: { type: "string", default: "percentile" },
      percentile: { type: "string", default: "99.99" },
      "keep-head-float": { type: "boolean", default: false },
      "float-nodes": { type: "string", default: "" },
      "bias-correction": { type: "string", default: "0" },
      threads: { type: "string", default: String(os.availableParallelism()) },
      json: { type: "boolean", default: false },
    },
    USAGE,
  );
  if (!raw) return;
  const args = checkFlags(
    argsSchema,
    { ...raw, keepHeadFloat: raw["keep-head-float"], biasCorrection: raw["bias-correction"], floatNodes: String(raw["float-nodes"]).split(",").map((s) => s.trim()).filter(Boolean) },
    USAGE,
  );
  const log = (m: string) => process.stderr.write(`${m}\n`);

  const source = await loadManifest(args.manifest);
  if (source.manifest.quantization) throw new CliUsageError(`${args.manifest} is already a quantized model; pass its float source (${source.manifest.quantization.source.file})`);
  const { manifest: outManifest, model: outModel } = derivedModelPaths(args.manifest, source.modelPath, args.out, "int8");

  // Calibration photos, reduced to the network's input exactly as the colorizer does.
  const photos = spreadEvenly(await listPhotoNames(args.calibration, "--calibration"), args.images);
  if (photos.length === 0) throw new CliUsageError(`no images in ${args.calibration}`);
  const colorizerOptions = { providers: ["cpu"], intraOpNumThreads: args.threads, log };
  const float = await loadColorizer(args.manifest, colorizerOptions);
  const planes: Float32Array[] = [];
  for (const name of photos) {
    try {
      planes.push((await prepareImage(await readFile(join(args.calibration, name)), float)).lInput);
    } catch (error) {
      if (!(error instanceof ImageError)) throw error;
      log(`skipping ${name}: ${error.message}`);
    }
  }
  if (planes.length === 0) throw new CliUsageError(`none of the images in ${args.calibration} could be decoded`);
  log(`calibrating on ${planes.length} photos from ${args.calibration} at ${source.inputWidth}×${source.inputHeight} (${args.method}${args.method === "percentile" ? ` ${args.percentile}` : ""})`);

  const sourceBytes = await readFile(source.modelPath);
  const sourceFile = sourceRecord(sourceBytes, source.modelPath, args.manifest, outManifest);
  const { sha256 } = sourceFile;
  const started = performance.now();
  const quantized = await quantizeModel(new Uint8Array(sourceBytes.buffer, sourceBytes.byteOffset, sourceBytes.byteLength), calibrationBatches(planes, source.manifest.input), {
    method: args.method,
    percentile: args.percentile,
    keepHeadFloat: args.keepHeadFloat,
    floatNodes: args.floatNodes,
    biasCorrectionPasses: args.biasCorrection,
    threads: args.threads,
    metadata: { quantized_from: basename(source.modelPath), quantized_from_sha256: sha256 },
  });
  const quantizeSeconds = (performance.now() - started) / 1000;
  const { biasCorrection } = quantized.report;
  if (biasCorrection.passes > 0) log(`bias correction: median channel shift per pass ${biasCorrection.medianShift.map((s) => s.toPrecision(3)).join(" → ")}`);

  const manifest = quantizedManifest(source.manifest, quantized, {
    file: basename(outModel),
    source: sourceFile,
    calibration: { images: args.calibration, count: planes.length, method: args.method, percentile: args.percentile },
    tool: "npm run quantize-model (lib/model/quantize.ts)",
  });
  manifestSchema.parse(manifest); // what we write must load
  await mkdir(dirname(outManifest), { recursive: true });
  await writeAtomically(outModel, quantized.bytes);
  await writeAtomically(outManifest, `${JSON.stringify(manifest, null, 2)}\n`);
  log(`wrote ${outModel} (${(quantized.bytes.length / 1e6).toFixed(2)} MB; float ${(sourceBytes.length / 1e6).toFixed(2)} MB) and ${outManifest}`);

  // What onnxruntime runs: integer kernels, and how many float weight-bearing ops are left.
  const operators = await optimizedOperatorCounts(outModel, args.threads);
  const integerOps = Object.entries(operators).filter(([op]) => /QLinear|Integer/.test(op)).reduce((a, [, n]) => a + n, 0);
  const floatWeighted = Object.entries(operators).filter(([op]) => /(^|\.)(Conv|ConvTranspose|MatMul|Gemm|FusedConv|FusedMatMul)$/.test(op)).reduce((a, [, n]) => a + n, 0);
  log(`onnxruntime runs: ${Object.entries(operators).map(([op, n]) => `${op} ×${n}`).join(", ")}`);
  if (integerOps === 0) throw new Error("onnxruntime fused none of the quantized nodes into integer kernels: the model would run dequantized float convolutions");

  // Side by side, the same L planes through the platform's path (annealed mean included).
  const int8 = await loadColorizer(outManifest, colorizerOptions);
  const sample = planes.slice(0, Math.min(planes.length, 16));
  const loadBefore = os.loadavg()[0]!;
  const [floatMs = NaN, int8Ms = NaN] = await timeSideBySide([float, int8], sample, 3);
  const loadAfter = os.loadavg()[0]!;
  const a = await float.predictAb(planes);
  const b = await int8.predictAb(planes);
  const difference = abDifference(a.ab, b.ab);
  await closeColorizers();
  const summary = {
    source: source.modelPath,
    source_sha256: sha256,
    int8_model: outModel,
    manifest: outManifest,
    calibration: manifest.quantization!.calibration,
    quantize_seconds: Number(quantizeSeconds.toFixed(1)),
    size_mb: { float32: Number((sourceBytes.length / 1e6).toFixed(2)), int8: Number((quantized.bytes.length / 1e6).toFixed(2)) },
    graph_rewrites: quantized.report.graphRewrites,
    quantized_nodes: quantized.report.quantizedNodes,
    float_nodes: quantized.report.floatNodes,
    bias_correction: quantized.report.biasCorrection,
    onnxruntime_operators: operators,
    integer_kernels: integerOps,
    float_weighted_kernels: floatWeighted,
    inference_ms_per_image: { float32: Number(floatMs.toFixed(2)), int8: Number(int8Ms.toFixed(2)), batch: sample.length, threads: args.threads },
    speedup: Number((floatMs / int8Ms).toFixed(2)),
    load_average: { before: Number(loadBefore.toFixed(2)), after: Number(loadAfter.toFixed(2)), cpus: os.availableParallelism() },
    calibration_ab_difference: { mean: Number(difference.mean.toFixed(3)), max: Number(difference.max.toFixed(2)), note: "|Δab| per output pixel, annealed mean, on the calibration photos (not held out)" },
  };
  log(
    `inference ${floatMs.toFixed(1)} → ${int8Ms.toFixed(1)} ms/image (${summary.speedup}×, ${sample.length} images, ${args.threads} threads, load average ${summary.load_average.before} → ${summary.load_average.after} on ${summary.load_average.cpus} CPUs); ` +
      `mean |Δab| ${summary.calibration_ab_difference.mean} on the calibration photos. Held-out accuracy: npm run quantization-accuracy`,
  );
  if (summary.speedup < 1.2) log("warning: the int8 model is not clearly faster here; check that this CPU has integer dot-product instructions (AVX-512 VNNI / AVX-VNNI) and that the machine was not busy");
  if (args.json) console.log(JSON.stringify(summary));
  else console.log(JSON.stringify(summary, null, 2));
});
