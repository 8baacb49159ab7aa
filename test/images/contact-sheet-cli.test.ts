import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runScriptCli } from "../support/run-cli";

const cli = (...args: string[]) => runScriptCli("scripts/contact-sheet.ts", ...args);
let dir: string;

const plainPng = (colour: string) => sharp({ create: { width: 40, height: 30, channels: 3, background: colour } }).png().toBuffer();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "contact-sheet-"));
  for (const sub of ["real", "fake", "partial"]) await mkdir(join(dir, sub));
  for (const stem of ["a", "b", "c"]) {
    await writeFile(join(dir, "real", `${stem}.png`), await plainPng("#c04020"));
    await writeFile(join(dir, "fake", `${stem}.png`), await plainPng("#2040c0"));
  }
  await writeFile(join(dir, "partial", "a.png"), await plainPng("#2040c0"));
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("npm run contact-sheet", () => {
  it("lays out one row per photo and one column per folder, each tile from its own folder", async () => {
    const out = join(dir, "sheet.png");
    const r = await cli("--real", join(dir, "real"), "--column", `ours=${join(dir, "fake")}`, "--out", out, "--count", "2", "--tile", "32");
    expect(r.code).toBe(0);
    const { data, info } = await sharp(out).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([2 * 32, 22 + 2 * 32]);
    const redMinusBlue = (x: number, y: number) => data[(y * info.width + x) * 3]! - data[(y * info.width + x) * 3 + 2]!;
    expect(redMinusBlue(16, 22 + 16)).toBeGreaterThan(100); // red photo on the left
    expect(redMinusBlue(32 + 16, 22 + 16)).toBeLessThan(-100); // blue result beside it
  }, 60_000);

  it("refuses a folder that lacks a chosen photo's result, and prints its usage on --help", async () => {
    const r = await cli("--real", join(dir, "real"), "--column", `ours=${join(dir, "partial")}`, "--out", join(dir, "holes.png"), "--count", "3");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/partial: no result for b/);
    const help = await cli("--help");
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: npm run contact-sheet/);
    const unknown = await cli("--bogus");
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/Unknown option '--bogus'/);
  }, 60_000);
});
