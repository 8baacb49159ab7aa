import { execFile } from "node:child_process";
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packagedChromium, type PackagedChromium } from "../support/packaged-chromium";

// The GPU code path without a GPU: onnxruntime-node's WebGPU provider (Dawn on Vulkan) runs the
// shipped `full` model on SwiftShader, the software Vulkan driver that @sparticuz/chromium carries,
// and its output must equal the CPU provider's. Both run through `npm run colorize` in a child
// process, because the Vulkan loader reads its driver list and library path at process start.
// The model's spatial size is dynamic, so a 64×64 input keeps the run to a few seconds.

const run = promisify(execFile);
let dir: string;
let swiftShader: PackagedChromium;

async function colorize(provider: "cpu" | "webgpu"): Promise<{ stderr: string; png: string }> {
  const out = join(dir, provider);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    VK_ICD_FILENAMES: swiftShader.vulkanIcd,
    LD_LIBRARY_PATH: [swiftShader.libraryDir, process.env.LD_LIBRARY_PATH].filter(Boolean).join(":"),
    // Dawn and the loader look here for runtime files; a private folder keeps runs apart.
    XDG_RUNTIME_DIR: join(dir, "runtime"),
  };
  const { stderr } = await run(
    process.execPath,
    ["--import", "tsx", "scripts/colorize.ts", join(dir, "in"), out, "--model", join(dir, "small.manifest.json"), "--providers", provider],
    { cwd: process.cwd(), env, timeout: 170_000 },
  );
  return { stderr, png: join(out, "photo.png") };
}

async function rgb(path: string): Promise<Uint8Array> {
  return new Uint8Array(await sharp(path).removeAlpha().raw().toBuffer());
}

beforeAll(async () => {
  swiftShader = await packagedChromium();
  dir = await mkdtemp(join(tmpdir(), "webgpu-swiftshader-"));
  await mkdir(join(dir, "runtime"));
  await chmod(join(dir, "runtime"), 0o700);
  await mkdir(join(dir, "in"));
  // A grey photo with structure at several scales, so the network's colours vary across it.
  const width = 64;
  const height = 48;
  const pixels = Buffer.alloc(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) pixels[y * width + x] = Math.round(127 + 90 * Math.sin(x / 5) * Math.cos(y / 7) + 30 * Math.sin((x + y) / 2));
  }
  await sharp(pixels, { raw: { width, height, channels: 1 } }).png().toFile(join(dir, "in", "photo.png"));
  const manifest = JSON.parse(await readFile("models/full.manifest.json", "utf8")) as Record<string, unknown> & { input: object };
  manifest.file = resolve("models/full.onnx");
  manifest.input = { ...manifest.input, height: 64, width: 64 };
  await writeFile(join(dir, "small.manifest.json"), JSON.stringify(manifest));
}, 120_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("WebGPU provider on SwiftShader", () => {
  it("runs the shipped model on WebGPU and matches the CPU provider within one 8-bit level", async () => {
    const [cpu, webgpu] = [await colorize("cpu"), await colorize("webgpu")];
    expect(cpu.stderr).toMatch(/on execution provider "cpu"/);
    expect(webgpu.stderr).toMatch(/on execution provider "webgpu"/);
    const [a, b] = [await rgb(cpu.png), await rgb(webgpu.png)];
    expect(b.length).toBe(a.length);
    let differing = 0;
    let largest = 0;
    for (let i = 0; i < a.length; i++) {
      const d = Math.abs(a[i]! - b[i]!);
      if (d > 0) differing++;
      largest = Math.max(largest, d);
    }
    expect(largest).toBeLessThanOrEqual(1);
    expect(differing / a.length).toBeLessThan(0.01);
    // The photo is coloured at all (a blank or grey result on both paths would also "match").
    let chroma = 0;
    for (let i = 0; i < a.length; i += 3) chroma = Math.max(chroma, Math.max(a[i]!, a[i + 1]!, a[i + 2]!) - Math.min(a[i]!, a[i + 1]!, a[i + 2]!));
    expect(chroma).toBeGreaterThan(10);
  }, 180_000);
});
