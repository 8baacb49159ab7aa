import { describe, expect, it } from "vitest";
import { AB_BINS } from "@/lib/model/ab-bins";
import { ModelError } from "@/lib/model/errors";
import { resolveManifest } from "@/lib/model/manifest";

const ours = {
  schemaVersion: 1,
  name: "ours-full",
  description: "…",
  file: "full.onnx",
  input: { name: "input_l", layout: "NCHW", height: 256, width: 256, lNormalization: { offset: -50, scale: 0.01 } },
  output: { name: "logits", kind: "logits", stride: 4 },
  bins: { source: "grid10-in-gamut" },
  decoding: { temperature: 0.38 },
  training: { any: "optional object" },
};

describe("model manifest", () => {
  it("accepts the training contract and derives sizes, bins and paths", () => {
    const m = resolveManifest(ours, "/models/full.manifest.json");
    expect(m.modelPath).toBe("/models/full.onnx");
    expect([m.outputWidth, m.outputHeight, m.outputChannels, m.defaultTemperature, m.abScale]).toEqual([64, 64, 313, 0.38, 1]);
    expect(m.centres).toBe(AB_BINS);
    expect(m.outputLayout).toBe("NCHW");
  });

  it("describes third-party exports without code: the PyTorch ECCV16 port (ab × 110, stride 1) and Caffe probabilities", () => {
    const port = resolveManifest(
      {
        schemaVersion: 1, name: "eccv16-port", file: "/abs/eccv16.onnx",
        input: { name: "input", layout: "NCHW", height: 256, width: 256, lNormalization: { offset: -50, scale: 0.01 } },
        output: { name: "output", kind: "ab", stride: 1, abScale: 110 },
      },
      "/elsewhere/eccv16.manifest.json",
    );
    expect([port.modelPath, port.outputChannels, port.outputWidth, port.abScale]).toEqual(["/abs/eccv16.onnx", 2, 256, 110]);
    const caffe = resolveManifest(
      {
        schemaVersion: 1, name: "eccv16-caffe", file: "caffe.onnx",
        input: { name: "data_l", layout: "NCHW", height: 224, width: 224, lNormalization: { offset: -50, scale: 1 } },
        output: { name: "class8_313_rh", kind: "probabilities", stride: 4 },
        bins: { source: "grid10-in-gamut" }, decoding: { temperature: 1 },
      },
      "m.json",
    );
    expect([caffe.outputWidth, caffe.defaultTemperature]).toEqual([56, 1]);
    const inline = resolveManifest({ ...ours, output: { name: "p", kind: "probabilities", stride: 4, layout: "NHWC" }, bins: { source: "inline", centres: [[0, 0], [10, -10], [20, 5]] } }, "m.json");
    expect([inline.outputChannels, inline.outputLayout, Array.from(inline.centres)]).toEqual([3, "NHWC", [0, 0, 10, -10, 20, 5]]);
  });

  it("rejects invalid manifests with the problems listed", () => {
    const bad = (patch: Record<string, unknown>) => () => resolveManifest({ ...ours, ...patch }, "bad.json");
    expect(bad({ schemaVersion: 2 })).toThrow(ModelError);
    expect(bad({ schemaVersion: 2 })).toThrow(/schemaVersion/);
    expect(bad({ input: { ...ours.input, layout: "CHW" } })).toThrow(/input\.layout/);
    expect(bad({ input: { ...ours.input, lNormalization: { offset: -50, scale: 0 } } })).toThrow(/scale must not be 0/);
    expect(bad({ output: { name: "x", kind: "logits", stride: 3 } })).toThrow(/multiples of output\.stride/);
    expect(bad({ bins: { source: "inline", centres: [] } })).toThrow(/bins/);
    expect(bad({ decoding: { temperature: -1 } })).toThrow(/decoding\.temperature/);
    expect(bad({ file: "" })).toThrow(/file/);
  });
});
