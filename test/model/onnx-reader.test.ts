/**
 * The hand-rolled ONNX reader (lib/model/onnx-reader.ts) reads back what the writer
 * (lib/model/onnx-writer.ts) writes, every tensor type included, and reads an exported model.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parseOnnxModel } from "@/lib/model/onnx-reader";
import { buildOnnxModel } from "@/lib/model/onnx-writer";

describe("ONNX reader", () => {
  it("round-trips nodes, attributes, domains, tensors of every supported type, shapes and metadata", () => {
    const bytes = buildOnnxModel({
      name: "roundtrip",
      nodes: [
        { opType: "Conv", name: "c", inputs: ["x", "w", ""], outputs: ["y"], attributes: { kernel_shape: [3, 3], group: 1, pads: [-1, 0, 1, 2] } },
        { opType: "Softmax", inputs: ["y"], outputs: ["s"], attributes: { axis: -1, mode: "fast", alpha: { float: 0.25 }, betas: { floats: [1.5, -2] } } },
        { opType: "MatMulIntegerToFloat", domain: "com.microsoft", inputs: ["s"], outputs: ["z"], attributes: { value: { tensor: { name: "v", dims: [2], values: Int32Array.of(7, -7) } } } },
      ],
      initializers: [
        { name: "w", dims: [1, 1, 3, 3], values: new Float32Array(9).map((_, i) => i / 3) },
        { name: "u8", dims: [3], values: Uint8Array.of(0, 128, 255) },
        { name: "i8", dims: [3], values: Int8Array.of(-127, 0, 127) },
        { name: "i32", dims: [2], values: Int32Array.of(-(2 ** 31), 2 ** 31 - 1) },
        { name: "i64", dims: [2], values: BigInt64Array.of(-5n, 1n << 40n) },
        { name: "scalar", dims: [], values: Float32Array.of(0.5) },
      ],
      inputs: [{ name: "x", dims: ["N", 1, 8, 8] }],
      outputs: [{ name: "z" }],
      extraOpsets: [{ domain: "com.microsoft", version: 1 }],
      metadata: { source: "a.onnx" },
    });
    const m = parseOnnxModel(bytes);
    expect(m.graphName).toBe("roundtrip");
    expect([...m.opsets]).toEqual([["", 17], ["com.microsoft", 1]]);
    expect(m.metadata).toEqual({ source: "a.onnx" });
    expect(m.inputs).toEqual([{ name: "x", dims: ["N", 1, 8, 8], elemType: 1 }]);
    expect(m.outputs).toEqual([{ name: "z", elemType: 1 }]);
    expect(m.nodes[0]).toMatchObject({ opType: "Conv", name: "c", inputs: ["x", "w", ""], attributes: { kernel_shape: [3, 3], group: 1, pads: [-1, 0, 1, 2] } });
    expect(m.nodes[1]!.attributes).toEqual({ axis: -1, mode: "fast", alpha: { float: 0.25 }, betas: { floats: [1.5, -2] } });
    expect(m.nodes[2]!.domain).toBe("com.microsoft");
    expect(m.nodes[2]!.attributes!.value).toEqual({ tensor: { name: "v", dims: [2], values: Int32Array.of(7, -7) } });
    const byName = new Map(m.initializers.map((t) => [t.name, t]));
    expect(byName.get("w")!.values).toEqual(new Float32Array(9).map((_, i) => i / 3));
    expect(byName.get("u8")!.values).toEqual(Uint8Array.of(0, 128, 255));
    expect(byName.get("i8")!.values).toEqual(Int8Array.of(-127, 0, 127));
    expect(byName.get("i32")!.values).toEqual(Int32Array.of(-(2 ** 31), 2 ** 31 - 1));
    expect(byName.get("i64")!.values).toEqual(BigInt64Array.of(-5n, 1n << 40n));
    expect(byName.get("scalar")).toEqual({ name: "scalar", dims: [], values: Float32Array.of(0.5) });
  });

  it("reads the exported shipped model (PyTorch's exporter)", () => {
    const m = parseOnnxModel(readFileSync(resolve(__dirname, "../../models/full.onnx")));
    expect(m.opsets.get("")).toBe(13);
    expect(m.inputs.map((i) => i.name)).toEqual(["input_l"]);
    expect(m.outputs.map((o) => o.name)).toEqual(["logits"]);
    // 21 in the blocks, the U-Net's 1×1 shortcut from block 3 and the 1×1 head
    expect(m.nodes.filter((n) => n.opType === "Conv")).toHaveLength(23);
    expect(m.nodes.filter((n) => n.opType === "BatchNormalization")).toHaveLength(7);
    const w = m.initializers.find((t) => t.name === "conv1.0.weight")!;
    expect(w.dims).toEqual([16, 1, 3, 3]);
    expect(w.values).toBeInstanceOf(Float32Array);
  });

  it("rejects bytes that are not a model", () => {
    expect(() => parseOnnxModel(new TextEncoder().encode("not a model"))).toThrow();
  });
});
