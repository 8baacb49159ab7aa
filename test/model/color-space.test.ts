import { describe, expect, it } from "vitest";
import {
  D65_WHITE,
  SRGB_TO_XYZ,
  gray8ToL,
  labToRgb8,
  labToSrgb,
  linearToSrgb8,
  rgb8ToL,
  rgb8ToLab,
  srgbToLab,
  splitLab,
  joinLab,
} from "@/lib/model/color-space";
import { seededRandom } from "../support/random";

describe("srgbToLab / labToSrgb", () => {
  it("maps sRGB white to exactly L = 100, a = b = 0", () => {
    const [L, a, b] = srgbToLab(1, 1, 1);
    expect(L).toBeCloseTo(100, 12);
    expect(Math.abs(a)).toBeLessThan(1e-12);
    expect(Math.abs(b)).toBeLessThan(1e-12);
    expect(srgbToLab(0, 0, 0)).toEqual([0, 0, 0]);
  });

  it("uses the D65 white (0.95047, 1, 1.08883) and Lindbloom's sRGB matrix", () => {
    expect(D65_WHITE[0]).toBeCloseTo(0.95047, 12);
    expect(D65_WHITE[1]).toBeCloseTo(1, 12);
    expect(D65_WHITE[2]).toBeCloseTo(1.08883, 12);
    // Bruce Lindbloom, "RGB/XYZ Matrices", sRGB with reference white D65 (7 decimals as published).
    const published = [0.4124564, 0.3575761, 0.1804375, 0.2126729, 0.7151522, 0.072175, 0.0193339, 0.119192, 0.9503041];
    SRGB_TO_XYZ.forEach((v, i) => expect(Math.abs(v - published[i]!)).toBeLessThan(5e-8));
  });

  it("matches Bruce Lindbloom's CIE calculator for the sRGB primaries (D65, 4 decimals)", () => {
    // Independent source: http://www.brucelindbloom.com/ColorCalculator.html, RGB model sRGB,
    // reference white D65, gamma sRGB; values as displayed (4 decimals).
    const cases: [[number, number, number], [number, number, number]][] = [
      [[1, 0, 0], [53.2408, 80.0925, 67.2032]],
      [[0, 1, 0], [87.7347, -86.1827, 83.1793]],
      [[0, 0, 1], [32.297, 79.1875, -107.8602]],
    ];
    for (const [rgb, lab] of cases) {
      const got = srgbToLab(...rgb);
      got.forEach((v, i) => expect(Math.abs(v - lab[i]!)).toBeLessThan(6e-5));
    }
  });

  it("round-trips random colours with error below 1e-6 (float64)", () => {
    const rand = seededRandom(1);
    let worst = 0;
    for (let i = 0; i < 20_000; i++) {
      const c: [number, number, number] = [rand(), rand(), rand()];
      const back = labToSrgb(...srgbToLab(...c));
      for (let k = 0; k < 3; k++) worst = Math.max(worst, Math.abs(back[k]! - c[k]!));
    }
    expect(worst).toBeLessThan(1e-6);
  });

  it("round-trips Lab → sRGB → Lab for in-gamut Lab values, and leaves out-of-gamut values unclamped", () => {
    const [r, g, b] = labToSrgb(50, 100, 0);
    expect(Math.max(r, g, b) > 1 || Math.min(r, g, b) < 0).toBe(true);
    const back = srgbToLab(...labToSrgb(60, 20, -30));
    expect(back[0]).toBeCloseTo(60, 9);
    expect(back[1]).toBeCloseTo(20, 9);
    expect(back[2]).toBeCloseTo(-30, 9);
  });
});

describe("whole-image conversions", () => {
  it("rgb8ToLab agrees with srgbToLab and labToRgb8 inverts it exactly on all 8-bit colours sampled", () => {
    const rand = seededRandom(2);
    const n = 50_000;
    const rgb = new Uint8Array(3 * n);
    for (let i = 0; i < rgb.length; i++) rgb[i] = Math.floor(rand() * 256);
    const lab = rgb8ToLab(rgb);
    for (let p = 0; p < 100; p++) {
      const ref = srgbToLab(rgb[3 * p]! / 255, rgb[3 * p + 1]! / 255, rgb[3 * p + 2]! / 255);
      for (let k = 0; k < 3; k++) expect(Math.abs(lab[3 * p + k]! - ref[k]!)).toBeLessThan(1e-4);
    }
    expect(Array.from(labToRgb8(lab))).toEqual(Array.from(rgb));
  });

  it("reads RGBA input and the L-only helpers agree with the full conversion", () => {
    const rgba = Uint8Array.from([255, 0, 0, 7, 10, 200, 30, 255, 128, 128, 128, 0]);
    const lab = rgb8ToLab(rgba, 4);
    expect(lab.length).toBe(9);
    const L = rgb8ToL(rgba, 4);
    for (let p = 0; p < 3; p++) expect(L[p]).toBeCloseTo(lab[3 * p]!, 4);
    expect(gray8ToL(Uint8Array.from([128]))[0]).toBeCloseTo(lab[6]!, 4);
    expect(Math.abs(lab[7]!)).toBeLessThan(1e-4); // grey has a = b = 0
  });

  it("rgb8ToL's interpolated table is within 1e-5 of the exact L over a grid of 8-bit colours, and exact for greys", () => {
    const levels = Array.from({ length: 33 }, (_, i) => Math.min(255, i * 8));
    const rgb: number[] = [];
    for (const r of levels) for (const g of levels) for (const b of levels) rgb.push(r, g, b);
    for (let v = 0; v < 256; v++) rgb.push(v, v, v);
    const L = rgb8ToL(Uint8Array.from(rgb));
    let worst = 0;
    for (let p = 0; p < L.length; p++) {
      const exact = srgbToLab(rgb[3 * p]! / 255, rgb[3 * p + 1]! / 255, rgb[3 * p + 2]! / 255)[0];
      worst = Math.max(worst, Math.abs(L[p]! - Math.fround(exact)));
    }
    expect(worst).toBeLessThan(1e-5);
    const greys = Uint8Array.from({ length: 256 }, (_, v) => v);
    expect(Array.from(rgb8ToL(Uint8Array.from(rgb.slice(-768))))).toEqual(Array.from(gray8ToL(greys)));
  });

  it("clamps and rounds out-of-gamut Lab to 8 bits", () => {
    const out = Array.from(labToRgb8(Float32Array.from([100, 0, 0, 0, 0, 0, 50, 200, 0])));
    expect(out.slice(0, 6)).toEqual([255, 255, 255, 0, 0, 0]);
    expect(out.slice(6, 8)).toEqual([255, 0]); // a = 200 is far out of gamut: R clamps to 255, G to 0
    expect(linearToSrgb8(Number.NaN)).toBe(0);
    expect(linearToSrgb8(2)).toBe(255);
  });

  it("splits and joins L and ab", () => {
    const lab = Float32Array.from([1, 2, 3, 4, 5, 6]);
    const { L, ab } = splitLab(lab);
    expect(Array.from(L)).toEqual([1, 4]);
    expect(Array.from(ab)).toEqual([2, 3, 5, 6]);
    expect(Array.from(joinLab(L, ab))).toEqual(Array.from(lab));
  });
});
