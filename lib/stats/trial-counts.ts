import { StatsError } from "./stats-error";

/**
 * Trials of one method as columns, one entry per answered test trial (vigilance and practice trials
 * excluded by the caller). Indices are dense: raters 0..nRaters−1 and images 0..nImages−1, as a SQL
 * query can number them (e.g. `dense_rank() - 1`).
 */
export interface TrialColumns {
  readonly rater: Int32Array;
  readonly image: Int32Array;
  /** 1 when the fake was chosen as real (the rater was fooled), 0 otherwise. */
  readonly fooled: Uint8Array;
}

/**
 * Trials of one method pre-aggregated per (rater, image) cell — the shape of
 * `SELECT rater, image, count(*), sum(fooled) … GROUP BY rater, image`.
 */
export interface TrialCells {
  readonly rater: Int32Array;
  readonly image: Int32Array;
  /** Trials in the cell, ≥ 1. */
  readonly trials: Int32Array;
  /** Fooled trials in the cell, in [0, trials]. */
  readonly fooled: Int32Array;
}

/**
 * Per-rater and per-(rater, image) counts of one method, the input of the bootstrap. Raters are
 * renumbered 0..raters−1 in ascending order of their input index (`raterIds` maps back); raters
 * without trials do not appear. Cells are stored rater by rater (compressed sparse rows):
 * rater r owns cells cellStart[r] ≤ c < cellStart[r + 1], in ascending image order.
 * Invariants: raters ≥ 1, trials ≥ 1, every cell has cellTrials ≥ 1.
 */
export interface TrialCounts {
  readonly raters: number;
  /** Distinct images with at least one trial. */
  readonly images: number;
  readonly trials: number;
  readonly fooled: number;
  readonly raterIds: Int32Array;
  readonly raterTrials: Int32Array;
  readonly raterFooled: Int32Array;
  readonly cellStart: Int32Array;
  /** Input image index of each cell. */
  readonly cellImage: Int32Array;
  readonly cellTrials: Int32Array;
  readonly cellFooled: Int32Array;
}

function assertIndexColumn(name: string, column: Int32Array): number {
  let max = -1;
  for (let i = 0; i < column.length; i++) {
    const value = column[i] as number;
    if (value < 0) throw new StatsError("invalid-argument", `${name}[${i}] is negative (${value})`);
    if (value > max) max = value;
  }
  return max;
}

/**
 * Builds {@link TrialCounts} from cells given as parallel arrays, merging duplicate cells.
 * Shared by {@link countTrials} and {@link countCells}.
 */
function buildCounts(
  rater: Int32Array,
  image: Int32Array,
  trials: Int32Array | null,
  fooled: Int32Array | Uint8Array,
): TrialCounts {
  const n = rater.length;
  const maxRater = assertIndexColumn("rater", rater);
  const maxImage = assertIndexColumn("image", image);
  if (n === 0) throw new StatsError("no-data", "no trials");

  // Counting sort of the entries by rater (stable).
  const perRater = new Int32Array(maxRater + 2);
  for (let i = 0; i < n; i++) perRater[(rater[i] as number) + 1]! += 1;
  for (let r = 0; r <= maxRater; r++) perRater[r + 1]! += perRater[r] as number;
  const order = new Int32Array(n);
  const cursor = perRater.slice(0, maxRater + 1);
  for (let i = 0; i < n; i++) {
    const r = rater[i] as number;
    order[cursor[r]!++] = i;
  }

  let raters = 0;
  for (let r = 0; r <= maxRater; r++) if ((perRater[r + 1] as number) > (perRater[r] as number)) raters++;
  const raterIds = new Int32Array(raters);
  const raterTrials = new Int32Array(raters);
  const raterFooled = new Int32Array(raters);
  const cellStart = new Int32Array(raters + 1);
  const cellImage = new Int32Array(n);
  const cellTrials = new Int32Array(n);
  const cellFooled = new Int32Array(n);
  const imageSeen = new Uint8Array(maxImage + 1);
  let images = 0;

  let compact = 0;
  let cells = 0;
  let totalTrials = 0;
  let totalFooled = 0;
  let keys = new Float64Array(64);
  for (let r = 0; r <= maxRater; r++) {
    const start = perRater[r] as number;
    const end = perRater[r + 1] as number;
    if (end === start) continue;
    const size = end - start;
    if (keys.length < size) keys = new Float64Array(size * 2);
    // Sort this rater's entries by image. The key image·size + j is an exact integer while
    // (maxImage + 1)·size ≤ 2⁵³; beyond that (never in practice) fall back to a comparator sort.
    if ((maxImage + 1) * size <= 9007199254740992) {
      for (let j = 0; j < size; j++) keys[j] = (image[order[start + j] as number] as number) * size + j;
      keys.subarray(0, size).sort();
      for (let j = 0; j < size; j++) {
        const key = keys[j] as number;
        keys[j] = order[start + (key - Math.floor(key / size) * size)] as number;
      }
    } else {
      const entries = Array.from(order.subarray(start, end)).sort(
        (x, y) => (image[x] as number) - (image[y] as number) || x - y,
      );
      for (let j = 0; j < size; j++) keys[j] = entries[j] as number;
    }
    raterIds[compact] = r;
    cellStart[compact] = cells;
    let rTrials = 0;
    let rFooled = 0;
    let previousImage = -1;
    for (let j = 0; j < size; j++) {
      const entry = keys[j] as number;
      const img = image[entry] as number;
      const t = trials === null ? 1 : (trials[entry] as number);
      const f = fooled[entry] as number;
      if (trials === null) {
        if (f !== 0 && f !== 1) throw new StatsError("invalid-argument", `fooled[${entry}] must be 0 or 1, got ${f}`);
      } else {
        if (!(t >= 1)) throw new StatsError("invalid-argument", `trials[${entry}] must be ≥ 1, got ${t}`);
        if (!(f >= 0 && f <= t)) {
          throw new StatsError("invalid-argument", `fooled[${entry}] must be in [0, trials], got ${f}`);
        }
      }
      if (img !== previousImage) {
        cellImage[cells] = img;
        cells++;
        previousImage = img;
        if (imageSeen[img] === 0) {
          imageSeen[img] = 1;
          images++;
        }
      }
      cellTrials[cells - 1] = (cellTrials[cells - 1] as number) + t;
      cellFooled[cells - 1] = (cellFooled[cells - 1] as number) + f;
      rTrials += t;
      rFooled += f;
    }
    raterTrials[compact] = rTrials;
    raterFooled[compact] = rFooled;
    totalTrials += rTrials;
    totalFooled += rFooled;
    compact++;
  }
  cellStart[raters] = cells;
  if (totalTrials > 0x7fffffff) throw new StatsError("invalid-argument", "more than 2^31 − 1 trials");
  return {
    raters,
    images,
    trials: totalTrials,
    fooled: totalFooled,
    raterIds,
    raterTrials,
    raterFooled,
    cellStart,
    cellImage: cellImage.slice(0, cells),
    cellTrials: cellTrials.slice(0, cells),
    cellFooled: cellFooled.slice(0, cells),
  };
}

/**
 * Aggregates trial columns into per-rater and per-(rater, image) counts, once, so that bootstraps
 * resample counts instead of trials.
 *
 * @param columns one entry per trial; the three columns must have the same length.
 * @returns the counts; see {@link TrialCounts} for the layout.
 * @throws {StatsError} `no-data` when there are no trials; `invalid-argument` for columns of
 *   different lengths, negative indices or a `fooled` value other than 0/1.
 * @example
 * const c = countTrials({ rater: Int32Array.of(0, 0, 2), image: Int32Array.of(5, 5, 1), fooled: Uint8Array.of(1, 0, 1) });
 * // c.raters = 2, c.trials = 3, c.fooled = 2, c.raterIds = [0, 2], c.cellTrials = [2, 1]
 */
export function countTrials(columns: TrialColumns): TrialCounts {
  const { rater, image, fooled } = columns;
  if (rater.length !== image.length || rater.length !== fooled.length) {
    throw new StatsError("invalid-argument", "rater, image and fooled columns must have the same length");
  }
  return buildCounts(rater, image, null, fooled);
}

/**
 * Builds per-rater and per-cell counts from pre-aggregated (rater, image) cells; duplicate cells
 * are summed.
 *
 * @param cells parallel arrays of equal length.
 * @throws {StatsError} `no-data` when there are no cells; `invalid-argument` for arrays of
 *   different lengths, negative indices, trials < 1 or fooled outside [0, trials].
 * @example
 * countCells({ rater: Int32Array.of(0, 1), image: Int32Array.of(0, 0), trials: Int32Array.of(4, 2), fooled: Int32Array.of(1, 2) });
 * // raters = 2, images = 1, trials = 6, fooled = 3
 */
export function countCells(cells: TrialCells): TrialCounts {
  const { rater, image, trials, fooled } = cells;
  if (rater.length !== image.length || rater.length !== trials.length || rater.length !== fooled.length) {
    throw new StatsError("invalid-argument", "rater, image, trials and fooled arrays must have the same length");
  }
  return buildCounts(rater, image, trials, fooled);
}
