import { describe, expect, it } from "vitest";
import { clopperPearsonInterval, StatsError, wilsonInterval } from "@/lib/stats";

// Newcombe RG (1998), "Two-sided confidence intervals for the single proportion: comparison of
// seven methods", Stat Med 17:857–872, Table I, 95% intervals to 4 decimals: method 3 (Wilson
// score) and method 5 (Clopper–Pearson "exact"). The 15-digit values were computed independently
// with mpmath 1.2.1 (Wilson: closed form at 30 digits; Clopper–Pearson: bisection on
// betainc(…, regularized=True) at 30 digits) and agree with the table to its 4 decimals.
const NEWCOMBE: readonly {
  k: number;
  n: number;
  wilson: readonly [number, number];
  wilsonFine: readonly [number, number];
  exact: readonly [number, number];
  exactFine: readonly [number, number];
}[] = [
  {
    k: 81,
    n: 263,
    wilson: [0.2553, 0.3662],
    wilsonFine: [0.25528851987827423, 0.36620957698280007],
    exact: [0.2527, 0.3676],
    exactFine: [0.25273674558527116, 0.36762192260135136],
  },
  {
    k: 15,
    n: 148,
    wilson: [0.0624, 0.1605],
    wilsonFine: [0.06238639953073628, 0.16048724172330804],
    exact: [0.0578, 0.1617],
    exactFine: [0.057844010083448559, 0.16165049034947901],
  },
  {
    k: 0,
    n: 20,
    wilson: [0, 0.1611],
    wilsonFine: [0, 0.16112515805281939],
    exact: [0, 0.1684],
    exactFine: [0, 0.16843347098308534],
  },
  {
    k: 1,
    n: 29,
    wilson: [0.0061, 0.1718],
    wilsonFine: [0.0061132142927626605, 0.17175521879320288],
    exact: [0.0009, 0.1776],
    exactFine: [0.00087264688357992199, 0.17764429548872293],
  },
];

describe("wilsonInterval", () => {
  it.each(NEWCOMBE)("reproduces Newcombe (1998) Table I for $k/$n", ({ k, n, wilson, wilsonFine }) => {
    const interval = wilsonInterval(k, n);
    expect(interval.estimate).toBe(k / n);
    expect(interval.lower).toBeCloseTo(wilson[0], 4);
    expect(interval.upper).toBeCloseTo(wilson[1], 4);
    expect(interval.lower).toBeCloseTo(wilsonFine[0], 13);
    expect(interval.upper).toBeCloseTo(wilsonFine[1], 13);
  });

  it("supports other levels (90% for 81/263, mpmath closed form)", () => {
    const interval = wilsonInterval(81, 263, 0.9);
    expect(interval.lower).toBeCloseTo(0.26331361718848138, 13);
    expect(interval.upper).toBeCloseTo(0.35656634960848816, 13);
    expect(interval.level).toBe(0.9);
  });

  it("handles all and none successful exactly, and throws for no trials", () => {
    expect(wilsonInterval(0, 10).lower).toBe(0);
    expect(wilsonInterval(10, 10).upper).toBe(1);
    expect(() => wilsonInterval(0, 0)).toThrow(expect.objectContaining({ code: "no-data" }));
    expect(() => wilsonInterval(11, 10)).toThrow(StatsError);
    expect(() => wilsonInterval(1.5, 10)).toThrow(StatsError);
    expect(() => wilsonInterval(1, 10, 1)).toThrow(StatsError);
  });
});

describe("clopperPearsonInterval", () => {
  it("reproduces the textbook 0/10, 10/10 and 5/10 intervals", () => {
    // 0/10: upper = 1 − 0.025^{1/10} = 0.3085 (closed form); 10/10 is its mirror image;
    // 5/10: [0.1871, 0.8129] (e.g. Agresti & Coull 1998, Am. Statist. 52:119, and R's binom.test).
    const none = clopperPearsonInterval(0, 10);
    expect(none.lower).toBe(0);
    expect(none.upper).toBeCloseTo(1 - Math.pow(0.025, 0.1), 14);
    expect(none.upper).toBeCloseTo(0.3085, 4);
    const all = clopperPearsonInterval(10, 10);
    expect(all.upper).toBe(1);
    expect(all.lower).toBeCloseTo(0.6915, 4);
    const half = clopperPearsonInterval(5, 10);
    expect(half.lower).toBeCloseTo(0.18708602844739853, 13);
    expect(half.upper).toBeCloseTo(0.81291397155260147, 13);
  });

  it.each(NEWCOMBE)("reproduces Newcombe (1998) Table I for $k/$n", ({ k, n, exact, exactFine }) => {
    const interval = clopperPearsonInterval(k, n);
    expect(interval.lower).toBeCloseTo(exact[0], 4);
    expect(interval.upper).toBeCloseTo(exact[1], 4);
    expect(interval.lower).toBeCloseTo(exactFine[0], 12);
    expect(interval.upper).toBeCloseTo(exactFine[1], 12);
  });

  it("is the interval where the binomial tails equal α/2 (independent check by summation)", () => {
    // P(X ≥ k | p) and P(X ≤ k | p) by direct summation of the binomial pmf: independent of the
    // incomplete beta function the implementation uses.
    function logChoose(n: number, j: number): number {
      let s = 0;
      for (let i = 1; i <= j; i++) s += Math.log(n - j + i) - Math.log(i);
      return s;
    }
    function pmf(n: number, j: number, p: number): number {
      return Math.exp(logChoose(n, j) + j * Math.log(p) + (n - j) * Math.log1p(-p));
    }
    for (const [k, n, level] of [
      [29, 40, 0.95],
      [3, 17, 0.99],
      [300, 1000, 0.9],
    ] as const) {
      const { lower, upper } = clopperPearsonInterval(k, n, level);
      let upperTail = 0;
      for (let j = k; j <= n; j++) upperTail += pmf(n, j, lower);
      let lowerTail = 0;
      for (let j = 0; j <= k; j++) lowerTail += pmf(n, j, upper);
      expect(upperTail).toBeCloseTo((1 - level) / 2, 10);
      expect(lowerTail).toBeCloseTo((1 - level) / 2, 10);
    }
    // 99% for 5/10 from mpmath 1.2.1 bisection.
    const wide = clopperPearsonInterval(5, 10, 0.99);
    expect(wide.lower).toBeCloseTo(0.12831055393508325, 12);
    expect(wide.upper).toBeCloseTo(0.87168944606491675, 12);
  });

  it("throws for no trials", () => {
    expect(() => clopperPearsonInterval(0, 0)).toThrow(expect.objectContaining({ code: "no-data" }));
  });
});
