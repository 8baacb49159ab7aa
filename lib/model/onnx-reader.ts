/**
 * A minimal protobuf decoder for ONNX models (no `onnx` package), the counterpart of
 * lib/model/onnx-writer.ts: the graph's nodes with their attributes, its initializers (float32,
 * uint8, int8, int32, int64), inputs and outputs, and the model's operator sets. Enough to rewrite
 * a convolutional network (the int8 quantizer, lib/model/quantize.ts) and to count the operators
 * onnxruntime left in an optimized model. Field numbers follow onnx/onnx.proto.
 */
import type { AttributeValue, Dim, NodeSpec, TensorSpec, TensorValues, ValueSpec } from "./onnx-writer";
import { TensorDataType } from "./onnx-writer";

type Field = { field: number; wireType: number; int: bigint; bytes: Uint8Array };

function* fields(buf: Uint8Array): Generator<Field> {
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (pos >= buf.length) throw new Error("truncated protobuf varint");
      const b = buf[pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return result;
      shift += 7n;
    }
  };
  const none = new Uint8Array(0);
  while (pos < buf.length) {
    const key = Number(varint());
    const field = key >>> 3;
    const wireType = key & 7;
    if (wireType === 0) {
      yield { field, wireType, int: varint(), bytes: none };
    } else if (wireType === 1 || wireType === 5) {
      const n = wireType === 1 ? 8 : 4;
      yield { field, wireType, int: 0n, bytes: buf.subarray(pos, pos + n) };
      pos += n;
    } else if (wireType === 2) {
      const n = Number(varint());
      if (pos + n > buf.length) throw new Error("truncated protobuf field");
      yield { field, wireType, int: 0n, bytes: buf.subarray(pos, pos + n) };
      pos += n;
    } else {
      throw new Error(`unsupported protobuf wire type ${wireType}`);
    }
  }
}

const text = (b: Uint8Array) => new TextDecoder().decode(b);
const signed = (v: bigint) => Number(BigInt.asIntN(64, v));

/** Integers of a repeated field, packed (wire type 2) or not. */
function ints(f: Field): number[] {
  if (f.wireType === 0) return [signed(f.int)];
  const out: number[] = [];
  let value = 0n;
  let shift = 0n;
  for (const b of f.bytes) {
    value |= BigInt(b & 0x7f) << shift;
    shift += 7n;
    if (!(b & 0x80)) {
      out.push(signed(value));
      value = 0n;
      shift = 0n;
    }
  }
  return out;
}

function floats(f: Field): number[] {
  const view = new DataView(f.bytes.buffer, f.bytes.byteOffset, f.bytes.byteLength);
  const out: number[] = [];
  for (let i = 0; i + 4 <= f.bytes.length; i += 4) out.push(view.getFloat32(i, true));
  return out;
}

/** Copy raw little-endian bytes into a fresh, aligned typed array. */
function fromRaw(raw: Uint8Array, dataType: number, name: string): Exclude<TensorValues, number[]> {
  // A copy (new Uint8Array(view) copies; Buffer#slice would not), aligned for the wider types.
  const copy = new Uint8Array(raw).buffer;
  switch (dataType) {
    case TensorDataType.FLOAT:
      return new Float32Array(copy);
    case TensorDataType.UINT8:
      return new Uint8Array(copy);
    case TensorDataType.INT8:
      return new Int8Array(copy);
    case TensorDataType.INT32:
      return new Int32Array(copy);
    case TensorDataType.INT64:
      return new BigInt64Array(copy);
    default:
      throw new Error(`tensor ${name}: ONNX data type ${dataType} is not supported`);
  }
}

export function parseTensor(buf: Uint8Array): TensorSpec {
  const dims: number[] = [];
  let dataType: number = TensorDataType.FLOAT;
  let name = "";
  let raw: Uint8Array | null = null;
  const floatData: number[] = [];
  const intData: number[] = [];
  for (const f of fields(buf)) {
    if (f.field === 1) dims.push(...ints(f));
    else if (f.field === 2) dataType = Number(f.int);
    else if (f.field === 4) floatData.push(...floats(f));
    else if (f.field === 5 || f.field === 7) intData.push(...ints(f));
    else if (f.field === 8) name = text(f.bytes);
    else if (f.field === 9) raw = f.bytes;
    else if (f.field === 13 || f.field === 14) {
      if (f.field === 14 && Number(f.int) !== 1) continue;
      throw new Error(`tensor ${name || "(unnamed)"}: external data is not supported`);
    }
  }
  let values: Exclude<TensorValues, number[]>;
  if (raw) values = fromRaw(raw, dataType, name);
  else if (dataType === TensorDataType.FLOAT) values = Float32Array.from(floatData);
  else if (dataType === TensorDataType.INT64) values = BigInt64Array.from(intData.map(BigInt));
  else if (dataType === TensorDataType.INT32) values = Int32Array.from(intData);
  else if (dataType === TensorDataType.INT8) values = Int8Array.from(intData);
  else if (dataType === TensorDataType.UINT8) values = Uint8Array.from(intData);
  else throw new Error(`tensor ${name}: ONNX data type ${dataType} is not supported`);
  const expected = dims.reduce((a, b) => a * b, 1);
  if (values.length !== expected) throw new Error(`tensor ${name}: ${values.length} values for dims [${dims.join(", ")}]`);
  return { name, dims, values };
}

function parseAttribute(buf: Uint8Array): [string, AttributeValue] {
  let name = "";
  let type = 0;
  let f32: number | undefined;
  let i64: number | undefined;
  let str: string | undefined;
  let tensor: TensorSpec | undefined;
  const fl: number[] = [];
  const is: number[] = [];
  for (const f of fields(buf)) {
    if (f.field === 1) name = text(f.bytes);
    else if (f.field === 2) f32 = floats(f)[0];
    else if (f.field === 3) i64 = signed(f.int);
    else if (f.field === 4) str = text(f.bytes);
    else if (f.field === 5) tensor = parseTensor(f.bytes);
    else if (f.field === 7) fl.push(...floats(f));
    else if (f.field === 8) is.push(...ints(f));
    else if (f.field === 20) type = Number(f.int);
  }
  switch (type) {
    case 1:
      return [name, { float: f32 ?? 0 }];
    case 2:
      return [name, i64 ?? 0];
    case 3:
      return [name, str ?? ""];
    case 4:
      if (!tensor) throw new Error(`attribute ${name}: tensor missing`);
      return [name, { tensor }];
    case 6:
      return [name, { floats: fl }];
    case 7:
      return [name, is];
    default:
      throw new Error(`attribute ${name}: ONNX attribute type ${type} is not supported`);
  }
}

function parseNode(buf: Uint8Array): NodeSpec {
  const node: NodeSpec & { attributes: Record<string, AttributeValue> } = { opType: "", inputs: [], outputs: [], attributes: {} };
  for (const f of fields(buf)) {
    if (f.field === 1) node.inputs.push(text(f.bytes));
    else if (f.field === 2) node.outputs.push(text(f.bytes));
    else if (f.field === 3) node.name = text(f.bytes);
    else if (f.field === 4) node.opType = text(f.bytes);
    else if (f.field === 5) {
      const [k, v] = parseAttribute(f.bytes);
      node.attributes[k] = v;
    } else if (f.field === 7 && f.bytes.length) node.domain = text(f.bytes);
  }
  return node;
}

function parseValueInfo(buf: Uint8Array): ValueSpec {
  let name = "";
  let elemType: number = TensorDataType.FLOAT;
  let dims: Dim[] | undefined;
  for (const f of fields(buf)) {
    if (f.field === 1) name = text(f.bytes);
    else if (f.field === 2) {
      for (const t of fields(f.bytes)) {
        if (t.field !== 1) continue; // tensor_type
        for (const tt of fields(t.bytes)) {
          if (tt.field === 1) elemType = Number(tt.int);
          else if (tt.field === 2) {
            dims = [];
            for (const d of fields(tt.bytes)) {
              if (d.field !== 1) continue;
              let dim: Dim = "?";
              for (const dd of fields(d.bytes)) {
                if (dd.field === 1) dim = signed(dd.int);
                else if (dd.field === 2) dim = text(dd.bytes);
              }
              dims.push(dim);
            }
          }
        }
      }
    }
  }
  return dims ? { name, dims, elemType } : { name, elemType };
}

export interface ParsedOnnxModel {
  irVersion: number;
  producerName: string;
  /** Operator sets by domain ("" is ONNX). */
  opsets: Map<string, number>;
  graphName: string;
  nodes: NodeSpec[];
  initializers: TensorSpec[];
  /** Graph inputs that are not initializers. */
  inputs: ValueSpec[];
  outputs: ValueSpec[];
  metadata: Record<string, string>;
}

/** Parse an ONNX ModelProto (weights inline, not in external files). */
export function parseOnnxModel(bytes: Uint8Array): ParsedOnnxModel {
  const model: ParsedOnnxModel = {
    irVersion: 0,
    producerName: "",
    opsets: new Map(),
    graphName: "",
    nodes: [],
    initializers: [],
    inputs: [],
    outputs: [],
    metadata: {},
  };
  let graph: Uint8Array | null = null;
  for (const f of fields(bytes)) {
    if (f.field === 1) model.irVersion = Number(f.int);
    else if (f.field === 2) model.producerName = text(f.bytes);
    else if (f.field === 7) graph = f.bytes;
    else if (f.field === 8) {
      let domain = "";
      let version = 0;
      for (const o of fields(f.bytes)) {
        if (o.field === 1) domain = text(o.bytes);
        else if (o.field === 2) version = Number(o.int);
      }
      model.opsets.set(domain, version);
    } else if (f.field === 14) {
      let key = "";
      let value = "";
      for (const e of fields(f.bytes)) {
        if (e.field === 1) key = text(e.bytes);
        else if (e.field === 2) value = text(e.bytes);
      }
      model.metadata[key] = value;
    }
  }
  if (!graph) throw new Error("not an ONNX model: no graph");
  const allInputs: ValueSpec[] = [];
  for (const f of fields(graph)) {
    if (f.field === 1) model.nodes.push(parseNode(f.bytes));
    else if (f.field === 2) model.graphName = text(f.bytes);
    else if (f.field === 5) model.initializers.push(parseTensor(f.bytes));
    else if (f.field === 11) allInputs.push(parseValueInfo(f.bytes));
    else if (f.field === 12) model.outputs.push(parseValueInfo(f.bytes));
  }
  const initNames = new Set(model.initializers.map((t) => t.name));
  model.inputs = allInputs.filter((v) => !initNames.has(v.name));
  return model;
}
