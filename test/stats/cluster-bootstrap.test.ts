import { describe, expect, it } from "vitest";
import {
  bootstrapFoolRate,
  bootstrapFoolRates,
  countCells,
  planBootstrap,
  runBootstrapChunk,
  SeededRandom,
  StatsError,
  summarizeBootstrap,
  type BootstrapPlan,
  type TrialCounts,
} from "@/lib/stats";

/** A study of `raters` raters with `trials` trials each on one image, fooled counts given. */
function ratersOnly(fooled: readonly number[], trials: number): TrialCounts {
  return countCells({
    rater: Int32Array.from(fooled, (_, r) => r),
    image: new Int32Array(fooled.length),
    trials: new Int32Array(fooled.length).fill(trials),
    fooled: Int32Array.from(fooled),
  });
}

/** A random crossed-with-gaps study: each rater sees `perRater` of `images` images. */
/** Raters are numbered from `firstRater`: methods with disjoint numbers are a between-subjects design. */
function randomStudy(seed: number, raters: number, images: number, perRater: number, maxRepeat = 1, firstRater = 0): TrialCounts {
  const rng = new SeededRandom(seed);
  const rater: number[] = [];
  const image: number[] = [];
  const trials: number[] = [];
  const fooled: number[] = [];
  for (let r = 0; r < raters; r++) {
    const skill = 0.1 + 0.6 * rng.nextFloat();
    const order = Array.from({ length: images }, (_, i) => i);
    for (let t = 0; t < perRater; t++) {
      const j = t + rng.nextBelow(images - t);
      [order[t], order[j]] = [order[j] as number, order[t] as number];
      const n = 1 + rng.nextBelow(maxRepeat);
      let k = 0;
      for (let i = 0; i < n; i++) if (rng.nextFloat() < skill) k++;
      rater.push(firstRater + r);
      image.push(order[t] as number);
      trials.push(n);
      fooled.push(k);
    }
  }
  return countCells({
    rater: Int32Array.from(rater),
    image: Int32Array.from(image),
    trials: Int32Array.from(trials),
    fooled: Int32Array.from(fooled),
  });
}

describe("bootstrapFoolRate: edge cases", () => {
  it("throws without methods; countTrials already throws without trials", () => {
    expect(() => bootstrapFoolRates([], { seed: 1 })).toThrow(expect.objectContaining({ code: "no-data" }));
  });

  it.each(["raters", "two-way", "paper"] as const)("all fooled and none fooled give SE 0 (%s)", (variant) => {
    const all = bootstrapFoolRate(ratersOnly([4, 4, 4], 4), { seed: 1, variant, resamples: 200 });
    expect([all.estimate, all.standardError, all.lower, all.upper]).toEqual([1, 0, 1, 1]);
    const none = bootstrapFoolRate(ratersOnly([0, 0, 0], 4), { seed: 1, variant, resamples: 200 });
    expect([none.estimate, none.standardError, none.lower, none.upper]).toEqual([0, 0, 0, 0]);
  });

  it("one rater: the raters bootstrap has SE 0 (documented), the paper's has the binomial SE", () => {
    const one = ratersOnly([12], 40);
    const raters = bootstrapFoolRate(one, { seed: 3, variant: "raters", resamples: 500 });
    expect(raters.standardError).toBe(0);
    expect(raters.lower).toBe(0.3);
    expect(raters.upper).toBe(0.3);
    // Resampling the 40 trials: SE = √(p(1 − p)/n) = √(0.3·0.7/40) = 0.07246 (binomial, by hand).
    const paper = bootstrapFoolRate(one, { seed: 3, variant: "paper", resamples: 20_000 });
    expect(paper.standardError).toBeGreaterThan(0.07246 * 0.97);
    expect(paper.standardError).toBeLessThan(0.07246 * 1.03);
  });

  it("validates options", () => {
    const counts = ratersOnly([1, 2], 4);
    expect(() => bootstrapFoolRate(counts, { seed: 1, resamples: 1 })).toThrow(StatsError);
    expect(() => bootstrapFoolRate(counts, { seed: 1, level: 1.2 })).toThrow(StatsError);
    expect(() => bootstrapFoolRate(counts, { seed: -5 })).toThrow(StatsError);
    expect(() => bootstrapFoolRate(counts, { seed: 1, variant: "bogus" as never })).toThrow(StatsError);
  });
});

describe("bootstrapFoolRate: against independent derivations", () => {
  // With equal trials per rater the fool rate is the mean of rater rates p_r, and the bootstrap
  // variance of a mean of R resampled values is (1/R)·(1/R)·Σ(p_r − p̄)² (Efron & Tibshirani 1993,
  // eq. 5.8 with divisor n): an exact value the Monte Carlo SE must approach.
  const fooled = [3, 10, 17, 25, 8, 12, 30, 5, 14, 21, 9, 11, 27, 16, 2, 19, 13, 24, 7, 15];
  const trials = 40;
  const rates = fooled.map((k) => k / trials);
  const mean = rates.reduce((a, b) => a + b, 0) / rates.length;
  const between = rates.reduce((a, p) => a + (p - mean) ** 2, 0) / rates.length;
  const within = rates.reduce((a, p) => a + (p * (1 - p)) / trials, 0) / rates.length;
  const R = rates.length;

  it("raters variant: SE equals √(Σ(p_r − p̄)²)/R within Monte Carlo error", () => {
    const result = bootstrapFoolRate(ratersOnly(fooled, trials), { seed: 11, resamples: 40_000 });
    const exact = Math.sqrt(between / R);
    // The Monte Carlo relative SE of a bootstrap SD from B draws is about 1/√(2B) = 0.35%.
    expect(Math.abs(result.standardError / exact - 1)).toBeLessThan(0.02);
    expect(result.estimate).toBeCloseTo(mean, 15);
    expect(Math.abs(result.bootstrapMean - mean)).toBeLessThan(4 * exact * 0.01 + 1e-3);
  });

  it("paper variant: SE equals √((between + within)/R), and matches literal trial resampling", () => {
    // Raters resampled, then each drawn rater's n trials with replacement: the law of total
    // variance gives Var = (1/R)·[(1/R)Σ(p_r − p̄)² + (1/R)Σ p_r(1 − p_r)/n].
    const result = bootstrapFoolRate(ratersOnly(fooled, trials), { seed: 12, variant: "paper", resamples: 40_000 });
    const exact = Math.sqrt((between + within) / R);
    expect(Math.abs(result.standardError / exact - 1)).toBeLessThan(0.02);

    // Literal implementation of the paper's procedure on trial lists (independent of the alias tables).
    const rng = new SeededRandom(777);
    const literal = new Float64Array(20_000);
    for (let b = 0; b < literal.length; b++) {
      let k = 0;
      for (let a = 0; a < R; a++) {
        const r = rng.nextBelow(R);
        for (let t = 0; t < trials; t++) if (rng.nextBelow(trials) < (fooled[r] as number)) k++;
      }
      literal[b] = k / (R * trials);
    }
    const m = literal.reduce((a, b) => a + b, 0) / literal.length;
    const sd = Math.sqrt(literal.reduce((a, x) => a + (x - m) ** 2, 0) / (literal.length - 1));
    expect(Math.abs(result.standardError / sd - 1)).toBeLessThan(0.03);
  });

  it("two-way, fully crossed: SE equals the exact multinomial variance tr(AYBYᵀ) − (1ᵀY1)²", () => {
    // R raters × I images, one trial per cell, outcome Y. With w ~ Mult(R, 1/R) and v ~ Mult(I, 1/I),
    // Σ w_r v_i = R·I is constant, so θ* = wᵀYv/(RI) and Var(wᵀYv) = Σ E[w_r w_s]E[v_i v_j] Y_ri Y_sj
    // − (1ᵀY1)², with E[w_r w_s] = 1 + δ_rs − 1/R and E[v_i v_j] = 1 + δ_ij − 1/I (multinomial moments).
    const Rn = 8;
    const In = 6;
    const rng = new SeededRandom(5);
    const Y: number[][] = Array.from({ length: Rn }, (_, r) =>
      Array.from({ length: In }, (_, i) => (rng.nextFloat() < 0.15 + 0.07 * r + 0.05 * i ? 1 : 0)),
    );
    const cells = { rater: [] as number[], image: [] as number[], fooled: [] as number[] };
    Y.forEach((row, r) =>
      row.forEach((y, i) => {
        cells.rater.push(r);
        cells.image.push(i);
        cells.fooled.push(y);
      }),
    );
    const counts = countCells({
      rater: Int32Array.from(cells.rater),
      image: Int32Array.from(cells.image),
      trials: new Int32Array(Rn * In).fill(1),
      fooled: Int32Array.from(cells.fooled),
    });
    let second = 0;
    let total = 0;
    for (let r = 0; r < Rn; r++)
      for (let i = 0; i < In; i++) {
        total += Y[r]![i]!;
        for (let s = 0; s < Rn; s++)
          for (let j = 0; j < In; j++) {
            const a = 1 + (r === s ? 1 : 0) - 1 / Rn;
            const b = 1 + (i === j ? 1 : 0) - 1 / In;
            second += a * b * Y[r]![i]! * Y[s]![j]!;
          }
      }
    const exact = Math.sqrt(second - total * total) / (Rn * In);
    const result = bootstrapFoolRate(counts, { seed: 21, variant: "two-way", resamples: 40_000 });
    expect(Math.abs(result.standardError / exact - 1)).toBeLessThan(0.02);
  });

  it("two-way with a single image reduces exactly to the raters variant", () => {
    // v is always (1): every replicate must equal the raters replicate drawn from the same stream.
    const counts = ratersOnly(fooled, trials);
    const twoWay = bootstrapFoolRate(counts, { seed: 9, variant: "two-way", resamples: 1000 });
    const raters = bootstrapFoolRate(counts, { seed: 9, variant: "raters", resamples: 1000 });
    expect(twoWay.replicates).toEqual(raters.replicates);
  });
});

/**
 * Two-way replicates computed the slow, obvious way: per replicate, unpacked multiplicities and a
 * loop over cells. Reads the same streams as the library (seed, 1, chunk) for images and
 * (seed, 2, method, chunk) for raters, chunks of 250 — a contract documented in cluster-bootstrap.ts.
 */
function naiveTwoWay(methods: readonly TrialCounts[], seed: number, resamples: number, joint = false): Float64Array[] {
  const raterPool = [...new Set(methods.flatMap((m) => Array.from(m.raterIds)))].sort((a, b) => a - b);
  const pool = [...new Set(methods.flatMap((m) => Array.from(m.cellImage)))].sort((a, b) => a - b);
  const index = new Map(pool.map((image, i) => [image, i]));
  const I = pool.length;
  const out = methods.map(() => new Float64Array(resamples));
  for (let c = 0; c * 250 < resamples; c++) {
    const length = Math.min(250, resamples - c * 250);
    const imageRng = new SeededRandom(seed, 1, c);
    const v: Float64Array[] = [];
    for (let j = 0; j < length; j++) {
      const draws = new Int32Array(I);
      imageRng.fillBelow(I, draws);
      const counts = new Float64Array(I);
      for (const d of draws) counts[d]! += 1;
      v.push(counts);
    }
    // Joint raters: one draw over the pool of all raters per replicate, from stream (seed, 4, c).
    const jointRng = new SeededRandom(seed, 4, c);
    const poolCounts: Float64Array[] = [];
    for (let j = 0; joint && j < length; j++) {
      const draws = new Int32Array(raterPool.length);
      jointRng.fillBelow(raterPool.length, draws);
      const counts = new Float64Array(raterPool.length);
      for (const d of draws) counts[d]! += 1;
      poolCounts.push(counts);
    }
    methods.forEach((m, mi) => {
      const rng = new SeededRandom(seed, 2, mi, c);
      for (let j = 0; j < length; j++) {
        const w = new Float64Array(m.raters);
        if (joint) {
          for (let r = 0; r < m.raters; r++) w[r] = poolCounts[j]![raterPool.indexOf(m.raterIds[r]!)]!;
        } else {
          const draws = new Int32Array(m.raters);
          rng.fillBelow(m.raters, draws);
          for (const d of draws) w[d]! += 1;
        }
        let num = 0;
        let den = 0;
        for (let r = 0; r < m.raters; r++) {
          for (let cell = m.cellStart[r]!; cell < m.cellStart[r + 1]!; cell++) {
            const weight = w[r]! * v[j]![index.get(m.cellImage[cell]!)!]!;
            num += weight * m.cellFooled[cell]!;
            den += weight * m.cellTrials[cell]!;
          }
        }
        out[mi]![c * 250 + j] = num / den;
      }
    });
  }
  return out;
}

describe("two-way kernel: lane packing is exact", () => {
  const a = randomStudy(1, 120, 60, 15);
  const b = randomStudy(2, 90, 70, 20, 3, 1000); // repeated cells: counts up to 3; other raters
  const resamples = 600;

  it("matches a naive per-replicate computation exactly, with unit and repeated cells", () => {
    const set = bootstrapFoolRates([a, b], { seed: 4, variant: "two-way", resamples });
    expect(set.jointRaters).toBe(false);
    const naive = naiveTwoWay([a, b], 4, resamples);
    expect(set.replicates[0]).toEqual(naive[0]);
    expect(set.replicates[1]).toEqual(naive[1]);
  });

  it("resamples raters jointly when they saw both methods (within-subjects), exactly as specified", () => {
    // Raters 0–89 saw method c; raters 30–149 saw method a: 60 raters are shared.
    const c = randomStudy(5, 90, 70, 20, 2);
    const shifted = randomStudy(6, 120, 60, 15, 1, 30);
    const set = bootstrapFoolRates([shifted, c], { seed: 9, variant: "two-way", resamples });
    expect(set.jointRaters).toBe(true);
    const naive = naiveTwoWay([shifted, c], 9, resamples, true);
    expect(set.replicates[0]).toEqual(naive[0]);
    expect(set.replicates[1]).toEqual(naive[1]);
  });

  it("recovers from lane overflow: a plan with too-narrow lanes gives the same replicates", () => {
    const plan = planBootstrap([a, b], { seed: 4, variant: "two-way", resamples });
    // Force 3-bit verified lanes: column values up to ~30 overflow them, so the replay path runs.
    const narrow: BootstrapPlan = {
      ...plan,
      methods: plan.methods.map((m) => ({ ...m, laneBits: 3, lanes: 8, verifyLanes: true })),
    };
    const chunks = Array.from({ length: plan.chunks }, (_, c) => runBootstrapChunk(narrow, c));
    const set = summarizeBootstrap(narrow, chunks);
    const naive = naiveTwoWay([a, b], 4, resamples);
    expect(set.replicates[0]).toEqual(naive[0]);
    expect(set.replicates[1]).toEqual(naive[1]);
  });

  it("recovers when a packed sum passes 2^53: too many lanes give the same replicates", () => {
    // 8 lanes of 10 bits need 80 bits: packed sums pass 2^53 and are rounded. The group checks (the
    // lower lanes' trial sums; every sum below 2^53) must send those groups to the exact path.
    for (const [methods, seed, joint] of [
      [[a, b], 4, false],
      [[randomStudy(6, 120, 60, 15, 1, 30), randomStudy(5, 90, 70, 20, 2)], 9, true],
    ] as const) {
      const plan = planBootstrap(methods, { seed, variant: "two-way", resamples });
      const wide: BootstrapPlan = { ...plan, methods: plan.methods.map((m) => ({ ...m, laneBits: 10, lanes: 8, verifyLanes: true })) };
      const set = summarizeBootstrap(wide, Array.from({ length: plan.chunks }, (_, c) => runBootstrapChunk(wide, c)));
      const naive = naiveTwoWay(methods, seed, resamples, joint);
      expect(set.replicates[0]).toEqual(naive[0]);
      expect(set.replicates[1]).toEqual(naive[1]);
    }
  });

  it("splits raters into blocks when that packs more lanes, with the same replicates", () => {
    // 2,000 raters × 20 trials over 20 images: an image's slot totals need 11 bits (4 lanes); two
    // blocks of raters halve them, 10 bits, 5 lanes.
    const many = randomStudy(7, 2000, 20, 20);
    const few = randomStudy(8, 40, 20, 10, 1, 5000);
    const plan = planBootstrap([many, few], { seed: 3, variant: "two-way", resamples: 500 });
    expect(plan.methods[0]!.raterBlocks).toBeGreaterThan(1);
    expect(plan.methods[0]!.verifyLanes).toBe(true);
    const set = summarizeBootstrap(plan, Array.from({ length: plan.chunks }, (_, c) => runBootstrapChunk(plan, c)));
    const naive = naiveTwoWay([many, few], 3, 500);
    expect(set.replicates[0]).toEqual(naive[0]);
    expect(set.replicates[1]).toEqual(naive[1]);
  });

  it("redraws replicates in which a method has no resampled trial", () => {
    // Method A only saw image 0, method B only image 1: half of the image draws leave one of them
    // empty; those replicates are redrawn, so every replicate is defined (here v = (1, 1)).
    const onlyA = countCells({ rater: Int32Array.of(0), image: Int32Array.of(0), trials: Int32Array.of(10), fooled: Int32Array.of(3) });
    const onlyB = countCells({ rater: Int32Array.of(0), image: Int32Array.of(1), trials: Int32Array.of(10), fooled: Int32Array.of(6) });
    const set = bootstrapFoolRates([onlyA, onlyB], { seed: 2, variant: "two-way", resamples: 300 });
    expect(set.replicates[0]!.every((x) => x === 0.3)).toBe(true);
    expect(set.replicates[1]!.every((x) => x === 0.6)).toBe(true);
  });
});

describe("reproducibility", () => {
  const study = randomStudy(3, 50, 40, 12);

  it("gives identical results for a seed and different ones for another seed", () => {
    for (const variant of ["raters", "two-way", "paper"] as const) {
      const first = bootstrapFoolRate(study, { seed: 123, variant, resamples: 700 });
      const again = bootstrapFoolRate(study, { seed: 123n, variant, resamples: 700 });
      const other = bootstrapFoolRate(study, { seed: 124, variant, resamples: 700 });
      expect(again.replicates).toEqual(first.replicates);
      expect(other.replicates).not.toEqual(first.replicates);
    }
  });

  it("does not depend on the order or grouping in which chunks are computed", () => {
    const plan = planBootstrap([study, randomStudy(4, 30, 40, 10)], { seed: 8, variant: "two-way", resamples: 1_100 });
    expect(plan.chunks).toBe(5);
    const inOrder = Array.from({ length: plan.chunks }, (_, c) => runBootstrapChunk(plan, c));
    const reversed: Float64Array[] = [];
    for (let c = plan.chunks - 1; c >= 0; c--) reversed[c] = runBootstrapChunk(structuredClone(plan), c);
    expect(summarizeBootstrap(plan, reversed)).toEqual(summarizeBootstrap(plan, inOrder));
    expect(summarizeBootstrap(plan, inOrder)).toEqual(
      bootstrapFoolRates([study, randomStudy(4, 30, 40, 10)], { seed: 8, variant: "two-way", resamples: 1_100 }),
    );
    expect(() => summarizeBootstrap(plan, inOrder.slice(1))).toThrow(StatsError);
    expect(() => runBootstrapChunk(plan, plan.chunks)).toThrow(StatsError);
  });

  it("narrows the interval at a lower level and records level and seed", () => {
    const wide = bootstrapFoolRates([study], { seed: 5, level: 0.95, resamples: 2000 });
    const narrow = bootstrapFoolRates([study], { seed: 5, level: 0.8, resamples: 2000 });
    expect(narrow.methods[0]!.upper - narrow.methods[0]!.lower).toBeLessThan(wide.methods[0]!.upper - wide.methods[0]!.lower);
    expect(wide.seed).toBe("5");
    expect(wide.methods[0]!.counts).toEqual({ raters: 50, images: study.images, trials: study.trials, fooled: study.fooled });
  });
});
