import { spawnSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AB_BINS, NUM_AB_BINS, abBinIndex } from "@/lib/model/ab-bins";
import { ModelError } from "@/lib/model/errors";
import { loadManifest } from "@/lib/model/manifest";
import { providerSkipReason } from "@/lib/model/provider-preflight";
import { closeColorizers, loadColorizer } from "@/lib/model/session";
import { buildAbModel, buildLogitsModel } from "../support/onnx-builder";

let dir: string;
const logs: string[] = [];
const log = (m: string) => logs.push(m);

/** Bins the test model chooses: BRIGHT for L > 50, DARK for L < 50 (logit ±60·(L − 50)/100). */
const BRIGHT = abBinIndex(30, 50);
const DARK = abBinIndex(-20, -30);

function manifest(overrides: Record<string, unknown> = {}) {
  return {
    schemaVersion: 1,
    name: "test-logits",
    description: "two-bin test model",
    file: "logits.onnx",
    input: { name: "input_l", layout: "NCHW", height: 16, width: 16, lNormalization: { offset: -50, scale: 0.01 } },
    output: { name: "logits", kind: "logits", stride: 4 },
    bins: { source: "grid10-in-gamut" },
    decoding: { temperature: 0.38 },
    training: { note: "built by test/support/onnx-builder.ts" },
    ...overrides,
  };
}

async function writeManifest(name: string, body: unknown): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, JSON.stringify(body));
  return path;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "colorizer-session-"));
  const w = new Float32Array(NUM_AB_BINS);
  w[BRIGHT] = 60;
  w[DARK] = -60;
  await writeFile(join(dir, "logits.onnx"), buildLogitsModel({ size: 16, stride: 4, weights: w, biases: new Float32Array(NUM_AB_BINS) }));
  await writeFile(join(dir, "ten.onnx"), buildLogitsModel({ size: 16, stride: 4, weights: new Float32Array(10), biases: new Float32Array(10) }));
  await writeFile(join(dir, "ab.onnx"), buildAbModel({ size: 8, ka: 1, ca: 0.25, kb: -0.5, cb: -0.125 }));
  await writeFile(join(dir, "fixed1.onnx"), buildLogitsModel({ size: 16, stride: 4, weights: w, biases: new Float32Array(NUM_AB_BINS), fixedBatch: 1 }));
  await writeFile(join(dir, "garbage.onnx"), Buffer.from("this is not an onnx model"));
});

afterAll(async () => {
  await closeColorizers();
  await rm(dir, { recursive: true, force: true });
});

const plane = (L: number, n = 256) => new Float32Array(n).fill(L);

describe("loadColorizer + predictAb", () => {
  it("runs a logits model, decodes each image of a batch to its known bin, and reports the provider", async () => {
    const path = await writeManifest("logits.manifest.json", manifest());
    const colorizer = await loadColorizer(path, { providers: ["cpu"], maxBatch: 2, log });
    expect(colorizer.provider).toBe("cpu");
    expect(logs.some((m) => m.includes('execution provider "cpu"'))).toBe(true);
    const { ab, timings } = await colorizer.predictAb([plane(80), plane(20), plane(90)]);
    expect(ab.length).toBe(3);
    expect(timings.inferenceMs).toBeGreaterThan(0);
    const expectBin = (abImage: Float32Array, bin: number) => {
      expect(abImage.length).toBe(2 * 16);
      for (let i = 0; i < 16; i++) {
        expect(abImage[2 * i]).toBeCloseTo(AB_BINS[2 * bin]!, 5);
        expect(abImage[2 * i + 1]).toBeCloseTo(AB_BINS[2 * bin + 1]!, 5);
      }
    };
    expectBin(ab[0]!, BRIGHT);
    expectBin(ab[1]!, DARK);
    expectBin(ab[2]!, BRIGHT);
  });

  it("gives the mean of the two bins at T = 1 when L = 50 (logits tie)", async () => {
    const colorizer = await loadColorizer(await writeManifest("logits2.manifest.json", manifest()), { providers: ["cpu"], log });
    const { ab } = await colorizer.predictAb([plane(50)], { temperature: 1 });
    // Every other bin has logit 0 too, so at L = 50 all 313 bins tie: the plain mean of the centres.
    let a = 0, b = 0;
    for (let q = 0; q < NUM_AB_BINS; q++) {
      a += AB_BINS[2 * q]! / NUM_AB_BINS;
      b += AB_BINS[2 * q + 1]! / NUM_AB_BINS;
    }
    expect(ab[0]![0]).toBeCloseTo(a, 3);
    expect(ab[0]![1]).toBeCloseTo(b, 3);
  });

  it("decodes the same with the onnxruntime decoding graph and the JS annealed mean", async () => {
    const path = await writeManifest("logits-js.manifest.json", manifest());
    const viaOrt = await loadColorizer(path, { providers: ["cpu"], log });
    const viaJs = await loadColorizer(path, { providers: ["cpu"], log, decodeWith: "js" });
    const planes = [plane(52), plane(49), plane(50.5)];
    for (const temperature of [0.38, 1]) {
      const a = (await viaOrt.predictAb(planes, { temperature })).ab;
      const b = (await viaJs.predictAb(planes, { temperature })).ab;
      a.forEach((img, k) => img.forEach((v, i) => expect(Math.abs(v - b[k]![i]!)).toBeLessThan(1e-3)));
    }
    // T = 0 is the exact mode (JS path) whatever decodeWith says.
    const mode = (await viaOrt.predictAb([plane(52)], { temperature: 0 })).ab[0]!;
    expect([mode[0], mode[1]]).toEqual([AB_BINS[2 * BRIGHT], AB_BINS[2 * BRIGHT + 1]]);
  });

  it("runs an NHWC ab model at stride 1 with abScale", async () => {
    const path = await writeManifest(
      "ab.manifest.json",
      manifest({ file: "ab.onnx", input: { name: "input_l", layout: "NHWC", height: 8, width: 8, lNormalization: { offset: -50, scale: 0.01 } }, output: { name: "ab", kind: "ab", stride: 1, abScale: 110 }, bins: undefined }),
    );
    const colorizer = await loadColorizer(path, { providers: ["cpu"], log });
    const { ab } = await colorizer.predictAb([plane(70, 64)]);
    const x = (70 - 50) * 0.01;
    expect(ab[0]![0]).toBeCloseTo((x * 1 + 0.25) * 110, 4);
    expect(ab[0]![1]).toBeCloseTo((x * -0.5 - 0.125) * 110, 4);
  });

  it("feeds a model with a fixed batch of 1 one image at a time", async () => {
    const colorizer = await loadColorizer(await writeManifest("fixed.manifest.json", manifest({ file: "fixed1.onnx" })), { providers: ["cpu"], maxBatch: 8, log });
    expect(colorizer.maxBatch).toBe(1);
    const { ab } = await colorizer.predictAb([plane(80), plane(10)]);
    expect(ab[1]![0]).toBeCloseTo(AB_BINS[2 * DARK]!, 5);
  });

  it("falls back through the provider list and says why each failed", async () => {
    const failures: string[] = [];
    // A fresh model file so that the session cache does not answer.
    await writeFile(join(dir, "copy.onnx"), buildLogitsModel({ size: 16, stride: 4, weights: new Float32Array(NUM_AB_BINS), biases: new Float32Array(NUM_AB_BINS) }));
    const colorizer = await loadColorizer(await writeManifest("copy.manifest.json", manifest({ file: "copy.onnx" })), {
      providers: ["no-such-provider", "cpu"],
      log: (m) => failures.push(m),
    });
    expect(colorizer.provider).toBe("cpu");
    expect(colorizer.providerFailures.map((f) => f.provider)).toEqual(["no-such-provider"]);
    // One line: the provider used, and why each one before it was passed over.
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatch(/runs on execution provider "cpu"; no-such-provider skipped: /);
  });

  it("probes the default providers quietly: nothing from onnxruntime on stderr, one line naming the provider and the skipped ones", async () => {
    await writeFile(join(dir, "quiet.onnx"), buildLogitsModel({ size: 16, stride: 4, weights: new Float32Array(NUM_AB_BINS), biases: new Float32Array(NUM_AB_BINS) }));
    const manifestPath = await writeManifest("quiet.manifest.json", manifest({ file: "quiet.onnx" }));
    // A child process, because onnxruntime's native loader writes to the process's stderr directly.
    const script = `import { loadColorizer } from "./lib/model/session.ts";
const colorizer = await loadColorizer(${JSON.stringify(manifestPath)}, { log: (line) => console.log("LOG " + line) });
console.log("PROVIDER " + colorizer.provider);`;
    const child = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: process.cwd(), encoding: "utf8", timeout: 120_000 });
    expect(child.status, child.stderr).toBe(0);
    const provider = /PROVIDER (\S+)/.exec(child.stdout)?.[1];
    const logLines = child.stdout.split("\n").filter((line) => line.startsWith("LOG "));
    expect(logLines).toHaveLength(1);
    expect(logLines[0]).toContain(`runs on execution provider "${provider}"`);
    for (const skipped of ["cuda", "webgpu"]) {
      const reason = providerSkipReason(skipped);
      if (reason && provider === "cpu") expect(logLines[0]).toContain(`${skipped} skipped: ${reason}`);
    }
    expect(child.stderr).not.toMatch(/Failed to load library|onnxruntime|vulkan/i);
  });
});

describe("clear errors", () => {
  const expectModelError = async (promise: Promise<unknown>, code: string, pattern: RegExp) => {
    const error = await promise.then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(ModelError);
    expect((error as ModelError).code).toBe(code);
    expect((error as ModelError).message).toMatch(pattern);
  };

  it("a missing model file", async () => {
    await expectModelError(loadColorizer(await writeManifest("missing.manifest.json", manifest({ file: "nope.onnx" })), { log }), "model_not_found", /nope\.onnx/);
  });

  it("a missing manifest", async () => {
    await expectModelError(loadColorizer(join(dir, "absent.manifest.json"), { log }), "manifest_not_found", /absent/);
  });

  it("an invalid manifest", async () => {
    await expectModelError(loadManifest(await writeManifest("bad.manifest.json", manifest({ output: { name: "logits", kind: "rgb", stride: 4 } }))), "manifest_invalid", /output\.kind/);
    await expectModelError(loadManifest(await writeManifest("nobins.manifest.json", manifest({ bins: undefined }))), "manifest_invalid", /bins are required/);
    await writeFile(join(dir, "notjson.manifest.json"), "{");
    await expectModelError(loadManifest(join(dir, "notjson.manifest.json")), "manifest_invalid", /not valid JSON/);
  });

  it("a file that is not an ONNX model", async () => {
    await expectModelError(loadColorizer(await writeManifest("garbage.manifest.json", manifest({ file: "garbage.onnx" })), { providers: ["cpu"], log }), "model_invalid", /could not be loaded/);
  });

  it("input or output names that differ from the manifest", async () => {
    await expectModelError(
      loadColorizer(await writeManifest("inname.manifest.json", manifest({ input: { name: "image", layout: "NCHW", height: 16, width: 16, lNormalization: { offset: -50, scale: 0.01 } } })), { providers: ["cpu"], log }),
      "model_mismatch",
      /inputs \[input_l\].*"image"/,
    );
    await expectModelError(
      loadColorizer(await writeManifest("outname.manifest.json", manifest({ output: { name: "probs", kind: "logits", stride: 4 } })), { providers: ["cpu"], log }),
      "model_mismatch",
      /outputs \[logits\].*"probs"/,
    );
  });

  it("an input size that differs from the model's declared shape", async () => {
    await expectModelError(
      loadColorizer(await writeManifest("size.manifest.json", manifest({ input: { name: "input_l", layout: "NCHW", height: 32, width: 32, lNormalization: { offset: -50, scale: 0.01 } } })), { providers: ["cpu"], log }),
      "model_mismatch",
      /shape \[N, 1, 16, 16\]/,
    );
  });

  it("an output whose channels or stride differ from the manifest (found at the first run)", async () => {
    const ten = await loadColorizer(await writeManifest("ten.manifest.json", manifest({ file: "ten.onnx" })), { providers: ["cpu"], log });
    await expectModelError(ten.predictAb([plane(60)]), "model_mismatch", /\[1, 10, 4, 4\].*\[1, 313, 4, 4\]/);
    const stride = await loadColorizer(await writeManifest("stride.manifest.json", manifest({ output: { name: "logits", kind: "logits", stride: 2 } })), { providers: ["cpu"], log });
    await expectModelError(stride.predictAb([plane(60)]), "model_mismatch", /stride 2/);
  });

  it("an L plane of the wrong size", async () => {
    const colorizer = await loadColorizer(await writeManifest("logits3.manifest.json", manifest()), { providers: ["cpu"], log });
    await expect(colorizer.predictAb([plane(50, 100)])).rejects.toThrow(/16×16/);
  });
});
