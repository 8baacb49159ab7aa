/**
 * Exact sRGB ↔ CIE Lab (D65) conversion, per colour and for whole images as typed arrays.
 *
 * Path: sRGB (IEC 61966-2-1 piecewise transfer curve) → linear RGB → CIE XYZ (D65) → CIE L*a*b*.
 *
 * Choices (invariants other code relies on):
 * - Reference white D65 (Xn, Yn, Zn) = (0.95047, 1, 1.08883) (CIE 1931 2°, as used by Bruce
 *   Lindbloom, colormath and scikit-image). The RGB→XYZ matrix is derived in float64 from the sRGB
 *   primaries' chromaticities (R 0.64,0.33; G 0.30,0.60; B 0.15,0.06; IEC 61966-2-1) and that white
 *   (Lindbloom, "RGB/XYZ Matrices"), so its row sums equal the white exactly: sRGB white maps to
 *   L = 100, a = b = 0, and every neutral grey to a = b = 0 (up to float64 rounding), which a
 *   grayscale input needs. The result is Lindbloom's published matrix (0.4124564 0.3575761 …) to
 *   all printed digits. (scikit-image, used by the original model's code, pairs the same white with
 *   a slightly different matrix; the difference is below 0.01 Lab units.)
 * - CIE constants: ε = 216/24389, κ = 24389/27 (the exact CIE ratios, not 0.008856 / 903.3).
 * - `labToSrgb` returns unclamped float64 values; out-of-gamut colours give components outside 0..1.
 * - Image layouts: "interleaved Lab" is a Float32Array [L0,a0,b0, L1,a1,b1, …]; an "L plane" is one
 *   Float32Array of L per pixel; an "ab plane pair" is interleaved [a0,b0, a1,b1, …].
 */

export const LAB_EPSILON = 216 / 24389;
export const LAB_KAPPA = 24389 / 27;

/** D65 reference white XYZ (Y = 1). */
const D65_XYZ: readonly [number, number, number] = [0.95047, 1, 1.08883];

type Mat3 = readonly [number, number, number, number, number, number, number, number, number];

function xyToXyz(x: number, y: number): [number, number, number] {
  return [x / y, 1, (1 - x - y) / y];
}

function invert3(m: Mat3): Mat3 {
  const [a, b, c, d, e, f, g, h, i] = m;
  const A = e * i - f * h;
  const B = -(d * i - f * g);
  const C = d * h - e * g;
  const det = a * A + b * B + c * C;
  return [
    A / det,
    -(b * i - c * h) / det,
    (b * f - c * e) / det,
    B / det,
    (a * i - c * g) / det,
    -(a * f - c * d) / det,
    C / det,
    -(a * h - b * g) / det,
    (a * e - b * d) / det,
  ];
}

/** RGB→XYZ matrix from primaries and white (Lindbloom, "RGB/XYZ Matrices"). */
function deriveSrgbToXyz(): Mat3 {
  const r = xyToXyz(0.64, 0.33);
  const g = xyToXyz(0.3, 0.6);
  const bl = xyToXyz(0.15, 0.06);
  const w = D65_XYZ;
  const p: Mat3 = [r[0], g[0], bl[0], r[1], g[1], bl[1], r[2], g[2], bl[2]];
  const pi = invert3(p);
  const s0 = pi[0] * w[0] + pi[1] * w[1] + pi[2] * w[2];
  const s1 = pi[3] * w[0] + pi[4] * w[1] + pi[5] * w[2];
  const s2 = pi[6] * w[0] + pi[7] * w[1] + pi[8] * w[2];
  return [
    p[0] * s0, p[1] * s1, p[2] * s2,
    p[3] * s0, p[4] * s1, p[5] * s2,
    p[6] * s0, p[7] * s1, p[8] * s2,
  ];
}

/** Linear sRGB → XYZ (row-major 3×3). */
export const SRGB_TO_XYZ: Mat3 = deriveSrgbToXyz();
/** XYZ → linear sRGB (row-major 3×3), the float64 inverse of {@link SRGB_TO_XYZ}. */
export const XYZ_TO_SRGB: Mat3 = invert3(SRGB_TO_XYZ);
/** Reference white (Xn, Yn, Zn) = SRGB_TO_XYZ · (1, 1, 1) = (0.95047, 1, 1.08883) up to float64 rounding. */
export const D65_WHITE: readonly [number, number, number] = [
  SRGB_TO_XYZ[0] + SRGB_TO_XYZ[1] + SRGB_TO_XYZ[2],
  SRGB_TO_XYZ[3] + SRGB_TO_XYZ[4] + SRGB_TO_XYZ[5],
  SRGB_TO_XYZ[6] + SRGB_TO_XYZ[7] + SRGB_TO_XYZ[8],
];

// Pre-divide the matrix rows by the white so that the Lab step sees X/Xn, Y/Yn, Z/Zn directly.
const M0 = SRGB_TO_XYZ[0] / D65_WHITE[0], M1 = SRGB_TO_XYZ[1] / D65_WHITE[0], M2 = SRGB_TO_XYZ[2] / D65_WHITE[0];
const M3 = SRGB_TO_XYZ[3] / D65_WHITE[1], M4 = SRGB_TO_XYZ[4] / D65_WHITE[1], M5 = SRGB_TO_XYZ[5] / D65_WHITE[1];
const M6 = SRGB_TO_XYZ[6] / D65_WHITE[2], M7 = SRGB_TO_XYZ[7] / D65_WHITE[2], M8 = SRGB_TO_XYZ[8] / D65_WHITE[2];
// Inverse, with the white multiplied back in.
const N0 = XYZ_TO_SRGB[0] * D65_WHITE[0], N1 = XYZ_TO_SRGB[1] * D65_WHITE[1], N2 = XYZ_TO_SRGB[2] * D65_WHITE[2];
const N3 = XYZ_TO_SRGB[3] * D65_WHITE[0], N4 = XYZ_TO_SRGB[4] * D65_WHITE[1], N5 = XYZ_TO_SRGB[5] * D65_WHITE[2];
const N6 = XYZ_TO_SRGB[6] * D65_WHITE[0], N7 = XYZ_TO_SRGB[7] * D65_WHITE[1], N8 = XYZ_TO_SRGB[8] * D65_WHITE[2];

/** sRGB transfer curve decode (IEC 61966-2-1): encoded 0..1 → linear. Defined for any real input. */
export function srgbToLinear(c: number): number {
  return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
}

/** sRGB transfer curve encode (IEC 61966-2-1): linear → encoded. Defined for any real input. */
export function linearToSrgb(l: number): number {
  return l <= 0.0031308 ? 12.92 * l : 1.055 * Math.pow(l, 1 / 2.4) - 0.055;
}

function labF(t: number): number {
  return t > LAB_EPSILON ? Math.cbrt(t) : (LAB_KAPPA * t + 16) / 116;
}

function labFInv(f: number): number {
  const f3 = f * f * f;
  return f3 > LAB_EPSILON ? f3 : (116 * f - 16) / LAB_KAPPA;
}

/** Y/Yn from L (the exact inverse of L = 116 f(Y) − 16). */
function lToY(L: number): number {
  return L > LAB_KAPPA * LAB_EPSILON ? Math.pow((L + 16) / 116, 3) : L / LAB_KAPPA;
}

/** Linear sRGB → CIE Lab (float64). */
export function linearRgbToLab(r: number, g: number, b: number): [number, number, number] {
  const fx = labF(M0 * r + M1 * g + M2 * b);
  const fy = labF(M3 * r + M4 * g + M5 * b);
  const fz = labF(M6 * r + M7 * g + M8 * b);
  return [116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)];
}

/** CIE Lab → linear sRGB (float64, unclamped). */
export function labToLinearRgb(L: number, a: number, b: number): [number, number, number] {
  const fy = (L + 16) / 116;
  const xr = labFInv(fy + a / 500);
  const yr = lToY(L);
  const zr = labFInv(fy - b / 200);
  return [N0 * xr + N1 * yr + N2 * zr, N3 * xr + N4 * yr + N5 * zr, N6 * xr + N7 * yr + N8 * zr];
}

/** sRGB (0..1, float64) → CIE Lab (D65): L in 0..100, a and b roughly −128..128. */
export function srgbToLab(r: number, g: number, b: number): [number, number, number] {
  return linearRgbToLab(srgbToLinear(r), srgbToLinear(g), srgbToLinear(b));
}

/** CIE Lab (D65) → sRGB 0..1 float64, unclamped (out-of-gamut colours leave 0..1). */
export function labToSrgb(L: number, a: number, b: number): [number, number, number] {
  const [r, g, bl] = labToLinearRgb(L, a, b);
  return [linearToSrgb(r), linearToSrgb(g), linearToSrgb(bl)];
}

/** 256-entry decode table: 8-bit code → linear value (float64). */
export const SRGB8_TO_LINEAR: Float64Array = (() => {
  const t = new Float64Array(256);
  for (let i = 0; i < 256; i++) t[i] = srgbToLinear(i / 255);
  return t;
})();

/**
 * Linear-value thresholds for correctly rounded 8-bit encoding: code k is chosen iff
 * LINEAR_THRESHOLDS[k-1] <= l < LINEAR_THRESHOLDS[k], where LINEAR_THRESHOLDS[k] = decode((k+0.5)/255).
 * Equivalent to round(255 · clamp(encode(l))) without a pow per channel.
 */
const LINEAR_THRESHOLDS: Float64Array = (() => {
  const t = new Float64Array(255);
  for (let k = 0; k < 255; k++) t[k] = srgbToLinear((k + 0.5) / 255);
  return t;
})();

const LUT_BITS = 12;
const LUT_SIZE = 1 << LUT_BITS;
/**
 * For each linear interval [i/4096, (i+1)/4096): the code of its lower edge. The thresholds are at
 * least 1/3300 apart (the slope of the linear segment near black), so from there at most a couple
 * of comparisons reach the correctly rounded code.
 */
const LINEAR_TO_CODE_START: Uint8Array = (() => {
  const t = new Uint8Array(LUT_SIZE);
  let code = 0;
  for (let i = 0; i < LUT_SIZE; i++) {
    const l = i / LUT_SIZE;
    while (code < 255 && l >= LINEAR_THRESHOLDS[code]!) code++;
    t[i] = code;
  }
  return t;
})();
const TOP_THRESHOLD = LINEAR_THRESHOLDS[254]!;

/** Linear value → 8-bit sRGB code, clamped and correctly rounded (table lookup + ≤ 2 comparisons). */
export function linearToSrgb8(l: number): number {
  if (!(l >= LINEAR_THRESHOLDS[0]!)) return 0; // also maps NaN to 0
  if (l >= TOP_THRESHOLD) return 255;
  let code = LINEAR_TO_CODE_START[(l * LUT_SIZE) | 0]!;
  while (l >= LINEAR_THRESHOLDS[code]!) code++;
  return code;
}

function checkPixels(length: number, channels: number, what: string): number {
  if (channels !== 3 && channels !== 4) throw new RangeError(`${what}: channels must be 3 or 4, got ${channels}`);
  if (length % channels !== 0) throw new RangeError(`${what}: length ${length} is not a multiple of ${channels}`);
  return length / channels;
}

/**
 * Whole-image 8-bit sRGB (interleaved RGB or RGBA; alpha ignored) → interleaved Lab Float32Array
 * (3 values per pixel). Uses a 256-entry linearization table; arithmetic in float64.
 */
export function rgb8ToLab(rgb: Uint8Array | Uint8ClampedArray, channels: 3 | 4 = 3): Float32Array {
  const n = checkPixels(rgb.length, channels, "rgb8ToLab");
  const out = new Float32Array(n * 3);
  const lut = SRGB8_TO_LINEAR;
  for (let p = 0, i = 0, o = 0; p < n; p++, i += channels, o += 3) {
    const r = lut[rgb[i]!]!, g = lut[rgb[i + 1]!]!, b = lut[rgb[i + 2]!]!;
    const fx = labF(M0 * r + M1 * g + M2 * b);
    const fy = labF(M3 * r + M4 * g + M5 * b);
    const fz = labF(M6 * r + M7 * g + M8 * b);
    out[o] = 116 * fy - 16;
    out[o + 1] = 500 * (fx - fy);
    out[o + 2] = 200 * (fy - fz);
  }
  return out;
}

/**
 * Whole-image 8-bit sRGB (RGB or RGBA) → L plane (one Float32 per pixel, 0..100).
 * L depends only on Y, so this skips X and Z.
 */
export function rgb8ToL(rgb: Uint8Array | Uint8ClampedArray, channels: 3 | 4 = 3): Float32Array {
  const n = checkPixels(rgb.length, channels, "rgb8ToL");
  const out = new Float32Array(n);
  const lut = SRGB8_TO_LINEAR;
  const grayL = GRAY8_TO_L;
  const table = Y_TO_L;
  for (let p = 0, i = 0; p < n; p++, i += channels) {
    const r = rgb[i]!, g = rgb[i + 1]!, b = rgb[i + 2]!;
    if (r === g && g === b) {
      out[p] = grayL[r]!; // exact, so a grey photo's L (and its grey output) is unchanged
      continue;
    }
    const scaled = (M3 * lut[r]! + M4 * lut[g]! + M5 * lut[b]!) * Y_TO_L_STEPS;
    const k = scaled | 0;
    out[p] = table[k]! + (scaled - k) * (table[k + 1]! - table[k]!);
  }
  return out;
}

/**
 * L = 116 f(Y) − 16 sampled at Y = k / Y_TO_L_STEPS, for linear interpolation in rgb8ToL: the cube
 * root per pixel was a fifth of decoding and preparing a photo for the network. L is smooth in Y
 * (linear below ε, so its curvature is bounded), and with 2¹⁶ steps the interpolation error is
 * below 10⁻⁵ L units (test/model/color-space.test.ts checks every 8-bit colour of a 33-level grid).
 * One extra entry past Y = 1 absorbs rounding of the white's row sum.
 */
const Y_TO_L_STEPS = 1 << 16;
const Y_TO_L: Float64Array = (() => {
  const t = new Float64Array(Y_TO_L_STEPS + 2);
  for (let k = 0; k < t.length; k++) t[k] = 116 * labF(k / Y_TO_L_STEPS) - 16;
  return t;
})();

/** 8-bit grey levels (one channel) → L plane. For grey, linear Y equals the decoded level exactly. */
export function gray8ToL(gray: Uint8Array | Uint8ClampedArray): Float32Array {
  const out = new Float32Array(gray.length);
  const lutL = GRAY8_TO_L;
  for (let i = 0; i < gray.length; i++) out[i] = lutL[gray[i]!]!;
  return out;
}

const GRAY8_TO_L: Float64Array = (() => {
  const t = new Float64Array(256);
  for (let i = 0; i < 256; i++) t[i] = 116 * labF(SRGB8_TO_LINEAR[i]!) - 16;
  return t;
})();

/** Interleaved Lab Float32Array → interleaved 8-bit RGB, clamped and correctly rounded. */
export function labToRgb8(lab: Float32Array): Uint8Array {
  if (lab.length % 3 !== 0) throw new RangeError(`labToRgb8: length ${lab.length} is not a multiple of 3`);
  const out = new Uint8Array(lab.length);
  for (let i = 0; i < lab.length; i += 3) labPixelToRgb8(lab[i]!, lab[i + 1]!, lab[i + 2]!, out, i);
  return out;
}

/**
 * An L plane (n values) and interleaved ab (2n) → interleaved 8-bit RGB (3n), clamped and correctly
 * rounded; the same as labToRgb8(joinLab(L, ab)) without the intermediate array.
 */
export function lAndAbToRgb8(L: Float32Array, ab: Float32Array): Uint8Array {
  const n = L.length;
  if (ab.length !== 2 * n) throw new RangeError(`lAndAbToRgb8: ab has ${ab.length} values, expected ${2 * n}`);
  const out = new Uint8Array(3 * n);
  for (let p = 0; p < n; p++) labPixelToRgb8(L[p]!, ab[2 * p]!, ab[2 * p + 1]!, out, 3 * p);
  return out;
}

const KE = LAB_KAPPA * LAB_EPSILON;

/** One Lab colour → 8-bit sRGB written at out[o..o+2], clamped and correctly rounded. */
export function labPixelToRgb8(L: number, a: number, b: number, out: Uint8Array, o: number): void {
  const fy = (L + 16) * (1 / 116);
  const fx = fy + a * (1 / 500);
  const fz = fy - b * (1 / 200);
  const fx3 = fx * fx * fx;
  const fz3 = fz * fz * fz;
  const xr = fx3 > LAB_EPSILON ? fx3 : (116 * fx - 16) / LAB_KAPPA;
  const yr = L > KE ? fy * fy * fy : L / LAB_KAPPA;
  const zr = fz3 > LAB_EPSILON ? fz3 : (116 * fz - 16) / LAB_KAPPA;
  out[o] = linearToSrgb8(N0 * xr + N1 * yr + N2 * zr);
  out[o + 1] = linearToSrgb8(N3 * xr + N4 * yr + N5 * zr);
  out[o + 2] = linearToSrgb8(N6 * xr + N7 * yr + N8 * zr);
}

/** Join an L plane (n) and interleaved ab (2n) into interleaved Lab (3n). */
export function joinLab(L: Float32Array, ab: Float32Array): Float32Array {
  const n = L.length;
  if (ab.length !== 2 * n) throw new RangeError(`joinLab: ab has ${ab.length} values, expected ${2 * n}`);
  const out = new Float32Array(3 * n);
  for (let p = 0; p < n; p++) {
    out[3 * p] = L[p]!;
    out[3 * p + 1] = ab[2 * p]!;
    out[3 * p + 2] = ab[2 * p + 1]!;
  }
  return out;
}

/** Split interleaved Lab (3n) into an L plane (n) and interleaved ab (2n). */
export function splitLab(lab: Float32Array): { L: Float32Array; ab: Float32Array } {
  if (lab.length % 3 !== 0) throw new RangeError(`splitLab: length ${lab.length} is not a multiple of 3`);
  const n = lab.length / 3;
  const L = new Float32Array(n);
  const ab = new Float32Array(2 * n);
  for (let p = 0; p < n; p++) {
    L[p] = lab[3 * p]!;
    ab[2 * p] = lab[3 * p + 1]!;
    ab[2 * p + 1] = lab[3 * p + 2]!;
  }
  return { L, ab };
}
