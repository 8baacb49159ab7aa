/**
 * Colour-marginal calibration (lib/model/colour-calibration.ts, scripts/calibrate-colours.ts):
 * the analytic gradient against finite differences, a fit that undoes a known distortion of a
 * model's logits, the bias folded into the graph (checked by running it), and the command on the
 * shipped model with synthetic photos.
 */
import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import * as ort from "onnxruntime-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AB_BINS, NUM_AB_BINS } from "@/lib/model/ab-bins";
import { colourDivergence, colourObjective, fitColourBias, softHistogram, withOutputBias, type ColourSamples } from "@/lib/model/colour-calibration";
import { manifestSchema } from "@/lib/model/manifest";
import { parseOnnxModel } from "@/lib/model/onnx-reader";
import { chromaticHueSector, HueConfusionAccumulator } from "@/lib/metrics/hue-shares";
import { joinLab } from "@/lib/model/color-space";
import { SeededRandom } from "@/lib/stats/seeded-random";
import { buildLogitsModel, buildOnnxModel } from "../support/onnx-builder";
import { runScriptCli } from "../support/run-cli";
import { syntheticPhoto } from "../support/test-images";

const Q = NUM_AB_BINS;
const T = 0.38;

/**
 * Pixels whose real colours come from a few hues, and a "model" whose logits are the real colour's
 * Gaussian neighbourhood over the bins (width `spread`) plus `distortion` per bin: with no
 * distortion the decoded colours sit near the real ones.
 */
function distortedSamples(pixels: number, seed: number, distortion: (a: number, b: number) => number, spread = 14): ColourSamples {
  const rng = new SeededRandom(seed);
  const palette: [number, number][] = [[0, 0], [45, 35], [5, 60], [-40, 35], [5, -45], [20, 20]];
  const ab = new Float32Array(2 * pixels);
  const logits = new Float32Array(pixels * Q);
  for (let i = 0; i < pixels; i++) {
    const [pa, pb] = palette[rng.nextBelow(palette.length)]!;
    const a = pa + 6 * (rng.nextFloat() - 0.5), b = pb + 6 * (rng.nextFloat() - 0.5);
    ab[2 * i] = a;
    ab[2 * i + 1] = b;
    for (let q = 0; q < Q; q++) {
      const ca = AB_BINS[2 * q]!, cb = AB_BINS[2 * q + 1]!;
      logits[i * Q + q] = -((ca - a) ** 2 + (cb - b) ** 2) / (2 * spread * spread) + distortion(ca, cb);
    }
  }
  return { logits, ab, pixels };
}

/** Hue sector shares (red, yellow, green, blue; percent of chromatic pixels) of interleaved ab, counted by the metrics' own accumulator. */
function hueShares(ab: Float32Array): number[] {
  const lab = joinLab(new Float32Array(ab.length / 2).fill(50), ab);
  const accumulator = new HueConfusionAccumulator();
  accumulator.addLab(lab, lab);
  const { red, yellow, green, blue } = accumulator.fakeHues();
  return [red, yellow, green, blue];
}

/** Annealed mean of pixel-major logits with a bias (a plain reference, independent of the module). */
function decode(samples: ColourSamples, bias: Float32Array): Float32Array {
  const out = new Float32Array(2 * samples.pixels);
  for (let i = 0; i < samples.pixels; i++) {
    let max = -Infinity;
    for (let q = 0; q < Q; q++) max = Math.max(max, (samples.logits[i * Q + q]! + bias[q]!) / T);
    let sum = 0, a = 0, b = 0;
    for (let q = 0; q < Q; q++) {
      const e = Math.exp((samples.logits[i * Q + q]! + bias[q]!) / T - max);
      sum += e;
      a += e * AB_BINS[2 * q]!;
      b += e * AB_BINS[2 * q + 1]!;
    }
    out[2 * i] = a / sum;
    out[2 * i + 1] = b / sum;
  }
  return out;
}

// A yellow cast: every yellow bin (hue 57°–126°, as the metrics' sectors) gets 3 logits more, as a
// model that paints grass a yellow just short of green.
const yellowCast = (a: number, b: number) => (chromaticHueSector(a, b) === 1 ? 3 : 0);

describe("colour-marginal calibration", () => {
  it("the gradient matches central finite differences of the objective", () => {
    const samples = distortedSamples(60, 7, yellowCast);
    const rng = new SeededRandom(3);
    const bias = Float64Array.from({ length: Q }, () => 0.6 * (rng.nextFloat() - 0.5));
    const { gradient } = colourObjective(samples, AB_BINS, bias, T, 0.01);
    // float32 logits and decoded colours make steps below ~1e-3 noisy; at 1e-3 the match is ~1e-5 relative.
    const h = 1e-3;
    // Bins near the palette's colours carry the gradient; compare on those and a few far ones.
    const probe = [0, 57, 100, 150, 170, 190, 212, 240, 290, 312];
    const largest = Math.max(...Array.from(gradient, Math.abs));
    expect(largest).toBeGreaterThan(1e-4);
    for (const q of probe) {
      const up = Float64Array.from(bias), down = Float64Array.from(bias);
      up[q]! += h;
      down[q]! -= h;
      const numeric = (colourObjective(samples, AB_BINS, up, T, 0.01).value - colourObjective(samples, AB_BINS, down, T, 0.01).value) / (2 * h);
      expect(Math.abs(gradient[q]! - numeric)).toBeLessThan(2e-3 * largest);
    }
  });

  it("undoes a yellow cast: the divergence falls and the hue shares come back to the real ones", () => {
    const fitSet = distortedSamples(1500, 11, yellowCast);
    const checkSet = distortedSamples(1500, 12, yellowCast);
    const fit = fitColourBias(fitSet, AB_BINS, { temperature: T, iterations: 150 });
    expect(fit.divergenceAfter).toBeLessThan(0.3 * fit.divergenceBefore);
    const before = colourDivergence(checkSet, AB_BINS, T);
    const after = colourDivergence(checkSet, AB_BINS, T, fit.bias);
    expect(after).toBeLessThan(0.3 * before);

    const real = hueShares(checkSet.ab);
    const uncalibrated = hueShares(decode(checkSet, new Float32Array(Q)));
    const calibrated = hueShares(decode(checkSet, fit.bias));
    const worst = (shares: number[]) => Math.max(...shares.map((share, k) => Math.abs(share - real[k]!)));
    expect(worst(uncalibrated)).toBeGreaterThan(15); // the cast is visible in the shares …
    expect(worst(calibrated)).toBeLessThan(5); // … and gone after calibration
    // The fit leans against the cast: yellow bins lowered relative to the other chromatic ones.
    const meanBias = (sector: (s: number) => boolean) => {
      const values = Array.from(fit.bias).filter((_, q) => sector(chromaticHueSector(AB_BINS[2 * q]!, AB_BINS[2 * q + 1]!)));
      return values.reduce((sum, v) => sum + v, 0) / values.length;
    };
    expect(meanBias((s) => s === 1)).toBeLessThan(meanBias((s) => s === 0 || s > 1));
  });

  it("the soft histogram sums to 1 and puts a bin centre's colour mostly on that bin", () => {
    const h = softHistogram(Float32Array.from([AB_BINS[0]!, AB_BINS[1]!]), 1, AB_BINS);
    expect(h.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 10);
    expect(h[0]!).toBeGreaterThan(0.5);
  });

  it("rejects samples whose sizes do not match the bins", () => {
    expect(() => colourDivergence({ logits: new Float32Array(10), ab: new Float32Array(2), pixels: 1 }, AB_BINS, T)).toThrow(RangeError);
  });
});

async function runModel(bytes: Uint8Array, input: Float32Array, dims: number[], output: string): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes, { logSeverityLevel: 4 });
  try {
    const out = await session.run({ [session.inputNames[0]!]: new ort.Tensor("float32", input, dims) });
    return out[output]!.data as Float32Array;
  } finally {
    await session.release();
  }
}

describe("the bias in the graph", () => {
  const bias = Float32Array.from({ length: 5 }, (_, k) => 0.25 * k - 0.5);
  const input = Float32Array.from({ length: 16 }, (_, i) => i / 16 - 0.5);

  it("folds into the bias of the Conv that produces logits, adding no node", async () => {
    const bytes = buildLogitsModel({ size: 4, stride: 2, weights: [1, -1, 0.5, 2, 0], biases: [0, 0.1, 0.2, 0.3, 0.4] });
    const model = parseOnnxModel(bytes);
    const calibrated = withOutputBias(model, "logits", "logits", "NCHW", bias);
    expect(parseOnnxModel(calibrated).nodes.length).toBe(model.nodes.length);
    const [plain, shifted] = await Promise.all([runModel(bytes, input, [1, 1, 4, 4], "logits"), runModel(calibrated, input, [1, 1, 4, 4], "logits")]);
    for (let i = 0; i < plain.length; i++) expect(shifted[i]).toBeCloseTo(plain[i]! + bias[Math.floor(i / 4)]!, 6);
  });

  it("multiplies probabilities by e^bias after the output (NHWC)", async () => {
    const bytes = buildOnnxModel({
      nodes: [
        { opType: "Mul", inputs: ["x", "k"], outputs: ["scaled"] },
        { opType: "Softmax", inputs: ["scaled"], outputs: ["probs"], attributes: { axis: 3 } },
      ],
      initializers: [{ name: "k", dims: [1, 1, 1, 5], values: [1, 2, 3, 4, 5] }],
      inputs: [{ name: "x", dims: [1, 2, 2, 1] }],
      outputs: [{ name: "probs", dims: [1, 2, 2, 5] }],
    });
    const calibrated = withOutputBias(parseOnnxModel(bytes), "probs", "probabilities", "NHWC", bias);
    const x = Float32Array.from([0.1, -0.3, 0.7, 0]);
    const [plain, scaled] = await Promise.all([runModel(bytes, x, [1, 2, 2, 1], "probs"), runModel(calibrated, x, [1, 2, 2, 1], "probs")]);
    for (let i = 0; i < plain.length; i++) expect(scaled[i]).toBeCloseTo(plain[i]! * Math.exp(bias[i % 5]!), 6);
  });
});

describe("npm run calibrate-colours", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "calibrate-colours-"));
    for (let seed = 1; seed <= 6; seed++) await writeFile(join(dir, `photo-${seed}.jpg`), await syntheticPhoto(160, 120, 40 + seed, "jpeg"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("writes a calibrated copy of the shipped network that loads, changes only the head's bias, gives what the fit predicted, and has a card", async () => {
    const out = join(dir, "full-calibrated.manifest.json");
    const source = resolve(__dirname, "../../models/full-uncalibrated.manifest.json");
    const result = await runScriptCli("scripts/calibrate-colours.ts", "--manifest", source, "--images", dir, "--photos", "6", "--held-out", "3", "--pixels", "32", "--iterations", "20", "--threads", "1", "--out", out, "--json");
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout.trim().split("\n").at(-1)!) as { photos: { fit: number; heldOut: number }; written_model_check: { expected: number; measured: number } };
    expect(summary.photos).toEqual({ fit: 4, heldOut: 2 });
    expect(Math.abs(summary.written_model_check.expected - summary.written_model_check.measured)).toBeLessThan(1e-3);
    const manifest = manifestSchema.parse(JSON.parse(readFileSync(out, "utf8")));
    expect(manifest.colourCalibration?.method).toBe("colour-marginal");
    expect(manifest.colourCalibration!.divergence.fitAfter).toBeLessThan(manifest.colourCalibration!.divergence.fitBefore);

    const before = parseOnnxModel(readFileSync(resolve(__dirname, "../../models/full-uncalibrated.onnx")));
    const after = parseOnnxModel(readFileSync(join(dir, "full-calibrated.onnx")));
    expect(after.nodes.map((n) => n.opType)).toEqual(before.nodes.map((n) => n.opType));
    const changed = after.initializers.filter((t, k) => !Buffer.from((t.values as Float32Array).buffer).equals(Buffer.from((before.initializers[k]!.values as Float32Array).buffer)));
    expect(changed.map((t) => t.dims)).toEqual([[Q]]);

    const card = readFileSync(join(dir, "full-calibrated.md"), "utf8");
    expect(card).toMatch(/^# Model card: ours-full-calibrated \(`full-calibrated.onnx`\)/);
    expect(card).toContain("npm run calibrate-colours");
    expect(card).toContain("## Validation"); // the source's card follows

    const again = await runScriptCli("scripts/calibrate-colours.ts", "--manifest", out, "--images", dir, "--photos", "2");
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/already calibrated/);
  }, 120_000);
});
