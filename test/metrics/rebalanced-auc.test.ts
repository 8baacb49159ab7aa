import { describe, expect, it } from "vitest";
import { createAbClassifier } from "@/lib/metrics/ab-classes";
import { AbErrorByClass } from "@/lib/metrics/rebalanced-auc";
import { abBinList, abBinIndex, NUM_AB_BINS } from "@/lib/model/ab-bins";

const bins = abBinList();
const classify = createAbClassifier(bins);
const lab = (...pixels: Array<[number, number, number]>) => Float32Array.from(pixels.flat());

describe("createAbClassifier (nearest of the 313 bins)", () => {
  it("finds the hand-checked nearest bins, inside and outside the gamut hull", () => {
    expect(bins[classify(31, 39)]).toEqual([30, 40]);
    expect(bins[classify(-4.9, 5.1)]).toEqual([0, 10]);
    // (0, 150): column a = 0 ends at b = 100, so (0, 100) at distance 50 is nearest.
    expect(bins[classify(0, 150)]).toEqual([0, 100]);
    // (100, 50) is a lattice point but not a bin (column a = 100 keeps b = −90..0); column a = 90 keeps
    // b = −110..70, so (90, 50) at distance 10 is nearest (the next, (100, 0) and (90, 40), are at 50 and 14.1).
    expect(bins[classify(100, 50)]).toEqual([90, 50]);
  });

  it("agrees with an exhaustive search on 20,000 pseudo-random ab values", () => {
    let seed = 12345;
    const next = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 260 - 130;
    const disagreements: string[] = [];
    for (let n = 0; n < 20_000; n++) {
      const a = next();
      const b = next();
      let bestD = Infinity;
      for (const [ca, cb] of bins) bestD = Math.min(bestD, (a - ca) ** 2 + (b - cb) ** 2);
      const [ga, gb] = bins[classify(a, b)]!;
      if (Math.abs((a - ga) ** 2 + (b - gb) ** 2 - bestD) > 1e-9) disagreements.push(`(${a}, ${b})`);
    }
    expect(disagreements).toEqual([]);
  });
});

describe("AbErrorByClass", () => {
  // Constructed case: 3 pixels of class (0, 0) predicted exactly (error 0), and 1 pixel of class
  // (30, 40) predicted as (0, 0) (error 50).
  const real = lab([50, 0, 0], [50, 0, 0], [50, 0, 0], [50, 30, 40]);
  const fake = lab([50, 0, 0], [50, 0, 0], [50, 0, 0], [50, 0, 0]);
  const accumulate = () => {
    const acc = new AbErrorByClass(NUM_AB_BINS, classify);
    acc.add(real, fake);
    return acc;
  };

  it("raw AuC, by hand: CMF 3/4 below 50, 1 from 50", () => {
    // (0.75 + 1)/2 + 49·0.75 + 100·1 = 0.875 + 36.75 + 100 = 137.625 → 100·137.625/150 = 91.75
    expect(accumulate().auc()).toBeCloseTo(91.75, 10);
  });

  it("rebalanced AuC with the pooled ground-truth distribution, by hand", () => {
    // p(0,0) = 3/4, p(30,40) = 1/4 → weights 4/3 and 4; weighted mass 3·4/3 = 4 within at every t,
    // 4 more from t = 50: CMF_w = 1/2 below 50, 1 from 50 (the mean of the two classes' CMFs).
    // (0.5 + 1)/2 + 49·0.5 + 100 = 0.75 + 24.5 + 100 = 125.25 → 100·125.25/150 = 83.5
    expect(accumulate().rebalancedAuc()).toBeCloseTo(83.5, 10);
  });

  it("rebalanced AuC with a given prior, by hand", () => {
    // p(0,0) = 0.9, p(30,40) = 0.1 → weights 10/9 and 10: mass 3·10/9 = 10/3 within always, 10 from
    // t = 50: CMF_w = (10/3)/(40/3) = 1/4 below 50, 1 from 50.
    // (0.25 + 1)/2 + 49·0.25 + 100 = 0.625 + 12.25 + 100 = 112.875 → 75.25
    const prior = new Float64Array(NUM_AB_BINS);
    prior[abBinIndex(0, 0)] = 0.9;
    prior[abBinIndex(30, 40)] = 0.1;
    expect(accumulate().rebalancedAuc(prior)).toBeCloseTo(75.25, 10);
    // Equal probabilities give every pixel the same weight: the raw AuC.
    prior[abBinIndex(0, 0)] = 0.5;
    prior[abBinIndex(30, 40)] = 0.5;
    expect(accumulate().rebalancedAuc(prior)).toBeCloseTo(91.75, 10);
  });

  it("throws for a present class with prior 0, a wrong prior length, and no pixels", () => {
    const prior = new Float64Array(NUM_AB_BINS);
    prior[abBinIndex(0, 0)] = 1;
    expect(() => accumulate().rebalancedAuc(prior)).toThrow(/prior probability 0/);
    expect(() => accumulate().rebalancedAuc(new Float64Array(3))).toThrow(RangeError);
    expect(() => new AbErrorByClass(NUM_AB_BINS, classify).auc()).toThrow(RangeError);
  });

  it("is 100 for the ground truth, raw and rebalanced", () => {
    const acc = new AbErrorByClass(NUM_AB_BINS, classify);
    const many = lab([50, 0, 0], [60, 30, 40], [70, -50, 10], [20, 99, -100]);
    acc.add(many, many);
    expect(acc.auc()).toBe(100);
    expect(acc.rebalancedAuc()).toBe(100);
    expect(acc.pixelCount).toBe(4);
  });
});
