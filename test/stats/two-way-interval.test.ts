import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  clopperPearsonInterval,
  compareFoolRatesTwoWay,
  countCells,
  regularizedIncompleteBeta,
  StatsError,
  studentTCdf,
  studentTQuantile,
  twoWayFoolRateInterval,
  twoWayVarianceComponents,
  wilsonInterval,
} from "@/lib/stats";

describe("twoWayVarianceComponents", () => {
  it("computes the Cameron–Gelbach–Miller components by hand on a 2 × 3 example", () => {
    // Raters 0, 1 × images 0, 1, 2, one trial per cell; fooled: rater 0 on images 0 and 1, rater 1 on 0.
    // θ = 3/6 = 0.5, N = 6. Rater residuals k − θn: 2 − 1.5 = 0.5, 1 − 1.5 = −0.5 → Σ² = 0.5,
    // V_R = (2/1)·0.5/36. Image residuals: 2 − 1 = 1, 1 − 1 = 0, 0 − 1 = −1 → Σ² = 2, V_I = (3/2)·2/36.
    // Cell residuals ±0.5 → Σ² = 6·0.25 = 1.5, V_RI = (6/5)·1.5/36.
    const counts = countCells({
      rater: Int32Array.of(0, 0, 0, 1, 1, 1),
      image: Int32Array.of(0, 1, 2, 0, 1, 2),
      trials: Int32Array.of(1, 1, 1, 1, 1, 1),
      fooled: Int32Array.of(1, 1, 0, 1, 0, 0),
    });
    const v = twoWayVarianceComponents(counts);
    expect(v.raters).toBeCloseTo(1 / 36, 15);
    expect(v.images).toBeCloseTo(3 / 36, 15);
    expect(v.cells).toBeCloseTo(1.8 / 36, 15);
    expect(v.combined).toBeCloseTo(3 / 36, 15); // 1 + 3 − 1.8 = 2.2 < max(1, 3): floored at V_I
    expect([v.raterClusters, v.imageClusters]).toEqual([2, 3]);
    expect(v.degreesOfFreedom).toBe(1); // min(2, 3) − 1
  });
});

describe("Student t", () => {
  it("matches R 4.2's qt and pt (print(qt(0.975, 39), digits = 17); mpmath agrees)", () => {
    // scipy 1.10.1's t.ppf differs from these in the 9th digit (2.022690911734728 for ν = 39);
    // R, mpmath (findroot on betainc at 30 digits) and this function agree.
    expect(studentTQuantile(0.975, 9)).toBeCloseTo(2.2621571627982049, 13);
    expect(studentTQuantile(0.975, 39)).toBeCloseTo(2.0226909200367604, 13);
    expect(studentTQuantile(0.995, 3.5)).toBeCloseTo(5.0857022230912561, 12);
    expect(studentTQuantile(0.025, 9)).toBeCloseTo(-2.2621571627982049, 13);
    expect(studentTCdf(-2.5, 7)).toBeCloseTo(0.020496109292876437, 14);
    expect(studentTCdf(studentTQuantile(0.9, 12), 12)).toBeCloseTo(0.9, 13);
    expect(() => studentTQuantile(1, 3)).toThrow(StatsError);
  });
});

describe("Clopper–Pearson converges where the incomplete beta's accuracy ends", () => {
  it("computes the cases that failed (10/1000, 999/1000, 1333/1600) as scipy.stats.beta.ppf does", () => {
    const cases = [
      [10, 1000, 0.004805510691049308, 0.01831324305511245],
      [999, 1000, 0.9944410757201734, 0.9999746825125088],
      [1333, 1600, 0.8139353690828219, 0.8510834445981348],
    ] as const;
    for (const [k, n, lower, upper] of cases) {
      const interval = clopperPearsonInterval(k, n);
      expect(interval.lower).toBeCloseTo(lower, 12);
      expect(interval.upper).toBeCloseTo(upper, 12);
    }
  });

  it("never throws over a sweep of counts, and every bound solves its equation to the incomplete beta's accuracy", () => {
    const sizes = [...Array.from({ length: 60 }, (_, i) => i + 1), 99, 250, 999, 1000, 1600, 2000];
    let checked = 0;
    for (const n of sizes) {
      for (let k = 0; k <= n; k++) {
        const { lower, upper } = clopperPearsonInterval(k, n);
        if (k > 0) expect(Math.abs(regularizedIncompleteBeta(lower, k, n - k + 1) - 0.025)).toBeLessThan(1e-11);
        if (k < n) expect(Math.abs(regularizedIncompleteBeta(upper, k + 1, n - k) - 0.975)).toBeLessThan(1e-11);
        checked++;
      }
    }
    expect(checked).toBe(sizes.reduce((sum, n) => sum + n + 1, 0));
  });
});

describe("twoWayFoolRateInterval", () => {
  const study = (fooledOf: (r: number, i: number) => number) => {
    const rater: number[] = [];
    const image: number[] = [];
    const fooled: number[] = [];
    for (let r = 0; r < 12; r++) {
      for (let t = 0; t < 20; t++) {
        const i = (r * 7 + t) % 30;
        rater.push(r);
        image.push(i);
        fooled.push(fooledOf(r, i));
      }
    }
    return countCells({ rater: Int32Array.from(rater), image: Int32Array.from(image), trials: new Int32Array(rater.length).fill(1), fooled: Int32Array.from(fooled) });
  };

  it("is never narrower than the pooled counts' Wilson interval, and not zero-width at 0 or 100%", () => {
    // SE is 0 at 0% and 100%: the Wilson interval of the pooled counts with t for z (wider).
    const none = twoWayFoolRateInterval(study(() => 0));
    expect(none.lower).toBe(0);
    expect(none.upper).toBeGreaterThan(wilsonInterval(0, 240).upper);
    const all = twoWayFoolRateInterval(study(() => 1));
    expect(all.upper).toBe(1);
    expect(all.lower).toBeLessThan(wilsonInterval(240, 240).lower);
    // Raters who disagree strongly widen it beyond Wilson; it stays inside [0, 1].
    const split = twoWayFoolRateInterval(study((r) => (r < 6 ? 1 : 0)));
    const wilson = wilsonInterval(120, 240);
    expect(split.lower).toBeLessThan(wilson.lower);
    expect(split.upper).toBeGreaterThan(wilson.upper);
  });

  it("refuses fewer than 10 raters or 10 images", () => {
    const few = countCells({ rater: Int32Array.of(0, 1), image: Int32Array.of(0, 1), trials: Int32Array.of(5, 5), fooled: Int32Array.of(1, 2) });
    expect(() => twoWayFoolRateInterval(few)).toThrow(/2 raters \(at least 10 needed\) and 2 images/);
    expect(() => compareFoolRatesTwoWay([few, few])).toThrow(StatsError);
  });
});

describe("references", () => {
  it("cites Owen (2007) as Ann. Appl. Stat. 1(2):386–411", () => {
    const sources = ["lib/stats/cluster-bootstrap.ts", "docs/statistics.md"].map((path) => readFileSync(path, "utf8"));
    for (const text of sources) {
      expect(text).toContain("1(2):386–411");
      expect(text).not.toContain("246–265");
    }
  });
});
