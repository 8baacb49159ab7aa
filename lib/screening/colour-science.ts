import { ScreeningError } from "./screening-error";

// Colour science for the screening plates: sRGB ↔ linear sRGB ↔ CIE XYZ ↔ LMS cone excitations,
// and the CIE 1976 u′v′ chromaticity the simulated observers judge colour differences in.
// Pure and browser-safe (no Node API): the rater page draws plates with the same code.
// docs/colour-vision-screening.md explains the choices.

/** A 3×3 matrix, row-major: out[i] = Σ_j m[i][j]·in[j]. */
export type Matrix3 = readonly [readonly [number, number, number], readonly [number, number, number], readonly [number, number, number]];
/** Three components: linear or encoded RGB, XYZ or LMS, as the name of the variable says. */
export type Vector3 = readonly [number, number, number];

/**
 * Linear sRGB → CIE 1931 XYZ (D65 white, Y of white = 1). IEC 61966-2-1:1999, the matrix of its
 * §5.2 (Rec. 709 primaries).
 */
export const LINEAR_SRGB_TO_XYZ: Matrix3 = [
  [0.4124, 0.3576, 0.1805],
  [0.2126, 0.7152, 0.0722],
  [0.0193, 0.1192, 0.9505],
];

/**
 * CIE XYZ → LMS cone excitations, the Smith & Pokorny (1975) cone fundamentals as a linear
 * transform of the Judd–Vos XYZ, in the form Viénot, Brettel & Mollon (1999, Color Res. Appl.
 * 24:243–252, eq. 7) give: L + M = Y, S ∝ Z. Its three columns inverted are the classical
 * copunctal (confusion) points — protan xy (0.7465, 0.2535), deutan (1.4000, −0.4000), tritan
 * (0.1748, 0.0000) — which test/screening/colour-science.test.ts checks. Applying it to sRGB's
 * (CIE 1931, not Judd–Vos) XYZ is the approximation every display-based simulation makes.
 */
export const XYZ_TO_LMS: Matrix3 = [
  [0.15514, 0.54312, -0.03286],
  [-0.15514, 0.45684, 0.03286],
  [0, 0, 0.00801],
];

/** Product a·b of two 3×3 matrices. */
export function multiplyMatrices(a: Matrix3, b: Matrix3): Matrix3 {
  const row = (i: 0 | 1 | 2): [number, number, number] => [
    a[i][0] * b[0][0] + a[i][1] * b[1][0] + a[i][2] * b[2][0],
    a[i][0] * b[0][1] + a[i][1] * b[1][1] + a[i][2] * b[2][1],
    a[i][0] * b[0][2] + a[i][1] * b[1][2] + a[i][2] * b[2][2],
  ];
  return [row(0), row(1), row(2)];
}

/**
 * Inverse of a 3×3 matrix by the adjugate.
 *
 * @throws {ScreeningError} for a singular matrix (|det| < 1e−12).
 */
export function invertMatrix(m: Matrix3): Matrix3 {
  const [[a, b, c], [d, e, f], [g, h, i]] = m;
  const co00 = e * i - f * h;
  const co01 = -(d * i - f * g);
  const co02 = d * h - e * g;
  const det = a * co00 + b * co01 + c * co02;
  if (!(Math.abs(det) >= 1e-12)) throw new ScreeningError("matrix is singular");
  return [
    [co00 / det, -(b * i - c * h) / det, (b * f - c * e) / det],
    [co01 / det, (a * i - c * g) / det, -(a * f - c * d) / det],
    [co02 / det, -(a * h - b * g) / det, (a * e - b * d) / det],
  ];
}

/** m·v. */
export function applyMatrix(m: Matrix3, v: Vector3): [number, number, number] {
  return [
    m[0][0] * v[0] + m[0][1] * v[1] + m[0][2] * v[2],
    m[1][0] * v[0] + m[1][1] * v[1] + m[1][2] * v[2],
    m[2][0] * v[0] + m[2][1] * v[1] + m[2][2] * v[2],
  ];
}

export const LINEAR_SRGB_TO_LMS: Matrix3 = multiplyMatrices(XYZ_TO_LMS, LINEAR_SRGB_TO_XYZ);
export const LMS_TO_LINEAR_SRGB: Matrix3 = invertMatrix(LINEAR_SRGB_TO_LMS);

/**
 * sRGB transfer function, encoded value in [0, 1] → linear (IEC 61966-2-1, §5.2).
 * @example srgbToLinear(0.5); // 0.21404…
 */
export function srgbToLinear(encoded: number): number {
  return encoded <= 0.04045 ? encoded / 12.92 : ((encoded + 0.055) / 1.055) ** 2.4;
}

/**
 * Inverse sRGB transfer function, linear value in [0, 1] → encoded (IEC 61966-2-1, §5.3).
 * @example linearToSrgb(0.21404114048223255); // 0.5 (to 1e−12)
 */
export function linearToSrgb(linear: number): number {
  return linear <= 0.0031308 ? 12.92 * linear : 1.055 * linear ** (1 / 2.4) - 0.055;
}

/** Linear sRGB in [0, 1] → an 8-bit sRGB code value (rounded, clamped). */
export function linearToSrgb8(linear: number): number {
  const encoded = linearToSrgb(Math.min(1, Math.max(0, linear)));
  return Math.round(encoded * 255);
}

/** The 256 linear values of the 8-bit sRGB code values (a lookup table for pixel loops). */
export const SRGB8_TO_LINEAR: Float64Array = Float64Array.from({ length: 256 }, (_, code) => srgbToLinear(code / 255));

/**
 * CIE 1976 UCS chromaticity u′ = 4X/(X + 15Y + 3Z), v′ = 9Y/(X + 15Y + 3Z). Invariant under a
 * scaling of XYZ, so it ignores luminance — which is why the simulated observers judge in it.
 *
 * @throws {ScreeningError} for black (X + 15Y + 3Z = 0), whose chromaticity is undefined.
 * @example uvPrime(applyMatrix(LINEAR_SRGB_TO_XYZ, [1, 1, 1])); // [0.1978…, 0.4683…] (D65)
 */
export function uvPrime(xyz: Vector3): [number, number] {
  const denominator = xyz[0] + 15 * xyz[1] + 3 * xyz[2];
  if (!(denominator > 0)) throw new ScreeningError("chromaticity of black is undefined");
  return [(4 * xyz[0]) / denominator, (9 * xyz[1]) / denominator];
}

/** Relative luminance Y of a linear sRGB colour (white = 1). */
export function relativeLuminance(linearRgb: Vector3): number {
  return LINEAR_SRGB_TO_XYZ[1][0] * linearRgb[0] + LINEAR_SRGB_TO_XYZ[1][1] * linearRgb[1] + LINEAR_SRGB_TO_XYZ[1][2] * linearRgb[2];
}
