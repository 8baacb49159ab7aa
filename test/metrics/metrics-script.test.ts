import { spawnSync } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const tsx = path.resolve("node_modules/.bin/tsx");
const script = path.resolve("scripts/metrics.ts");
let root: string;

function run(args: string[]) {
  const result = spawnSync(tsx, [script, ...args], { encoding: "utf8", timeout: 60_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const image = (width: number, height: number, seed: number) => {
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0; i < rgb.length; i++) rgb[i] = (i * 37 + seed * 11) % 256;
  return sharp(rgb, { raw: { width, height, channels: 3 } }).png().toBuffer();
};

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "metrics-script-"));
  await mkdir(path.join(root, "real"));
  await mkdir(path.join(root, "fake"));
  await writeFile(path.join(root, "real", "a.png"), await image(20, 10, 1));
  await writeFile(path.join(root, "real", "b.png"), await image(20, 10, 2));
  await writeFile(path.join(root, "real", "c.png"), await image(20, 10, 3));
  await writeFile(path.join(root, "fake", "a.png"), await image(20, 10, 1)); // identical to its real
  await writeFile(path.join(root, "fake", "b.jpg"), await sharp(await image(40, 20, 2)).jpeg().toBuffer()); // 2× size
  await writeFile(path.join(root, "fake", "d.png"), await image(20, 10, 4)); // no real
  await writeFile(path.join(root, "fake", "notes.txt"), "not an image");
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("scripts/metrics.ts", () => {
  it("matches by stem, reports unmatched and resized files, and prints one JSON object last", () => {
    const { code, stdout, stderr } = run(["--real", path.join(root, "real"), "--fake", path.join(root, "fake"), "--json"]);
    expect(stderr.replace(/npm warn.*\n/g, "")).toBe("");
    expect(code).toBe(0);
    expect(stdout).toMatch(/unmatched real .*: 1: c\.png/);
    expect(stdout).toMatch(/unmatched fake .*: 1: d\.png/);
    expect(stdout).toMatch(/skipped in fake .*notes\.txt/);
    expect(stdout).toMatch(/note: b\.jpg: 40×20 resized to the real's 20×10/);
    expect(stdout).toMatch(/AuC, raw/);
    const lines = stdout.trim().split("\n");
    const json = JSON.parse(lines[lines.length - 1]!) as Record<string, unknown>;
    expect(json.images).toBe(2);
    expect(json.unmatchedReal).toEqual(["c.png"]);
    expect(json.unmatchedFake).toEqual(["d.png"]);
    expect(json.resized).toEqual(["b.jpg: 40×20 resized to the real's 20×10"]);
    // Pair a is identical (PSNR +∞), so the mean over images is +∞, written as a string so that the
    // JSON stays valid.
    expect(json.psnr).toBe("Infinity");
    for (const key of ["auc", "aucRebalanced", "colourfulness", "colourfulnessGroundTruth", "colourfulnessGap"]) {
      expect(typeof json[key]).toBe("number");
    }
    expect(json.auc as number).toBeLessThan(100);
  });

  it("fails with a usage message without --real, and when nothing matches", () => {
    const missing = run(["--fake", path.join(root, "fake")]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/--real DIR is required/);
    const none = run(["--real", path.join(root, "real"), "--fake", root]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/no file names match/);
  });
});
