/**
 * A minimal hand-rolled protobuf encoder for ONNX models (no `onnx` package): ModelProto,
 * GraphProto, NodeProto, AttributeProto, TensorProto, ValueInfoProto. Field numbers follow
 * onnx/onnx.proto (IR version 8). Used for the small decoding graph (lib/model/decode-graph.ts),
 * the test models (test/support/onnx-builder.ts) and the benchmark's ECCV16 graph.
 */

// ---- protobuf wire format -------------------------------------------------------------------

/** Protobuf writer that keeps large payloads (weights) as separate parts instead of copying bytes one by one. */
class Writer {
  private parts: Uint8Array[] = [];
  private pending: number[] = [];
  private size = 0;
  private flush(): void {
    if (this.pending.length) {
      this.parts.push(Uint8Array.from(this.pending));
      this.pending = [];
    }
  }
  private push(byte: number): void {
    this.pending.push(byte);
    this.size++;
  }
  get length(): number {
    return this.size;
  }
  varint(value: number | bigint): this {
    let v = BigInt.asUintN(64, BigInt(value));
    do {
      let byte = Number(v & 0x7fn);
      v >>= 7n;
      if (v !== 0n) byte |= 0x80;
      this.push(byte);
    } while (v !== 0n);
    return this;
  }
  tag(field: number, wireType: 0 | 1 | 2 | 5): this {
    return this.varint((field << 3) | wireType);
  }
  bytes(field: number, data: Uint8Array): this {
    this.tag(field, 2).varint(data.length);
    this.flush();
    this.parts.push(data);
    this.size += data.length;
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
    for (const b of buf) this.push(b);
    return this;
  }
  message(field: number, inner: Writer): this {
    this.tag(field, 2).varint(inner.length);
    this.flush();
    inner.flush();
    this.parts.push(...inner.parts);
    this.size += inner.size;
    return this;
  }
  finish(): Uint8Array {
    this.flush();
    const out = new Uint8Array(this.size);
    let offset = 0;
    for (const p of this.parts) {
      out.set(p, offset);
      offset += p.length;
    }
    return out;
  }
}

// ---- ONNX messages ---------------------------------------------------------------------------

export const TensorDataType = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7 } as const;

/** Typed arrays an initializer may hold; the array type sets the ONNX data type (numbers: float32). */
export type TensorValues = Float32Array | number[] | Uint8Array | Int8Array | Int32Array | BigInt64Array;

export interface TensorSpec {
  name: string;
  /** [] for a scalar. */
  dims: number[];
  /** Stored as raw little-endian bytes; a plain array is float32. */
  values: TensorValues;
}

function typedValues(values: TensorValues): { dataType: number; array: Exclude<TensorValues, number[]> } {
  if (Array.isArray(values)) return { dataType: TensorDataType.FLOAT, array: Float32Array.from(values) };
  if (values instanceof Float32Array) return { dataType: TensorDataType.FLOAT, array: values };
  if (values instanceof Uint8Array) return { dataType: TensorDataType.UINT8, array: values };
  if (values instanceof Int8Array) return { dataType: TensorDataType.INT8, array: values };
  if (values instanceof Int32Array) return { dataType: TensorDataType.INT32, array: values };
  return { dataType: TensorDataType.INT64, array: values };
}

function tensorProto(t: TensorSpec): Writer {
  const w = new Writer();
  for (const d of t.dims) w.int(1, d);
  const { dataType, array } = typedValues(t.values);
  w.int(2, dataType);
  w.string(8, t.name);
  const expected = t.dims.reduce((a, b) => a * b, 1);
  if (array.length !== expected) throw new Error(`tensor ${t.name}: ${array.length} values for dims [${t.dims}]`);
  // Typed arrays are little-endian on every platform Node runs on.
  w.bytes(9, new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
  return w;
}

export type AttributeValue = number | number[] | string | { float: number } | { floats: number[] } | { tensor: TensorSpec };

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
  } else if ("tensor" in value) {
    w.message(5, tensorProto(value.tensor)).int(20, 4); // TENSOR
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
  /** Operator set domain, e.g. "com.microsoft" for onnxruntime's contrib operators; default "" (ONNX). */
  domain?: string;
  attributes?: Record<string, AttributeValue>;
}

function nodeProto(n: NodeSpec, index: number): Writer {
  const w = new Writer();
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, n.name ?? `${n.opType}_${index}`);
  w.string(4, n.opType);
  for (const [k, v] of Object.entries(n.attributes ?? {})) w.message(5, attributeProto(k, v));
  if (n.domain) w.string(7, n.domain);
  return w;
}

/** A dimension: a fixed size or a symbolic name such as "N". */
export type Dim = number | string;

export interface ValueSpec {
  name: string;
  /** Absent: the shape is not stated (e.g. an intermediate tensor exposed as an extra output). */
  dims?: Dim[];
  elemType?: number;
}

function valueInfoProto(v: ValueSpec): Writer {
  const tensorType = new Writer().int(1, v.elemType ?? TensorDataType.FLOAT);
  if (v.dims) {
    const shape = new Writer();
    for (const d of v.dims) {
      const dim = new Writer();
      if (typeof d === "number") dim.int(1, d);
      else dim.string(2, d);
      shape.message(1, dim);
    }
    tensorType.message(2, shape);
  }
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
  /** Further operator sets (e.g. { domain: "com.microsoft", version: 1 }) beside the ONNX one. */
  extraOpsets?: { domain: string; version: number }[];
  producerName?: string;
  /** ModelProto metadata_props (key → value strings), e.g. where a derived model came from. */
  metadata?: Record<string, string>;
}

/** Serialize a ModelProto (IR version 8, default opset 17). */
export function buildOnnxModel(g: GraphSpec): Uint8Array {
  const graph = new Writer();
  g.nodes.forEach((n, i) => graph.message(1, nodeProto(n, i)));
  graph.string(2, g.name ?? "test_graph");
  for (const t of g.initializers ?? []) graph.message(5, tensorProto(t));
  for (const v of g.inputs) graph.message(11, valueInfoProto(v));
  for (const v of g.outputs) graph.message(12, valueInfoProto(v));
  const model = new Writer().int(1, 8).string(2, g.producerName ?? "colorization-test-builder").message(7, graph);
  model.message(8, new Writer().string(1, "").int(2, g.opset ?? 17));
  for (const o of g.extraOpsets ?? []) model.message(8, new Writer().string(1, o.domain).int(2, o.version));
  for (const [key, value] of Object.entries(g.metadata ?? {})) model.message(14, new Writer().string(1, key).string(2, value));
  return model.finish();
}

