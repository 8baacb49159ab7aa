/**
 * Small ONNX test models built in TypeScript with the hand-rolled protobuf encoder of
 * lib/model/onnx-writer.ts (re-exported here): a logits model whose output is known exactly and an
 * NHWC ab model.
 */
import { buildOnnxModel, type Dim } from "@/lib/model/onnx-writer";

export * from "@/lib/model/onnx-writer";

// ---- ready-made colorizer test graphs ----------------------------------------------------------

/**
 * Logits model, NCHW: input [N,1,S,S] → AveragePool(stride) → Conv 1×1 to Q channels.
 * logit_q = weight_q · x + bias_q, x the normalized L averaged over each stride×stride block.
 */
export function buildLogitsModel(opts: {
  size: number;
  stride: number;
  weights: Float32Array | number[];
  biases: Float32Array | number[];
  inputName?: string;
  outputName?: string;
  fixedBatch?: number;
}): Uint8Array {
  const q = opts.weights.length;
  const inName = opts.inputName ?? "input_l";
  const outName = opts.outputName ?? "logits";
  const n: Dim = opts.fixedBatch ?? "N";
  const o = opts.size / opts.stride;
  return buildOnnxModel({
    nodes: [
      { opType: "AveragePool", inputs: [inName], outputs: ["pooled"], attributes: { kernel_shape: [opts.stride, opts.stride], strides: [opts.stride, opts.stride] } },
      { opType: "Conv", inputs: ["pooled", "W", "B"], outputs: [outName], attributes: { kernel_shape: [1, 1] } },
    ],
    initializers: [
      { name: "W", dims: [q, 1, 1, 1], values: opts.weights },
      { name: "B", dims: [q], values: opts.biases },
    ],
    inputs: [{ name: inName, dims: [n, 1, opts.size, opts.size] }],
    outputs: [{ name: outName, dims: [n, q, o, o] }],
  });
}

/**
 * ab model, NHWC, stride 1: input [N,S,S,1] → output [N,S,S,2] with
 * a = x·ka + ca, b = x·kb + cb (x the normalized L), before the manifest's abScale.
 */
export function buildAbModel(opts: { size: number; ka: number; ca: number; kb: number; cb: number; inputName?: string; outputName?: string }): Uint8Array {
  const inName = opts.inputName ?? "input_l";
  const outName = opts.outputName ?? "ab";
  return buildOnnxModel({
    nodes: [
      { opType: "Mul", inputs: [inName, "ka"], outputs: ["xa"] },
      { opType: "Add", inputs: ["xa", "ca"], outputs: ["a"] },
      { opType: "Mul", inputs: [inName, "kb"], outputs: ["xb"] },
      { opType: "Add", inputs: ["xb", "cb"], outputs: ["b"] },
      { opType: "Concat", inputs: ["a", "b"], outputs: [outName], attributes: { axis: 3 } },
    ],
    initializers: [
      { name: "ka", dims: [1], values: [opts.ka] },
      { name: "ca", dims: [1], values: [opts.ca] },
      { name: "kb", dims: [1], values: [opts.kb] },
      { name: "cb", dims: [1], values: [opts.cb] },
    ],
    inputs: [{ name: inName, dims: ["N", opts.size, opts.size, 1] }],
    outputs: [{ name: outName, dims: ["N", opts.size, opts.size, 2] }],
  });
}
