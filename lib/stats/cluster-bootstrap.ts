import { assertInteger, assertLevel } from "./argument-checks";
import { buildBinomialAliasTables } from "./binomial-alias-table";
import { summarizeReplicates } from "./replicate-summary";
import { SeededRandom, seedToUint64, type Seed } from "./seeded-random";
import { StatsError } from "./stats-error";
import type { TrialCounts } from "./trial-counts";

/**
 * Which units a bootstrap resamples.
 * - `raters` (default): raters with replacement; each drawn rater keeps all its trials.
 * - `two-way`: raters and images both with replacement (the "pigeonhole" bootstrap of Owen 2007,
 *   Ann. Appl. Stat. 1(2):386–411, for crossed random effects); a cell (r, i) enters a replicate
 *   with weight n(r, i)·w_r·v_i, w and v the multiplicities of rater r and image i. Its variance is
 *   about V_R + V_I + V_RI (it counts the trial-level variance three times), so its percentile
 *   interval is conservative; the reported interval is two-way-interval.ts's.
 *
 * When raters saw several methods (within-subjects), raters are resampled jointly: one draw of
 * the raters per replicate, shared by every method, so the pairing carries into differences. When
 * every rater saw one method (between-subjects), each method's raters are resampled on their own.
 * - `paper`: Zhang, Isola & Efros (2016)'s version — raters with replacement, then each drawn
 *   rater's trials with replacement; kept so that published numbers can be reproduced.
 */
export type BootstrapVariant = "raters" | "two-way" | "paper";

export const BOOTSTRAP_VARIANTS: readonly BootstrapVariant[] = ["raters", "two-way", "paper"];

export interface BootstrapOptions {
  /** Seed of every random stream of the bootstrap (required: results must be reproducible). */
  readonly seed: Seed;
  readonly variant?: BootstrapVariant;
  /** Number of bootstrap resamples B, default 10,000 (the paper's later version; HYPE). */
  readonly resamples?: number;
  /** Level of the percentile interval, default 0.95. */
  readonly level?: number;
}

/** Counts a method's estimate was computed from. */
export interface BootstrapCounts {
  readonly raters: number;
  readonly images: number;
  readonly trials: number;
  readonly fooled: number;
}

/** Bootstrap result for one method's fool rate. */
export interface FoolRateBootstrap {
  readonly variant: BootstrapVariant;
  /** Observed fool rate: fooled trials / trials, pooled over raters and images. */
  readonly estimate: number;
  /** Bootstrap standard error: SD of the replicates (divisor B − 1), as the paper reports. */
  readonly standardError: number;
  /** Percentile interval of the replicates. */
  readonly lower: number;
  readonly upper: number;
  readonly level: number;
  readonly resamples: number;
  /** Mean of the replicates (the paper reports "mean and standard error" of the bootstrap). */
  readonly bootstrapMean: number;
  readonly counts: BootstrapCounts;
}

/** Bootstrap results for several methods resampled together. */
export interface FoolRateBootstrapSet {
  readonly variant: BootstrapVariant;
  readonly resamples: number;
  readonly level: number;
  /** The seed as an unsigned 64-bit decimal string (record it with the results). */
  readonly seed: string;
  readonly methods: readonly FoolRateBootstrap[];
  /**
   * replicates[m][b] is replicate b of method m. Raters are resampled jointly across methods when
   * some rater saw several (`jointRaters`), else independently per method; in the two-way variant
   * replicate b of every method uses the same image multiplicities, because images are crossed
   * with methods — the pairing that {@link compareFoolRates} relies on.
   */
  readonly replicates: readonly Float64Array[];
  /** Whether raters were resampled jointly across methods (some rater saw several methods). */
  readonly jointRaters: boolean;
}

/**
 * Replicates per chunk. Chunk c draws only from its own streams, so chunks can run in any order or
 * on any worker and give the same replicates. Changing this constant, or the stream layout below,
 * changes every result for a given seed.
 */
export const BOOTSTRAP_CHUNK_SIZE = 250;

// Stream layout (a reproducibility contract; test/stats/cluster-bootstrap.test.ts re-derives it):
// - images of chunk c: SeededRandom(seed, 1, c); per replicate, `imagePool` draws (fillBelow order);
// - raters of method m in chunk c: SeededRandom(seed, 2, m, c); per replicate, `raters` draws, then
//   (paper variant) one nextFloat per drawn rater with 0 < k < n;
// - redraw of replicate j of chunk c (two-way, a method without trials): SeededRandom(seed, 3, c, j);
// - joint raters (raters and two-way variants when raters saw several methods) of chunk c:
//   SeededRandom(seed, 4, c); per replicate, `raterPool` draws over the pool of all raters.
const STREAM_IMAGES = 1;
const STREAM_RATERS = 2;
const STREAM_REDRAW = 3;
const STREAM_JOINT_RATERS = 4;
/** Lanes packed per double in the two-way kernel (see {@link planLanes}). */
const MAX_LANES = 8;
/** 2⁵³: integer sums of doubles are exact below it. */
const TWO_53 = 2 ** 53;
/** Attempts to redraw a two-way replicate in which some method has no resampled trial. */
const MAX_REDRAWS = 1000;

/** One method, prepared for resampling; plain typed arrays so it can be posted to a worker. */
export interface MethodPlan {
  readonly counts: BootstrapCounts;
  readonly raterTrials: Int32Array;
  readonly raterFooled: Int32Array;
  /**
   * Two-way: the method's (rater, image) entries grouped by slot (compressed columns). Raters are
   * split into `raterBlocks` contiguous blocks (block b = ⌊r·raterBlocks/raters⌋); slot
   * b·2·imagePool + i holds block b's fooled trials on image i, slot b·2·imagePool + imagePool + i
   * its not-fooled trials. The entries of slot s are slotStart[s] ≤ e < slotStart[s + 1],
   * entryRater[e] the rater and entryCount[e] the trials (entryCount null when every count is 1).
   */
  readonly raterBlocks: number;
  readonly slotStart: Int32Array | null;
  readonly entryRater: Int32Array | null;
  readonly entryCount: Int32Array | null;
  /** Two-way lane packing, see {@link planLanes}. */
  readonly laneBits: number;
  readonly lanes: number;
  readonly verifyLanes: boolean;
  /** Joint resampling: pool index of each of the method's raters; null when resampled alone. */
  readonly raterPoolIndex: Int32Array | null;
  /** Paper: binomial alias tables per rater. */
  readonly aliasStart: Int32Array | null;
  readonly aliasProbability: Float64Array | null;
  readonly aliasIndex: Int32Array | null;
}

/** Everything a chunk needs; structured-cloneable (numbers, a bigint, typed arrays). */
export interface BootstrapPlan {
  readonly variant: BootstrapVariant;
  readonly resamples: number;
  readonly level: number;
  readonly seed: bigint;
  readonly chunkSize: number;
  readonly chunks: number;
  /** Two-way: number of distinct images over all methods (the image population resampled). */
  readonly imagePool: number;
  /** Joint rater resampling: number of distinct raters over all methods; 0 when per method. */
  readonly raterPool: number;
  readonly methods: readonly MethodPlan[];
}

function bitsFor(bound: number): number {
  let bits = 1;
  while (2 ** bits <= bound) bits++;
  return bits;
}

/**
 * Lane packing of the two-way kernel. The rater multiplicities of up to `lanes` replicates are
 * packed into one double as Σ_l w_l·2^{laneBits·l}; adding packed values adds every lane at once,
 * so one pass over a method's (rater, image) entries serves `lanes` replicates. Integer sums below
 * 2⁵³ are exact in doubles.
 *
 * A lane's value for one slot is Σ_r w_r·count(r, slot) ≤ draws·maxCount (draws: raters drawn per
 * replicate). Rigorous packing gives
 * every lane that many bits, so nothing can overflow. Verified packing gives every lane the bits
 * of the largest slot total (the value with every w = 1) plus 6 standard deviations, when that
 * packs more lanes, and checks each group: per lane below the top, the unpacked values must sum to
 * the exact number of resampled trials, which fails if some lane overflowed (a carry lowers its own
 * sum by 2^bits and no lane below can compensate); and every slot's packed sum must be below 2⁵³ —
 * the sums are of non-negative integers, so a final sum below 2⁵³ means every partial sum was
 * exact, and the top lane with it. A group that fails is recomputed lane by lane from the replayed
 * draws. Replicates never depend on the packing.
 */
function planLanes(
  draws: number,
  maxCount: number,
  maxColumn: number,
): { laneBits: number; lanes: number; verifyLanes: boolean } {
  const topBits = bitsFor(draws * maxCount);
  const rigorousLanes = Math.max(1, Math.min(MAX_LANES, Math.floor(53 / topBits)));
  const lowBits = bitsFor(maxColumn + Math.ceil(6 * Math.sqrt(maxColumn * maxCount)) + 16);
  const verifiedLanes = lowBits < topBits ? Math.min(MAX_LANES, Math.floor(53 / lowBits)) : 0;
  if (verifiedLanes > rigorousLanes) return { laneBits: lowBits, lanes: verifiedLanes, verifyLanes: true };
  return { laneBits: topBits, lanes: rigorousLanes, verifyLanes: false };
}

/** Per-replicate cost of unpacking one slot of one lane, in units of one entry of a pass. */
const UNPACK_COST = 3;

/** Column (slot) totals of a method's entries with raters split into `blocks` blocks. */
function blockColumns(counts: TrialCounts, cellPool: Int32Array, imagePool: number, blocks: number): Float64Array {
  const totals = new Float64Array(blocks * 2 * imagePool);
  for (let r = 0; r < counts.raters; r++) {
    const offset = Math.floor((r * blocks) / counts.raters) * 2 * imagePool;
    for (let c = counts.cellStart[r] as number; c < (counts.cellStart[r + 1] as number); c++) {
      const fooled = counts.cellFooled[c] as number;
      totals[offset + (cellPool[c] as number)]! += fooled;
      totals[offset + imagePool + (cellPool[c] as number)]! += (counts.cellTrials[c] as number) - fooled;
    }
  }
  return totals;
}

/**
 * Rater blocks and lanes of a method's two-way kernel. Splitting raters into blocks splits each
 * image's slot totals, so verified lanes need fewer bits and more of them fit in a double (fewer
 * passes over the entries), at the price of more slots to unpack per group; the cheapest of 1, 2,
 * 4 and 8 blocks is taken (estimated cost per replicate: entries/lanes + UNPACK_COST·slots).
 */
function planBlocks(
  counts: TrialCounts,
  cellPool: Int32Array,
  imagePool: number,
  entries: number,
  maxCount: number,
  draws: number,
): { raterBlocks: number; laneBits: number; lanes: number; verifyLanes: boolean } {
  let best: { raterBlocks: number; laneBits: number; lanes: number; verifyLanes: boolean } | null = null;
  let bestCost = Infinity;
  for (const blocks of [1, 2, 4, 8]) {
    if (blocks > 1 && counts.raters < 16 * blocks) break;
    let maxColumn = 0;
    for (const total of blockColumns(counts, cellPool, imagePool, blocks)) if (total > maxColumn) maxColumn = total;
    const lanes = planLanes(draws, maxCount, maxColumn);
    const cost = entries / lanes.lanes + UNPACK_COST * blocks * 2 * imagePool;
    if (cost < bestCost) {
      bestCost = cost;
      best = { raterBlocks: blocks, ...lanes };
    }
  }
  return best as { raterBlocks: number; laneBits: number; lanes: number; verifyLanes: boolean };
}

function planMethod(
  counts: TrialCounts,
  variant: BootstrapVariant,
  poolIndex: Map<number, number> | null,
  imagePool: number,
  raterPool: Map<number, number> | null,
): MethodPlan {
  const base = {
    counts: { raters: counts.raters, images: counts.images, trials: counts.trials, fooled: counts.fooled },
    raterTrials: counts.raterTrials,
    raterFooled: counts.raterFooled,
    raterPoolIndex: raterPool === null ? null : Int32Array.from(counts.raterIds, (id) => raterPool.get(id) as number),
  };
  if (variant === "two-way" && poolIndex !== null) {
    const cellPool = new Int32Array(counts.cellImage.length);
    let maxCount = 1;
    let entries = 0;
    for (let c = 0; c < cellPool.length; c++) {
      cellPool[c] = poolIndex.get(counts.cellImage[c] as number) as number;
      const fooled = counts.cellFooled[c] as number;
      const notFooled = (counts.cellTrials[c] as number) - fooled;
      entries += (fooled > 0 ? 1 : 0) + (notFooled > 0 ? 1 : 0);
      if (fooled > maxCount) maxCount = fooled;
      if (notFooled > maxCount) maxCount = notFooled;
    }
    // Joint draws give a method up to raterPool.size draws of its raters.
    const packing = planBlocks(counts, cellPool, imagePool, entries, maxCount, raterPool === null ? counts.raters : raterPool.size);
    // Counting sort of the entries into slots (raters ascending within a slot).
    const blocks = packing.raterBlocks;
    const slots = blocks * 2 * imagePool;
    const slotOf = (r: number, pool: number, fooled: boolean) => Math.floor((r * blocks) / counts.raters) * 2 * imagePool + (fooled ? pool : imagePool + pool);
    const slotStart = new Int32Array(slots + 1);
    for (let r = 0; r < counts.raters; r++) {
      for (let c = counts.cellStart[r] as number; c < (counts.cellStart[r + 1] as number); c++) {
        const fooled = counts.cellFooled[c] as number;
        if (fooled > 0) slotStart[slotOf(r, cellPool[c] as number, true) + 1]!++;
        if ((counts.cellTrials[c] as number) > fooled) slotStart[slotOf(r, cellPool[c] as number, false) + 1]!++;
      }
    }
    for (let slot = 0; slot < slots; slot++) slotStart[slot + 1]! += slotStart[slot] as number;
    const entryRater = new Int32Array(entries);
    const entryCount = maxCount === 1 ? null : new Int32Array(entries);
    const next = slotStart.slice(0, slots);
    for (let r = 0; r < counts.raters; r++) {
      for (let c = counts.cellStart[r] as number; c < (counts.cellStart[r + 1] as number); c++) {
        const fooled = counts.cellFooled[c] as number;
        const notFooled = (counts.cellTrials[c] as number) - fooled;
        if (fooled > 0) {
          const e = next[slotOf(r, cellPool[c] as number, true)]!++;
          entryRater[e] = r;
          if (entryCount !== null) entryCount[e] = fooled;
        }
        if (notFooled > 0) {
          const e = next[slotOf(r, cellPool[c] as number, false)]!++;
          entryRater[e] = r;
          if (entryCount !== null) entryCount[e] = notFooled;
        }
      }
    }
    return {
      ...base,
      ...packing,
      slotStart,
      entryRater,
      entryCount,
      aliasStart: null,
      aliasProbability: null,
      aliasIndex: null,
    };
  }
  const tables = variant === "paper" ? buildBinomialAliasTables(counts.raterTrials, counts.raterFooled) : null;
  return {
    ...base,
    slotStart: null,
    entryRater: null,
    entryCount: null,
    raterBlocks: 1,
    laneBits: 0,
    lanes: 1,
    verifyLanes: false,
    aliasStart: tables?.start ?? null,
    aliasProbability: tables?.probability ?? null,
    aliasIndex: tables?.alias ?? null,
  };
}

/**
 * Prepares a bootstrap of the fool rates of one or more methods: validates options and builds
 * the per-method arrays the resampling kernels read. Use with {@link runBootstrapChunk} and
 * {@link summarizeBootstrap} to spread chunks over worker threads; {@link bootstrapFoolRates} does
 * all three in the calling thread.
 *
 * @param methods counts of each method (from countTrials/countCells), at least one.
 * @param options seed (required), variant, resamples, level.
 * @throws {StatsError} `no-data` without methods; `invalid-argument` for bad options.
 * @example
 * const plan = planBootstrap([countsA, countsB], { seed: 7, variant: "two-way" });
 * plan.chunks; // 40 (10,000 resamples in chunks of 250)
 */
export function planBootstrap(methods: readonly TrialCounts[], options: BootstrapOptions): BootstrapPlan {
  const variant = options.variant ?? "raters";
  const resamples = options.resamples ?? 10_000;
  const level = options.level ?? 0.95;
  if (!BOOTSTRAP_VARIANTS.includes(variant)) {
    throw new StatsError("invalid-argument", `unknown bootstrap variant ${String(variant)}`);
  }
  assertInteger("resamples", resamples, 2);
  assertLevel(level);
  const seed = seedToUint64(options.seed);
  if (methods.length === 0) throw new StatsError("no-data", "no methods to bootstrap");
  for (const counts of methods) {
    if (!(counts.trials >= 1) || !(counts.raters >= 1)) throw new StatsError("no-data", "a method has no trials");
  }
  let poolIndex: Map<number, number> | null = null;
  if (variant === "two-way") {
    const images = new Set<number>();
    for (const counts of methods) for (const image of counts.cellImage) images.add(image);
    poolIndex = new Map([...images].sort((a, b) => a - b).map((image, index) => [image, index]));
  }
  const imagePool = poolIndex?.size ?? 0;
  // Raters are identified across methods by TrialCounts.raterIds; if any rater saw two methods,
  // resample raters jointly (the paper variant keeps its published per-method procedure).
  let raterPool: Map<number, number> | null = null;
  if (variant !== "paper" && methods.length > 1) {
    const seen = new Set<number>();
    let shared = false;
    for (const counts of methods) {
      for (const id of counts.raterIds) {
        if (seen.has(id)) shared = true;
      }
      for (const id of counts.raterIds) seen.add(id);
    }
    if (shared) raterPool = new Map([...seen].sort((a, b) => a - b).map((id, index) => [id, index]));
  }
  return {
    variant,
    resamples,
    level,
    seed,
    chunkSize: BOOTSTRAP_CHUNK_SIZE,
    chunks: Math.ceil(resamples / BOOTSTRAP_CHUNK_SIZE),
    imagePool,
    raterPool: raterPool?.size ?? 0,
    methods: methods.map((counts) => planMethod(counts, variant, poolIndex, imagePool, raterPool)),
  };
}

function ratersReplicates(method: MethodPlan, rng: SeededRandom, out: Float64Array, offset: number, length: number) {
  const raters = method.counts.raters;
  const trials = method.raterTrials;
  const fooled = method.raterFooled;
  const draws = new Int32Array(raters);
  for (let j = 0; j < length; j++) {
    rng.fillBelow(raters, draws);
    let numerator = 0;
    let denominator = 0;
    for (let k = 0; k < raters; k++) {
      const r = draws[k] as number;
      numerator += fooled[r] as number;
      denominator += trials[r] as number;
    }
    out[offset + j] = numerator / denominator;
  }
}

function paperReplicates(method: MethodPlan, rng: SeededRandom, out: Float64Array, offset: number, length: number) {
  const raters = method.counts.raters;
  const trials = method.raterTrials;
  const fooled = method.raterFooled;
  const start = method.aliasStart as Int32Array;
  const probability = method.aliasProbability as Float64Array;
  const alias = method.aliasIndex as Int32Array;
  const draws = new Int32Array(raters);
  for (let j = 0; j < length; j++) {
    rng.fillBelow(raters, draws);
    let numerator = 0;
    let denominator = 0;
    for (let k = 0; k < raters; k++) {
      const r = draws[k] as number;
      const n = trials[r] as number;
      denominator += n;
      const table = start[r] as number;
      if (table < 0) {
        numerator += fooled[r] as number;
        continue;
      }
      // Fooled count of n trials drawn with replacement from the rater's own trials.
      const x = rng.nextFloat() * (n + 1);
      const column = Math.floor(x);
      numerator += x - column < (probability[table + column] as number) ? column : (alias[table + column] as number);
    }
    out[offset + j] = numerator / denominator;
  }
}

/**
 * Raters variant, raters resampled jointly across methods: per replicate one draw of the pool of
 * all raters; each method's replicate is its own raters' trials weighted by their multiplicities.
 * A replicate in which some method drew none of its raters is redrawn from the same stream.
 */
function jointRatersReplicates(plan: BootstrapPlan, rng: SeededRandom, out: Float64Array, length: number) {
  const pool = new Float64Array(plan.raterPool);
  const methods = plan.methods.length;
  const numerator = new Float64Array(methods);
  const denominator = new Float64Array(methods);
  for (let j = 0; j < length; j++) {
    let attempts = 0;
    for (;;) {
      pool.fill(0);
      rng.addDraws(plan.raterPool, plan.raterPool, pool, 1);
      plan.methods.forEach((method, m) => {
        const index = method.raterPoolIndex as Int32Array;
        let k = 0;
        let n = 0;
        for (let r = 0; r < method.counts.raters; r++) {
          const w = pool[index[r] as number] as number;
          k += w * (method.raterFooled[r] as number);
          n += w * (method.raterTrials[r] as number);
        }
        numerator[m] = k;
        denominator[m] = n;
      });
      if (!denominator.some((value) => value === 0)) break;
      if (++attempts > MAX_REDRAWS) throw new StatsError("too-sparse", "joint rater bootstrap: a method's raters were never drawn in 1,000 redraws");
    }
    for (let m = 0; m < methods; m++) out[m * length + j] = (numerator[m] as number) / (denominator[m] as number);
  }
}

/**
 * Sets accumulator[s] = Σ packed[r] over the entries (r) of slot s (all counts 1). A gather, not a
 * scatter: each slot's sum stays in registers (four independent partial sums), and the sums are
 * of integers below 2⁵³, exact in any order.
 */
function gatherUnit(slotStart: Int32Array, entryRater: Int32Array, packed: Float64Array, accumulator: Float64Array) {
  const slots = accumulator.length;
  let start = slotStart[0] as number;
  for (let slot = 0; slot < slots; slot++) {
    const end = slotStart[slot + 1] as number;
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    let e = start;
    for (; e + 3 < end; e += 4) {
      a0 += packed[entryRater[e] as number] as number;
      a1 += packed[entryRater[e + 1] as number] as number;
      a2 += packed[entryRater[e + 2] as number] as number;
      a3 += packed[entryRater[e + 3] as number] as number;
    }
    for (; e < end; e++) a0 += packed[entryRater[e] as number] as number;
    accumulator[slot] = a0 + a1 + (a2 + a3);
    start = end;
  }
}

/** As {@link gatherUnit}, for entries whose counts may exceed 1. */
function gatherWeighted(slotStart: Int32Array, entryRater: Int32Array, entryCount: Int32Array, packed: Float64Array, accumulator: Float64Array) {
  const slots = accumulator.length;
  let start = slotStart[0] as number;
  for (let slot = 0; slot < slots; slot++) {
    const end = slotStart[slot + 1] as number;
    let a0 = 0;
    let a1 = 0;
    let e = start;
    for (; e + 1 < end; e += 2) {
      a0 += (packed[entryRater[e] as number] as number) * (entryCount[e] as number);
      a1 += (packed[entryRater[e + 1] as number] as number) * (entryCount[e + 1] as number);
    }
    for (; e < end; e++) a0 += (packed[entryRater[e] as number] as number) * (entryCount[e] as number);
    accumulator[slot] = a0 + a1;
    start = end;
  }
}

/**
 * Numerator and denominator of one method's two-way replicate from its rater multiplicities
 * (unpacked) and the replicate's image multiplicities. The slow, obviously exact path: used when a
 * packed group fails its check and for redraws.
 */
function twoWayReplicate(
  method: MethodPlan,
  imagePool: number,
  imageCounts: Float64Array,
  imageOffset: number,
  multiplicity: Float64Array,
): { numerator: number; denominator: number } {
  const slotStart = method.slotStart as Int32Array;
  const entryRater = method.entryRater as Int32Array;
  const entryCount = method.entryCount;
  let numerator = 0;
  let denominator = 0;
  for (let slot = 0; slot < method.raterBlocks * 2 * imagePool; slot++) {
    const column = slot % (2 * imagePool);
    const fooled = column < imagePool;
    const v = imageCounts[imageOffset + (fooled ? column : column - imagePool)] as number;
    if (v === 0) continue;
    let sum = 0;
    for (let e = slotStart[slot] as number; e < (slotStart[slot + 1] as number); e++) {
      sum += (multiplicity[entryRater[e] as number] as number) * (entryCount === null ? 1 : (entryCount[e] as number));
    }
    if (fooled) numerator += v * sum;
    denominator += v * sum;
  }
  return { numerator, denominator };
}

/**
 * Two-way replicates of one method for a chunk. For each group of `lanes` replicates: pack the
 * rater multiplicities (see {@link planLanes}), gather them over the method's (rater, image)
 * entries — one pass over the entries serves the whole group — then unpack per slot (rater block ×
 * image) and weight by each replicate's image multiplicities: numerator = Σ_i v_i·Σ_r w_r·k(r, i), denominator =
 * Σ_i v_i·Σ_r w_r·n(r, i). Draws are consumed replicate by replicate (raters draws each), so the
 * replicates do not depend on how they are grouped.
 */
function twoWayReplicates(
  method: MethodPlan,
  imagePool: number,
  imageCounts: Float64Array,
  rng: SeededRandom,
  numerators: Float64Array,
  denominators: Float64Array,
  offset: number,
  length: number,
  joint: JointRaterCounts | null,
) {
  const raters = method.counts.raters;
  const raterTrials = method.raterTrials;
  const slotStart = method.slotStart as Int32Array;
  const entryRater = method.entryRater as Int32Array;
  const entryCount = method.entryCount;
  const base = 2 ** method.laneBits;
  const packed = new Float64Array(raters);
  const accumulator = new Float64Array(method.raterBlocks * 2 * imagePool);
  const laneTrials = new Float64Array(method.lanes);
  const unpackedTrials = new Float64Array(method.lanes);
  const groupNumerator = new Float64Array(method.lanes);
  const groupDenominator = new Float64Array(method.lanes);
  // Every replicate resamples `raters` raters; when all raters have the same number of trials
  // (complete sessions), each lane's resampled trial count is known without summing per draw.
  let uniformTrials = raterTrials[0] as number;
  for (let r = 1; r < raters; r++) if (raterTrials[r] !== uniformTrials) uniformTrials = -1;
  for (let group = 0; group < length; group += method.lanes) {
    const lanes = Math.min(method.lanes, length - group);
    const replay = method.verifyLanes && joint === null ? rng.saveState() : null;
    packed.fill(0);
    let weight = 1;
    if (joint !== null) {
      // Joint raters: gather this method's raters' multiplicities from the pool draws, packed,
      // with each lane's resampled trials (for the check of verified lanes).
      const poolIndex = method.raterPoolIndex as Int32Array;
      for (let lane = 0; lane < lanes; lane++) {
        const row = (group + lane) * joint.pool;
        let trials = 0;
        for (let r = 0; r < raters; r++) {
          const w = joint.counts[row + (poolIndex[r] as number)] as number;
          packed[r]! += weight * w;
          trials += w * (raterTrials[r] as number);
        }
        laneTrials[lane] = trials;
        weight *= base;
      }
    }
    for (let lane = 0; joint === null && lane < lanes; lane++) {
      const verified = replay !== null && lane < lanes - 1;
      if (verified && uniformTrials > 0) {
        rng.addDraws(raters, raters, packed, weight);
        laneTrials[lane] = raters * uniformTrials;
      } else {
        laneTrials[lane] = rng.addDraws(raters, raters, packed, weight, verified ? raterTrials : null);
      }
      weight *= base;
    }
    if (entryCount === null) gatherUnit(slotStart, entryRater, packed, accumulator);
    else gatherWeighted(slotStart, entryRater, entryCount, packed, accumulator);
    groupNumerator.fill(0);
    groupDenominator.fill(0);
    unpackedTrials.fill(0);
    let beyondExact = false;
    for (let block = 0; block < method.raterBlocks; block++) {
      const slots = block * 2 * imagePool;
      for (let i = 0; i < imagePool; i++) {
        let fooled = accumulator[slots + i] as number;
        let notFooled = accumulator[slots + imagePool + i] as number;
        if (fooled >= TWO_53 || notFooled >= TWO_53) beyondExact = true;
        for (let lane = 0; lane < lanes; lane++) {
          let laneFooled = fooled;
          let laneNotFooled = notFooled;
          if (lane < lanes - 1) {
            const fooledRest = Math.floor(fooled / base);
            const notFooledRest = Math.floor(notFooled / base);
            laneFooled = fooled - fooledRest * base;
            laneNotFooled = notFooled - notFooledRest * base;
            fooled = fooledRest;
            notFooled = notFooledRest;
            unpackedTrials[lane]! += laneFooled + laneNotFooled;
          }
          const v = imageCounts[(group + lane) * imagePool + i] as number;
          groupNumerator[lane]! += v * laneFooled;
          groupDenominator[lane]! += v * (laneFooled + laneNotFooled);
        }
      }
    }
    let overflow = beyondExact;
    if (method.verifyLanes) {
      for (let lane = 0; lane < lanes - 1; lane++) if (unpackedTrials[lane] !== laneTrials[lane]) overflow = true;
    }
    if (overflow) {
      // A lane overflowed (or a sum passed 2⁵³): take this group's draws again (replayed, or from
      // the joint pool draws) and compute each replicate unpacked.
      if (replay !== null) rng.restoreState(replay);
      for (let lane = 0; lane < lanes; lane++) {
        packed.fill(0);
        if (joint === null) rng.addDraws(raters, raters, packed, 1);
        else {
          const row = (group + lane) * joint.pool;
          const poolIndex = method.raterPoolIndex as Int32Array;
          for (let r = 0; r < raters; r++) packed[r] = joint.counts[row + (poolIndex[r] as number)] as number;
        }
        const exact = twoWayReplicate(method, imagePool, imageCounts, (group + lane) * imagePool, packed);
        groupNumerator[lane] = exact.numerator;
        groupDenominator[lane] = exact.denominator;
      }
    }
    for (let lane = 0; lane < lanes; lane++) {
      numerators[offset + group + lane] = groupNumerator[lane] as number;
      denominators[offset + group + lane] = groupDenominator[lane] as number;
    }
  }
}

/** Rater multiplicities over the pool of all raters, replicate by replicate (joint resampling). */
interface JointRaterCounts {
  readonly pool: number;
  /** counts[j·pool + p]: multiplicity of pool rater p in replicate j of the chunk. */
  readonly counts: Float64Array;
}

/** Draws image multiplicities of `length` replicates: I draws with replacement from I images. */
function drawImageCounts(rng: SeededRandom, imagePool: number, length: number): Float64Array {
  const counts = new Float64Array(length * imagePool);
  for (let j = 0; j < length; j++) {
    rng.addDraws(imagePool, imagePool, counts.subarray(j * imagePool, (j + 1) * imagePool), 1);
  }
  return counts;
}

/** One two-way replicate of every method from a dedicated stream (used to redraw). */
function redrawTwoWay(plan: BootstrapPlan, rng: SeededRandom, numerators: Float64Array, denominators: Float64Array) {
  const imageCounts = drawImageCounts(rng, plan.imagePool, 1);
  const pool = plan.raterPool > 0 ? drawImageCounts(rng, plan.raterPool, 1) : null;
  plan.methods.forEach((method, m) => {
    const raters = method.counts.raters;
    const multiplicity = new Float64Array(raters);
    if (pool === null) rng.addDraws(raters, raters, multiplicity, 1);
    else for (let r = 0; r < raters; r++) multiplicity[r] = pool[(method.raterPoolIndex as Int32Array)[r] as number] as number;
    const exact = twoWayReplicate(method, plan.imagePool, imageCounts, 0, multiplicity);
    numerators[m] = exact.numerator;
    denominators[m] = exact.denominator;
  });
}

/**
 * Computes the replicates of one chunk for every method of the plan. Depends only on (plan, chunk),
 * so chunks can be computed in any order, in any thread, with identical results.
 *
 * @param plan from {@link planBootstrap}.
 * @param chunk index in [0, plan.chunks).
 * @returns method-major replicates: value of method m, replicate j of the chunk at m·length + j,
 *   length = min(chunkSize, resamples − chunk·chunkSize).
 * @example
 * const plan = planBootstrap([a, b], { seed: 1, resamples: 600 });
 * runBootstrapChunk(plan, 2).length; // 200: 2 methods × the last 100 replicates
 * @throws {StatsError} `invalid-argument` for a bad chunk index; `too-sparse` when a two-way
 *   replicate in which every method has at least one resampled trial cannot be found in 1,000
 *   redraws (data so sparse that no drawn rater saw a drawn image).
 */
export function runBootstrapChunk(plan: BootstrapPlan, chunk: number): Float64Array {
  assertInteger("chunk", chunk);
  if (chunk >= plan.chunks) throw new StatsError("invalid-argument", `chunk must be below ${plan.chunks}`);
  const first = chunk * plan.chunkSize;
  const length = Math.min(plan.chunkSize, plan.resamples - first);
  const methods = plan.methods.length;
  const out = new Float64Array(methods * length);
  if (plan.variant === "raters" && plan.raterPool > 0) {
    jointRatersReplicates(plan, new SeededRandom(plan.seed, STREAM_JOINT_RATERS, chunk), out, length);
    return out;
  }
  if (plan.variant !== "two-way") {
    plan.methods.forEach((method, m) => {
      const rng = new SeededRandom(plan.seed, STREAM_RATERS, m, chunk);
      if (plan.variant === "paper") paperReplicates(method, rng, out, m * length, length);
      else ratersReplicates(method, rng, out, m * length, length);
    });
    return out;
  }
  const imageCounts = drawImageCounts(new SeededRandom(plan.seed, STREAM_IMAGES, chunk), plan.imagePool, length);
  const numerators = new Float64Array(methods * length);
  const denominators = new Float64Array(methods * length);
  const joint =
    plan.raterPool > 0
      ? { pool: plan.raterPool, counts: drawImageCounts(new SeededRandom(plan.seed, STREAM_JOINT_RATERS, chunk), plan.raterPool, length) }
      : null;
  plan.methods.forEach((method, m) => {
    const rng = new SeededRandom(plan.seed, STREAM_RATERS, m, chunk);
    twoWayReplicates(method, plan.imagePool, imageCounts, rng, numerators, denominators, m * length, length, joint);
  });
  for (let j = 0; j < length; j++) {
    let degenerate = false;
    for (let m = 0; m < methods; m++) if (denominators[m * length + j] === 0) degenerate = true;
    if (degenerate) {
      // Condition the replicate on every method having data: redraw it whole from its own stream.
      const rng = new SeededRandom(plan.seed, STREAM_REDRAW, chunk, j);
      const numerator = new Float64Array(methods);
      const denominator = new Float64Array(methods);
      let attempts = 0;
      do {
        if (++attempts > MAX_REDRAWS) {
          throw new StatsError(
            "too-sparse",
            "two-way bootstrap: drawn raters and drawn images share no trial in 1,000 redraws; use the raters variant",
          );
        }
        redrawTwoWay(plan, rng, numerator, denominator);
      } while (denominator.some((value) => value === 0));
      for (let m = 0; m < methods; m++) {
        numerators[m * length + j] = numerator[m] as number;
        denominators[m * length + j] = denominator[m] as number;
      }
    }
    for (let m = 0; m < methods; m++) {
      out[m * length + j] = (numerators[m * length + j] as number) / (denominators[m * length + j] as number);
    }
  }
  return out;
}

/**
 * Assembles the chunks (in chunk order) into per-method replicates and summarizes them.
 *
 * @param plan from {@link planBootstrap}.
 * @param chunks chunks[c] = runBootstrapChunk(plan, c), all of them.
 * @throws {StatsError} `invalid-argument` when chunks are missing or of the wrong size.
 * @example
 * const chunks = Array.from({ length: plan.chunks }, (_, c) => runBootstrapChunk(plan, c));
 * summarizeBootstrap(plan, chunks); // equal to bootstrapFoolRates(methods, options)
 */
export function summarizeBootstrap(plan: BootstrapPlan, chunks: readonly Float64Array[]): FoolRateBootstrapSet {
  if (chunks.length !== plan.chunks) {
    throw new StatsError("invalid-argument", `expected ${plan.chunks} chunks, got ${chunks.length}`);
  }
  const methods = plan.methods.length;
  const replicates = plan.methods.map(() => new Float64Array(plan.resamples));
  chunks.forEach((chunk, c) => {
    const first = c * plan.chunkSize;
    const length = Math.min(plan.chunkSize, plan.resamples - first);
    if (chunk.length !== methods * length) throw new StatsError("invalid-argument", `chunk ${c} has the wrong size`);
    for (let m = 0; m < methods; m++) {
      (replicates[m] as Float64Array).set(chunk.subarray(m * length, (m + 1) * length), first);
    }
  });
  const results = plan.methods.map((method, m): FoolRateBootstrap => {
    const summary = summarizeReplicates(replicates[m] as Float64Array, plan.level);
    return {
      variant: plan.variant,
      estimate: method.counts.fooled / method.counts.trials,
      standardError: summary.standardError,
      lower: summary.lower,
      upper: summary.upper,
      level: plan.level,
      resamples: plan.resamples,
      bootstrapMean: summary.mean,
      counts: method.counts,
    };
  });
  return {
    variant: plan.variant,
    resamples: plan.resamples,
    level: plan.level,
    seed: plan.seed.toString(),
    methods: results,
    replicates,
    jointRaters: plan.raterPool > 0,
  };
}

/**
 * Cluster bootstrap of the fool rates of several methods, in the calling thread.
 *
 * Definition: the estimate of a method is its pooled fool rate Σk/Σn; each replicate recomputes
 * it on a resample of raters (and images, or trials) chosen by `variant`; the standard error is
 * the SD of B replicates and the interval their (1 ∓ level)/2 percentiles.
 * References: Efron & Tibshirani (1993), An Introduction to the Bootstrap, ch. 6 and 13; Field &
 * Welsh (2007), JRSS B 69:369–390 (bootstrapping clustered data); Owen (2007) for `two-way`;
 * Zhang, Isola & Efros (2016), ECCV, §4.1 for `paper`.
 *
 * Edge cases: with a single rater the `raters` variant has standard error 0 and a zero-width
 * interval (every resample is that rater) — this says nothing about rater variation, which one
 * rater cannot reveal. A rate of 0 or 1 likewise gives SE 0 for `raters` and `paper`.
 *
 * @param methods counts of each method, at least one.
 * @param options seed (required); variant (default `raters`), resamples (default 10,000), level
 *   (default 0.95).
 * @throws {StatsError} see {@link planBootstrap} and {@link runBootstrapChunk}.
 * @example
 * const set = bootstrapFoolRates([counts], { seed: 1, resamples: 2000 });
 * set.methods[0].estimate; // fooled / trials
 */
export function bootstrapFoolRates(methods: readonly TrialCounts[], options: BootstrapOptions): FoolRateBootstrapSet {
  const plan = planBootstrap(methods, options);
  const chunks: Float64Array[] = [];
  for (let c = 0; c < plan.chunks; c++) chunks.push(runBootstrapChunk(plan, c));
  return summarizeBootstrap(plan, chunks);
}

/**
 * Cluster bootstrap of one method's fool rate; see {@link bootstrapFoolRates}.
 *
 * @example
 * // 3 raters with 1/2, 2/2 and 0/2 fooled trials:
 * const counts = countCells({ rater: Int32Array.of(0, 1, 2), image: Int32Array.of(0, 0, 0),
 *   trials: Int32Array.of(2, 2, 2), fooled: Int32Array.of(1, 2, 0) });
 * bootstrapFoolRate(counts, { seed: 1 }).estimate; // 0.5
 */
export function bootstrapFoolRate(
  counts: TrialCounts,
  options: BootstrapOptions,
): FoolRateBootstrap & { readonly replicates: Float64Array } {
  const set = bootstrapFoolRates([counts], options);
  return { ...(set.methods[0] as FoolRateBootstrap), replicates: set.replicates[0] as Float64Array };
}
