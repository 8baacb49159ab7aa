/**
 * Assignment of ab values to their nearest quantized ab class (Zhang et al. 2016 §2.1: ab space
 * quantized on a grid of step 10, keeping the Q = 313 bins in the sRGB gamut). The rebalanced AuC
 * weights each pixel by its ground-truth class.
 */

/** The grid step of the ab quantization (paper §2.1). */
export const AB_GRID_STEP = 10;

/** Maps an (a, b) value to the index of the nearest bin centre (Euclidean in ab). */
export type AbClassifier = (a: number, b: number) => number;

/**
 * Build a nearest-centre classifier for the given bin centres (index = position in `centres`).
 *
 * When every centre lies on the grid of step 10 (as the 313 bins do), the nearest lattice point
 * (round(a/10), round(b/10))·10 is looked up first: if it is a bin, it is the nearest bin, since the
 * bins are a subset of the lattice. Only values whose nearest lattice point is not a bin (outside the
 * gamut hull) are searched exhaustively. Ties go to the lattice point `Math.round` picks, or to the
 * lower index in the exhaustive search; both are at the same distance.
 *
 * @throws RangeError for an empty list or a non-finite centre
 */
export function createAbClassifier(centres: ReadonlyArray<readonly [number, number]>): AbClassifier {
  if (centres.length === 0) throw new RangeError("createAbClassifier needs at least one centre");
  const ca = new Float64Array(centres.length);
  const cb = new Float64Array(centres.length);
  let onGrid = true;
  const lattice = new Map<number, number>();
  centres.forEach(([a, b], index) => {
    if (!Number.isFinite(a) || !Number.isFinite(b)) throw new RangeError(`bin ${index} is not finite`);
    ca[index] = a;
    cb[index] = b;
    const ia = a / AB_GRID_STEP;
    const ib = b / AB_GRID_STEP;
    if (!Number.isInteger(ia) || !Number.isInteger(ib)) onGrid = false;
    else if (!lattice.has(latticeKey(ia, ib))) lattice.set(latticeKey(ia, ib), index);
  });

  const exhaustive: AbClassifier = (a, b) => {
    let best = 0;
    let bestD = Infinity;
    for (let k = 0; k < ca.length; k++) {
      const da = a - ca[k]!;
      const db = b - cb[k]!;
      const d = da * da + db * db;
      if (d < bestD) {
        bestD = d;
        best = k;
      }
    }
    return best;
  };
  if (!onGrid) return exhaustive;
  return (a, b) => {
    const hit = lattice.get(latticeKey(Math.round(a / AB_GRID_STEP), Math.round(b / AB_GRID_STEP)));
    return hit ?? exhaustive(a, b);
  };
}

/** A collision-free key for lattice indices within ±2^15 (ab stays within about ±128, i.e. ±13). */
function latticeKey(ia: number, ib: number): number {
  return (ia + 32768) * 65536 + (ib + 32768);
}
