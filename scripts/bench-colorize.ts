// `npm run bench:colorize -- --json [--model models/full.manifest.json] [--images DIR] [--count 16]
//   [--batches 1,8] [--threads N] [--providers cpu] [--synthetic [--width 64]] [--int8] [--no-pytorch] [--sweep] [--png-level 0]`
//
// End-to-end colorizer throughput on the CPU (or the providers given) at the network's input size
// (256×256 for our models): decode + preprocess (sharp decode, L, resize to the input) / inference
// (tensor + session.run) / postprocess + encode (annealed mean, ab to full resolution, Lab → sRGB,
// PNG encode), for each batch size; peak RSS; and, in the same run, the same network with the same
// weights and threads in PyTorch eager (scripts/bench_colorize_pytorch.py --serve, checked to give
// the same output) plus the machine's float32 matrix-product rate. PyTorch and peak measurements are
// interleaved with ours batch by batch, so a busy machine slows both sides alike. Prints one JSON
// object last on stdout (see docs/benchmarks.md).
//
// Model: --model, else models/full.manifest.json when present (unless --synthetic), else the ECCV16
// architecture built with seeded random weights at --width (default 64, the paper's network; speed
// does not depend on the weights). Images: --images, else /work/shared/datasets/stimuli/bsds500-test when present, else
// synthetic 481×321 JPEGs.
//
// Precision: a quantized model (a manifest with `quantization`, e.g. models/full-int8.manifest.json)
// runs int8 on our side while PyTorch runs its float32 source (`quantization.source.file`): the
// comparison is our int8 against PyTorch's float32 network with the same trained weights. `--int8`
// quantizes the chosen float model first (lib/model/quantize.ts, calibrated on the benchmark's own
// images), e.g. `--synthetic --int8` for the paper-size network. The JSON's `precision` says
// which precision each side ran.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import { extname, join } from "node:path";
import { parseArgs } from "node:util";
import * as ort from "onnxruntime-node";
import sharp from "sharp";
import { colorizePrepared, colorizedToRgb8, DEFAULT_PNG_COMPRESSION_LEVEL, encodeRgbPng, prepareImage, type ColorizedImage } from "@/lib/images/colorize";
import { colorizePipeline } from "@/lib/images/colorize-pipeline";
import { ImageError } from "@/lib/images/errors";
import { ModelError } from "@/lib/model/errors";
import { loadManifest, type ModelManifest } from "@/lib/model/manifest";
import { closeColorizers, loadColorizer, type ColorizerOptions } from "@/lib/model/session";
import { startWorkerColorizer } from "@/lib/model/worker-colorizer";
import { buildOnnxModel } from "@/lib/model/onnx-writer";
import { abDifference, calibrationBatches, quantizedManifest, quantizeModel } from "@/lib/model/quantize";
import { buildEccv16Onnx } from "./support/eccv16-onnx";
import { PHOTO_EXTENSIONS } from "./support/image-folder";

const DEFAULT_IMAGES = "/work/shared/datasets/stimuli/bsds500-test";
const DEFAULT_MODEL = "models/full.manifest.json";

const { values: opts } = parseArgs({
  options: {
    json: { type: "boolean", default: false },
    model: { type: "string" },
    images: { type: "string" },
    count: { type: "string", default: "16" },
    batches: { type: "string", default: "1,8" },
    threads: { type: "string", default: String(os.availableParallelism()) },
    providers: { type: "string", default: "cpu" },
    width: { type: "string", default: "64" },
    python: { type: "string", default: "/usr/bin/python3" },
    "no-pytorch": { type: "boolean", default: false },
    synthetic: { type: "boolean", default: false },
    int8: { type: "boolean", default: false },
    sweep: { type: "boolean", default: false },
    "png-level": { type: "string", default: String(DEFAULT_PNG_COMPRESSION_LEVEL) },
  },
});

const count = Number(opts.count);
const threads = Number(opts.threads);
const batches = opts.batches.split(",").map(Number);
const pngLevel = Number(opts["png-level"]);
const providers = opts.providers.split(",").map((p) => p.trim()).filter(Boolean);
if (!(count >= 1) || !(threads >= 1) || batches.some((b) => !(b >= 1))) throw new Error("--count, --threads and --batches must be positive integers");
const log = (m: string) => process.stderr.write(`${m}\n`);

interface BenchModel {
  manifestPath: string;
  synthesized: boolean;
  macsPerImage?: number;
  /** The float32 ONNX PyTorch runs: the model itself, or the source of a quantized one. */
  floatModelPath: string;
  precision: "float32" | "int8";
  quantization?: NonNullable<ModelManifest["quantization"]>;
  /** --int8: annealed-mean ab of the int8 against the float32 network on the benchmark's images. */
  agreement?: { images: number; mean_ab_difference: number; p99_ab_difference: number };
}

async function resolveFloatModel(tmp: string): Promise<{ manifestPath: string; synthesized: boolean; macsPerImage?: number }> {
  if (opts.model) return { manifestPath: opts.model, synthesized: false };
  if (!opts.synthetic && existsSync(DEFAULT_MODEL)) return { manifestPath: DEFAULT_MODEL, synthesized: false };
  const width = Number(opts.width);
  log(`${opts.synthetic ? "--synthetic" : `no --model and no ${DEFAULT_MODEL}`}: building ECCV16 (width ${width}) with seeded random weights`);
  const { bytes, macsPerImage } = buildEccv16Onnx({ width });
  await writeFile(join(tmp, "eccv16.onnx"), bytes);
  const manifest = {
    schemaVersion: 1,
    name: `eccv16-w${width}-random`,
    description: "ECCV16 architecture with seeded random weights (benchmark only)",
    file: "eccv16.onnx",
    input: { name: "input_l", layout: "NCHW", height: 256, width: 256, lNormalization: { offset: -50, scale: 0.01 } },
    output: { name: "logits", kind: "logits", stride: 4 },
    bins: { source: "grid10-in-gamut" },
    decoding: { temperature: 0.38 },
  };
  const manifestPath = join(tmp, "eccv16.manifest.json");
  await writeFile(manifestPath, JSON.stringify(manifest));
  return { manifestPath, synthesized: true, macsPerImage };
}

/**
 * The model to benchmark and the float32 file PyTorch runs. With --int8 the float model is
 * quantized here, calibrated on the benchmark's images (each reduced to the network's input as the
 * colorizer does).
 */
async function resolveModel(tmp: string, images: Buffer[]): Promise<BenchModel> {
  const chosen = await resolveFloatModel(tmp);
  const manifest = await loadManifest(chosen.manifestPath);
  if (manifest.manifest.quantization) {
    if (opts.int8) throw new Error(`--int8: ${chosen.manifestPath} is already quantized`);
    const floatModelPath = manifest.quantizedFrom!;
    if (!existsSync(floatModelPath)) throw new Error(`${chosen.manifestPath} was quantized from ${floatModelPath}, which is missing: PyTorch needs the float32 source`);
    return { ...chosen, floatModelPath, precision: "int8", quantization: manifest.manifest.quantization };
  }
  if (!opts.int8) return { ...chosen, floatModelPath: manifest.modelPath, precision: "float32" };
  const float = await loadColorizer(chosen.manifestPath, { providers: ["cpu"], intraOpNumThreads: threads, log });
  const planes = [];
  for (const image of images) planes.push((await prepareImage(image, float)).lInput);
  await closeColorizers();
  const started = performance.now();
  const floatBytes = await readFile(manifest.modelPath);
  const quantized = await quantizeModel(floatBytes, calibrationBatches(planes, manifest.manifest.input), { method: "percentile", percentile: 99.99, threads });
  log(`--int8: quantized ${manifest.modelPath} in ${((performance.now() - started) / 1000).toFixed(1)} s, calibrated on the ${planes.length} benchmark images`);
  const int8Manifest = quantizedManifest(manifest.manifest, quantized, {
    file: join(tmp, "int8.onnx"),
    source: { file: manifest.modelPath, sha256: createHash("sha256").update(floatBytes).digest("hex") },
    calibration: { images: "the benchmark's images", count: planes.length, method: "percentile", percentile: 99.99 },
    tool: "bench:colorize --int8",
  });
  await writeFile(join(tmp, "int8.onnx"), quantized.bytes);
  const manifestPath = join(tmp, "int8.manifest.json");
  await writeFile(manifestPath, JSON.stringify(int8Manifest));
  // How far the int8 network's colours are from the float one's on these images (random weights
  // make no sensible colours, but a broken quantization would show here).
  const sample = planes.slice(0, 8);
  const a = await (await loadColorizer(chosen.manifestPath, { providers: ["cpu"], intraOpNumThreads: threads, log })).predictAb(sample);
  const b = await (await loadColorizer(manifestPath, { providers: ["cpu"], intraOpNumThreads: threads, log })).predictAb(sample);
  await closeColorizers(); // the runs below open their own sessions with their own options
  const difference = abDifference(a.ab, b.ab);
  const agreement = { images: sample.length, mean_ab_difference: difference.mean, p99_ab_difference: difference.p99 };
  log(`--int8: |Δab| int8 vs float32 on ${sample.length} benchmark images: mean ${agreement.mean_ab_difference.toFixed(3)}, 99th percentile ${agreement.p99_ab_difference.toFixed(2)}`);
  return { ...chosen, manifestPath, floatModelPath: manifest.modelPath, precision: "int8", quantization: int8Manifest.quantization!, agreement };
}

async function loadImages(): Promise<{ source: string; images: Buffer[] }> {
  const dir = opts.images ?? (existsSync(DEFAULT_IMAGES) ? DEFAULT_IMAGES : null);
  if (dir) {
    const names = (await readdir(dir)).filter((n) => PHOTO_EXTENSIONS.has(extname(n).toLowerCase())).sort().slice(0, count);
    if (names.length === 0) throw new Error(`no images in ${dir}`);
    const files = await Promise.all(names.map((n) => readFile(join(dir, n))));
    return { source: dir, images: Array.from({ length: count }, (_, i) => files[i % files.length]!) };
  }
  const images: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const noise = Buffer.alloc(481 * 321 * 3);
    let s = i + 1;
    for (let k = 0; k < noise.length; k++) {
      s = (s * 1103515245 + 12345) >>> 0;
      noise[k] = (s >>> 16) & 255;
    }
    images.push(await sharp(noise, { raw: { width: 481, height: 321, channels: 3 } }).blur(3).jpeg({ quality: 90 }).toBuffer());
  }
  return { source: "synthetic 481×321 JPEGs", images };
}

interface RunResult {
  /** Pipelined runs: the network's threads on the worker (the main thread decodes and encodes). */
  inference_threads?: number;
  /** "sequential": decode, inference, encode in turn on one thread (the split below is exact);
   *  "pipelined": the CLI's path — inference on a worker thread overlapped with decoding and encoding. */
  mode: "sequential" | "pipelined";
  batch: number;
  images: number;
  provider: string;
  images_per_s: number;
  ms_per_image: number;
  split_ms_per_image: { decode_preprocess: number; inference: number; postprocess_encode: number };
  split_fraction: { decode_preprocess: number; inference: number; postprocess_encode: number };
  inference_images_per_s: number;
  /** PyTorch, network only, measured between our batches (same load). */
  pytorch_ms_per_image: number | null;
  pytorch_images_per_s: number | null;
  pytorch_layout: string | null;
  /** 1-minute load average before and after the run, and whether it stayed at most one per core. */
  load_average: { before: number; after: number };
  comparable: boolean;
}

const cpuCount = os.availableParallelism();
const load1 = () => Number(os.loadavg()[0]!.toFixed(2));
/** Runs taken with more runnable work than cores measure the neighbours as much as the code. */
const comparableLoad = (before: number, after: number) => Math.max(before, after) <= cpuCount;

/**
 * Our end-to-end path over all images in batches of `batch`. With a PyTorch server, each of our
 * batches is followed by one PyTorch forward pass of the same batch size and one peak measurement,
 * so both see the same machine load.
 */
async function runTimed(
  manifestPath: string,
  batch: number,
  images: Buffer[],
  sessionOptions: ColorizerOptions,
  pytorch: PytorchServer | null = null,
  peaks: { torch: number[]; numpy: number[]; onnxruntime: number[] } = { torch: [], numpy: [], onnxruntime: [] },
  probe: { measure(): Promise<number> } | null = null,
): Promise<RunResult> {
  const colorizer = await loadColorizer(manifestPath, { ...sessionOptions, maxBatch: batch, providers, log });
  const loadBefore = load1();
  const oneChunk = async (chunk: Buffer[]) => {
    let t = performance.now();
    const prepared = await Promise.all(chunk.map((b) => prepareImage(b, colorizer)));
    const pre = performance.now() - t;
    const { results, timings } = await colorizePrepared(prepared, colorizer);
    t = performance.now();
    for (const r of results) await encodeRgbPng(colorizedToRgb8(r), r.width, r.height, pngLevel);
    const encode = performance.now() - t;
    return { pre, inference: timings.inferenceMs, post: timings.postprocessMs + encode };
  };
  await oneChunk(images.slice(0, batch)); // warm-up (first run allocates the arena)
  let pre = 0, inference = 0, post = 0, total = 0, ptMs = 0, ptImages = 0;
  let layout: string | null = null;
  for (let i = 0; i < images.length; i += batch) {
    const chunk = images.slice(i, i + batch);
    const started = performance.now();
    const r = await oneChunk(chunk);
    total += performance.now() - started;
    pre += r.pre;
    inference += r.inference;
    post += r.post;
    if (pytorch) {
      const pt = await pytorch.send(`run ${batch}`);
      if (typeof pt.ms === "number") {
        ptMs += pt.ms;
        ptImages += batch;
        layout = String(pt.layout);
      }
      const p = await pytorch.send("peak");
      if (typeof p.torch_mm_gflops === "number") peaks.torch.push(p.torch_mm_gflops);
      if (typeof p.numpy_matmul_gflops === "number") peaks.numpy.push(p.numpy_matmul_gflops);
    }
    if (probe) peaks.onnxruntime.push(await probe.measure());
  }
  const n = images.length;
  const sum = pre + inference + post;
  const loadAfter = load1();
  return {
    mode: "sequential",
    batch,
    images: n,
    provider: colorizer.provider,
    images_per_s: (1000 * n) / total,
    ms_per_image: total / n,
    split_ms_per_image: { decode_preprocess: pre / n, inference: inference / n, postprocess_encode: post / n },
    split_fraction: { decode_preprocess: pre / sum, inference: inference / sum, postprocess_encode: post / sum },
    inference_images_per_s: (1000 * n) / inference,
    pytorch_ms_per_image: ptImages ? ptMs / ptImages : null,
    pytorch_images_per_s: ptImages ? (1000 * ptImages) / ptMs : null,
    pytorch_layout: layout,
    load_average: { before: loadBefore, after: loadAfter },
    comparable: comparableLoad(loadBefore, loadAfter),
  };
}

/**
 * The CLI's path: the network on a worker thread, decoding and PNG encoding overlapped with it
 * (lib/images/colorize-pipeline.ts). Images/s is wall time over all images after a warm-up chunk.
 * The stages overlap, so the split is busy time per stage, not a partition of the wall time.
 * PyTorch runs the same number of batches right after (a pipeline cannot be interleaved batch by
 * batch); the load average is recorded around both.
 */
async function runPipelined(manifestPath: string, batch: number, images: Buffer[], sessionOptions: ColorizerOptions, pytorch: PytorchServer | null): Promise<RunResult> {
  const { log: _log, ...options } = sessionOptions;
  // The network gets PyTorch's `threads` too; the main thread's decoding and encoding share those
  // cores (with threads that sleep instead of spinning, 2 inference threads beat 1 here: 37–39
  // against 41 ms per image at batch 8, quiet).
  const inferenceThreads = threads;
  const colorizer = await startWorkerColorizer(manifestPath, { ...options, intraOpNumThreads: inferenceThreads, maxBatch: batch, providers, log });
  try {
    const encode = async (_item: Buffer, r: ColorizedImage) => {
      await encodeRgbPng(colorizedToRgb8(r), r.width, r.height, pngLevel);
    };
    await colorizePipeline(images.slice(0, batch), async (b) => b, colorizer, encode, { batch }); // warm-up
    const loadBefore = load1();
    const t = await colorizePipeline(images, async (b) => b, colorizer, encode, { batch });
    let ptMs = 0, ptImages = 0;
    let layout: string | null = null;
    for (let i = 0; pytorch && i < images.length; i += batch) {
      const pt = await pytorch.send(`run ${batch}`);
      if (typeof pt.ms === "number") {
        ptMs += pt.ms;
        ptImages += batch;
        layout = String(pt.layout);
      }
    }
    const loadAfter = load1();
    const n = t.images;
    const busy = t.prepareMs + t.inferenceMs + t.finishMs;
    return {
      mode: "pipelined",
      batch,
      inference_threads: inferenceThreads,
      images: n,
      provider: colorizer.provider,
      images_per_s: (1000 * n) / t.wallMs,
      ms_per_image: t.wallMs / n,
      split_ms_per_image: { decode_preprocess: t.prepareMs / n, inference: t.inferenceMs / n, postprocess_encode: t.finishMs / n },
      split_fraction: { decode_preprocess: t.prepareMs / busy, inference: t.inferenceMs / busy, postprocess_encode: t.finishMs / busy },
      inference_images_per_s: (1000 * n) / t.inferenceMs,
      pytorch_ms_per_image: ptImages ? ptMs / ptImages : null,
      pytorch_images_per_s: ptImages ? (1000 * ptImages) / ptMs : null,
      pytorch_layout: layout,
      load_average: { before: loadBefore, after: loadAfter },
      comparable: comparableLoad(loadBefore, loadAfter),
    };
  } finally {
    await colorizer.close();
  }
}

/** The PyTorch reference as a child process answering one command per line (see the .py file). */
class PytorchServer {
  private lines: string[] = [];
  private stopped = false;
  private waiters: ((line: string) => void)[] = [];
  private constructor(private child: ChildProcessWithoutNullStreams) {
    let buffer = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      buffer += chunk;
      let nl: number;
      while ((nl = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        const waiter = this.waiters.shift();
        if (waiter) waiter(line);
        else this.lines.push(line);
      }
    });
  }
  static start(onnxPath: string, outputName: string, size: number): PytorchServer {
    const args = ["scripts/bench_colorize_pytorch.py", "--serve", "--onnx", onnxPath, "--output-name", outputName, "--size", String(size), "--threads", String(threads), "--batches", batches.join(",")];
    log(`starting ${opts.python} ${args.join(" ")}`);
    const child = spawn(opts.python, args, { stdio: ["pipe", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const server = new PytorchServer(child);
    child.on("exit", (code) => {
      for (const w of server.waiters.splice(0)) w(JSON.stringify({ error: `PyTorch reference exited (${code}): ${stderr.trim().split("\n").pop() ?? ""}` }));
    });
    child.on("error", (e) => {
      for (const w of server.waiters.splice(0)) w(JSON.stringify({ error: `cannot start ${opts.python}: ${e.message}` }));
    });
    return server;
  }
  next(): Promise<Record<string, unknown>> {
    const line = this.lines.shift();
    const parse = (l: string) => JSON.parse(l) as Record<string, unknown>;
    if (line !== undefined) return Promise.resolve(parse(line));
    if (this.child.exitCode !== null) return Promise.resolve({ error: "PyTorch reference is not running" });
    return new Promise((resolve) => this.waiters.push((l) => resolve(parse(l))));
  }
  async send(command: string): Promise<Record<string, unknown>> {
    this.child.stdin.write(`${command}\n`);
    return this.next();
  }
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.child.exitCode === null) this.child.stdin.end("quit\n");
  }
}

/** onnxruntime's own float32 GEMM (MLAS, the kernels its convolutions use) as a peak probe. */
async function createMatmulProbe(n = 2048): Promise<{ measure(): Promise<number>; release(): Promise<void> }> {
  const b = new Float32Array(n * n).map((_, i) => ((i * 7919) % 1000) / 1000 - 0.5);
  const bytes = buildOnnxModel({
    name: "matmul_peak",
    nodes: [{ opType: "MatMul", inputs: ["a", "b"], outputs: ["c"] }],
    initializers: [{ name: "b", dims: [n, n], values: b }],
    inputs: [{ name: "a", dims: [n, n] }],
    outputs: [{ name: "c", dims: [n, n] }],
  });
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ["cpu"], intraOpNumThreads: threads, graphOptimizationLevel: "all" });
  const a = new ort.Tensor("float32", new Float32Array(n * n).fill(0.25), [n, n]);
  await session.run({ a });
  return {
    async measure() {
      let best = 0;
      for (let r = 0; r < 2; r++) {
        const t = performance.now();
        await session.run({ a });
        best = Math.max(best, (2 * n ** 3) / ((performance.now() - t) / 1000) / 1e9);
      }
      return best;
    },
    release: () => session.release(),
  };
}

/** Raw network output of onnxruntime for a constant input, to check PyTorch runs the same weights. */
async function onnxruntimeCheck(modelPath: string, inputName: string, outputName: string, size: number, value: number) {
  const session = await ort.InferenceSession.create(modelPath, { executionProviders: ["cpu"], intraOpNumThreads: threads });
  try {
    const out = await session.run({ [inputName]: new ort.Tensor("float32", new Float32Array(size * size).fill(value), [1, 1, size, size]) });
    const data = out[outputName]!.data as Float32Array;
    let sum = 0, abs = 0;
    for (const v of data) {
      sum += v;
      abs += Math.abs(v);
    }
    return { mean: sum / data.length, mean_abs: abs / data.length, first: Array.from(data.subarray(0, 8)) };
  } finally {
    await session.release();
  }
}

async function main(): Promise<void> {
  const tmp = await mkdtemp(join(os.tmpdir(), "bench-colorize-"));
  let pytorch: PytorchServer | null = null;
  try {
    const { source, images } = await loadImages();
    const model = await resolveModel(tmp, images);
    const base: ColorizerOptions = { intraOpNumThreads: threads, graphOptimizationLevel: "all", executionMode: "sequential", enableCpuMemArena: true };
    const loadAvg = os.loadavg();
    const manifest = await loadManifest(model.manifestPath);
    const sweep: Record<string, unknown>[] = [];
    if (opts.sweep) {
      const variants: [string, ColorizerOptions][] = [
        ["all", base],
        ["extended", { ...base, graphOptimizationLevel: "extended" }],
        ["basic", { ...base, graphOptimizationLevel: "basic" }],
        ["all, no mem arena", { ...base, enableCpuMemArena: false }],
        ["all, parallel", { ...base, executionMode: "parallel", interOpNumThreads: threads }],
        ["all, 1 thread", { ...base, intraOpNumThreads: 1 }],
      ];
      for (const [name, variant] of variants) {
        await closeColorizers(); // a fresh session per variant (the cache keeps the first otherwise)
        const r = await runTimed(model.manifestPath, 1, images.slice(0, Math.min(4, images.length)), variant);
        log(`sweep ${name}: ${r.split_ms_per_image.inference.toFixed(0)} ms/image inference`);
        sweep.push({ variant: name, inference_ms_per_image: r.split_ms_per_image.inference });
      }
      await closeColorizers();
    }

    // PyTorch reference: same ONNX weights, same threads, interleaved with our runs below.
    let pytorchInfo: Record<string, unknown> = { skipped: "--no-pytorch" };
    let check: Record<string, unknown> | undefined;
    if (!opts["no-pytorch"]) {
      pytorch = PytorchServer.start(model.floatModelPath, manifest.manifest.output.name, manifest.inputHeight);
      pytorchInfo = await pytorch.next();
      if (pytorchInfo.ready) {
        const value = 0.1;
        const pt = await pytorch.send(`check ${value}`);
        // Both sides on the float32 file (for an int8 model: its source), so that this checks PyTorch reads the same weights.
        const ours = await onnxruntimeCheck(model.floatModelPath, manifest.manifest.input.name, manifest.manifest.output.name, manifest.inputHeight, value);
        const diff = Math.abs((pt.mean_abs as number) - ours.mean_abs) / Math.max(ours.mean_abs, 1e-12);
        check = { input: value, onnxruntime: ours, pytorch: pt, relative_difference_of_mean_abs: diff, same_network: diff < 1e-3 };
        log(`same-weights check: mean |output| onnxruntime ${ours.mean_abs.toExponential(4)}, PyTorch ${(pt.mean_abs as number).toExponential(4)}`);
      } else {
        log(`PyTorch reference unavailable: ${String(pytorchInfo.error ?? JSON.stringify(pytorchInfo))}`);
        pytorch.stop();
        pytorch = null;
      }
    }

    const runs = [];
    const peaks = { torch: [] as number[], numpy: [] as number[], onnxruntime: [] as number[] };
    const probe = await createMatmulProbe();
    let provider = "";
    for (const batch of batches) {
      for (const mode of ["sequential", "pipelined"] as const) {
        const r = mode === "sequential" ? await runTimed(model.manifestPath, batch, images, base, pytorch, peaks, probe) : await runPipelined(model.manifestPath, batch, images, base, pytorch);
        provider = r.provider;
        log(
          `${mode} batch ${batch}: ${r.images_per_s.toFixed(3)} images/s, ${r.ms_per_image.toFixed(0)} ms/image (pre ${r.split_ms_per_image.decode_preprocess.toFixed(0)}, ` +
            `inference ${r.split_ms_per_image.inference.toFixed(0)}, post ${r.split_ms_per_image.postprocess_encode.toFixed(0)}${mode === "pipelined" ? ", overlapped" : ""})` +
            (r.pytorch_ms_per_image ? `; PyTorch network only ${r.pytorch_ms_per_image.toFixed(0)} ms/image` : "") +
            `; load average ${r.load_average.before} → ${r.load_average.after}` +
            (r.comparable ? "" : ` — NOT COMPARABLE: above one per core (${cpuCount} cores)`),
        );
        runs.push(r);
      }
    }
    await closeColorizers();
    await probe.release();
    pytorch?.stop();
    const peakRssMb = process.resourceUsage().maxRSS / 1024;
    const gflop = (pytorchInfo.gflop_per_image as number | undefined) ?? (model.macsPerImage ? (2 * model.macsPerImage) / 1e9 : undefined);
    // The machine's peak: the best mean rate among the three float32 GEMMs, sampled between batches.
    const mean = (v: number[]) => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : 0);
    const peakMeans = { torch_mm: mean(peaks.torch), numpy_openblas: mean(peaks.numpy), onnxruntime_matmul: mean(peaks.onnxruntime) };
    const peak = Math.max(...Object.values(peakMeans)) || undefined;
    const perBatch = runs.map(({ provider: _provider, ...r }) => {
      const achieved = gflop ? gflop * r.inference_images_per_s : undefined;
      return {
        ...r,
        ratio_vs_pytorch: r.pytorch_images_per_s ? r.images_per_s / r.pytorch_images_per_s : null,
        inference_gflops: achieved ?? null,
        // The peak is a float32 matrix product: no fraction of it for integer arithmetic.
        peak_fraction: achieved && peak && model.precision === "float32" ? achieved / peak : null,
      };
    });
    const ourBest = Math.max(...runs.map((r) => r.images_per_s));
    const ptRates = runs.map((r) => r.pytorch_images_per_s).filter((x): x is number => x !== null);
    const bestInference = Math.max(...runs.map((r) => r.inference_images_per_s));
    const result = {
      benchmark: "colorize",
      date: new Date().toISOString(),
      model: { name: manifest.manifest.name, path: manifest.modelPath, synthesized_random_weights: model.synthesized, input: `${manifest.inputWidth}×${manifest.inputHeight}`, gflop_per_image: gflop ?? null, ...(model.quantization ? { quantization: model.quantization } : {}) },
      // Which arithmetic each side ran: an int8 model here against PyTorch's float32 source.
      precision: { ours: model.precision, pytorch: "float32", pytorch_model: model.floatModelPath, ...(model.agreement ? { int8_vs_float32: model.agreement } : {}) },
      images: { source, count: images.length },
      machine: { cpus: os.availableParallelism(), cpu_model: os.cpus()[0]?.model ?? "", threads, load_average_at_start: loadAvg.map((x) => Number(x.toFixed(2))), load_average_at_end: os.loadavg().map((x) => Number(x.toFixed(2))), measured_peak_gflops: peak ?? null, peak_mean_gflops: peakMeans, peak_samples: peaks.onnxruntime.length + peaks.torch.length },
      provider,
      png_level: pngLevel,
      session_options: { graphOptimizationLevel: "all", intraOpNumThreads: threads, executionMode: "sequential", enableCpuMemArena: true },
      runs: perBatch,
      peak_rss_mb: Number(peakRssMb.toFixed(1)),
      ratio_vs_pytorch: ptRates.length ? ourBest / Math.max(...ptRates) : null,
      // A ratio is only meaningful from runs on a machine that was not oversubscribed.
      comparable: runs.every((r) => r.comparable),
      not_comparable_runs: runs.filter((r) => !r.comparable).map((r) => `${r.mode} batch ${r.batch}: load average ${r.load_average.before} → ${r.load_average.after} on ${cpuCount} cores`),
      peak_fraction: gflop && peak && model.precision === "float32" ? (gflop * bestInference) / peak : null,
      pre_post_fraction_max: Math.max(...runs.map((r) => r.split_fraction.decode_preprocess + r.split_fraction.postprocess_encode)),
      sweep: sweep.length ? sweep : undefined,
      pytorch: { ...pytorchInfo, same_weights_check: check },
    };
    if (!result.comparable) log(`warning: ${result.not_comparable_runs.length} run(s) above a load average of one per core: ratios from them are not comparable`);
    console.log(opts.json ? JSON.stringify(result) : JSON.stringify(result, null, 2));
  } finally {
    pytorch?.stop();
    await rm(tmp, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  if (error instanceof ModelError || error instanceof ImageError) console.error(`error: ${error.message}`);
  else console.error(error);
  process.exit(1);
});
