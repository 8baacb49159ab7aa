/**
 * Post-training int8 quantization of a convolutional colorizer (ONNX in, ONNX out) for
 * onnxruntime's CPU provider ({@link quantizeModel}):
 *
 * 1. Exact float rewrites (lib/model/graph-transforms.ts): BatchNorm folded (its ReLU input's
 *    channels evened out with per-channel maxima from a first pass over the calibration photos),
 *    the transposed convolution as a convolution + DepthToSpace, the 1×1 head as a channels-last
 *    MatMul.
 * 2. Calibration: the float model runs on calibration images (L planes as the colorizer feeds
 *    them) with every activation to quantize exposed as an extra output; each gets a range, the
 *    observed min/max, a percentile of all its values, or the least-squares range (99.99th
 *    percentile by default: on the shipped model, over 100 held-out photos, the mean ΔE2000 to
 *    float32 was 0.22 with it against 0.29 with min/max, 0.31 at 99.9 and 0.47 at 99.999; the
 *    least-squares range did better on one model and worse on another; docs/benchmarks.md).
 * 3. The QDQ graph, which onnxruntime fuses into integer kernels (QLinearConv; VNNI on CPUs that
 *    have it):
 *
 *      x ─Q─DQ─┐
 *      W(int8)─DQ─ Conv ─(Relu)─ Q ─DQ─ … next layer
 *      B(int32)─DQ─┘
 *
 *    - weights: symmetric 7-bit values in int8 per output channel (scale = max |w| / 63, zero
 *      point 0): on x86 CPUs without VNNI (AVX2 only) onnxruntime multiplies uint8 activations by
 *      int8 weights with VPMADDUBSW, which adds two products in int16 and saturates when
 *      255 · |w| · 2 > 32767. With |w| ≤ 63 no pair can saturate, on any CPU (onnxruntime's own
 *      quantizer calls this reduce_range);
 *    - bias: int32 at scale = input scale × weight scale, as QLinearConv requires;
 *    - activations: uint8 per tensor, asymmetric; the range always contains 0, so zero padding
 *      stays exact. A Relu right after a quantized Conv is dropped: a uint8 output with zero
 *      point 0 clamps at 0 by itself (onnxruntime's own quantizer does the same).
 *    - Conv and MatMul by a constant are quantized, and around them the ops that only move values
 *      (Slice, DepthToSpace, …) and Adds between quantized tensors; everything else runs in float
 *      on dequantized inputs, so any graph stays correct, and the caller may keep chosen nodes (or
 *      the head) in float.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { convTransposeToConv, foldBatchNorm, freshNames, headToNhwcMatMul, serializeModel } from "./graph-transforms";
import type { ModelManifest } from "./manifest";
import { parseOnnxModel, type ParsedOnnxModel } from "./onnx-reader";
import type { NodeSpec, TensorSpec } from "./onnx-writer";
import { quantileSorted } from "@/lib/stats/replicate-summary";

export type CalibrationMethod = "minmax" | "percentile" | "mse";

export interface QuantizationOptions {
  /**
   * "minmax": the observed range; "percentile": the `percentile`-th and (100 − p)-th value;
   * "mse": per tensor, the range whose uint8 grid gives the least mean squared error over the
   * calibration values (rounding inside the range, clipping outside).
   */
  method: CalibrationMethod;
  /** For "percentile", e.g. 99.99. */
  percentile?: number;
  /**
   * Keep the head (the last Conv/MatMul) in float. Default false: a quantized MatMul head still
   * returns float logits (no rounding of what the annealed mean sharpens), and on the shipped
   * model the mean ΔE2000 to float32 was the same either way (0.222 quantized, 0.221 float) while
   * the float head was slower.
   */
  keepHeadFloat?: boolean;
  /** Further Conv nodes (by node name or output name) to keep in float. */
  floatNodes?: readonly string[];
  /** Passes of {@link correctBiases} (0: none). */
  biasCorrectionPasses?: number;
}

/**
 * One node to quantize: a Conv (with the Relu that alone reads it folded into its output
 * quantization) or a MatMul by a constant matrix (the head after headToNhwcMatMul), whose result
 * stays float: onnxruntime runs it as MatMulIntegerToFloat.
 */
export interface QuantizedNode {
  node: NodeSpec;
  relu: NodeSpec | null;
  /** The activation it reads. */
  input: string;
  /** The tensor after the Relu (or the node's own output). */
  output: string;
  /** No Q after it: the float result goes on (MatMul). */
  floatOutput: boolean;
}

export interface QuantizationPlan {
  nodes: QuantizedNode[];
  /** Weight-bearing nodes left in float, by name (for the record). */
  floatNodes: string[];
  /** Activations that need a calibrated range. */
  tensors: string[];
}

export interface ActivationRange {
  min: number;
  max: number;
}

const nodeLabel = (n: NodeSpec) => n.name ?? n.outputs[0]!;
const WEIGHTED = new Set(["Conv", "ConvTranspose", "MatMul", "Gemm"]);
/** Ops that only move values: their output takes their input's quantization parameters. */
const DATA_MOVEMENT = new Set(["Transpose", "Reshape", "Flatten", "Squeeze", "Unsqueeze", "DepthToSpace", "SpaceToDepth", "Slice", "Identity"]);

/** Which nodes to quantize and which activations to calibrate. */
export function planQuantization(model: ParsedOnnxModel, options: Omit<QuantizationOptions, "method">): QuantizationPlan {
  const initializers = new Map(model.initializers.map((t) => [t.name, t]));
  const graphOutputs = new Set(model.outputs.map((o) => o.name));
  const consumers = new Map<string, NodeSpec[]>();
  for (const n of model.nodes) for (const i of n.inputs) if (i) consumers.set(i, [...(consumers.get(i) ?? []), n]);
  const keep = new Set(options.floatNodes ?? []);
  // The head: the last weight-bearing node before the output.
  const head = [...model.nodes].reverse().find((n) => WEIGHTED.has(n.opType));
  const planned: QuantizedNode[] = [];
  const floatNodes: string[] = [];
  for (const n of model.nodes) {
    if (!WEIGHTED.has(n.opType)) continue;
    const out = n.outputs[0]!;
    const weights = initializers.get(n.inputs[1] ?? "");
    const constant = weights?.values instanceof Float32Array && (!n.inputs[2] || initializers.has(n.inputs[2]));
    const supported = (n.opType === "Conv" && constant && n.inputs.length <= 3) || (n.opType === "MatMul" && constant && weights.dims.length === 2);
    if (!supported || keep.has(nodeLabel(n)) || keep.has(out) || (n === head && (options.keepHeadFloat ?? false))) {
      floatNodes.push(nodeLabel(n));
      continue;
    }
    if (n.opType === "MatMul") {
      planned.push({ node: n, relu: null, input: n.inputs[0]!, output: out, floatOutput: true });
      continue;
    }
    const next = consumers.get(out) ?? [];
    const relu = next.length === 1 && next[0]!.opType === "Relu" && !graphOutputs.has(out) ? next[0]! : null;
    planned.push({ node: n, relu, input: n.inputs[0]!, output: relu ? relu.outputs[0]! : out, floatOutput: false });
  }
  const tensors = new Set(planned.flatMap((q) => (q.floatOutput ? [q.input] : [q.input, q.output])));
  // Widen the integer region backwards so that fewer values go through float: the input of an op
  // that only moves values into a quantized tensor is quantized too (the op then runs on uint8),
  // and so are both operands of an Add (a shortcut) whose result, or its Relu's, is quantized
  // (onnxruntime fuses DQ, DQ → Add → (Relu →) Q into QLinearAdd).
  const producer = new Map(model.nodes.flatMap((n) => n.outputs.map((o) => [o, n] as const)));
  const activation = (t: string | undefined): t is string => !!t && !initializers.has(t) && !model.nodes.some((n) => n.opType === "Constant" && n.outputs.includes(t));
  for (let changed = true; changed; ) {
    changed = false;
    const add = (t: string) => {
      if (!tensors.has(t)) {
        tensors.add(t);
        changed = true;
      }
    };
    for (const t of [...tensors]) {
      let p = producer.get(t);
      if (p?.opType === "Relu" && (consumers.get(p.inputs[0]!) ?? []).length === 1) p = producer.get(p.inputs[0]!);
      if (!p) continue;
      if (DATA_MOVEMENT.has(p.opType) && activation(p.inputs[0])) add(p.inputs[0]!);
      else if (p.opType === "Add" && p.inputs.length === 2 && p.inputs.every(activation)) p.inputs.forEach(add);
    }
  }
  return { nodes: planned, floatNodes, tensors: [...tensors] };
}

/** uint8 affine parameters for a real range; the range is widened to contain 0. */
export function uint8Params(range: ActivationRange): { scale: number; zeroPoint: number } {
  const lo = Math.min(range.min, 0);
  const hi = Math.max(range.max, 0);
  const scale = hi > lo ? (hi - lo) / 255 : 1;
  const zeroPoint = Math.min(255, Math.max(0, Math.round(-lo / scale)));
  return { scale, zeroPoint };
}

/** The largest weight magnitude in quantized units: 7 bits, so 2 · 255 · 63 < 2¹⁵ (see the module comment). */
export const WEIGHT_QMAX = 63;

/**
 * Symmetric int8 per channel along `axis` (0 for Conv weights [Cout, Cin/g, kh, kw], 1 for MatMul
 * weights [K, N]): scale = max |w| / {@link WEIGHT_QMAX}, values in −63…63 (see the module
 * comment: 7 bits keep the AVX2 integer kernels from saturating).
 */
export function quantizeWeightsPerChannel(weights: Float32Array, dims: readonly number[], axis: number): { values: Int8Array; scales: Float32Array } {
  const channels = dims[axis]!;
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const channelOf = (i: number) => Math.floor(i / inner) % channels;
  const maxAbs = new Float32Array(channels);
  for (let i = 0; i < weights.length; i++) maxAbs[channelOf(i)] = Math.max(maxAbs[channelOf(i)]!, Math.abs(weights[i]!));
  // An all-zero channel quantizes to zeros at any scale; 1 keeps the bias scale non-zero.
  const scales = maxAbs.map((m) => (m > 0 ? m / WEIGHT_QMAX : 1));
  const values = new Int8Array(weights.length);
  for (let i = 0; i < weights.length; i++) values[i] = Math.max(-WEIGHT_QMAX, Math.min(WEIGHT_QMAX, Math.round(weights[i]! / scales[channelOf(i)]!)));
  return { values, scales };
}

// ---- calibration -----------------------------------------------------------------------------

/** A batch of model inputs, already normalized and laid out as the model takes them. */
export interface CalibrationBatch {
  data: Float32Array;
  dims: number[];
}

const HISTOGRAM_BINS = 4096;

/** The float model with `tensors` exposed as extra outputs (their shapes left unstated). */
function withExtraOutputs(model: ParsedOnnxModel, tensors: readonly string[]): Uint8Array {
  const existing = new Set(model.outputs.map((o) => o.name));
  return serializeModel({
    ...model,
    outputs: [...model.outputs, ...tensors.filter((t) => !existing.has(t) && !model.inputs.some((i) => i.name === t)).map((name) => ({ name }))],
  });
}

/**
 * Per-channel maxima (axis 1, NCHW) of `tensors` over the calibration batches: what BatchNorm
 * folding needs to even out the channels of a ReLU output (lib/model/graph-transforms.ts).
 */
export async function channelMaxima(
  model: ParsedOnnxModel,
  tensors: readonly string[],
  batches: readonly CalibrationBatch[],
  threads = os.availableParallelism(),
): Promise<Map<string, Float32Array>> {
  return reduceChannels(withExtraOutputs(model, tensors), model.inputs[0]!.name, tensors, batches, threads, {
    start: () => -Infinity,
    add: (m, values, base, length) => {
      let v = m;
      for (let i = base; i < base + length; i++) if (values[i]! > v) v = values[i]!;
      return v;
    },
    finish: (m) => m,
  });
}

/** Per-channel means (axis 1, NCHW) of `tensors` over the calibration batches. */
async function channelMeans(
  bytes: Uint8Array,
  inputName: string,
  tensors: readonly string[],
  batches: readonly CalibrationBatch[],
  threads = os.availableParallelism(),
): Promise<Map<string, Float32Array>> {
  return reduceChannels(bytes, inputName, tensors, batches, threads, {
    start: () => 0,
    add: (sum, values, base, length) => {
      let s = sum;
      for (let i = base; i < base + length; i++) s += values[i]!;
      return s;
    },
    finish: (sum, valuesPerChannel) => sum / valuesPerChannel,
  });
}

interface ChannelReduction {
  start: () => number;
  /** Folds the `length` values of one channel of one image, from `base`, into the running value. */
  add: (running: number, values: Float32Array, base: number, length: number) => number;
  /** The result from the running value and the number of values each channel held in all. */
  finish: (running: number, valuesPerChannel: number) => number;
}

/** A per-channel reduction (axis 1, NCHW) of `tensors`, outputs of the model `bytes`, over the batches. */
async function reduceChannels(
  bytes: Uint8Array,
  inputName: string,
  tensors: readonly string[],
  batches: readonly CalibrationBatch[],
  threads: number,
  reduction: ChannelReduction,
): Promise<Map<string, Float32Array>> {
  const running = new Map<string, Float64Array>();
  const valuesPerChannel = new Map<string, number>();
  if (tensors.length === 0) return new Map();
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ["cpu"], graphOptimizationLevel: "all", intraOpNumThreads: threads, logSeverityLevel: 4 });
  try {
    for (const batch of batches) {
      const out = await session.run({ [inputName]: new ort.Tensor("float32", batch.data, batch.dims) }, [...tensors]);
      for (const t of tensors) {
        const { data, dims } = out[t] as ort.Tensor;
        if (dims.length !== 4) throw new Error(`${t}: expected an NCHW tensor, got ${dims.length} dimensions`);
        const [n, c, h, w] = dims as [number, number, number, number];
        const r = running.get(t) ?? new Float64Array(c).fill(reduction.start());
        for (let k = 0; k < n; k++) for (let ch = 0; ch < c; ch++) r[ch] = reduction.add(r[ch]!, data as Float32Array, (k * c + ch) * h * w, h * w);
        valuesPerChannel.set(t, (valuesPerChannel.get(t) ?? 0) + n * h * w);
        running.set(t, r);
      }
    }
    return new Map([...running].map(([t, r]) => [t, Float32Array.from(r, (v) => reduction.finish(v, valuesPerChannel.get(t)!))]));
  } finally {
    await session.release();
  }
}

/**
 * Activation ranges over the calibration batches: min/max, or (method "percentile") the values
 * at the p-th and (100 − p)-th percentile of all values, from a 4096-bin histogram over the
 * observed range (a second pass over the batches).
 */
export async function calibrateRanges(
  model: ParsedOnnxModel,
  tensors: readonly string[],
  batches: readonly CalibrationBatch[],
  options: Pick<QuantizationOptions, "method" | "percentile"> & { threads?: number },
): Promise<Map<string, ActivationRange>> {
  if (batches.length === 0) throw new Error("calibration needs at least one batch of images");
  const inputName = model.inputs[0]!.name;
  const session = await ort.InferenceSession.create(withExtraOutputs(model, tensors), {
    executionProviders: ["cpu"],
    graphOptimizationLevel: "all",
    intraOpNumThreads: options.threads ?? os.availableParallelism(),
    logSeverityLevel: 4,
  });
  const inputTensors = new Set(model.inputs.map((i) => i.name));
  const fetch = async (batch: CalibrationBatch): Promise<Map<string, Float32Array>> => {
    const feeds = { [inputName]: new ort.Tensor("float32", batch.data, batch.dims) };
    const wanted = tensors.filter((t) => !inputTensors.has(t));
    const out = await session.run(feeds, wanted);
    const values = new Map<string, Float32Array>();
    for (const t of tensors) values.set(t, inputTensors.has(t) ? batch.data : (out[t]!.data as Float32Array));
    return values;
  };
  try {
    const ranges = new Map<string, ActivationRange>(tensors.map((t) => [t, { min: Infinity, max: -Infinity }]));
    for (const batch of batches) {
      for (const [t, data] of await fetch(batch)) {
        const r = ranges.get(t)!;
        for (let i = 0; i < data.length; i++) {
          const v = data[i]!;
          if (v < r.min) r.min = v;
          if (v > r.max) r.max = v;
        }
      }
    }
    if (options.method === "minmax") return ranges;
    const p = options.percentile ?? 99.99;
    if (options.method === "percentile" && !(p > 50 && p <= 100)) throw new RangeError(`percentile must be in (50, 100], got ${p}`);
    const histograms = new Map(tensors.map((t) => [t, new Float64Array(HISTOGRAM_BINS)]));
    for (const batch of batches) {
      for (const [t, data] of await fetch(batch)) {
        const { min, max } = ranges.get(t)!;
        const h = histograms.get(t)!;
        const k = max > min ? HISTOGRAM_BINS / (max - min) : 0;
        for (let i = 0; i < data.length; i++) h[Math.min(HISTOGRAM_BINS - 1, Math.floor((data[i]! - min) * k))]!++;
      }
    }
    const clipped = new Map<string, ActivationRange>();
    for (const t of tensors) {
      const { min, max } = ranges.get(t)!;
      const h = histograms.get(t)!;
      if (options.method === "mse") {
        clipped.set(t, leastSquaresRange(h, min, max));
        continue;
      }
      const total = h.reduce((a, b) => a + b, 0);
      const width = (max - min) / HISTOGRAM_BINS;
      // Lower edge of the bin holding the (100 − p)-th percentile, upper edge of the p-th's.
      let acc = 0;
      let lo = 0;
      while (lo < HISTOGRAM_BINS - 1 && acc + h[lo]! < (total * (100 - p)) / 100) acc += h[lo++]!;
      acc = 0;
      let hi = HISTOGRAM_BINS - 1;
      while (hi > 0 && acc + h[hi]! < (total * (100 - p)) / 100) acc += h[hi--]!;
      clipped.set(t, { min: min + lo * width, max: Math.max(min + lo * width, min + (hi + 1) * width) });
    }
    return clipped;
  } finally {
    await session.release();
  }
}

/**
 * The clipping range with the least mean squared uint8 error for values distributed as the
 * histogram `h` over [min, max]: candidates shrink the observed range towards 0 by a common factor
 * (0 stays inside, so zero padding stays exact); inside the range a value errs by the rounding
 * (step²/12 on average), outside by its distance to the nearer end.
 */
export function leastSquaresRange(h: Float64Array, min: number, max: number): ActivationRange {
  const lo0 = Math.min(min, 0);
  const hi0 = Math.max(max, 0);
  const width = (max - min) / h.length;
  if (!(hi0 > lo0) || !(width > 0)) return { min: lo0, max: hi0 };
  let best = { min: lo0, max: hi0 };
  let bestError = Infinity;
  for (let k = 0; k <= 200; k++) {
    const f = 1 - (0.9 * k) / 200; // 1 … 0.1 of the observed range
    const lo = lo0 * f;
    const hi = hi0 * f;
    const step = (hi - lo) / 255;
    let error = 0;
    for (let i = 0; i < h.length; i++) {
      const n = h[i]!;
      if (n === 0) continue;
      const v = min + (i + 0.5) * width;
      error += n * (v > hi ? (v - hi) ** 2 : v < lo ? (lo - v) ** 2 : (step * step) / 12);
    }
    if (error < bestError) {
      bestError = error;
      best = { min: lo, max: hi };
    }
  }
  return best;
}

// ---- the QDQ graph ---------------------------------------------------------------------------

export interface QdqBuildInfo {
  /** ModelProto metadata_props recorded in the file (e.g. the source model and its hash). */
  metadata?: Record<string, string>;
  /**
   * When given, each quantized Conv's float result (before its Q) becomes an extra graph output,
   * and this map is filled with the Conv's output name in the source model → that tensor's name
   * here. Bias correction measures through it; onnxruntime then runs those Convs unfused on
   * dequantized inputs and weights, which is what the integer kernel computes up to rounding.
   */
  exposePreActivations?: Map<string, string>;
}

/** The nodes some of whose outputs are read (by a live node or as a graph output), in order. */
function pruneUnread(nodes: readonly NodeSpec[], graphOutputs: ReadonlySet<string>): NodeSpec[] {
  const live = new Set<NodeSpec>();
  const needed = new Set(graphOutputs);
  for (let i = nodes.length - 1; i >= 0; i--) {
    const n = nodes[i]!;
    if (!n.outputs.some((o) => needed.has(o))) continue;
    live.add(n);
    for (const input of n.inputs) if (input) needed.add(input);
  }
  return nodes.filter((n) => live.has(n));
}

/**
 * The quantized model: the float graph with Q/DQ around every planned node, plus two explicit
 * integer forms onnxruntime's QDQ fusion does not produce by itself:
 * - ops that only move values (Transpose, DepthToSpace, …) between quantized tensors run on the
 *   uint8 tensor itself (sharing its scale and zero point);
 * - a quantized MatMul reads the uint8 tensor and runs as com.microsoft.MatMulIntegerToFloat,
 *   with the following bias Add folded into it (float output).
 */
export function buildQdqModel(model: ParsedOnnxModel, plan: QuantizationPlan, ranges: ReadonlyMap<string, ActivationRange>, info: QdqBuildInfo = {}): Uint8Array {
  const inits = new Map(model.initializers.map((t) => [t.name, t]));
  const producer = new Map(model.nodes.flatMap((n) => n.outputs.map((o) => [o, n] as const)));
  const consumers = new Map<string, NodeSpec[]>();
  for (const n of model.nodes) for (const i of n.inputs) if (i) consumers.set(i, [...(consumers.get(i) ?? []), n]);
  const graphOutputs = new Set(model.outputs.map((o) => o.name));
  const newInits: TensorSpec[] = [];
  const fresh = freshNames(model);
  const planned = new Map(plan.nodes.map((q) => [q.node, q]));
  const needsQuantization = new Set(plan.tensors);
  for (const q of plan.nodes) if (!q.floatOutput) needsQuantization.add(q.output);

  // Quantization parameters per activation; a tensor an op only moves shares its input's.
  type Params = { scale: number; zeroPoint: number; scaleName: string; zeroName: string };
  const params = new Map<string, Params>();
  const paramsOf = (t: string): Params => {
    const known = params.get(t);
    if (known) return known;
    const p = producer.get(t);
    let value: Params;
    if (p && DATA_MOVEMENT.has(p.opType) && needsQuantization.has(p.inputs[0]!)) {
      value = paramsOf(p.inputs[0]!);
    } else {
      const range = ranges.get(t);
      if (!range || !Number.isFinite(range.min) || !Number.isFinite(range.max)) throw new Error(`no calibrated range for ${t}`);
      const { scale, zeroPoint } = uint8Params(range);
      value = { scale, zeroPoint, scaleName: fresh(`${t}_scale`), zeroName: fresh(`${t}_zero_point`) };
      newInits.push({ name: value.scaleName, dims: [], values: Float32Array.of(scale) }, { name: value.zeroName, dims: [], values: Uint8Array.of(zeroPoint) });
    }
    params.set(t, value);
    return value;
  };

  const nodes: NodeSpec[] = [];
  /** The uint8 form of a quantized tensor. */
  const uint8Of = new Map<string, string>();
  /** The name float readers use for a tensor (its dequantized copy, when it is quantized). */
  const floatOf = new Map<string, string>();
  const read = (t: string) => floatOf.get(t) ?? t;
  const quantize = (t: string, source: string) => {
    const p = paramsOf(t);
    const q = fresh(`${t}_quantized`);
    nodes.push({ opType: "QuantizeLinear", inputs: [source, p.scaleName, p.zeroName], outputs: [q], name: fresh(`${t}_QuantizeLinear`) });
    uint8Of.set(t, q);
  };
  /** DQ of t's uint8 form into `output` (t's own name when its producer was renamed). */
  const dequantize = (t: string, output: string) => {
    const p = paramsOf(t);
    nodes.push({ opType: "DequantizeLinear", inputs: [uint8Of.get(t)!, p.scaleName, p.zeroName], outputs: [output], name: fresh(`${t}_DequantizeLinear`) });
    if (output !== t) floatOf.set(t, output);
  };
  /** Q → DQ after a float producer; readers get the dequantized copy. */
  const qdqAfter = (t: string) => {
    quantize(t, t);
    dequantize(t, fresh(`${t}_dequantized`));
  };
  const weightDq = (name: string, axis: number) => {
    const w = inits.get(name)!;
    const { values, scales } = quantizeWeightsPerChannel(w.values as Float32Array, w.dims, axis);
    const [q, s, z, dq] = [fresh(`${name}_quantized`), fresh(`${name}_scale`), fresh(`${name}_zero_point`), fresh(`${name}_dequantized`)];
    newInits.push({ name: q, dims: w.dims, values }, { name: s, dims: [scales.length], values: scales }, { name: z, dims: [scales.length], values: new Int8Array(scales.length) });
    return { q, s, z, dq, scales, node: { opType: "DequantizeLinear", inputs: [q, s, z], outputs: [dq], name: fresh(`${name}_DequantizeLinear`), attributes: { axis } } as NodeSpec };
  };
  const constantFloat = (name: string | undefined) => {
    const t = name ? inits.get(name) : undefined;
    return t && t.values instanceof Float32Array ? t : null;
  };

  for (const i of model.inputs) if (needsQuantization.has(i.name)) qdqAfter(i.name);
  const skipped = new Set<NodeSpec>(plan.nodes.flatMap((q) => (q.relu ? [q.relu] : [])));
  for (const n of model.nodes) {
    if (skipped.has(n)) continue;
    const q = planned.get(n);
    const out = n.outputs[0]!;

    if (q && n.opType === "Conv") {
      const xFloat = read(q.input);
      if (!uint8Of.has(q.input)) throw new Error(`${nodeLabel(n)} reads ${q.input}, which is not quantized`);
      const xScale = paramsOf(q.input).scale;
      const w = weightDq(n.inputs[1]!, 0);
      nodes.push(w.node);
      const convInputs = [xFloat, w.dq];
      if (n.inputs[2]) {
        const b = inits.get(n.inputs[2])!;
        const cout = w.scales.length;
        const bq = new Int32Array(cout);
        const bs = new Float32Array(cout);
        for (let o = 0; o < cout; o++) {
          bs[o] = xScale * w.scales[o]!;
          bq[o] = Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, Math.round((b.values[o] as number) / bs[o]!)));
        }
        const [bqn, bsn, bzn, bdq] = [fresh(`${b.name}_quantized`), fresh(`${b.name}_scale`), fresh(`${b.name}_zero_point`), fresh(`${b.name}_dequantized`)];
        newInits.push({ name: bqn, dims: [cout], values: bq }, { name: bsn, dims: [cout], values: bs }, { name: bzn, dims: [cout], values: new Int32Array(cout) });
        nodes.push({ opType: "DequantizeLinear", inputs: [bqn, bsn, bzn], outputs: [bdq], name: fresh(`${b.name}_DequantizeLinear`), attributes: { axis: 0 } });
        convInputs.push(bdq);
      }
      if (q.relu && paramsOf(q.output).zeroPoint !== 0) throw new Error(`Relu output ${q.output} was calibrated with a negative minimum`);
      // Conv → Q → DQ; the DQ output keeps the original tensor's name, so the rest of the graph
      // reads it unchanged. The Relu is gone: a uint8 output with zero point 0 clamps at 0.
      const convOut = fresh(`${out}_float`);
      info.exposePreActivations?.set(out, convOut);
      nodes.push({ ...n, inputs: convInputs, outputs: [convOut] });
      quantize(q.output, convOut);
      dequantize(q.output, q.output);
      continue;
    }

    if (q && n.opType === "MatMul") {
      const a = uint8Of.get(q.input);
      if (!a) throw new Error(`${nodeLabel(n)} reads ${q.input}, which is not quantized`);
      const pa = paramsOf(q.input);
      const w = weightDq(n.inputs[1]!, 1);
      // A bias Add that alone reads the product joins the operator.
      const readers = consumers.get(out) ?? [];
      const add = readers.length === 1 && readers[0]!.opType === "Add" && !graphOutputs.has(out) ? readers[0]! : null;
      const biasName = add?.inputs.find((i) => i !== out);
      const bias = constantFloat(biasName);
      const fuseBias = add && bias && bias.dims.length === 1 && bias.dims[0] === w.scales.length;
      nodes.push({
        opType: "MatMulIntegerToFloat",
        domain: "com.microsoft",
        name: fresh(`${nodeLabel(n)}_integer`),
        inputs: [a, w.q, pa.scaleName, w.s, pa.zeroName, w.z, ...(fuseBias ? [bias.name] : [])],
        outputs: [fuseBias ? add.outputs[0]! : out],
      });
      if (fuseBias) skipped.add(add);
      continue;
    }

    // A value-moving op between quantized tensors runs on the uint8 tensor.
    if (DATA_MOVEMENT.has(n.opType) && uint8Of.has(n.inputs[0]!) && needsQuantization.has(out)) {
      paramsOf(out);
      const q8 = fresh(`${out}_quantized`);
      nodes.push({ ...n, inputs: [uint8Of.get(n.inputs[0]!)!, ...n.inputs.slice(1)], outputs: [q8] });
      uint8Of.set(out, q8);
      dequantize(out, out);
      continue;
    }

    nodes.push({ ...n, inputs: n.inputs.map(read) });
    for (const o of n.outputs) if (needsQuantization.has(o)) qdqAfter(o);
  }
  // Dequantized copies that nothing reads any more (readers took the uint8 tensor) would still be
  // computed by onnxruntime, with a layout Transpose each: drop every node whose outputs are unread.
  const exposed = [...(info.exposePreActivations?.values() ?? [])];
  const outputs = [...model.outputs, ...exposed.map((name) => ({ name }))];
  const live = pruneUnread(nodes, new Set(outputs.map((o) => o.name)));
  nodes.length = 0;
  nodes.push(...live);
  // Float weights of quantized nodes are no longer read.
  const stillUsed = new Set(nodes.flatMap((n) => n.inputs));
  const opsets = new Map(model.opsets);
  opsets.set("", Math.max(13, opsets.get("") ?? 13)); // per-axis DequantizeLinear needs opset 13
  if (nodes.some((n) => n.domain === "com.microsoft")) opsets.set("com.microsoft", Math.max(1, opsets.get("com.microsoft") ?? 1));
  return serializeModel(
    {
      ...model,
      graphName: `${model.graphName || "graph"}_int8`,
      nodes,
      initializers: [...model.initializers.filter((t) => stillUsed.has(t.name)), ...newInits],
      outputs,
      opsets,
      metadata: info.metadata ?? {},
    },
    "colorization-quantizer",
  );
}

// ---- bias correction ---------------------------------------------------------------------------

export interface BiasCorrectionReport {
  passes: number;
  /**
   * Per pass, the median over the corrected Convs' output channels of |int8 mean − float mean|
   * that the pass measured and removed: the first is the shift quantization caused, a second one
   * what the first left. (The median, because a dead channel, its bias far below what int32 holds
   * at its tiny weight scale, keeps its shift: it stays after the ReLU's zero either way.)
   */
  medianShift: number[];
}

/**
 * Empirical bias correction (Nagel et al., "Data-Free Quantization Through Weight Equalization
 * and Bias Correction", ICCV 2019, with calibration photos as the data). Rounding the weights to
 * 7 bits and the inputs to 8 moves each output channel's mean a little, and the moves add up layer
 * after layer; the annealed mean at a low temperature then turns a shifted logit into another
 * colour. Conv by Conv in graph order, this builds the int8 graph with the corrections so far,
 * measures the Conv's per-channel mean before its activation against the float model's on the same
 * batches, and subtracts the difference from its bias. The order matters: a Conv's shift includes
 * what the layers before it passed on, so correcting all at once from one measurement counts that
 * twice (on the 2026-12-05 `full`, mean |Δab| to float on the calibration photos went from 0.25
 * to 0.91). The activation ranges stay as calibrated on the float model. A Conv without a bias is
 * left as it is.
 */
export async function correctBiases(
  model: ParsedOnnxModel,
  plan: QuantizationPlan,
  ranges: ReadonlyMap<string, ActivationRange>,
  batches: readonly CalibrationBatch[],
  options: { passes: number; threads?: number },
): Promise<{ model: ParsedOnnxModel; report: BiasCorrectionReport }> {
  const convs = plan.nodes.filter((q) => q.node.opType === "Conv" && q.node.inputs[2]);
  const report: BiasCorrectionReport = { passes: options.passes, medianShift: [] };
  if (convs.length === 0 || options.passes === 0) return { model, report };
  const biasNames = convs.map((q) => q.node.inputs[2]!);
  if (new Set(biasNames).size !== biasNames.length) throw new Error("bias correction needs each quantized Conv to own its bias");
  const inputName = model.inputs[0]!.name;
  const outputs = convs.map((q) => q.node.outputs[0]!);
  const reference = await channelMeans(withExtraOutputs(model, outputs), inputName, outputs, batches, options.threads);
  let current = model;
  for (let pass = 0; pass < options.passes; pass++) {
    const shifts: number[] = [];
    for (const [k, output] of outputs.entries()) {
      const exposed = new Map<string, string>();
      const qdq = buildQdqModel(current, plan, ranges, { exposePreActivations: exposed });
      const measuredName = exposed.get(output)!;
      const got = (await channelMeans(qdq, inputName, [measuredName], batches, options.threads)).get(measuredName)!;
      const want = reference.get(output)!;
      const biasName = biasNames[k]!;
      current = {
        ...current,
        initializers: current.initializers.map((t) => {
          if (t.name !== biasName) return t;
          return {
            ...t,
            values: Float32Array.from(t.values as Float32Array, (b, c) => {
              const shift = got[c]! - want[c]!;
              shifts.push(Math.abs(shift));
              return b - shift;
            }),
          };
        }),
      };
    }
    report.medianShift.push(quantileSorted(shifts.sort((x, y) => x - y), 0.5));
  }
  return { model: current, report };
}

/**
 * The operators onnxruntime actually runs for a model after its graph optimizations (counts by
 * op type), read back from the optimized model it writes: a quantized model whose Convs were
 * fused shows QLinearConv (or its NHWC variant) and no float Conv for them.
 */
export async function optimizedOperatorCounts(model: Uint8Array | string, threads = 1): Promise<Record<string, number>> {
  const dir = await mkdtemp(join(os.tmpdir(), "ort-optimized-"));
  try {
    const path = join(dir, "optimized.onnx");
    const session = await ort.InferenceSession.create(model as Uint8Array, {
      executionProviders: ["cpu"],
      graphOptimizationLevel: "all",
      intraOpNumThreads: threads,
      optimizedModelFilePath: path,
      logSeverityLevel: 4,
    });
    await session.release();
    const counts: Record<string, number> = {};
    for (const n of parseOnnxModel(await readFile(path)).nodes) {
      const key = n.domain ? `${n.domain}.${n.opType}` : n.opType;
      counts[key] = (counts[key] ?? 0) + 1;
    }
    return counts;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// ---- the whole pass ------------------------------------------------------------------------------

/**
 * Calibration batches from L planes (0..100, the network's input size, as
 * lib/images/colorize.ts prepareImage makes them), normalized and laid out as the colorizer feeds
 * the network (lib/model/session.ts).
 */
export function calibrationBatches(
  planes: readonly Float32Array[],
  input: { height: number; width: number; layout: "NCHW" | "NHWC"; lNormalization: { offset: number; scale: number } },
  // Every activation of a batch is held at once during calibration: ~0.4 GB per image for the
  // paper-size (width 64) network at 256×256.
  batch = 4,
): CalibrationBatch[] {
  const { height: H, width: W } = input;
  const { offset, scale } = input.lNormalization;
  const batches: CalibrationBatch[] = [];
  for (let start = 0; start < planes.length; start += batch) {
    const chunk = planes.slice(start, start + batch);
    const data = new Float32Array(chunk.length * H * W);
    chunk.forEach((plane, k) => {
      if (plane.length !== H * W) throw new RangeError(`calibration plane ${start + k} has ${plane.length} values; the model takes ${H}×${W}`);
      for (let i = 0; i < H * W; i++) data[k * H * W + i] = (plane[i]! + offset) * scale;
    });
    batches.push({ data, dims: input.layout === "NCHW" ? [chunk.length, 1, H, W] : [chunk.length, H, W, 1] });
  }
  return batches;
}

export interface QuantizedModel {
  /** The int8 model (ONNX bytes). */
  bytes: Uint8Array;
  /** "NHWC" when the head was rewritten to a channels-last output; else the source's layout holds. */
  outputLayout: "NHWC" | null;
  /** What was done, for the manifest and the log. */
  report: {
    graphRewrites: string[];
    quantizedNodes: number;
    floatNodes: string[];
    activations: number;
    biasCorrection: BiasCorrectionReport;
  };
}

const BIAS_CORRECTION_BATCHES = 4;

/** Rewrite, calibrate and quantize a float model (see the module comment). */
export async function quantizeModel(
  floatModel: Uint8Array,
  batches: readonly CalibrationBatch[],
  options: QuantizationOptions & { threads?: number; metadata?: Record<string, string> },
): Promise<QuantizedModel> {
  const parsed = parseOnnxModel(floatModel);
  // Channel ranges of the ReLU outputs that BatchNorms read, so that folding can even them out.
  const bnInputs = parsed.nodes.filter((n) => n.opType === "BatchNormalization").map((n) => n.inputs[0]!);
  const inputRanges = await channelMaxima(parsed, bnInputs, batches, options.threads);
  const folded = foldBatchNorm(parsed, { inputRanges });
  const subpixel = convTransposeToConv(folded.model);
  const head = headToNhwcMatMul(subpixel.model);
  const model = head.model;
  const plan = planQuantization(model, options);
  const ranges = await calibrateRanges(model, plan.tensors, batches, options);
  // Means over a few batches are exact enough for a bias, and the correction runs the graph once per Conv.
  const corrected = await correctBiases(model, plan, ranges, batches.slice(0, BIAS_CORRECTION_BATCHES), {
    passes: options.biasCorrectionPasses ?? 0,
    ...(options.threads ? { threads: options.threads } : {}),
  });
  const bytes = buildQdqModel(corrected.model, plan, ranges, options.metadata ? { metadata: options.metadata } : {});
  const graphRewrites = [
    ...folded.report.folded.map((n) => `${n}: BatchNorm scale folded into the Conv before it` + (folded.report.shiftAsDepthwiseConv.includes(n) ? ", sign and shift as a depthwise 1×1 Conv" : "")),
    ...subpixel.report.rewritten.map((n) => `${n}: ConvTranspose as Conv 3×3 + DepthToSpace`),
    ...head.report.rewritten.map((n) => `${n}: 1×1 head as a channels-last MatMul (output NHWC)`),
  ];
  return {
    bytes,
    outputLayout: head.outputLayoutChanged ? "NHWC" : null,
    report: { graphRewrites, quantizedNodes: plan.nodes.length, floatNodes: plan.floatNodes, activations: plan.tensors.length, biasCorrection: corrected.report },
  };
}

/** What a quantized model's manifest records beyond its source's (manifest field `quantization`). */
export interface QuantizedManifestInfo {
  /** The int8 ONNX file as the manifest names it (relative to the manifest's folder, or absolute). */
  file: string;
  /** The float source: its file and manifest as the new manifest names them, and the file's SHA-256. */
  source: { file: string; sha256: string; manifest?: string };
  calibration: { images: string; count: number; method: CalibrationMethod; percentile?: number };
  tool: string;
}

/** The manifest of a quantized model: the source's, pointing at the int8 file, plus the record. */
export function quantizedManifest(source: ModelManifest, quantized: QuantizedModel, info: QuantizedManifestInfo): ModelManifest {
  return {
    ...source,
    name: `${source.name}-int8`,
    description: `int8 copy of ${source.name} (weights int8 per output channel, activations uint8 per tensor, calibrated on ${info.calibration.count} photos). ${source.description ?? ""}`.trim(),
    file: info.file,
    output: { ...source.output, ...(quantized.outputLayout ? { layout: quantized.outputLayout } : {}) },
    quantization: {
      precision: "int8",
      source: info.source,
      weights: "int8, symmetric, per output channel",
      activations: "uint8, asymmetric, per tensor",
      calibration: {
        images: info.calibration.images,
        count: info.calibration.count,
        height: source.input.height,
        width: source.input.width,
        method: info.calibration.method,
        ...(info.calibration.method === "percentile" ? { percentile: info.calibration.percentile ?? 99.99 } : {}),
      },
      ...(quantized.report.biasCorrection.passes > 0 ? { biasCorrection: quantized.report.biasCorrection } : {}),
      floatNodes: quantized.report.floatNodes,
      graphRewrites: quantized.report.graphRewrites,
      tool: info.tool,
      date: new Date().toISOString().slice(0, 10),
    },
  };
}

/**
 * Per-pixel |Δab| (Euclidean, ab units) between two colorizers' outputs for the same planes
 * (interleaved ab, as `predictAb` returns): how far an int8 copy's colours are from its float
 * source's. Mean, 99th percentile and maximum over all pixels.
 */
export function abDifference(first: readonly Float32Array[], second: readonly Float32Array[]): { pixels: number; mean: number; p99: number; max: number } {
  if (first.length !== second.length) throw new RangeError(`abDifference: ${first.length} against ${second.length} images`);
  const distances: number[] = [];
  first.forEach((x, k) => {
    const y = second[k]!;
    if (x.length !== y.length) throw new RangeError(`abDifference: image ${k} has ${x.length} against ${y.length} values`);
    for (let i = 0; i < x.length; i += 2) distances.push(Math.hypot(x[i]! - y[i]!, x[i + 1]! - y[i + 1]!));
  });
  distances.sort((p, q) => p - q);
  const total = distances.reduce((sum, d) => sum + d, 0);
  return { pixels: distances.length, mean: total / distances.length, p99: distances[Math.floor(0.99 * distances.length)]!, max: distances[distances.length - 1]! };
}
