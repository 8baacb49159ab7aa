/**
 * The ECCV16 colorization network (docs/training.md, training/model.py) as an ONNX graph with seeded
 * random weights, for benchmarks when no trained model is at hand: the cost of a forward pass
 * depends only on the architecture. Layout as the released PyTorch port and training/model.py:
 * blocks of 3×3 conv → ReLU, BatchNorm after blocks 1–7, stride 2 on the last conv of blocks 1–3,
 * dilation 2 in blocks 5–6, a 4×4 stride-2 transposed conv opening block 8, a 1×1 head.
 */
import { buildOnnxModel, type NodeSpec, type TensorSpec } from "@/lib/model/onnx-writer";

function gaussian(seed: number): () => number {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

export interface Eccv16Options {
  /** Channels of conv1; the paper's network has 64. */
  width?: number;
  /** Input height = width, a multiple of 8. */
  size?: number;
  outChannels?: number;
  seed?: number;
  inputName?: string;
  outputName?: string;
}

/** Build the graph; returns the ONNX bytes and the number of multiply-adds per image. */
export function buildEccv16Onnx(options: Eccv16Options = {}): { bytes: Uint8Array; macsPerImage: number } {
  const width = options.width ?? 64;
  const size = options.size ?? 256;
  const outChannels = options.outChannels ?? 313;
  const inputName = options.inputName ?? "input_l";
  const outputName = options.outputName ?? "logits";
  const randn = gaussian(options.seed ?? 2016);
  const nodes: NodeSpec[] = [];
  const inits: TensorSpec[] = [];
  let current = inputName;
  let channels = 1;
  let res = size;
  let macs = 0;
  let n = 0;

  const he = (count: number, fanIn: number) => {
    const std = Math.sqrt(2 / fanIn);
    const w = new Float32Array(count);
    for (let i = 0; i < count; i++) w[i] = randn() * std;
    return w;
  };
  const conv = (cout: number, k: number, stride: number, dilation: number, pad: number, relu: boolean) => {
    const id = n++;
    inits.push({ name: `w${id}`, dims: [cout, channels, k, k], values: he(cout * channels * k * k, channels * k * k) });
    inits.push({ name: `b${id}`, dims: [cout], values: new Float32Array(cout) });
    const out = `conv${id}`;
    nodes.push({
      opType: "Conv",
      inputs: [current, `w${id}`, `b${id}`],
      outputs: [out],
      attributes: { kernel_shape: [k, k], strides: [stride, stride], dilations: [dilation, dilation], pads: [pad, pad, pad, pad] },
    });
    res = Math.floor((res + 2 * pad - dilation * (k - 1) - 1) / stride) + 1;
    macs += cout * channels * k * k * res * res;
    channels = cout;
    current = out;
    if (relu) {
      nodes.push({ opType: "Relu", inputs: [current], outputs: [`relu${id}`] });
      current = `relu${id}`;
    }
  };
  const bn = () => {
    const id = n++;
    const c = channels;
    inits.push({ name: `g${id}`, dims: [c], values: new Float32Array(c).fill(1) });
    inits.push({ name: `be${id}`, dims: [c], values: new Float32Array(c) });
    inits.push({ name: `m${id}`, dims: [c], values: new Float32Array(c) });
    inits.push({ name: `v${id}`, dims: [c], values: new Float32Array(c).fill(1) });
    nodes.push({ opType: "BatchNormalization", inputs: [current, `g${id}`, `be${id}`, `m${id}`, `v${id}`], outputs: [`bn${id}`], attributes: { epsilon: { float: 1e-5 } } });
    current = `bn${id}`;
  };
  const block = (cout: number, count: number, strideLast: number, dilation: number) => {
    for (let i = 0; i < count; i++) conv(cout, 3, i === count - 1 ? strideLast : 1, dilation, dilation, true);
    bn();
  };
  const c = [1, 2, 4, 8, 8, 8, 8, 4].map((m) => m * width) as [number, number, number, number, number, number, number, number];
  block(c[0], 2, 2, 1);
  block(c[1], 2, 2, 1);
  block(c[2], 3, 2, 1);
  block(c[3], 3, 1, 1);
  block(c[4], 3, 1, 2);
  block(c[5], 3, 1, 2);
  block(c[6], 3, 1, 1);
  // Block 8: ConvTranspose 4×4 stride 2 pad 1 (doubles the resolution), ReLU, then two 3×3 convs.
  {
    const id = n++;
    const cout = c[7];
    inits.push({ name: `w${id}`, dims: [channels, cout, 4, 4], values: he(channels * cout * 16, channels * 16) });
    inits.push({ name: `b${id}`, dims: [cout], values: new Float32Array(cout) });
    nodes.push({
      opType: "ConvTranspose",
      inputs: [current, `w${id}`, `b${id}`],
      outputs: [`deconv${id}`],
      attributes: { kernel_shape: [4, 4], strides: [2, 2], pads: [1, 1, 1, 1] },
    });
    macs += channels * cout * 16 * res * res; // every input pixel scatters a 4×4 kernel
    res *= 2;
    channels = cout;
    nodes.push({ opType: "Relu", inputs: [`deconv${id}`], outputs: [`relu${id}`] });
    current = `relu${id}`;
  }
  conv(c[7], 3, 1, 1, 1, true);
  conv(c[7], 3, 1, 1, 1, true);
  // Head: 1×1 conv to the output channels, named as the manifest says.
  {
    const id = n++;
    inits.push({ name: `w${id}`, dims: [outChannels, channels, 1, 1], values: he(outChannels * channels, channels) });
    inits.push({ name: `b${id}`, dims: [outChannels], values: new Float32Array(outChannels) });
    nodes.push({ opType: "Conv", inputs: [current, `w${id}`, `b${id}`], outputs: [outputName], attributes: { kernel_shape: [1, 1] } });
    macs += outChannels * channels * res * res;
  }
  const bytes = buildOnnxModel({
    name: `eccv16_w${width}`,
    nodes,
    initializers: inits,
    inputs: [{ name: inputName, dims: ["N", 1, size, size] }],
    outputs: [{ name: outputName, dims: ["N", outChannels, size / 4, size / 4] }],
  });
  return { bytes, macsPerImage: macs };
}
