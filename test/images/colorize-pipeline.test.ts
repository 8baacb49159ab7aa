import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { colorizePrepared, prepareImage } from "@/lib/images/colorize";
import { colorizePipeline } from "@/lib/images/colorize-pipeline";
import { ImageError } from "@/lib/images/errors";
import { NUM_AB_BINS, abBinIndex } from "@/lib/model/ab-bins";
import { ModelError } from "@/lib/model/errors";
import { closeColorizers, loadColorizer } from "@/lib/model/session";
import { startWorkerColorizer, type WorkerColorizer } from "@/lib/model/worker-colorizer";
import { buildLogitsModel } from "../support/onnx-builder";
import { syntheticPhoto } from "../support/test-images";

// A network with a known answer (bright pixels → one bin, dark → another; see colorize.test.ts),
// run on a worker thread: the pipeline must give exactly what the in-thread path gives, in order.
let dir: string;
let worker: WorkerColorizer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "colorize-pipeline-"));
  const w = new Float32Array(NUM_AB_BINS);
  w[abBinIndex(30, 50)] = 60;
  w[abBinIndex(-20, -30)] = -60;
  await writeFile(join(dir, "net.onnx"), buildLogitsModel({ size: 16, stride: 4, weights: w, biases: new Float32Array(NUM_AB_BINS) }));
  await writeFile(
    join(dir, "net.manifest.json"),
    JSON.stringify({
      schemaVersion: 1, name: "two-bins", file: "net.onnx",
      input: { name: "input_l", layout: "NCHW", height: 16, width: 16, lNormalization: { offset: -50, scale: 0.01 } },
      output: { name: "logits", kind: "logits", stride: 4 }, bins: { source: "grid10-in-gamut" },
    }),
  );
  worker = await startWorkerColorizer(join(dir, "net.manifest.json"), { providers: ["cpu"], maxBatch: 2, log: () => {} });
}, 60_000);

afterAll(async () => {
  await worker?.close();
  await closeColorizers();
  await rm(dir, { recursive: true, force: true });
});

describe("colorize pipeline on a worker colorizer", () => {
  it("reports the worker's provider and equals the in-thread path, image for image, in order", async () => {
    expect(worker.provider).toBe("cpu");
    const images = await Promise.all([1, 2, 3, 4, 5].map((seed) => syntheticPhoto(40 + seed, 30, seed)));
    const seen: { index: number; ab: Float32Array; L: Float32Array }[] = [];
    const timings = await colorizePipeline(images.map((_, i) => i), async (i) => images[i]!, worker, async (index, result) => {
      seen.push({ index, ab: result.ab, L: result.L });
    }, { batch: 2 });
    expect(seen.map((s) => s.index)).toEqual([0, 1, 2, 3, 4]);
    expect(timings.images).toBe(5);

    const inThread = await loadColorizer(join(dir, "net.manifest.json"), { providers: ["cpu"], log: () => {} });
    const prepared = await Promise.all(images.map((bytes) => prepareImage(bytes, inThread)));
    const { results } = await colorizePrepared(prepared, inThread);
    for (const [k, r] of results.entries()) {
      expect(Array.from(seen[k]!.L)).toEqual(Array.from(r.L));
      let maxDiff = 0;
      for (let i = 0; i < r.ab.length; i++) maxDiff = Math.max(maxDiff, Math.abs(seen[k]!.ab[i]! - r.ab[i]!));
      expect(maxDiff).toBeLessThan(1e-4);
    }
  }, 60_000);

  it("skips an undecodable image through onSkip and keeps the others", async () => {
    const good = await syntheticPhoto(32, 32, 1);
    const inputs = [good, Buffer.from("not an image"), good];
    const skipped: number[] = [];
    const done: number[] = [];
    await colorizePipeline([0, 1, 2], async (i) => inputs[i]!, worker, async (i) => void done.push(i), {
      batch: 2,
      onSkip: (i, error) => {
        expect(error).toBeInstanceOf(ImageError);
        skipped.push(i);
      },
    });
    expect(skipped).toEqual([1]);
    expect(done).toEqual([0, 2]);
  }, 60_000);

  it("rejects with the worker's ModelError for a missing model, and a sink error stops the pipeline", async () => {
    await expect(startWorkerColorizer(join(dir, "absent.manifest.json"))).rejects.toBeInstanceOf(ModelError);
    const bytes = await sharp({ create: { width: 20, height: 20, channels: 3, background: "#808080" } }).png().toBuffer();
    await expect(
      colorizePipeline([0, 1, 2, 3], async () => bytes, worker, async (i) => {
        if (i === 1) throw new Error("disk full");
      }, { batch: 1 }),
    ).rejects.toThrow("disk full");
  }, 60_000);
});
