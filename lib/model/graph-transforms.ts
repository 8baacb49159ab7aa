/**
 * Exact rewrites of a float colorizer graph (the same function, up to float rounding) that make it
 * quantize better and let onnxruntime run more of it as integer kernels (lib/model/quantize.ts):
 *
 * 1. {@link foldBatchNorm} — BatchNorm into the neighbouring convolutions.
 * 2. {@link convTransposeToConv} — the 4×4 stride-2 transposed convolution as a 3×3 convolution
 *    to 4× the channels and a DepthToSpace (onnxruntime has integer Conv but no integer
 *    ConvTranspose on the CPU).
 * 3. {@link headToNhwcMatMul} — the 1×1 head as a MatMul over channels with a channels-last
 *    output, which onnxruntime runs as an integer matrix product with a float result
 *    (MatMulIntegerToFloat) and which spares two layout conversions of the 313-channel output.
 *
 * BatchNorm folding ({@link foldBatchNorm}). In inference, BatchNormalization is y = a·x + shift
 * per channel (a = γ/√(σ²+ε), shift = β − μ·a). ECCV16 and our U-Net put it *after* the ReLU that
 * ends each block (Conv → ReLU → BN → Conv), a form onnxruntime does not fuse, and its scales span
 * orders of magnitude and both signs (0.3–220 in the first shipped model; down to 1e−16 and a
 * third negative in the retrained ones): quantizing the ReLU output per tensor before such scales
 * loses the channels that the BN then multiplies most. So, for a positive factor f per channel:
 *
 * - f moves back into the Conv before the ReLU: a·relu(z) = (a/f)·relu(f·z) (exact). f is
 *   1 / the channel's maximum over the calibration photos when given ({@link FoldOptions}), so
 *   that every channel of the ReLU output spans [0, 1] and the per-tensor uint8 range serves all
 *   alike; else |a|.
 * - a/f (sign included) and the shift stay where the BN was, as a depthwise 1×1 Conv (weight a/f,
 *   bias shift): exact, quantized per channel (one weight per channel is exact in int8) with an
 *   int32 bias, and run as an integer kernel; dropped when it is the identity. (Moving the shift
 *   into the next Conv's bias instead is exact only away from the borders, where the next Conv's
 *   zero padding would see the shift: on the first shipped model that changed the colours by a
 *   mean ΔE2000 of 3.4, so it is not done. An Add of the shift, quantized as QLinearAdd, was
 *   slower and less accurate than the depthwise Conv.)
 * - a BN right after a Conv (no ReLU between) folds into it exactly, shift included.
 */
import type { ParsedOnnxModel } from "./onnx-reader";
import { buildOnnxModel, type NodeSpec, type TensorSpec } from "./onnx-writer";

export interface FoldOptions {
  /**
   * Per-channel maxima of BatchNorm inputs (by tensor name), from calibration. With them the
   * factor moved back into the Conv is 1 / max instead of |a|, so every channel of the ReLU
   * output spans [0, 1] and shares its per-tensor uint8 range evenly; the depthwise Conv then
   * carries a·max. Exact either way.
   */
  inputRanges?: ReadonlyMap<string, Float32Array>;
}

export interface FoldReport {
  /** BatchNorm nodes whose scale moved into the Conv before them. */
  folded: string[];
  /** Of those, the ones whose sign and shift became a depthwise 1×1 Conv. */
  shiftAsDepthwiseConv: string[];
  /** BatchNorm nodes left unchanged, with the reason. */
  kept: { node: string; reason: string }[];
}

function floatInit(inits: Map<string, TensorSpec>, name: string | undefined): Float32Array | null {
  const t = name ? inits.get(name) : undefined;
  return t && t.values instanceof Float32Array ? t.values : null;
}

/**
 * Constants held by nodes made initializers: a Constant with a tensor `value`, and an Identity of
 * an initializer (PyTorch's exporter writes one when two parameters are equal, e.g. BatchNorm
 * running variances). Exact; the rewrites below look for parameters among the initializers.
 */
export function inlineConstants(model: ParsedOnnxModel): ParsedOnnxModel {
  const inits = new Map(model.initializers.map((t) => [t.name, t]));
  const graphOutputs = new Set(model.outputs.map((o) => o.name));
  const added: TensorSpec[] = [];
  const nodes: NodeSpec[] = [];
  for (const n of model.nodes) {
    const out = n.outputs[0]!;
    const value = n.opType === "Constant" ? n.attributes?.value : undefined;
    const source =
      typeof value === "object" && value !== null && "tensor" in value
        ? value.tensor
        : n.opType === "Identity" && inits.has(n.inputs[0]!)
          ? inits.get(n.inputs[0]!)!
          : null;
    if (!source || n.outputs.length !== 1 || graphOutputs.has(out)) {
      nodes.push(n);
      continue;
    }
    const t = { name: out, dims: source.dims, values: source.values };
    inits.set(out, t);
    added.push(t);
  }
  return { ...model, nodes, initializers: [...model.initializers, ...added] };
}

/**
 * Channel maxima fit to divide by: null when the whole tensor is numerically zero (a block that
 * training switched off, whose BatchNorm passes on only its shift: maxima of 1e−27 were seen, and
 * dividing by them overflows float32), else each channel's maximum raised to at least 1/10000 of
 * the largest, so that no dead channel is blown up by more than that.
 */
function usableRanges(ranges: Float32Array | undefined): Float32Array | null {
  if (!ranges) return null;
  const largest = Math.max(...ranges);
  if (!(largest > 1e-6)) return null;
  return ranges.map((m) => Math.max(m, 1e-4 * largest));
}

/** A new model with BatchNorm folded as described above (the input model is not modified). */
export function foldBatchNorm(source: ParsedOnnxModel, options: FoldOptions = {}): { model: ParsedOnnxModel; report: FoldReport } {
  const model = inlineConstants(source);
  const inits = new Map<string, TensorSpec>(model.initializers.map((t) => [t.name, { ...t, values: t.values instanceof Float32Array ? t.values.slice() : t.values }]));
  let nodes = [...model.nodes];
  const graphOutputs = new Set(model.outputs.map((o) => o.name));
  const report: FoldReport = { folded: [], shiftAsDepthwiseConv: [], kept: [] };
  const consumersOf = (t: string) => nodes.filter((n) => n.inputs.includes(t));
  const producerOf = (t: string) => nodes.find((n) => n.outputs.includes(t));
  const label = (n: NodeSpec) => n.name ?? n.outputs[0]!;
  // Nodes are compared by their first output (unique in a valid graph): the array is rebuilt with
  // copies as folding goes on.
  const same = (a: NodeSpec | undefined, b: NodeSpec) => a !== undefined && a.outputs[0] === b.outputs[0];
  const addInit = (t: TensorSpec) => inits.set(t.name, t);

  for (const bn of model.nodes.filter((n) => n.opType === "BatchNormalization")) {
    const [x, gammaName, betaName, meanName, varName] = bn.inputs;
    const y = bn.outputs[0]!;
    const gamma = floatInit(inits, gammaName), beta = floatInit(inits, betaName), mean = floatInit(inits, meanName), variance = floatInit(inits, varName);
    const eps = (bn.attributes?.epsilon as { float: number } | undefined)?.float ?? 1e-5;
    if (!x || !gamma || !beta || !mean || !variance || bn.outputs.length !== 1) {
      report.kept.push({ node: label(bn), reason: "parameters are not constant float32 tensors" });
      continue;
    }
    const channels = gamma.length;
    const a = new Float32Array(channels);
    const shift = new Float32Array(channels);
    for (let c = 0; c < channels; c++) {
      a[c] = gamma[c]! / Math.sqrt(variance[c]! + eps);
      shift[c] = beta[c]! - mean[c]! * a[c]!;
    }
    // The Conv (and the ReLU between) whose output the BN reads.
    let relu = producerOf(x);
    let conv: NodeSpec | undefined;
    if (relu?.opType === "Relu") conv = producerOf(relu.inputs[0]!);
    else {
      conv = relu;
      relu = undefined;
    }
    const convW = conv?.opType === "Conv" ? floatInit(inits, conv.inputs[1]) : null;
    const single = (t: string) => consumersOf(t).length === 1 && !graphOutputs.has(t);
    if (!conv || !convW || !single(conv.outputs[0]!) || (relu && !single(relu.outputs[0]!))) {
      report.kept.push({ node: label(bn), reason: "not read directly from a Conv (or Conv → Relu) with no other reader" });
      continue;
    }
    // Across a Relu only a positive factor f can move back; what is left of the scale (a / f)
    // stays after it, in the depthwise Conv (see above).
    const ranges = relu ? usableRanges(options.inputRanges?.get(x)) : null;
    const after = new Float32Array(channels).fill(1);
    if (relu) {
      for (let c = 0; c < channels; c++) {
        const f = ranges ? 1 / ranges[c]! : Math.abs(a[c]!);
        after[c] = f > 0 ? a[c]! / f : 1;
        a[c] = f;
      }
    }
    // Scale into the producing Conv: W[o,…]·a[o], B[o]·a[o] (+ shift[o] when no Relu between).
    const per = convW.length / channels;
    if (per !== Math.floor(per) || inits.get(conv.inputs[1]!)!.dims[0] !== channels) {
      report.kept.push({ node: label(bn), reason: "its channels do not match the Conv's outputs" });
      continue;
    }
    for (let o = 0; o < channels; o++) for (let i = o * per; i < (o + 1) * per; i++) convW[i]! *= a[o]!;
    let bias = floatInit(inits, conv.inputs[2]);
    if (!bias) {
      const t = { name: `${conv.inputs[1]}_folded_bias`, dims: [channels], values: new Float32Array(channels) };
      addInit(t);
      bias = t.values;
      const convOut = conv.outputs[0];
      nodes = nodes.map((n) => (n.outputs[0] === convOut ? { ...n, inputs: [n.inputs[0]!, n.inputs[1]!, t.name] } : n));
    }
    for (let o = 0; o < channels; o++) bias[o] = bias[o]! * a[o]! + (relu ? 0 : shift[o]!);
    report.folded.push(label(bn));
    if (!relu || (shift.every((v) => v === 0) && after.every((v) => v === 1))) {
      // Nothing left to apply: readers of the BN read its input.
      nodes = nodes.filter((n) => !same(bn, n)).map((n) => ({ ...n, inputs: n.inputs.map((i) => (i === y ? x : i)) }));
      continue;
    }
    const w = { name: `${label(bn)}_scale_weight`, dims: [channels, 1, 1, 1], values: after };
    const b = { name: `${label(bn)}_shift`, dims: [channels], values: shift };
    addInit(w);
    addInit(b);
    const shiftConv: NodeSpec = {
      opType: "Conv",
      inputs: [x, w.name, b.name],
      outputs: [y],
      name: `${label(bn)}_as_depthwise_conv`,
      attributes: { kernel_shape: [1, 1], group: channels, strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1] },
    };
    nodes = nodes.map((n) => (same(bn, n) ? shiftConv : n));
    report.shiftAsDepthwiseConv.push(label(bn));
  }
  const used = new Set(nodes.flatMap((n) => n.inputs));
  const initializers = [...inits.values()].filter((t) => used.has(t.name));
  return { model: { ...model, nodes, initializers }, report };
}

export interface RewriteReport {
  rewritten: string[];
  kept: { node: string; reason: string }[];
}

const nodeName = (n: NodeSpec) => n.name ?? n.outputs[0]!;
const ints = (v: unknown, fallback: number[]) => (Array.isArray(v) ? (v as number[]) : fallback);

/**
 * ConvTranspose(kernel 4, stride 2, pads 1) → Conv(kernel 3, pads 1, 4·Cout channels) →
 * DepthToSpace(2, DCR). Exact: output pixel (2m + r, 2n + s) of the transposed convolution reads
 * input rows m−1, m (r = 0: kernel rows 3, 1) or m, m+1 (r = 1: kernel rows 2, 0), and likewise
 * for columns, so each of the four phases (r, s) is a 3×3 convolution with one zero row and one
 * zero column; DepthToSpace interleaves the phases. It costs 9/4 the multiply-adds of the
 * transposed convolution, which integer kernels more than repay.
 */
export function convTransposeToConv(model: ParsedOnnxModel): { model: ParsedOnnxModel; report: RewriteReport } {
  const inits = new Map(model.initializers.map((t) => [t.name, t]));
  const report: RewriteReport = { rewritten: [], kept: [] };
  const newInits: TensorSpec[] = [];
  const nodes: NodeSpec[] = [];
  // Kernel index of ConvTranspose tap for phase r and window offset d (−1, 0, 1), or −1.
  const tap = (r: number, d: number) => (r === 0 ? (d === 0 ? 1 : d === -1 ? 3 : -1) : d === 0 ? 2 : d === 1 ? 0 : -1);
  const moved = new Set<NodeSpec>();
  for (const n of model.nodes) {
    if (moved.has(n)) continue;
    if (n.opType !== "ConvTranspose") {
      nodes.push(n);
      continue;
    }
    const a = n.attributes ?? {};
    const w = floatInit(inits, n.inputs[1]);
    const wDims = inits.get(n.inputs[1]!)?.dims;
    const why =
      !w || !wDims || wDims.length !== 4
        ? "weights are not a constant float32 4-D tensor"
        : wDims[2] !== 4 || wDims[3] !== 4 || ints(a.strides, [1, 1]).some((v) => v !== 2) || ints(a.pads, [0, 0, 0, 0]).some((v) => v !== 1)
          ? "only kernel 4, stride 2, pads 1 is rewritten"
          : (a.group ?? 1) !== 1 || ints(a.dilations, [1, 1]).some((v) => v !== 1) || ints(a.output_padding, [0, 0]).some((v) => v !== 0) || a.output_shape || a.auto_pad
            ? "groups, dilation, output padding or a stated output shape"
            : null;
    if (why) {
      report.kept.push({ node: nodeName(n), reason: why });
      nodes.push(n);
      continue;
    }
    const weights = w!;
    const [cin, cout] = [wDims![0]!, wDims![1]!];
    const w3 = new Float32Array(4 * cout * cin * 9);
    const b3 = new Float32Array(4 * cout);
    const bias = floatInit(inits, n.inputs[2]);
    for (let r = 0; r < 2; r++) {
      for (let s = 0; s < 2; s++) {
        for (let o = 0; o < cout; o++) {
          const oc = (r * 2 + s) * cout + o; // DCR: channel = (r·2 + s)·C + c
          b3[oc] = bias ? bias[o]! : 0;
          for (let c = 0; c < cin; c++) {
            for (let dh = -1; dh <= 1; dh++) {
              const kh = tap(r, dh);
              if (kh < 0) continue;
              for (let dw = -1; dw <= 1; dw++) {
                const kw = tap(s, dw);
                if (kw < 0) continue;
                w3[((oc * cin + c) * 3 + dh + 1) * 3 + dw + 1] = weights[((c * cout + o) * 4 + kh) * 4 + kw]!;
              }
            }
          }
        }
      }
    }
    const base = nodeName(n);
    const wName = `${base}_as_conv_weight`;
    const bName = `${base}_as_conv_bias`;
    const phases = `${n.outputs[0]}_phases`;
    newInits.push({ name: wName, dims: [4 * cout, cin, 3, 3], values: w3 }, { name: bName, dims: [4 * cout], values: b3 });
    // A Relu that alone reads the output moves before the DepthToSpace (it commutes with moving
    // pixels), so that it can join the Conv.
    const readers = model.nodes.filter((m) => m.inputs.includes(n.outputs[0]!));
    const relu = readers.length === 1 && readers[0]!.opType === "Relu" && !model.outputs.some((o) => o.name === n.outputs[0]) ? readers[0]! : null;
    const conv: NodeSpec = { opType: "Conv", inputs: [n.inputs[0]!, wName, bName], outputs: [phases], name: `${base}_as_conv`, attributes: { kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [1, 1], dilations: [1, 1], group: 1 } };
    if (relu) {
      moved.add(relu);
      nodes.push(
        conv,
        { ...relu, inputs: [phases], outputs: [`${phases}_relu`] },
        { opType: "DepthToSpace", inputs: [`${phases}_relu`], outputs: [relu.outputs[0]!], name: `${base}_depth_to_space`, attributes: { blocksize: 2, mode: "DCR" } },
      );
    } else {
      nodes.push(conv, { opType: "DepthToSpace", inputs: [phases], outputs: [n.outputs[0]!], name: `${base}_depth_to_space`, attributes: { blocksize: 2, mode: "DCR" } });
    }
    report.rewritten.push(base);
  }
  const used = new Set(nodes.flatMap((n) => n.inputs));
  const initializers = [...model.initializers, ...newInits].filter((t) => used.has(t.name));
  return { model: { ...model, nodes, initializers }, report };
}

/**
 * The 1×1 Conv that computes the graph output (possibly followed by a Relu or arithmetic with a
 * scalar constant), as Transpose(NCHW → NHWC) → MatMul(Wᵀ) → Add(B): the same numbers, laid out
 * [N, H, W, C] (the manifest then says output.layout "NHWC").
 * Returns `outputLayoutChanged: false` when the graph has no such head.
 */
export function headToNhwcMatMul(model: ParsedOnnxModel): { model: ParsedOnnxModel; outputLayoutChanged: boolean; report: RewriteReport } {
  const inits = new Map(model.initializers.map((t) => [t.name, t]));
  const report: RewriteReport = { rewritten: [], kept: [] };
  const out = model.outputs.length === 1 ? model.outputs[0]! : null;
  // Walk back from the output over ops that do not care about the layout (a Relu, arithmetic with
  // a scalar constant such as the L2 model's ab × 110) to the Conv that computes it.
  const producer = new Map(model.nodes.flatMap((n) => n.outputs.map((o) => [o, n] as const)));
  const readers = (t: string) => model.nodes.filter((n) => n.inputs.includes(t)).length;
  const scalarConstant = (t: string) => {
    const init = inits.get(t);
    if (init) return init.values.length === 1;
    const p = producer.get(t);
    const value = p?.opType === "Constant" ? p.attributes?.value : undefined;
    return typeof value === "object" && value !== null && "tensor" in value && value.tensor.values.length === 1;
  };
  let head = out ? producer.get(out.name) : undefined;
  while (head && head.opType !== "Conv") {
    const layoutFree =
      head.opType === "Relu" || head.opType === "Identity" ||
      (["Mul", "Add", "Sub", "Div"].includes(head.opType) && head.inputs.length === 2 && head.inputs.some(scalarConstant));
    const from = head.inputs.find((i) => !scalarConstant(i));
    if (!layoutFree || !from || readers(from) !== 1) break;
    head = producer.get(from);
  }
  if (!out || !head || head.opType !== "Conv") {
    report.kept.push({ node: head ? nodeName(head) : "(none)", reason: "the single graph output is not computed by a Conv (then layout-free ops)" });
    return { model, outputLayoutChanged: false, report };
  }
  const a = head.attributes ?? {};
  const w = floatInit(inits, head.inputs[1]);
  const dims = inits.get(head.inputs[1]!)?.dims;
  if (
    !w || !dims || dims.length !== 4 || dims[2] !== 1 || dims[3] !== 1 ||
    (a.group ?? 1) !== 1 || ints(a.strides, [1, 1]).some((v) => v !== 1) || ints(a.pads, [0, 0, 0, 0]).some((v) => v !== 0) || a.auto_pad
  ) {
    report.kept.push({ node: nodeName(head), reason: "not a 1×1, stride 1, unpadded, ungrouped Conv with constant weights" });
    return { model, outputLayoutChanged: false, report };
  }
  const [cout, cin] = [dims[0]!, dims[1]!];
  const wt = new Float32Array(cin * cout);
  for (let o = 0; o < cout; o++) for (let c = 0; c < cin; c++) wt[c * cout + o] = w[o * cin + c]!;
  const base = nodeName(head);
  const x = head.inputs[0]!;
  const nhwc = `${x}_nhwc`;
  const headOut = head.outputs[0]!;
  const product = head.inputs[2] ? `${headOut}_matmul` : headOut;
  const newInits: TensorSpec[] = [{ name: `${base}_matmul_weight`, dims: [cin, cout], values: wt }];
  const replacement: NodeSpec[] = [
    { opType: "Transpose", inputs: [x], outputs: [nhwc], name: `${base}_to_nhwc`, attributes: { perm: [0, 2, 3, 1] } },
    { opType: "MatMul", inputs: [nhwc, `${base}_matmul_weight`], outputs: [product], name: `${base}_matmul` },
  ];
  if (head.inputs[2]) replacement.push({ opType: "Add", inputs: [product, head.inputs[2]], outputs: [headOut], name: `${base}_bias` });
  const nodes = model.nodes.flatMap((n) => (n === head ? replacement : [n]));
  const used = new Set(nodes.flatMap((n) => n.inputs));
  const initializers = [...model.initializers, ...newInits].filter((t) => used.has(t.name));
  const d = out.dims;
  const outputs = [d && d.length === 4 ? { ...out, dims: [d[0]!, d[2]!, d[3]!, d[1]!] } : { name: out.name, ...(out.elemType ? { elemType: out.elemType } : {}) }];
  report.rewritten.push(base);
  return { model: { ...model, nodes, initializers, outputs }, outputLayoutChanged: true, report };
}

/** `model` serialized as it stands: its graph name, nodes, initializers, inputs, outputs, operator sets and metadata. */
export function serializeModel(model: ParsedOnnxModel, producerName?: string): Uint8Array {
  return buildOnnxModel({
    name: model.graphName,
    nodes: model.nodes,
    initializers: model.initializers,
    inputs: model.inputs,
    outputs: model.outputs,
    opset: model.opsets.get("") ?? 13,
    extraOpsets: [...model.opsets].filter(([d]) => d !== "").map(([domain, version]) => ({ domain, version })),
    ...(producerName ? { producerName } : {}),
    metadata: model.metadata,
  });
}

/** Names for tensors new to `model`: `base`, else `base_1`, `base_2`, …; each name returned is taken. */
export function freshNames(model: ParsedOnnxModel): (base: string) => string {
  const used = new Set([...model.nodes.flatMap((n) => [...n.inputs, ...n.outputs]), ...model.initializers.map((t) => t.name)]);
  return (base) => {
    let name = base;
    for (let k = 1; used.has(name); k++) name = `${base}_${k}`;
    used.add(name);
    return name;
  };
}
