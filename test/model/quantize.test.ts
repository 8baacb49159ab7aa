/**
 * int8 quantization (lib/model/quantize.ts, lib/model/graph-transforms.ts) on the shipped float
 * network, models/full-uncalibrated.onnx: the float rewrites are exact, the quantized model runs as integer
 * kernels, its manifest validates, and its annealed-mean ab stays close to the float model's.
 * Calibration uses a few synthetic photos (test/support/test-images.ts), reduced to the network's
 * input by the colorizer's own prepareImage; no datasets are needed.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import * as ort from "onnxruntime-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prepareImage } from "@/lib/images/colorize";
import { convTransposeToConv, foldBatchNorm, headToNhwcMatMul } from "@/lib/model/graph-transforms";
import { loadManifest, manifestSchema, resolveManifest } from "@/lib/model/manifest";
import { parseOnnxModel, type ParsedOnnxModel } from "@/lib/model/onnx-reader";
import { buildOnnxModel } from "@/lib/model/onnx-writer";
import { abDifference, calibrationBatches, optimizedOperatorCounts, quantizedManifest, quantizeModel, quantizeWeightsPerChannel, uint8Params } from "@/lib/model/quantize";
import { closeColorizers, loadColorizer, type Colorizer } from "@/lib/model/session";
import { syntheticPhoto } from "../support/test-images";

const MODELS = resolve(__dirname, "../../models");
// The exported network, not the shipped colour-calibrated `full`: calibration puts pixels at ties
// between bins, where int8 rounding moves ab further (docs/colorizer.md, *int8 copies*).
const FLOAT_MANIFEST = join(MODELS, "full-uncalibrated.manifest.json");
const FLOAT_MODEL = join(MODELS, "full-uncalibrated.onnx");
const log = () => {};
/**
 * Bounds on |Δab| (CIELAB a, b units) between the int8 and the float model's annealed-mean ab at
 * the network's output, over all output pixels of photos not used for calibration. Measured here:
 * mean 0.33 and 99th percentile 1.4 (ΔE2000 on real photos: docs/benchmarks.md).
 */
const MEAN_AB_BOUND = 0.75;
const P99_AB_BOUND = 4;

let dir: string;
let float: Colorizer;
let heldOut: Float32Array[];

async function planes(colorizer: Colorizer, seeds: number[]): Promise<Float32Array[]> {
  return Promise.all(seeds.map(async (seed) => (await prepareImage(await syntheticPhoto(320, 240, seed, "jpeg"), colorizer)).lInput));
}

async function run(model: ParsedOnnxModel | Uint8Array, input: Float32Array, dims: number[], outputName = "logits"): Promise<Float32Array> {
  const bytes =
    model instanceof Uint8Array
      ? model
      : buildOnnxModel({ nodes: model.nodes, initializers: model.initializers, inputs: model.inputs, outputs: model.outputs, opset: model.opsets.get("") ?? 13 });
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ["cpu"], intraOpNumThreads: 1, logSeverityLevel: 4 });
  try {
    const out = await session.run({ input_l: new ort.Tensor("float32", input, dims) });
    return out[outputName]!.data as Float32Array;
  } finally {
    await session.release();
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "quantize-"));
  float = await loadColorizer(FLOAT_MANIFEST, { providers: ["cpu"], log });
  heldOut = await planes(float, [21, 22, 23, 24]);
});

afterAll(async () => {
  await closeColorizers();
  await rm(dir, { recursive: true, force: true });
});

describe("quantization arithmetic", () => {
  it("uint8 parameters cover the range and always represent 0 exactly", () => {
    expect(uint8Params({ min: 0, max: 2.55 })).toEqual({ scale: expect.closeTo(0.01, 9), zeroPoint: 0 });
    const p = uint8Params({ min: -1, max: 3 });
    expect(p.zeroPoint).toBe(Math.round(1 / p.scale));
    expect(p.scale * (255 - p.zeroPoint)).toBeCloseTo(3, 1);
    // A range that excludes 0 is widened to include it (zero padding must stay exact).
    expect(uint8Params({ min: 2, max: 4 }).zeroPoint).toBe(0);
  });

  it("weights are symmetric int8 per channel along the given axis", () => {
    // Two output channels of 3 values, max |w| 2 and 0.5.
    const { values, scales } = quantizeWeightsPerChannel(Float32Array.of(2, -1, 0.5, 0.5, -0.25, 0), [2, 3], 0);
    expect(Array.from(scales)).toEqual([expect.closeTo(2 / 63, 7), expect.closeTo(0.5 / 63, 7)]);
    expect(Array.from(values)).toEqual([63, -31, 16, 63, -31, 0]);
    const columns = quantizeWeightsPerChannel(Float32Array.of(1, 4, -1, 2), [2, 2], 1);
    expect(Array.from(columns.scales)).toEqual([expect.closeTo(1 / 63, 7), expect.closeTo(4 / 63, 7)]);
    // No value needs more than 7 bits, so two uint8 × int8 products always fit in int16.
    expect(Math.max(...Array.from(values, Math.abs)) * 255 * 2).toBeLessThan(2 ** 15);
  });
});

describe("float rewrites of the shipped models are exact", () => {
  const size = 64;
  const input = new Float32Array(2 * size * size).map((_, i) => 0.5 * Math.sin(i * 0.013) * Math.cos(i * 0.0007));
  const dims = [2, 1, size, size];

  // l2: its head is Conv → Mul(110) → ab, so the head rewrite walks back over the Mul.
  for (const [stem, outputName, channels] of [["full", "logits", 313], ["l2", "ab", 2]] as const) {
    it(`${stem}: BatchNorm folding, the transposed convolution as Conv + DepthToSpace, the head as an NHWC MatMul`, async () => {
      const source = parseOnnxModel(readFileSync(join(MODELS, `${stem}.onnx`)));
      const reference = await run(source, input, dims, outputName);
      const folded = foldBatchNorm(source);
      expect(folded.report.folded).toHaveLength(7);
      expect(folded.model.nodes.some((n) => n.opType === "BatchNormalization")).toBe(false);
      const subpixel = convTransposeToConv(folded.model);
      expect(subpixel.report.rewritten).toHaveLength(1);
      expect(subpixel.model.nodes.some((n) => n.opType === "ConvTranspose")).toBe(false);
      const head = headToNhwcMatMul(subpixel.model);
      expect(head.outputLayoutChanged).toBe(true);

      let scale = 0;
      for (const v of reference) scale = Math.max(scale, Math.abs(v));
      for (const model of [folded.model, subpixel.model]) {
        const out = await run(model, input, dims, outputName);
        let maxDiff = 0;
        for (let i = 0; i < out.length; i++) maxDiff = Math.max(maxDiff, Math.abs(out[i]! - reference[i]!));
        expect(maxDiff / scale).toBeLessThan(1e-4);
      }
      // NHWC: out[n, y, x, c] = reference[n, c, y, x].
      const nhwc = await run(head.model, input, dims, outputName);
      const [c, h, w] = [channels, size / 4, size / 4];
      let maxDiff = 0;
      for (let n = 0; n < 2; n++)
        for (let y = 0; y < h; y++)
          for (let x = 0; x < w; x++)
            for (let k = 0; k < c; k++) maxDiff = Math.max(maxDiff, Math.abs(nhwc[((n * h + y) * w + x) * c + k]! - reference[((n * c + k) * h + y) * w + x]!));
      expect(maxDiff / scale).toBeLessThan(1e-4);
    });
  }
});

describe("int8 copy of the shipped model", () => {
  it("runs as integer kernels, validates as a manifest, and keeps ab within the bound", async () => {
    // 16 photos: with 8 of these simple synthetic photos the ranges did not cover the held-out
    // ones (99th percentile |Δab| 15 instead of 1.4).
    const calibration = await planes(float, Array.from({ length: 16 }, (_, i) => i + 1));
    const sourceBytes = readFileSync(FLOAT_MODEL);
    const quantized = await quantizeModel(sourceBytes, calibrationBatches(calibration, float.manifest.manifest.input), { method: "percentile", percentile: 99.99, threads: 1 });
    expect(quantized.outputLayout).toBe("NHWC");
    expect(quantized.report.floatNodes).toEqual([]);
    expect(quantized.bytes.length).toBeLessThan(0.35 * sourceBytes.length);

    const operators = await optimizedOperatorCounts(quantized.bytes);
    expect(operators["com.microsoft.QLinearConv"]).toBeGreaterThanOrEqual(22);
    expect(operators["com.microsoft.MatMulIntegerToFloat"]).toBe(1);
    for (const op of Object.keys(operators)) expect(op).not.toMatch(/(^|\.)(Conv|ConvTranspose|MatMul|FusedConv)$/);

    const manifest = quantizedManifest(float.manifest.manifest, quantized, {
      file: "full-int8.onnx",
      source: { file: FLOAT_MODEL, sha256: createHash("sha256").update(sourceBytes).digest("hex"), manifest: FLOAT_MANIFEST },
      calibration: { images: "synthetic test photos", count: calibration.length, method: "percentile", percentile: 99.99 },
      tool: "test",
    });
    const manifestPath = join(dir, "full-int8.manifest.json");
    await writeFile(join(dir, "full-int8.onnx"), quantized.bytes);
    await writeFile(manifestPath, JSON.stringify(manifest));
    const resolved = await loadManifest(manifestPath);
    expect(resolved.quantizedFrom).toBe(FLOAT_MODEL);
    expect(resolved.outputLayout).toBe("NHWC");
    // The schema rejects a malformed record.
    expect(() => resolveManifest({ ...manifest, quantization: { ...manifest.quantization, source: { file: "full.onnx", sha256: "abc" } } }, manifestPath)).toThrow(/sha256|SHA-256/i);

    const int8 = await loadColorizer(manifestPath, { providers: ["cpu"], log });
    const [a, b] = [await float.predictAb(heldOut), await int8.predictAb(heldOut)];
    const d = abDifference(a.ab, b.ab);
    expect(d.mean).toBeLessThan(MEAN_AB_BOUND);
    expect(d.p99).toBeLessThan(P99_AB_BOUND);
    // Not trivially equal either: the int8 model is a different computation.
    expect(d.mean).toBeGreaterThan(0);
  });

  it("bias correction, Conv by Conv, leaves a second pass a fraction of the shift the first removed, and is recorded", async () => {
    // In graph order each Conv is measured after the ones before it were corrected, so a second
    // pass finds only what those small re-corrections moved. Corrected all at once from one
    // measurement, each Conv's inherited shift would be removed twice and the second pass would
    // find more than the first. (Whether a correction measured on calibration photos helps on
    // others depends on how alike they are: docs/colorizer.md.)
    const calibration = calibrationBatches(await planes(float, [1, 2, 3, 4]), float.manifest.manifest.input);
    const sourceBytes = readFileSync(FLOAT_MODEL);
    const options = { method: "percentile", percentile: 99.99, threads: 1 } as const;
    const plain = await quantizeModel(sourceBytes, calibration, options);
    const corrected = await quantizeModel(sourceBytes, calibration, { ...options, biasCorrectionPasses: 2 });
    expect(plain.report.biasCorrection).toEqual({ passes: 0, medianShift: [] });
    const [first, second] = corrected.report.biasCorrection.medianShift;
    expect(first).toBeGreaterThan(0);
    expect(second).toBeLessThan(0.5 * first!);
    expect(corrected.bytes).not.toEqual(plain.bytes);

    const info = {
      file: "full-int8.onnx",
      source: { file: "full-uncalibrated.onnx", sha256: createHash("sha256").update(sourceBytes).digest("hex") },
      calibration: { images: "synthetic test photos", count: 4, method: "percentile", percentile: 99.99 },
      tool: "test",
    } as const;
    expect(manifestSchema.parse(quantizedManifest(float.manifest.manifest, corrected, info)).quantization!.biasCorrection).toEqual(corrected.report.biasCorrection);
    expect(quantizedManifest(float.manifest.manifest, plain, info).quantization).not.toHaveProperty("biasCorrection");
    // Two passes build and run the int8 graph once per Conv each: ~20 s on a quiet 2-core machine.
  }, 240_000);
});

describe("shipped int8 models", () => {
  const quantized = readdirSync(MODELS)
    .filter((f) => f.endsWith(".manifest.json"))
    .filter((f) => (JSON.parse(readFileSync(join(MODELS, f), "utf8")) as { quantization?: unknown }).quantization)
    .sort();

  it("include models/full-uncalibrated-int8", () => {
    expect(quantized).toContain("full-uncalibrated-int8.manifest.json");
  });

  for (const file of quantized) {
    it(`${file}: quantized from the current float file, and within the bound of it`, async () => {
      const path = join(MODELS, file);
      const q = manifestSchema.parse(JSON.parse(readFileSync(path, "utf8"))).quantization!;
      const sourcePath = resolve(MODELS, q.source.file);
      const sha = createHash("sha256").update(readFileSync(sourcePath)).digest("hex");
      expect(sha, `${q.source.file} changed since ${file} was made: rerun npm run quantize-model (README)`).toBe(q.source.sha256);
      const source = await loadColorizer(resolve(MODELS, q.source.manifest!), { providers: ["cpu"], log });
      const int8 = await loadColorizer(path, { providers: ["cpu"], log });
      expect(int8.manifest.modelPath).not.toBe(source.manifest.modelPath);
      const d = abDifference((await source.predictAb(heldOut)).ab, (await int8.predictAb(heldOut)).ab);
      expect(d.mean).toBeLessThan(MEAN_AB_BOUND);
      expect(d.p99).toBeLessThan(P99_AB_BOUND);
    });
  }
});
