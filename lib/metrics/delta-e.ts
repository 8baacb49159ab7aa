import { rgb8ToLab } from "@/lib/model/color-space";

type Lab = readonly [number, number, number];

const degrees = (radians: number) => (radians * 180) / Math.PI;
const radians = (deg: number) => (deg * Math.PI) / 180;
const POW_25_7 = 25 ** 7;

/** CIE76 colour difference: the Euclidean distance in CIELAB. */
export function deltaE76(first: Lab, second: Lab): number {
  return Math.hypot(first[0] - second[0], first[1] - second[1], first[2] - second[2]);
}

/**
 * CIEDE2000 colour difference (k_L = k_C = k_H = 1), following Sharma, Wu & Dalal (2005), "The
 * CIEDE2000 color-difference formula: implementation notes", eqs. (1)–(22), including their notes
 * on hue angles when a chroma is zero.
 */
export function deltaE2000(first: Lab, second: Lab): number {
  const [L1, a1, b1] = first;
  const [L2, a2, b2] = second;
  const meanC = (Math.hypot(a1, b1) + Math.hypot(a2, b2)) / 2;
  const G = 0.5 * (1 - Math.sqrt(meanC ** 7 / (meanC ** 7 + POW_25_7)));
  const a1p = (1 + G) * a1;
  const a2p = (1 + G) * a2;
  const C1p = Math.hypot(a1p, b1);
  const C2p = Math.hypot(a2p, b2);
  const hueOf = (a: number, b: number) => (a === 0 && b === 0 ? 0 : (degrees(Math.atan2(b, a)) + 360) % 360);
  const h1p = hueOf(a1p, b1);
  const h2p = hueOf(a2p, b2);
  const dLp = L2 - L1;
  const dCp = C2p - C1p;
  let dhp = 0;
  if (C1p * C2p !== 0) {
    dhp = h2p - h1p;
    if (dhp > 180) dhp -= 360;
    else if (dhp < -180) dhp += 360;
  }
  const dHp = 2 * Math.sqrt(C1p * C2p) * Math.sin(radians(dhp / 2));
  const meanLp = (L1 + L2) / 2;
  const meanCp = (C1p + C2p) / 2;
  let meanHp = h1p + h2p;
  if (C1p * C2p !== 0) {
    if (Math.abs(h1p - h2p) <= 180) meanHp = (h1p + h2p) / 2;
    else meanHp = h1p + h2p < 360 ? (h1p + h2p + 360) / 2 : (h1p + h2p - 360) / 2;
  }
  const T =
    1 -
    0.17 * Math.cos(radians(meanHp - 30)) +
    0.24 * Math.cos(radians(2 * meanHp)) +
    0.32 * Math.cos(radians(3 * meanHp + 6)) -
    0.2 * Math.cos(radians(4 * meanHp - 63));
  const dTheta = 30 * Math.exp(-(((meanHp - 275) / 25) ** 2));
  const RC = 2 * Math.sqrt(meanCp ** 7 / (meanCp ** 7 + POW_25_7));
  const SL = 1 + (0.015 * (meanLp - 50) ** 2) / Math.sqrt(20 + (meanLp - 50) ** 2);
  const SC = 1 + 0.045 * meanCp;
  const SH = 1 + 0.015 * meanCp * T;
  const RT = -Math.sin(radians(2 * dTheta)) * RC;
  return Math.sqrt((dLp / SL) ** 2 + (dCp / SC) ** 2 + (dHp / SH) ** 2 + RT * (dCp / SC) * (dHp / SH));
}

export interface ImageDeltaE {
  /** Mean and 99th percentile over pixels of CIEDE2000, and the mean of CIE76. */
  meanDeltaE2000: number;
  p99DeltaE2000: number;
  meanDeltaE76: number;
}

/** Per-pixel colour differences between two 8-bit sRGB images of one size (interleaved RGB). */
export function imageDeltaE(first: Uint8Array, second: Uint8Array): ImageDeltaE {
  if (first.length !== second.length || first.length % 3 !== 0) throw new RangeError("images must have the same size");
  const labFirst = rgb8ToLab(first);
  const labSecond = rgb8ToLab(second);
  const pixels = first.length / 3;
  const de2000 = new Float64Array(pixels);
  let sum2000 = 0;
  let sum76 = 0;
  for (let pixel = 0; pixel < pixels; pixel++) {
    const i = 3 * pixel;
    const x: Lab = [labFirst[i]!, labFirst[i + 1]!, labFirst[i + 2]!];
    const y: Lab = [labSecond[i]!, labSecond[i + 1]!, labSecond[i + 2]!];
    de2000[pixel] = deltaE2000(x, y);
    sum2000 += de2000[pixel]!;
    sum76 += deltaE76(x, y);
  }
  de2000.sort();
  return { meanDeltaE2000: sum2000 / pixels, p99DeltaE2000: de2000[Math.min(pixels - 1, Math.floor(0.99 * pixels))]!, meanDeltaE76: sum76 / pixels };
}
