import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { AB_BINS, NUM_AB_BINS, abBinIndex, abBinList, computeSrgbGamutBins, deriveAbBinsFromGamut } from "@/lib/model/ab-bins";

const REFERENCE = process.env.COLORIZATION_REFERENCE_BINS ?? new URL("../../../shared/datasets/reference/ab-bins-and-prior.json", import.meta.url).pathname;
const haveReference = existsSync(REFERENCE);
if (!haveReference) console.warn(`ab-bins: reference ${REFERENCE} absent; skipping the comparison with the released centres`);

describe("the 313 ab bins", () => {
  it("has 313 grid-10 centres ordered by a, then b", () => {
    const bins = abBinList();
    expect(bins.length).toBe(NUM_AB_BINS);
    for (const [a, b] of bins) {
      expect(Math.abs(a % 10)).toBe(0);
      expect(Math.abs(b % 10)).toBe(0);
    }
    for (let k = 1; k < bins.length; k++) {
      const [a0, b0] = bins[k - 1]!, [a1, b1] = bins[k]!;
      expect(a1 > a0 || (a1 === a0 && b1 > b0)).toBe(true);
    }
    expect(abBinIndex(0, 0)).toBeGreaterThan(0);
    expect(abBinIndex(0, 0)).toBe(bins.findIndex(([a, b]) => a === 0 && b === 0));
    expect(abBinIndex(200, 0)).toBe(-1);
  });

  it.skipIf(!haveReference)("equals the original model's centres, in order (pts_in_hull.npy)", () => {
    const ref = JSON.parse(readFileSync(REFERENCE, "utf8")) as { ab_bins: [number, number][] };
    expect(abBinList()).toEqual(ref.ab_bins);
  });

  it("contains the colorimetric sRGB gamut bins and is at most one grid step wider", () => {
    const gamut = computeSrgbGamutBins(128);
    const table = new Set(abBinList().map(([a, b]) => `${a},${b}`));
    const inGamut = new Set(gamut.map(([a, b]) => `${a},${b}`));
    expect(gamut.length).toBeGreaterThan(250);
    for (const key of inGamut) expect(table.has(key)).toBe(true);
    for (const [a, b] of abBinList()) {
      let near = false;
      for (let da = -10; da <= 10 && !near; da += 10) for (let db = -10; db <= 10 && !near; db += 10) near = inGamut.has(`${a + da},${b + db}`);
      expect(near, `bin (${a}, ${b})`).toBe(true);
    }
  });

  it("equals the gamut construction shared with training/bins.py (in-gamut cells ∪ 4-neighbours − 11)", () => {
    expect(deriveAbBinsFromGamut(128)).toEqual(abBinList());
  });

  it("exposes the centres interleaved", () => {
    expect(AB_BINS.length).toBe(2 * NUM_AB_BINS);
    expect([AB_BINS[0], AB_BINS[1]]).toEqual([-90, 50]);
  });
});
