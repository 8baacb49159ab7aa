/**
 * onnxruntime-node inference for colorization models described by a manifest (lib/model/manifest.ts).
 *
 * - One InferenceSession per model file per process: sessions are cached by the model's resolved
 *   path (the first caller's session options and providers win; `closeColorizers` releases them,
 *   e.g. in tests or at shutdown). Each `loadColorizer` call gets its own light wrapper that checks
 *   the model against *its* manifest.
 * - Execution providers are tried one at a time in the order given (the platform passes its
 *   configured EXECUTION_PROVIDERS, default cuda → webgpu → cpu). A provider whose library or
 *   device this machine lacks is skipped without asking onnxruntime (whose native loader would
 *   print red errors and Vulkan warnings on every CPU-only machine; provider-preflight.ts). The
 *   first that creates a session is used and exposed as `colorizer.provider`; one log line names it
 *   and why each provider before it was skipped or failed, so a fallback is never silent.
 * - Batches are cut to at most `maxBatch` images, so memory stays bounded whatever the caller passes.
 * - The model is checked against its manifest: input/output names at load, declared input shape
 *   where the model states it, and the output's actual shape at the first run.
 */
import os from "node:os";
import * as ort from "onnxruntime-node";
import { annealedMean } from "./annealed-mean";
import { getAnnealedMeanDecoder } from "./decode-graph";
import { ModelError } from "./errors";
import { providerSkipReason } from "./provider-preflight";
import { loadManifest, type ResolvedManifest } from "./manifest";

export const DEFAULT_EXECUTION_PROVIDERS = ["cuda", "webgpu", "cpu"] as const;
export const DEFAULT_MAX_BATCH = 8;

export interface ColorizerOptions {
  /** Execution providers to try, in order (names as onnxruntime-node knows them). */
  providers?: readonly string[];
  /** Largest batch sent to the network at once (memory bound). Default 8. */
  maxBatch?: number;
  /** Threads inside one operator; default: the machine's available parallelism. */
  intraOpNumThreads?: number;
  interOpNumThreads?: number;
  /**
   * Let onnxruntime's pool threads spin between operators instead of sleeping (its default).
   * Off here: spinning bought no speed for our networks and burned CPU that decoding, encoding and
   * the server's requests need (the shipped model at batch 8 on 2 quiet cores, 2 threads: 21.5 →
   * 20 ms per image and 42 → 36 ms of CPU per image with spinning off, docs/benchmarks.md).
   */
  allowSpinning?: boolean;
  graphOptimizationLevel?: "disabled" | "basic" | "extended" | "layout" | "all";
  executionMode?: "sequential" | "parallel";
  enableCpuMemArena?: boolean;
  enableMemPattern?: boolean;
  /**
   * Annealed-mean implementation: "onnxruntime" (default; a small Softmax graph on the CPU,
   * lib/model/decode-graph.ts) or "js" (lib/model/annealed-mean.ts). T = 0 always uses "js".
   */
  decodeWith?: "onnxruntime" | "js";
  /** Where provider choices and failures are reported. Default: console.error. */
  log?: (message: string) => void;
}

export interface PredictOptions {
  /** Annealed-mean temperature; the manifest's default when absent. */
  temperature?: number;
}

export interface PredictTimings {
  /** Building the input tensor (normalization, layout). */
  prepareMs: number;
  /** session.run. */
  inferenceMs: number;
  /** Annealed mean or ab scaling. */
  decodeMs: number;
}

export interface Colorizer {
  readonly manifest: ResolvedManifest;
  /** The execution provider the session was created with. */
  readonly provider: string;
  /** Providers tried before it, with the reason each failed. */
  readonly providerFailures: readonly { provider: string; reason: string }[];
  readonly maxBatch: number;
  /**
   * Predict ab for L planes already at the network's input size (inputHeight × inputWidth values
   * each, L in 0..100). Returns interleaved ab at the output size (outputHeight × outputWidth × 2)
   * per image, in input order.
   */
  predictAb(lPlanes: readonly Float32Array[], options?: PredictOptions): Promise<{ ab: Float32Array[]; timings: PredictTimings }>;
}

/** A colorizer whose session runs in this thread, so its raw output can be read too. */
export interface LocalColorizer extends Colorizer {
  /**
   * The network's raw output per image for L planes as {@link predictAb} takes them: the manifest's
   * output tensor undecoded (logits, probabilities or ab before abScale), `outputChannels ×
   * outputHeight × outputWidth` values in the output's layout.
   */
  predictOutput(lPlanes: readonly Float32Array[]): Promise<Float32Array[]>;
}

interface SessionEntry {
  session: ort.InferenceSession;
  provider: string;
  failures: { provider: string; reason: string }[];
}

const sessions = new Map<string, Promise<SessionEntry>>();

/**
 * Load (or reuse) the colorizer for a manifest.
 * @throws ModelError manifest_not_found | manifest_invalid | model_not_found | model_invalid |
 *   model_mismatch | no_execution_provider
 */
export async function loadColorizer(manifestPath: string, options: ColorizerOptions = {}): Promise<LocalColorizer> {
  const manifest = await loadManifest(manifestPath);
  const log = options.log ?? ((m: string) => console.error(m));
  const key = manifest.modelPath;
  let pending = sessions.get(key);
  if (!pending) {
    pending = createSession(manifest, options, log);
    sessions.set(key, pending);
    pending.catch(() => sessions.delete(key));
  }
  return createColorizer(manifest, await pending, options);
}

/** Release every cached session (colorizers obtained before stop working). */
export async function closeColorizers(): Promise<void> {
  const all = [...sessions.values()];
  sessions.clear();
  await Promise.all(all.map(async (p) => (await p.catch(() => null))?.session.release()));
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message.split("\n")[0]! : String(error);
}

async function createSession(
  manifest: ResolvedManifest,
  options: ColorizerOptions,
  log: (m: string) => void,
): Promise<SessionEntry> {
  const providers = options.providers?.length ? options.providers : DEFAULT_EXECUTION_PROVIDERS;
  const failures: { provider: string; reason: string }[] = [];
  const base: ort.InferenceSession.SessionOptions = {
    graphOptimizationLevel: options.graphOptimizationLevel ?? "all",
    intraOpNumThreads: options.intraOpNumThreads ?? os.availableParallelism(),
    executionMode: options.executionMode ?? "sequential",
    enableCpuMemArena: options.enableCpuMemArena ?? true,
    enableMemPattern: options.enableMemPattern ?? true,
    // Provider failures are reported through `log` below; keep the native logger to fatal errors.
    logSeverityLevel: 4,
  };
  if (!options.allowSpinning) base.extra = { session: { intra_op: { allow_spinning: "0" }, inter_op: { allow_spinning: "0" } } };
  if (options.interOpNumThreads !== undefined) base.interOpNumThreads = options.interOpNumThreads;
  // The environment's logger too (it reports provider library loading), before the first session.
  ort.env.logLevel = "fatal";
  const skipped = () => (failures.length ? `; ${failures.map((failure) => `${failure.provider} skipped: ${failure.reason}`).join("; ")}` : "");
  for (const provider of providers) {
    const skipReason = providerSkipReason(provider);
    if (skipReason) {
      failures.push({ provider, reason: skipReason });
      continue;
    }
    try {
      const session = await ort.InferenceSession.create(manifest.modelPath, { ...base, executionProviders: [provider] });
      log(`colorizer: model ${manifest.manifest.name} (${manifest.modelPath}) runs on execution provider "${provider}"${skipped()}`);
      return { session, provider, failures };
    } catch (error) {
      const reason = describe(error);
      failures.push({ provider, reason });
      // The CPU provider is always built in: if it fails, the model file itself is at fault.
      if (provider === "cpu") {
        throw new ModelError("model_invalid", `Model file ${manifest.modelPath} could not be loaded: ${reason}`, { cause: error });
      }
    }
  }
  throw new ModelError(
    "no_execution_provider",
    `No execution provider could run ${manifest.modelPath}: ${failures.map((f) => `${f.provider}: ${f.reason}`).join("; ")}`,
  );
}

function checkNames(session: ort.InferenceSession, manifest: ResolvedManifest): void {
  const { input, output } = manifest.manifest;
  if (!session.inputNames.includes(input.name)) {
    throw new ModelError(
      "model_mismatch",
      `Model ${manifest.modelPath} has inputs [${session.inputNames.join(", ")}] but its manifest names input "${input.name}"`,
    );
  }
  if (session.inputNames.length !== 1) {
    throw new ModelError("model_mismatch", `Model ${manifest.modelPath} has ${session.inputNames.length} inputs; a colorizer takes exactly one (L)`);
  }
  if (!session.outputNames.includes(output.name)) {
    throw new ModelError(
      "model_mismatch",
      `Model ${manifest.modelPath} has outputs [${session.outputNames.join(", ")}] but its manifest names output "${output.name}"`,
    );
  }
}

/** Expected input dims, [N, 1, H, W] or [N, H, W, 1]; returns the fixed batch size if the model has one. */
function checkDeclaredInputShape(session: ort.InferenceSession, manifest: ResolvedManifest): number | undefined {
  const meta = session.inputMetadata?.find((m) => m.name === manifest.manifest.input.name);
  if (!meta || !meta.isTensor) return undefined;
  if (meta.type !== "float32") {
    throw new ModelError("model_mismatch", `Model ${manifest.modelPath} input "${meta.name}" is ${meta.type}; float32 is required`);
  }
  const shape = meta.shape;
  const expected = manifest.inputLayout === "NCHW" ? [null, 1, manifest.inputHeight, manifest.inputWidth] : [null, manifest.inputHeight, manifest.inputWidth, 1];
  const fixed = (d: number | string) => (typeof d === "number" && d > 0 ? d : null);
  if (shape.length !== 4 || expected.some((e, i) => e !== null && fixed(shape[i]!) !== null && fixed(shape[i]!) !== e)) {
    throw new ModelError(
      "model_mismatch",
      `Model ${manifest.modelPath} input "${meta.name}" has shape [${shape.join(", ")}]; the manifest implies ${manifest.inputLayout} [N, ${expected.slice(1).join(", ")}]`,
    );
  }
  return fixed(shape[0]!) ?? undefined;
}

function expectedOutputDims(manifest: ResolvedManifest, n: number): number[] {
  const c = manifest.outputChannels, h = manifest.outputHeight, w = manifest.outputWidth;
  return manifest.outputLayout === "NCHW" ? [n, c, h, w] : [n, h, w, c];
}

function createColorizer(manifest: ResolvedManifest, entry: SessionEntry, options: ColorizerOptions): LocalColorizer {
  const { session, provider, failures } = entry;
  checkNames(session, manifest);
  const fixedBatch = checkDeclaredInputShape(session, manifest);
  const maxBatch = fixedBatch ?? Math.max(1, Math.floor(options.maxBatch ?? DEFAULT_MAX_BATCH));
  const { inputHeight: H, inputWidth: W } = manifest;
  const { offset, scale } = manifest.manifest.input.lNormalization;
  const inputDims = (n: number) => (manifest.inputLayout === "NCHW" ? [n, 1, H, W] : [n, H, W, 1]);
  const outPixels = manifest.outputHeight * manifest.outputWidth;
  const decodeWith = options.decodeWith ?? "onnxruntime";
  const threads = options.intraOpNumThreads ?? os.availableParallelism();
  let outputChecked = false;

  /** Run the network on one chunk; returns its output tensor's values (`n` images, n ≥ planes.length). */
  async function infer(planes: readonly Float32Array[], timings: PredictTimings): Promise<{ data: Float32Array; dims: readonly number[]; dispose: () => void }> {
    // A model with a fixed batch dimension gets exactly that many images, padded with copies.
    const n = fixedBatch ?? planes.length;
    let t = performance.now();
    const input = new Float32Array(n * H * W);
    for (let k = 0; k < n; k++) {
      const plane = planes[Math.min(k, planes.length - 1)]!;
      const base = k * H * W;
      for (let i = 0; i < H * W; i++) input[base + i] = (plane[i]! + offset) * scale;
    }
    const feeds = { [manifest.manifest.input.name]: new ort.Tensor("float32", input, inputDims(n)) };
    timings.prepareMs += performance.now() - t;
    t = performance.now();
    let result: ort.InferenceSession.OnnxValueMapType;
    try {
      result = await session.run(feeds, [manifest.manifest.output.name]);
    } catch (error) {
      throw new ModelError("inference_failed", `Inference with ${manifest.modelPath} failed: ${describe(error)}`, { cause: error });
    }
    timings.inferenceMs += performance.now() - t;
    const out = result[manifest.manifest.output.name] as ort.Tensor;
    const expected = expectedOutputDims(manifest, n);
    if (!outputChecked) {
      const dims = [...out.dims];
      if (dims.length !== 4 || dims.some((d, i) => d !== expected[i])) {
        throw new ModelError(
          "model_mismatch",
          `Model ${manifest.modelPath} output "${manifest.manifest.output.name}" has shape [${dims.join(", ")}]; ` +
            `the manifest (${manifest.manifest.output.kind}, ${manifest.outputChannels} channels, stride ${manifest.manifest.output.stride}, ${manifest.outputLayout}) implies [${expected.join(", ")}]`,
        );
      }
      if (out.type !== "float32") throw new ModelError("model_mismatch", `Model output is ${out.type}; float32 is required`);
      outputChecked = true;
    }
    return { data: out.data as Float32Array, dims: out.dims, dispose: () => out.dispose?.() };
  }

  async function runChunk(planes: readonly Float32Array[], temperature: number, timings: PredictTimings): Promise<Float32Array[]> {
    const out = await infer(planes, timings);
    const t = performance.now();
    const data = out.data;
    const C = manifest.outputChannels;
    const results: Float32Array[] = [];
    if (manifest.manifest.output.kind !== "ab" && temperature > 0 && decodeWith === "onnxruntime") {
      const decoder = await getAnnealedMeanDecoder(manifest.centres, manifest.outputLayout, manifest.manifest.output.kind, threads);
      const abAll = await decoder.decode(data, out.dims, temperature);
      for (let k = 0; k < planes.length; k++) results.push(abAll.slice(k * 2 * outPixels, (k + 1) * 2 * outPixels));
      timings.decodeMs += performance.now() - t;
      return results;
    }
    for (let k = 0; k < planes.length; k++) {
      const offsetK = k * C * outPixels;
      if (manifest.manifest.output.kind === "ab") {
        const ab = new Float32Array(2 * outPixels);
        const s = manifest.abScale;
        if (manifest.outputLayout === "NCHW") {
          for (let i = 0; i < outPixels; i++) {
            ab[2 * i] = data[offsetK + i]! * s;
            ab[2 * i + 1] = data[offsetK + outPixels + i]! * s;
          }
        } else {
          for (let i = 0; i < 2 * outPixels; i++) ab[i] = data[offsetK + i]! * s;
        }
        results.push(ab);
      } else {
        results.push(
          annealedMean(data, outPixels, manifest.centres, {
            temperature,
            kind: manifest.manifest.output.kind,
            layout: manifest.outputLayout === "NCHW" ? "planar" : "interleaved",
            offset: offsetK,
          }),
        );
      }
    }
    out.dispose();
    timings.decodeMs += performance.now() - t;
    return results;
  }

  const checkPlanes = (lPlanes: readonly Float32Array[]) => {
    for (const [i, p] of lPlanes.entries()) {
      if (p.length !== H * W) throw new RangeError(`L plane ${i} has ${p.length} values; the model takes ${H}×${W} = ${H * W}`);
    }
  };

  const colorizer: LocalColorizer = {
    manifest,
    provider,
    providerFailures: failures,
    maxBatch,
    async predictOutput(lPlanes) {
      checkPlanes(lPlanes);
      const timings: PredictTimings = { prepareMs: 0, inferenceMs: 0, decodeMs: 0 };
      const perImage = manifest.outputChannels * outPixels;
      const outputs: Float32Array[] = [];
      for (let start = 0; start < lPlanes.length; start += maxBatch) {
        const chunk = lPlanes.slice(start, start + maxBatch);
        const out = await infer(chunk, timings);
        for (let k = 0; k < chunk.length; k++) outputs.push(out.data.slice(k * perImage, (k + 1) * perImage));
        out.dispose();
      }
      return outputs;
    },
    async predictAb(lPlanes, predictOptions = {}) {
      const temperature = predictOptions.temperature ?? manifest.defaultTemperature;
      checkPlanes(lPlanes);
      const timings: PredictTimings = { prepareMs: 0, inferenceMs: 0, decodeMs: 0 };
      const ab: Float32Array[] = [];
      for (let start = 0; start < lPlanes.length; start += maxBatch) {
        ab.push(...(await runChunk(lPlanes.slice(start, start + maxBatch), temperature, timings)));
      }
      return { ab, timings };
    },
  };
  return colorizer;
}
