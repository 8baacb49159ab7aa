import { describe, expect, it } from "vitest";
import {
  applyMatrix,
  invertMatrix,
  LINEAR_SRGB_TO_LMS,
  LINEAR_SRGB_TO_XYZ,
  linearToSrgb,
  LMS_TO_LINEAR_SRGB,
  MACHADO_2009_DICHROMAT,
  simulateDichromat,
  srgbToLinear,
  uvPrime,
  XYZ_TO_LMS,
  ScreeningError,
  CONFUSION_AXES,
  type Matrix3,
} from "@/lib/screening";

function determinant(m: Matrix3): number {
  const [[a, b, c], [d, e, f], [g, h, i]] = m;
  return a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
}

describe("sRGB transfer function", () => {
  it("decodes 0.5 to 0.21404114048223255 and round-trips", () => {
    // Python 3: ((0.5 + 0.055) / 1.055) ** 2.4 = 0.21404114048223255 (IEC 61966-2-1 formula).
    expect(srgbToLinear(0.5)).toBeCloseTo(0.21404114048223255, 15);
    expect(srgbToLinear(0.04)).toBeCloseTo(0.04 / 12.92, 15); // the linear segment
    for (const value of [0, 0.01, 0.2, 0.5, 0.9, 1]) expect(linearToSrgb(srgbToLinear(value))).toBeCloseTo(value, 12);
  });
});

describe("chromaticity and cone space", () => {
  it("puts the sRGB white at D65's u′v′ = (0.1978, 0.4683)", () => {
    // CIE 15:2004, D65: x = 0.3127, y = 0.3290 → u′ = 0.1978, v′ = 0.4683.
    const [u, v] = uvPrime(applyMatrix(LINEAR_SRGB_TO_XYZ, [1, 1, 1]));
    expect(u).toBeCloseTo(0.1978, 4);
    expect(v).toBeCloseTo(0.4683, 4);
    expect(() => uvPrime([0, 0, 0])).toThrow(ScreeningError);
  });

  it("has the classical protan, deutan and tritan copunctal points as its inverse's columns", () => {
    // Confusion (copunctal) points in CIE xy for the Smith–Pokorny fundamentals, as tabulated by
    // Viénot, Brettel & Mollon (1999) and used by Meyer & Greenberg (1988): protan (0.7465, 0.2535),
    // deutan (1.4000, −0.4000), tritan (0.1748, 0.0000). A colour moved only in L (M, S) moves
    // along a line through the protan (deutan, tritan) point.
    const inverse = invertMatrix(XYZ_TO_LMS);
    const expected = [
      [0.7465, 0.2535],
      [1.4, -0.4],
      [0.1748, 0],
    ];
    for (let cone = 0; cone < 3; cone++) {
      const x = inverse[0][cone] as number;
      const y = inverse[1][cone] as number;
      const z = inverse[2][cone] as number;
      expect(x / (x + y + z)).toBeCloseTo(expected[cone]![0]!, 3);
      expect(y / (x + y + z)).toBeCloseTo(expected[cone]![1]!, 3);
    }
  });

  it("keeps L + M = Y, and LMS ↔ linear sRGB are inverses", () => {
    const rgb = [0.3, 0.5, 0.2] as const;
    const lms = applyMatrix(LINEAR_SRGB_TO_LMS, rgb);
    expect(lms[0] + lms[1]).toBeCloseTo(applyMatrix(LINEAR_SRGB_TO_XYZ, rgb)[1], 4);
    const back = applyMatrix(LMS_TO_LINEAR_SRGB, lms);
    back.forEach((value, k) => expect(value).toBeCloseTo(rgb[k]!, 12));
  });
});

describe("Machado et al. (2009) dichromat matrices", () => {
  it("keep greys (rows sum to 1) and make protan/deutan a projection (rank 2)", () => {
    for (const axis of CONFUSION_AXES) {
      for (const row of MACHADO_2009_DICHROMAT[axis]) expect(row[0] + row[1] + row[2]).toBeCloseTo(1, 5);
      expect(simulateDichromat(axis, [0.4, 0.4, 0.4]).map((v) => Number(v.toFixed(5)))).toEqual([0.4, 0.4, 0.4]);
    }
    expect(Math.abs(determinant(MACHADO_2009_DICHROMAT.protan))).toBeLessThan(1e-5);
    expect(Math.abs(determinant(MACHADO_2009_DICHROMAT.deutan))).toBeLessThan(1e-5);
    expect(determinant(MACHADO_2009_DICHROMAT.tritan)).toBeGreaterThan(0.2); // not a projection
  });

  it("confuse two colours that differ only in L (protan) or only in M (deutan), and not the others", () => {
    // Independent models agreeing: the Smith–Pokorny confusion line and Machado's simulation.
    const base = applyMatrix(LINEAR_SRGB_TO_LMS, [0.25, 0.22, 0.18]);
    const distance = (axis: "protan" | "deutan" | "tritan", a: readonly number[], b: readonly number[]) => {
      const [ua, va] = uvPrime(applyMatrix(LINEAR_SRGB_TO_XYZ, simulateDichromat(axis, a as [number, number, number])));
      const [ub, vb] = uvPrime(applyMatrix(LINEAR_SRGB_TO_XYZ, simulateDichromat(axis, b as [number, number, number])));
      return Math.hypot(ua - ub, va - vb);
    };
    const lShift = [applyMatrix(LMS_TO_LINEAR_SRGB, [base[0] * 0.95, base[1], base[2]]), applyMatrix(LMS_TO_LINEAR_SRGB, [base[0] * 1.05, base[1], base[2]])];
    expect(distance("protan", lShift[0]!, lShift[1]!)).toBeLessThan(0.001);
    expect(distance("deutan", lShift[0]!, lShift[1]!)).toBeGreaterThan(0.004);
    expect(distance("tritan", lShift[0]!, lShift[1]!)).toBeGreaterThan(0.02);
  });
});
