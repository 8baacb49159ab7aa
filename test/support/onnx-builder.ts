/**
 * A minimal hand-rolled protobuf encoder for ONNX models, enough to build small test graphs in
 * TypeScript (no `onnx` package): ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto,
 * ValueInfoProto. Field numbers follow onnx/onnx.proto (IR version 8).
 */

// ---- protobuf wire format -------------------------------------------------------------------

class Writer {
  private chunks: number[] = [];
  varint(value: number | bigint): this {
    let v = BigInt.asUintN(64, BigInt(value));
    do {
      let byte = Number(v & 0x7fn);
      v >>= 7n;
      if (v !== 0n) byte |= 0x80;
      this.chunks.push(byte);
    } while (v !== 0n);
    return this;
  }
  tag(field: number, wireType: 0 | 1 | 2 | 5): this {
    return this.varint((field << 3) | wireType);
  }
  bytes(field: number, data: Uint8Array): this {
    this.tag(field, 2).varint(data.length);
    for (const b of data) this.chunks.push(b);
    return this;
  }
  string(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }
  int(field: number, v: number): this {
    return this.tag(field, 0).varint(v);
  }
  float(field: number, v: number): this {
    const buf = new Uint8Array(4);
    new DataView(buf.buffer).setFloat32(0, v, true);
    this.tag(field, 5);
    for (const b of buf) this.chunks.push(b);
    return this;
  }
  message(field: number, inner: Writer): this {
    return this.bytes(field, inner.finish());
  }
  finish(): Uint8Array {
    return Uint8Array.from(this.chunks);
  }
}

// ---- ONNX messages ---------------------------------------------------------------------------

export const TensorDataType = { FLOAT: 1, INT64: 7 } as const;

export interface TensorSpec {
  name: string;
  dims: number[];
  /** float32 values (stored as raw little-endian bytes). */
  values: Float32Array | number[];
}

function tensorProto(t: TensorSpec): Writer {
  const w = new Writer();
  for (const d of t.dims) w.int(1, d);
  w.int(2, TensorDataType.FLOAT);
  w.string(8, t.name);
  const values = Float32Array.from(t.values);
  const expected = t.dims.reduce((a, b) => a * b, 1);
  if (values.length !== expected) throw new Error(`tensor ${t.name}: ${values.length} values for dims [${t.dims}]`);
  w.bytes(9, new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  return w;
}

export type AttributeValue = number | number[] | string | { float: number } | { floats: number[] };

function attributeProto(name: string, value: AttributeValue): Writer {
  const w = new Writer().string(1, name);
  if (typeof value === "number") {
    w.int(3, value).int(20, 2); // INT
  } else if (typeof value === "string") {
    w.string(4, value).int(20, 3); // STRING
  } else if (Array.isArray(value)) {
    for (const v of value) w.int(8, v);
    w.int(20, 7); // INTS
  } else if ("float" in value) {
    w.float(2, value.float).int(20, 1); // FLOAT
  } else {
    for (const v of value.floats) w.float(7, v);
    w.int(20, 6); // FLOATS
  }
  return w;
}

export interface NodeSpec {
  opType: string;
  inputs: string[];
  outputs: string[];
  name?: string;
  attributes?: Record<string, AttributeValue>;
}

function nodeProto(n: NodeSpec, index: number): Writer {
  const w = new Writer();
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, n.name ?? `${n.opType}_${index}`);
  w.string(4, n.opType);
  for (const [k, v] of Object.entries(n.attributes ?? {})) w.message(5, attributeProto(k, v));
  return w;
}

/** A dimension: a fixed size or a symbolic name such as "N". */
export type Dim = number | string;

export interface ValueSpec {
  name: string;
  dims: Dim[];
  elemType?: number;
}

function valueInfoProto(v: ValueSpec): Writer {
  const shape = new Writer();
  for (const d of v.dims) {
    const dim = new Writer();
    if (typeof d === "number") dim.int(1, d);
    else dim.string(2, d);
    shape.message(1, dim);
  }
  const tensorType = new Writer().int(1, v.elemType ?? TensorDataType.FLOAT).message(2, shape);
  const type = new Writer().message(1, tensorType);
  return new Writer().string(1, v.name).message(2, type);
}

export interface GraphSpec {
  name?: string;
  nodes: NodeSpec[];
  initializers?: TensorSpec[];
  inputs: ValueSpec[];
  outputs: ValueSpec[];
  opset?: number;
}

/** Serialize a ModelProto (IR version 8, default opset 17). */
export function buildOnnxModel(g: GraphSpec): Uint8Array {
  const graph = new Writer();
  g.nodes.forEach((n, i) => graph.message(1, nodeProto(n, i)));
  graph.string(2, g.name ?? "test_graph");
  for (const t of g.initializers ?? []) graph.message(5, tensorProto(t));
  for (const v of g.inputs) graph.message(11, valueInfoProto(v));
  for (const v of g.outputs) graph.message(12, valueInfoProto(v));
  const opset = new Writer().string(1, "").int(2, g.opset ?? 17);
  return new Writer().int(1, 8).string(2, "colorization-test-builder").message(7, graph).message(8, opset).finish();
}

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
