/**
 * The Q = 313 quantized ab classes of "Colorful Image Colorization" (Zhang, Isola, Efros, ECCV 2016,
 * Sec. 2.1: "We quantize the ab output space into bins with grid size 10 and keep the Q = 313 values
 * which are in-gamut").
 *
 * Invariant other code relies on (network output channel k ↔ bin k): the bins are ordered by a
 * ascending, then b ascending — the order of the released `pts_in_hull.npy`, which is the order the
 * original models and our trained models (training/bins.py) emit their 313 channels in.
 *
 * How the table is defined. The released set is NOT reproducible from the exact sRGB gamut by any
 * rule that is monotone in closeness to that gamut: e.g. it keeps (40, 90) — 14.8 ab units from the
 * nearest sRGB colour — but drops (80, 80), only 12.7 from sRGB red; it keeps (100, 0) (14.8 away)
 * but drops (110, −60) (11.8 away). We tried: bin cell ∩ gamut projection (round, floor and offset
 * quantizers: 260–268 bins), Chebyshev/Euclidean dilations, RGB-clipping tolerances in linear and
 * encoded sRGB, per-L convex hulls, and k-nearest-neighbour soft-encoding supports (k = 4: 299 ⊂
 * table; k = 5: 322 ⊃ table). None gives exactly the 313 (see docs/colorizer.md). The original's
 * "in-gamut" set is one ring of bins wider than the colorimetric sRGB gamut, most likely because it
 * was derived empirically. So the table is defined by its per-a extents below: each column a of the
 * grid keeps b from `bMin` to `bMax` (every column is a contiguous run). This is 20 numbers of
 * data, checked in test/model/ab-bins.test.ts against the released centres.
 *
 * Its relation to the gamut (the construction training/bins.py uses, checked equal by the test via
 * {@link deriveAbBinsFromGamut}): the 262 colorimetric in-gamut cells, plus their 4-neighbours (the
 * bins the 5-nearest-centre soft encoding reaches from in-gamut colours: 324 cells), minus 11 cells
 * at the most saturated green/blue/magenta corners that the release lacks ({@link NOT_IN_RELEASE}).
 */
import { srgbToLab } from "./color-space";

export const AB_GRID_STEP = 10;
export const NUM_AB_BINS = 313;

/** Per-column extents of the released 313-bin table: [a, bMin, bMax], all multiples of 10. */
export const AB_BIN_COLUMNS: readonly (readonly [number, number, number])[] = [
  [-90, 50, 90],
  [-80, 20, 90],
  [-70, 0, 90],
  [-60, -20, 90],
  [-50, -30, 100],
  [-40, -40, 100],
  [-30, -50, 100],
  [-20, -50, 100],
  [-10, -60, 100],
  [0, -70, 100],
  [10, -80, 90],
  [20, -80, 90],
  [30, -90, 90],
  [40, -100, 90],
  [50, -100, 80],
  [60, -110, 80],
  [70, -110, 80],
  [80, -110, 70],
  [90, -110, 70],
  [100, -90, 0],
];

function buildBins(): Float32Array {
  const out: number[] = [];
  for (const [a, bMin, bMax] of AB_BIN_COLUMNS) {
    for (let b = bMin; b <= bMax; b += AB_GRID_STEP) out.push(a, b);
  }
  if (out.length !== 2 * NUM_AB_BINS) throw new Error(`ab bin table has ${out.length / 2} bins, expected ${NUM_AB_BINS}`);
  return Float32Array.from(out);
}

/** The 313 bin centres, interleaved [a0, b0, a1, b1, …], ordered by a then b. Do not mutate. */
export const AB_BINS: Float32Array = buildBins();

/** The 313 bin centres as [a, b] pairs (same order as {@link AB_BINS}). */
export function abBinList(): [number, number][] {
  const out: [number, number][] = [];
  for (let k = 0; k < AB_BINS.length; k += 2) out.push([AB_BINS[k]!, AB_BINS[k + 1]!]);
  return out;
}

/** Index of the bin with centre exactly (a, b), or −1. */
export function abBinIndex(a: number, b: number): number {
  for (let k = 0; k < AB_BINS.length; k += 2) if (AB_BINS[k] === a && AB_BINS[k + 1] === b) return k / 2;
  return -1;
}

/** Convert [a, b] pairs to the interleaved Float32Array layout used by the decoders. */
export function centresFromPairs(pairs: readonly (readonly [number, number])[]): Float32Array {
  const out = new Float32Array(pairs.length * 2);
  pairs.forEach(([a, b], k) => {
    out[2 * k] = a;
    out[2 * k + 1] = b;
  });
  return out;
}

/**
 * The colorimetric in-gamut bins: grid-10 centres whose cell [a ± 5] × [b ± 5] contains the ab of
 * some sRGB colour (any L in 0..100), found by sampling the surface of the RGB cube (the ab
 * projection of the gamut solid equals that of its surface) with `samples` steps per face edge.
 * Returns [a, b] pairs ordered by a then b. About 262 bins; bins whose cell only grazes the gamut
 * (e.g. (20, −80)) depend on the sampling density. Used as a cross-check of {@link AB_BINS}.
 */
export function computeSrgbGamutBins(samples = 256): [number, number][] {
  const seen = new Set<number>();
  const key = (ia: number, ib: number) => (ia + 64) * 256 + (ib + 64);
  const v = [0, 0, 0];
  for (let axis = 0; axis < 3; axis++) {
    for (const fixed of [0, 1]) {
      for (let i = 0; i <= samples; i++) {
        for (let j = 0; j <= samples; j++) {
          v[axis] = fixed;
          v[(axis + 1) % 3] = i / samples;
          v[(axis + 2) % 3] = j / samples;
          const [, a, b] = srgbToLab(v[0]!, v[1]!, v[2]!);
          seen.add(key(Math.round(a / AB_GRID_STEP), Math.round(b / AB_GRID_STEP)));
        }
      }
    }
  }
  return [...seen]
    .map((k): [number, number] => [(Math.floor(k / 256) - 64) * AB_GRID_STEP, ((k % 256) - 64) * AB_GRID_STEP])
    .sort((p, q) => p[0] - q[0] || p[1] - q[1]);
}

/**
 * The 11 edge-neighbours of in-gamut cells that the released table lacks (training/bins.py keeps
 * the same list).
 */
export const NOT_IN_RELEASE: readonly (readonly [number, number])[] = [
  [-100, 80], [-90, 40], [-70, 100], [-60, 100], [20, -90], [70, -120],
  [80, -120], [80, 80], [110, -70], [110, -60], [110, -50],
];

/**
 * The released table rebuilt from the gamut: in-gamut cells ({@link computeSrgbGamutBins}) ∪
 * their 4-neighbours − {@link NOT_IN_RELEASE}, ordered by a then b. Slow (samples the RGB cube);
 * a cross-check of {@link AB_BINS}, not used at run time.
 */
export function deriveAbBinsFromGamut(samples = 256): [number, number][] {
  const core = computeSrgbGamutBins(samples);
  const key = (a: number, b: number) => `${a},${b}`;
  const cells = new Map<string, [number, number]>();
  for (const [a, b] of core) {
    for (const [da, db] of [[0, 0], [AB_GRID_STEP, 0], [-AB_GRID_STEP, 0], [0, AB_GRID_STEP], [0, -AB_GRID_STEP]] as const) {
      cells.set(key(a + da, b + db), [a + da, b + db]);
    }
  }
  for (const [a, b] of NOT_IN_RELEASE) cells.delete(key(a, b));
  return [...cells.values()].sort((p, q) => p[0] - q[0] || p[1] - q[1]);
}
