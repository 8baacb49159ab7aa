import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runScriptCli } from "../support/run-cli";
import { NUM_AB_BINS } from "@/lib/model/ab-bins";
import { buildAbModel, buildLogitsModel } from "../support/onnx-builder";

const cli = (...args: string[]) => runScriptCli("scripts/colorize.ts", ...args);
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "colorize-cli-"));
  const w = new Float32Array(NUM_AB_BINS);
  w[100] = 60;
  await writeFile(join(dir, "net.onnx"), buildLogitsModel({ size: 16, stride: 4, weights: w, biases: new Float32Array(NUM_AB_BINS) }));
  await writeFile(
    join(dir, "net.manifest.json"),
    JSON.stringify({
      schemaVersion: 1, name: "cli-test", file: "net.onnx",
      input: { name: "input_l", layout: "NCHW", height: 16, width: 16, lNormalization: { offset: -50, scale: 0.01 } },
      output: { name: "logits", kind: "logits", stride: 4 }, bins: { source: "grid10-in-gamut" },
    }),
  );
  await mkdir(join(dir, "in"));
  for (const [name, colour] of [["a.jpg", "#c08040"], ["b.png", "#4080c0"]] as const) {
    const img = sharp({ create: { width: 40, height: 30, channels: 3, background: colour } });
    await writeFile(join(dir, "in", name), name.endsWith(".jpg") ? await img.jpeg().toBuffer() : await img.png().toBuffer());
  }
  await writeFile(join(dir, "ab.onnx"), buildAbModel({ size: 16, ka: 0, ca: 20, kb: 0, cb: -10 }));
  await writeFile(
    join(dir, "ab.manifest.json"),
    JSON.stringify({
      schemaVersion: 1, name: "cli-ab-test", file: "ab.onnx",
      input: { name: "input_l", layout: "NHWC", height: 16, width: 16, lNormalization: { offset: -50, scale: 0.01 } },
      output: { name: "ab", kind: "ab", stride: 1 },
    }),
  );
  await mkdir(join(dir, "wide"));
  await writeFile(join(dir, "wide", "panorama.png"), await sharp({ create: { width: 400, height: 20, channels: 3, background: "#a06040" } }).png().toBuffer());
  await writeFile(join(dir, "wide", "square.png"), await sharp({ create: { width: 40, height: 30, channels: 3, background: "#a06040" } }).png().toBuffer());
  const good = await sharp({ create: { width: 40, height: 30, channels: 3, background: "#808080" } }).jpeg().toBuffer();
  await writeFile(join(dir, "in", "c-truncated.jpg"), good.subarray(0, good.length - 100));
  await writeFile(join(dir, "in", "d-not-an-image.png"), "hello");
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("npm run colorize", () => {
  it("colorizes a folder at full resolution, skips bad files without writing them, and summarizes", async () => {
    const out = join(dir, "out");
    const { code, stderr } = await cli(join(dir, "in"), out, "--model", join(dir, "net.manifest.json"), "--providers", "cpu", "--batch", "1");
    expect(code).toBe(1);
    expect((await readdir(out)).sort()).toEqual(["a.png", "b.png"]);
    expect((await sharp(join(out, "a.png")).metadata()).width).toBe(40);
    expect(stderr).toMatch(/colorized 2\/4 images .* on execution provider "cpu", annealed mean T = 0\.38/);
    expect(stderr).toMatch(/c-truncated\.jpg: .*corrupt or truncated/);
    expect(stderr).toMatch(/d-not-an-image\.png: .*not a supported image/);
  }, 60_000);

  it("errors clearly on a missing model and writes nothing", async () => {
    const out = join(dir, "never");
    const { code, stderr } = await cli(join(dir, "in"), out, "--model", join(dir, "absent.manifest.json"));
    expect(code).toBe(2);
    expect(stderr).toMatch(/Model manifest not found/);
    expect(existsSync(out)).toBe(false);
  }, 60_000);

  it("names no temperature for a model that predicts ab, and says when --temperature is ignored", async () => {
    const out = join(dir, "out-ab");
    const { code, stderr } = await cli(join(dir, "wide", "square.png"), out, "--model", join(dir, "ab.manifest.json"), "--providers", "cpu", "--temperature", "0.5");
    expect(code).toBe(0);
    expect(stderr).toMatch(/ab predicted directly \(no temperature\)/);
    expect(stderr).not.toMatch(/T = /);
    expect(stderr).toMatch(/--temperature 0\.5 is ignored/);
  }, 60_000);

  it("warns about an extreme aspect ratio, and only for that image", async () => {
    const out = join(dir, "out-wide");
    const { code, stderr } = await cli(join(dir, "wide"), out, "--model", join(dir, "net.manifest.json"), "--providers", "cpu");
    expect(code).toBe(0);
    expect(stderr).toMatch(/warning: panorama\.png: 400×20 is squashed 20\.0:1 to the network's 16×16 input/);
    expect(stderr).not.toMatch(/warning: square\.png/);
    expect((await readdir(out)).sort()).toEqual(["panorama.png", "square.png"]);
  }, 60_000);
});
