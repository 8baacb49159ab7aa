import { StatsError } from "./stats-error";

/**
 * A seed: a non-negative safe integer or any bigint (taken modulo 2⁶⁴). Every resampling function
 * of lib/stats takes one, so results are reproducible.
 */
export type Seed = number | bigint;

const MASK_64 = (1n << 64n) - 1n;
const GOLDEN_GAMMA = 0x9e3779b97f4a7c15n;
const TWO_32 = 4294967296;
const TWO_53 = 9007199254740992;

/**
 * Normalizes a {@link Seed} to an unsigned 64-bit bigint.
 *
 * @throws {StatsError} `invalid-argument` for a negative, fractional or unsafe number.
 * @example
 * seedToUint64(-1n); // 18446744073709551615n (bigints are taken modulo 2⁶⁴)
 */
export function seedToUint64(seed: Seed): bigint {
  if (typeof seed === "bigint") return BigInt.asUintN(64, seed);
  if (typeof seed !== "number" || !Number.isSafeInteger(seed) || seed < 0) {
    throw new StatsError("invalid-argument", `seed must be a non-negative safe integer or a bigint, got ${String(seed)}`);
  }
  return BigInt(seed);
}

/** The SplitMix64 output function (finalizer) applied to a 64-bit value. */
function mix64(value: bigint): bigint {
  let z = value & MASK_64;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK_64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK_64;
  return z ^ (z >> 31n);
}

/**
 * SplitMix64 (Steele, Lea & Flood 2014; Vigna's reference `splitmix64.c`): a 64-bit generator used
 * here only to expand a seed into generator state, as Blackman & Vigna recommend.
 *
 * @example
 * new SplitMix64(1234567n).next(); // 6457827717110365317n (Rosetta Code "Splitmix64")
 */
export class SplitMix64 {
  private state: bigint;

  constructor(seed: Seed) {
    this.state = seedToUint64(seed);
  }

  /** Next 64-bit output as an unsigned bigint. */
  next(): bigint {
    this.state = (this.state + GOLDEN_GAMMA) & MASK_64;
    return mix64(this.state);
  }
}

/**
 * Derives the seed of an independent stream from a base seed and a path of integer keys, e.g.
 * (seed, stream kind, method index, chunk index). Deterministic: the same path always gives the
 * same stream, whichever worker or order computes it — the invariant that makes chunked, parallel
 * bootstraps reproducible.
 *
 * @param seed base seed.
 * @param keys non-negative safe integers.
 * @throws {StatsError} `invalid-argument` for a bad seed or key.
 * @example
 * deriveSeed(42, 1, 0) === deriveSeed(42n, 1, 0); // true
 */
export function deriveSeed(seed: Seed, ...keys: readonly number[]): bigint {
  let h = mix64(seedToUint64(seed) ^ 0x5851f42d4c957f2dn);
  for (const key of keys) {
    if (!Number.isSafeInteger(key) || key < 0) {
      throw new StatsError("invalid-argument", `stream keys must be non-negative safe integers, got ${String(key)}`);
    }
    h = mix64(h ^ mix64((BigInt(key) + GOLDEN_GAMMA) & MASK_64));
  }
  return h;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/**
 * A seeded, reproducible pseudo-random generator: xoshiro128** 1.1 with 128 bits of state, seeded
 * from a 64-bit seed through SplitMix64 (two outputs, split into four 32-bit words).
 *
 * Reference: Blackman & Vigna (2021), "Scrambled linear pseudorandom number generators", ACM TOMS
 * 47(4):36; reference C code `xoshiro128starstar.c`. All arithmetic is 32-bit (`Math.imul`, shifts),
 * so the stream is identical on every JavaScript engine.
 *
 * @example
 * const rng = SeededRandom.fromState(1, 2, 3, 4);
 * rng.nextUint32(); // 11520 (reference output)
 */
export class SeededRandom {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /**
   * @param seed base seed.
   * @param keys optional stream path, see {@link deriveSeed}.
   */
  constructor(seed: Seed, ...keys: readonly number[]) {
    const expander = new SplitMix64(keys.length === 0 ? seedToUint64(seed) : deriveSeed(seed, ...keys));
    const a = expander.next();
    const b = expander.next();
    this.s0 = Number(a & 0xffffffffn) | 0;
    this.s1 = Number(a >> 32n) | 0;
    this.s2 = Number(b & 0xffffffffn) | 0;
    this.s3 = Number(b >> 32n) | 0;
    // The all-zero state is the one fixed point of xoshiro; SplitMix64 makes it practically
    // unreachable, but guard it anyway.
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** A generator with an explicit state (for reference vectors); the state must not be all zero. */
  static fromState(s0: number, s1: number, s2: number, s3: number): SeededRandom {
    const rng = new SeededRandom(0);
    rng.s0 = s0 | 0;
    rng.s1 = s1 | 0;
    rng.s2 = s2 | 0;
    rng.s3 = s3 | 0;
    if ((rng.s0 | rng.s1 | rng.s2 | rng.s3) === 0) {
      throw new StatsError("invalid-argument", "xoshiro128** state must not be all zero");
    }
    return rng;
  }

  /** The generator state (four 32-bit words), e.g. to replay a stretch of draws. */
  saveState(): readonly [number, number, number, number] {
    return [this.s0, this.s1, this.s2, this.s3];
  }

  /** Restores a state from {@link saveState}; the following draws repeat exactly. */
  restoreState(state: readonly [number, number, number, number]): void {
    [this.s0, this.s1, this.s2, this.s3] = state;
  }

  /** Next output, an unsigned 32-bit integer. */
  nextUint32(): number {
    const s1 = this.s1;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= s1;
    this.s1 = s1 ^ this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** A uniform double in [0, 1) with 53 random bits (two outputs). */
  nextFloat(): number {
    const high = this.nextUint32() >>> 5; // 27 bits
    const low = this.nextUint32() >>> 6; // 26 bits
    return (high * 67108864 + low) / TWO_53;
  }

  /**
   * A uniform integer in [0, n), exactly unbiased (Lemire 2019, "Fast random integer generation in
   * an interval", ACM TOMS 29(1):3, with rejection).
   *
   * @param n upper bound, an integer in [1, 2⁵³].
   * @throws {StatsError} `invalid-argument` otherwise.
   */
  nextBelow(n: number): number {
    if (!Number.isSafeInteger(n) || n < 1) {
      throw new StatsError("invalid-argument", `n must be a positive safe integer, got ${String(n)}`);
    }
    if (n <= 2097152) {
      // u·n < 2⁵³, so the 64-bit product of Lemire's method is exact in a double.
      const threshold = TWO_32 % n;
      for (;;) {
        const m = this.nextUint32() * n;
        const high = Math.floor(m / TWO_32);
        const low = m - high * TWO_32;
        if (low >= threshold) return high;
      }
    }
    const limit = TWO_53 - (TWO_53 % n);
    for (;;) {
      const x = (this.nextUint32() >>> 0) * 2097152 + (this.nextUint32() >>> 11);
      if (x < limit) return x % n;
    }
  }

  /**
   * Draws `count` uniform indices in [0, n) and adds `weight` to `target[index]` for each — the
   * multinomial multiplicities of a resample, packed (see the two-way bootstrap). Consumes the
   * stream exactly as {@link fillBelow} would for the same n and count. Returns Σ valueOf[index]
   * over the draws when `valueOf` is given (0 otherwise).
   *
   * @param n upper bound, an integer in [1, 2³¹).
   * @param count number of draws, ≥ 0.
   * @param target array of length ≥ n.
   * @param weight added per draw.
   * @param valueOf optional per-index values to sum over the draws.
   * @throws {StatsError} `invalid-argument` for a bad n, count or too short target.
   */
  addDraws(n: number, count: number, target: Float64Array, weight: number, valueOf: Int32Array | null = null): number {
    if (!Number.isSafeInteger(n) || n < 1 || n > 0x7fffffff || target.length < n) {
      throw new StatsError("invalid-argument", `n must be an integer in [1, 2^31) and ≤ target.length, got ${String(n)}`);
    }
    if (valueOf !== null && valueOf.length < n) throw new StatsError("invalid-argument", "valueOf is shorter than n");
    if (!Number.isSafeInteger(count) || count < 0) {
      throw new StatsError("invalid-argument", `count must be a non-negative integer, got ${String(count)}`);
    }
    let sum = 0;
    if (n > 65536) {
      for (let k = 0; k < count; k++) {
        const index = this.nextBelow(n);
        target[index]! += weight;
        if (valueOf !== null) sum += valueOf[index] as number;
      }
      return sum;
    }
    let s0 = this.s0;
    let s1 = this.s1;
    let s2 = this.s2;
    let s3 = this.s3;
    const threshold = 65536 % n;
    let k = 0;
    while (k < count) {
      const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
      const t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = rotl(s3, 11);
      const mHigh = (result >>> 16) * n;
      if ((mHigh & 0xffff) >= threshold) {
        const index = mHigh >>> 16;
        target[index]! += weight;
        if (valueOf !== null) sum += valueOf[index] as number;
        k++;
      }
      if (k >= count) break;
      const mLow = (result & 0xffff) * n;
      if ((mLow & 0xffff) >= threshold) {
        const index = mLow >>> 16;
        target[index]! += weight;
        if (valueOf !== null) sum += valueOf[index] as number;
        k++;
      }
    }
    this.s0 = s0;
    this.s1 = s1;
    this.s2 = s2;
    this.s3 = s3;
    return sum;
  }

  /**
   * Fills `out[0..count)` with independent uniform integers in [0, n) — the hot path of every
   * bootstrap (one call per resample). For n ≤ 2¹⁶ each 32-bit output yields two 16-bit draws,
   * each made exact by Lemire's rejection; the state lives in locals for speed.
   *
   * @param n upper bound, an integer in [1, 2³¹).
   * @param out destination.
   * @param count how many to draw, default out.length.
   * @throws {StatsError} `invalid-argument` for a bad n or count.
   */
  fillBelow(n: number, out: Int32Array, count: number = out.length): void {
    if (!Number.isSafeInteger(n) || n < 1 || n > 0x7fffffff) {
      throw new StatsError("invalid-argument", `n must be an integer in [1, 2^31), got ${String(n)}`);
    }
    if (!Number.isSafeInteger(count) || count < 0 || count > out.length) {
      throw new StatsError("invalid-argument", `count must be an integer in [0, ${out.length}]`);
    }
    if (n > 65536) {
      for (let k = 0; k < count; k++) out[k] = this.nextBelow(n);
      return;
    }
    let s0 = this.s0;
    let s1 = this.s1;
    let s2 = this.s2;
    let s3 = this.s3;
    const threshold = 65536 % n;
    let k = 0;
    while (k < count) {
      const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
      const t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = rotl(s3, 11);
      // High half: product of a 16-bit draw and n is < 2³², so `>>> 16` and `& 0xffff` are exact.
      const mHigh = (result >>> 16) * n;
      if ((mHigh & 0xffff) >= threshold) out[k++] = mHigh >>> 16;
      if (k >= count) break;
      const mLow = (result & 0xffff) * n;
      if ((mLow & 0xffff) >= threshold) out[k++] = mLow >>> 16;
    }
    this.s0 = s0;
    this.s1 = s1;
    this.s2 = s2;
    this.s3 = s3;
  }
}
