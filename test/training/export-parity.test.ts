/**
 * Parity of the shipped ONNX models with the PyTorch models they were exported from.
 *
 * `python3 -m training.export` writes, beside each models/NAME.onnx, NAME.parity.bin (float32
 * little-endian: a seeded 1×1×32×32 input, then PyTorch's output at that input) and
 * NAME.parity.json (names, shapes and byte offsets). Here every float models/*.manifest.json is checked
 * against the platform's manifest schema, its ONNX is run with onnxruntime-node on the parity
 * input, and the output must match PyTorch's within 1e-4 (max abs difference). Needs no datasets.
 */
import { readFileSync, readdirSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import * as ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import { manifestSchema } from "@/lib/model/manifest";

const MODELS_DIR = resolve(__dirname, "../../models");
const TOLERANCE = 1e-4;

interface ParitySide {
  name: string;
  shape: number[];
  byteOffset: number;
}
interface ParityInfo {
  dtype: string;
  byteOrder: string;
  input: ParitySide;
  output: ParitySide;
}

function readFloats(buf: Buffer, side: ParitySide): Float32Array {
  const n = side.shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = buf.readFloatLE(side.byteOffset + 4 * i);
  return out;
}

// Quantized copies (manifest field `quantization`, `npm run quantize-model`) have no PyTorch
// counterpart to match to 1e-4; test/model/quantize.test.ts checks them against their float source.
const manifestFiles = readdirSync(MODELS_DIR)
  .filter((f) => f.endsWith(".manifest.json"))
  .filter((f) => !(JSON.parse(readFileSync(join(MODELS_DIR, f), "utf8")) as { quantization?: unknown }).quantization)
  .sort();

describe("shipped models: ONNX export matches PyTorch", () => {
  it("ships the three default models", () => {
    for (const stem of ["full", "class", "l2"]) expect(manifestFiles).toContain(`${stem}.manifest.json`);
  });

  for (const file of manifestFiles) {
    const stem = file.slice(0, -".manifest.json".length);
    it(`${stem}: manifest is valid and onnxruntime reproduces the PyTorch output`, async () => {
      const manifest = manifestSchema.parse(JSON.parse(readFileSync(join(MODELS_DIR, file), "utf8")));
      // A colour-calibrated model (npm run calibrate-colours) is its exported source plus the
      // recorded per-bin bias: it is checked against its source's PyTorch output, shifted.
      const calibration = manifest.colourCalibration;
      const parityStem = calibration ? basename(calibration.source.file).replace(/\.onnx$/, "") : stem;
      const parity = JSON.parse(readFileSync(join(MODELS_DIR, `${parityStem}.parity.json`), "utf8")) as ParityInfo;
      expect(parity.dtype).toBe("float32");
      expect(parity.byteOrder).toBe("little");
      expect(parity.input.name).toBe(manifest.input.name);
      expect(parity.output.name).toBe(manifest.output.name);
      const expectedChannels = manifest.output.kind === "ab" ? 2 : 313;
      expect(parity.output.shape).toEqual([
        1,
        expectedChannels,
        parity.input.shape[2]! / manifest.output.stride,
        parity.input.shape[3]! / manifest.output.stride,
      ]);

      const bin = readFileSync(join(MODELS_DIR, `${parityStem}.parity.bin`));
      const input = readFloats(bin, parity.input);
      const expected = readFloats(bin, parity.output);
      expect(bin.length).toBe(4 * (input.length + expected.length));
      if (calibration) {
        const [, channels, height, width] = parity.output.shape as [number, number, number, number];
        expect(calibration.bias).toHaveLength(channels);
        for (let i = 0; i < expected.length; i++) expected[i]! += calibration.bias[Math.floor(i / (height * width)) % channels]!;
      }

      const session = await ort.InferenceSession.create(join(MODELS_DIR, manifest.file), {
        executionProviders: ["cpu"],
        intraOpNumThreads: 1,
      });
      try {
        const feeds = { [manifest.input.name]: new ort.Tensor("float32", input, parity.input.shape) };
        const results = await session.run(feeds);
        const out = results[manifest.output.name];
        expect(out, `output ${manifest.output.name}`).toBeDefined();
        expect(Array.from(out!.dims)).toEqual(parity.output.shape);
        const data = out!.data as Float32Array;
        let maxDiff = 0;
        for (let i = 0; i < expected.length; i++) maxDiff = Math.max(maxDiff, Math.abs(data[i]! - expected[i]!));
        expect(maxDiff).toBeLessThan(TOLERANCE);
        // The reference output is not degenerate (a constant output would make parity trivial).
        let lo = Infinity;
        let hi = -Infinity;
        for (const v of expected) {
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
        }
        expect(hi - lo).toBeGreaterThan(1e-3);
      } finally {
        await session.release();
      }
    });
  }
});
