import { describe, expect, it } from "vitest";
import { deriveSeed, SeededRandom, SplitMix64, StatsError } from "@/lib/stats";

describe("SplitMix64", () => {
  it("matches the reference outputs for seed 1234567", () => {
    // Rosetta Code, "Pseudo-random numbers/Splitmix64" (from Vigna's splitmix64.c).
    const rng = new SplitMix64(1234567);
    expect([rng.next(), rng.next(), rng.next(), rng.next(), rng.next()]).toEqual([
      6457827717110365317n,
      3203168211198807973n,
      9817491932198370423n,
      4593380528125082431n,
      16408922859458223821n,
    ]);
  });
});

describe("SeededRandom (xoshiro128**)", () => {
  it("matches the reference C implementation for state {1, 2, 3, 4}", () => {
    // Blackman & Vigna, xoshiro128starstar.c (version 1.1), first ten outputs for s = {1, 2, 3, 4}.
    const rng = SeededRandom.fromState(1, 2, 3, 4);
    expect(Array.from({ length: 10 }, () => rng.nextUint32())).toEqual([
      11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849, 3729100597, 4258142804,
    ]);
  });

  it("is reproducible from a seed, and seeds and stream keys separate streams", () => {
    const draw = (rng: SeededRandom) => Array.from({ length: 8 }, () => rng.nextUint32());
    expect(draw(new SeededRandom(42))).toEqual(draw(new SeededRandom(42n)));
    expect(draw(new SeededRandom(42))).not.toEqual(draw(new SeededRandom(43)));
    expect(draw(new SeededRandom(42, 1, 0))).toEqual(draw(new SeededRandom(42, 1, 0)));
    expect(draw(new SeededRandom(42, 1, 0))).not.toEqual(draw(new SeededRandom(42, 1, 1)));
    expect(draw(new SeededRandom(42, 1, 0))).not.toEqual(draw(new SeededRandom(42, 0, 1)));
    expect(deriveSeed(7, 3)).toBe(deriveSeed(7n, 3));
    expect(() => new SeededRandom(-1)).toThrow(StatsError);
    expect(() => new SeededRandom(1.5)).toThrow(StatsError);
  });

  it("saves and restores its state", () => {
    const rng = new SeededRandom(5);
    rng.nextUint32();
    const state = rng.saveState();
    const first = [rng.nextUint32(), rng.nextUint32()];
    rng.restoreState(state);
    expect([rng.nextUint32(), rng.nextUint32()]).toEqual(first);
  });

  it("gives uniform floats in [0, 1) and uniform integers below n (chi-square check)", () => {
    const rng = new SeededRandom(2024);
    let sum = 0;
    for (let i = 0; i < 100_000; i++) {
      const u = rng.nextFloat();
      expect(u >= 0 && u < 1).toBe(true);
      sum += u;
    }
    expect(sum / 100_000).toBeCloseTo(0.5, 2);
    // χ² with 6 degrees of freedom; the 0.999 quantile is 22.46 (standard χ² table).
    for (const use of ["nextBelow", "fillBelow", "addDraws"] as const) {
      const n = 7;
      const draws = 70_000;
      const counts = new Float64Array(n);
      const rngUse = new SeededRandom(99, use.length);
      if (use === "nextBelow") for (let i = 0; i < draws; i++) counts[rngUse.nextBelow(n)]! += 1;
      if (use === "fillBelow") {
        const out = new Int32Array(draws);
        rngUse.fillBelow(n, out);
        for (const v of out) counts[v]! += 1;
      }
      if (use === "addDraws") rngUse.addDraws(n, draws, counts, 1);
      let chi2 = 0;
      for (const c of counts) chi2 += (c - draws / n) ** 2 / (draws / n);
      expect(chi2).toBeLessThan(22.46);
    }
  });

  it("fillBelow and addDraws consume the stream identically", () => {
    for (const n of [1, 3, 5000, 65536, 70000]) {
      const a = new SeededRandom(11, n);
      const b = new SeededRandom(11, n);
      const indices = new Int32Array(1000);
      a.fillBelow(n, indices);
      const counts = new Float64Array(n);
      const values = Int32Array.from({ length: n }, (_, i) => i);
      const sum = b.addDraws(n, 1000, counts, 2, values);
      const expected = new Float64Array(n);
      let expectedSum = 0;
      for (const i of indices) {
        expected[i]! += 2;
        expectedSum += i;
      }
      expect(counts).toEqual(expected);
      expect(sum).toBe(expectedSum);
      expect(a.nextUint32()).toBe(b.nextUint32());
    }
  });

  it("rejects bad bounds", () => {
    const rng = new SeededRandom(1);
    expect(() => rng.nextBelow(0)).toThrow(StatsError);
    expect(() => rng.fillBelow(0, new Int32Array(2))).toThrow(StatsError);
    expect(() => rng.addDraws(10, 5, new Float64Array(5), 1)).toThrow(StatsError);
  });
});
