import { logGamma } from "./log-gamma";

/**
 * Alias tables (Walker 1977; Vose 1991, IEEE TSE 17:972–975) for Binomial(n, k/n) distributions,
 * one per distinct (n, k), packed in two flat arrays so they can travel to worker threads.
 *
 * Why: the paper's bootstrap resamples each selected rater's n trials with replacement; the number
 * of fooled trials in such a resample is exactly Binomial(n, k/n) where k is the rater's fooled
 * count, so one O(1) alias draw replaces n trial draws. The probabilities are computed in double
 * precision (relative error ~1e−13), negligible next to Monte Carlo error.
 */
export interface BinomialAliasTables {
  /** For each rater, the offset of its table, or −1 when k = 0 or k = n (the count is fixed). */
  readonly start: Int32Array;
  readonly probability: Float64Array;
  readonly alias: Int32Array;
}

function binomialPmf(n: number, p: number): Float64Array {
  const pmf = new Float64Array(n + 1);
  const logP = Math.log(p);
  const logQ = Math.log1p(-p);
  const logNFactorial = logGamma(n + 1);
  let total = 0;
  for (let j = 0; j <= n; j++) {
    const value = Math.exp(logNFactorial - logGamma(j + 1) - logGamma(n - j + 1) + j * logP + (n - j) * logQ);
    pmf[j] = value;
    total += value;
  }
  for (let j = 0; j <= n; j++) pmf[j] = (pmf[j] as number) / total;
  return pmf;
}

/**
 * Builds the alias tables for raters with `trials[r]` trials of which `fooled[r]` fooled.
 *
 * @example
 * const t = buildBinomialAliasTables(Int32Array.of(2, 4), Int32Array.of(1, 4));
 * // t.start = [0, −1]: rater 0 draws from Binomial(2, ½), rater 1 always has 4 fooled trials.
 */
export function buildBinomialAliasTables(trials: Int32Array, fooled: Int32Array): BinomialAliasTables {
  const raters = trials.length;
  const start = new Int32Array(raters).fill(-1);
  const offsets = new Map<number, number>();
  const probabilities: number[] = [];
  const aliases: number[] = [];
  for (let r = 0; r < raters; r++) {
    const n = trials[r] as number;
    const k = fooled[r] as number;
    if (k === 0 || k === n) continue;
    const key = n * 2147483648 + k;
    const known = offsets.get(key);
    if (known !== undefined) {
      start[r] = known;
      continue;
    }
    const offset = probabilities.length;
    offsets.set(key, offset);
    start[r] = offset;
    const size = n + 1;
    const scaled = binomialPmf(n, k / n).map((value) => value * size);
    const probability = new Float64Array(size).fill(1);
    const alias = new Int32Array(size);
    for (let j = 0; j < size; j++) alias[j] = j;
    const small: number[] = [];
    const large: number[] = [];
    for (let j = 0; j < size; j++) ((scaled[j] as number) < 1 ? small : large).push(j);
    while (small.length > 0 && large.length > 0) {
      const s = small.pop() as number;
      const l = large.pop() as number;
      probability[s] = scaled[s] as number;
      alias[s] = l;
      scaled[l] = (scaled[l] as number) + (scaled[s] as number) - 1;
      ((scaled[l] as number) < 1 ? small : large).push(l);
    }
    // Leftovers (from rounding) keep probability 1, i.e. they always return themselves.
    for (let j = 0; j < size; j++) {
      probabilities.push(probability[j] as number);
      aliases.push(alias[j] as number);
    }
  }
  return { start, probability: Float64Array.from(probabilities), alias: Int32Array.from(aliases) };
}
