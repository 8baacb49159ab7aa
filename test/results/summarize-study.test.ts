import { describe, expect, it } from "vitest";
import type { MethodAggregate } from "@/lib/results/study-aggregates";
import { summarizeStudy, type MethodInfo } from "@/lib/results/summarize-study";
import { SeededRandom, wilsonInterval } from "@/lib/stats";
import { protocolSchema } from "@/lib/contract/protocol";
import { hashProtocol } from "@/lib/study/protocol-hash";

// summarizeStudy is pure: these tests hand it aggregates as the SQL would return them.

interface PlannedMethod {
  name: string;
  raters: number;
  images: number;
  trialsPerRater: number;
  /** Probability a trial fools the rater. */
  rate: number;
  /** Shared rater numbers across methods (within design) or distinct (between). */
  firstRater: number;
  /** Probability of answering "left" when unsure: 0.5 = no side bias. */
  leftLean?: number;
}

function aggregate(rng: SeededRandom, id: string, plan: PlannedMethod): MethodAggregate {
  const rater: number[] = [];
  const image: number[] = [];
  const trials: number[] = [];
  const fooled: number[] = [];
  const sides = { realLeftTrials: 0, realLeftCorrect: 0, realRightTrials: 0, realRightCorrect: 0 };
  for (let r = 0; r < plan.raters; r++) {
    for (let t = 0; t < plan.trialsPerRater; t++) {
      const realLeft = rng.nextFloat() < 0.5;
      // A guess (probability 2·rate) goes left with leftLean; otherwise the rater sees the fake.
      const guessing = rng.nextFloat() < 2 * plan.rate;
      const answersLeft = guessing ? rng.nextFloat() < (plan.leftLean ?? 0.5) : realLeft;
      const correct = answersLeft === realLeft;
      rater.push(plan.firstRater + r);
      image.push((r * plan.trialsPerRater + t) % plan.images);
      trials.push(1);
      fooled.push(correct ? 0 : 1);
      if (realLeft) {
        sides.realLeftTrials++;
        if (correct) sides.realLeftCorrect++;
      } else {
        sides.realRightTrials++;
        if (correct) sides.realRightCorrect++;
      }
    }
  }
  return {
    methodId: id,
    cells: { rater: Int32Array.from(rater), image: Int32Array.from(image), trials: Int32Array.from(trials), fooled: Int32Array.from(fooled) },
    images: [],
    sides,
    leftOut: [],
  };
}

async function summarize(plans: readonly PlannedMethod[], design: "between" | "within" = "between") {
  const rng = new SeededRandom(77);
  const protocol = protocolSchema.parse({ design });
  const methods: MethodInfo[] = plans.map((plan, index) => ({ id: `m${index}`, name: plan.name, kind: "model", tested: true, baseline: null, metrics: null }));
  return summarizeStudy({
    study: { id: "study-1", name: "Synthetic", status: "closed", protocol, protocolHash: hashProtocol(protocol) },
    methods,
    sessions: [],
    decisions: new Map(),
    exclusionCounts: { sessions: 0, kept: 0, excluded: 0, byReason: { vigilance: 0, timing: 0, pace: 0, "no-trials": 0 } },
    aggregates: plans.map((plan, index) => aggregate(rng, `m${index}`, plan)),
    gallery: { stimuli: new Map(), candidates: new Map() },
    now: "2026-01-01T00:00:00.000Z",
  });
}

describe("summarizeStudy: intervals that never collapse", () => {
  it("at 0% and 100% fooled reports an interval at least as wide as the pooled counts' Wilson, and a finite d′", async () => {
    const results = await summarize([
      { name: "Perfect", raters: 12, images: 30, trialsPerRater: 20, rate: 0, firstRater: 0 },
      { name: "Always", raters: 12, images: 30, trialsPerRater: 20, rate: 0.5, firstRater: 100, leftLean: 1 },
    ]);
    const perfect = results.methods[0]!;
    expect(perfect.foolRate).toBe(0);
    const wilson = wilsonInterval(0, 240);
    expect(perfect.interval!.lower).toBe(0);
    expect(perfect.interval!.upper).toBeGreaterThanOrEqual(wilson.upper);
    expect(perfect.interval!.upper - perfect.interval!.lower).toBeGreaterThan(0.01);
    expect(Number.isFinite(perfect.dPrime!.estimate)).toBe(true);
    expect(Number.isFinite(perfect.dPrime!.upper!)).toBe(true);
    // Every number of the results is finite (no ±Infinity, no NaN).
    const numbers: number[] = [];
    JSON.stringify(results, (_key, value: unknown) => {
      if (typeof value === "number") numbers.push(value);
      return value;
    });
    expect(numbers.every(Number.isFinite)).toBe(true);
    // Comparisons never collapse either.
    for (const comparison of results.comparisons) expect(comparison.upper - comparison.lower).toBeGreaterThan(0);
  });

  it("contains the pooled counts' Wilson interval for every method", async () => {
    const results = await summarize([
      { name: "A", raters: 15, images: 40, trialsPerRater: 30, rate: 0.05, firstRater: 0 },
      { name: "B", raters: 15, images: 40, trialsPerRater: 30, rate: 0.3, firstRater: 100 },
    ]);
    for (const method of results.methods) {
      const wilson = wilsonInterval(method.used.fooled, method.used.trials);
      expect(method.interval!.lower).toBeLessThanOrEqual(wilson.lower + 1e-12);
      expect(method.interval!.upper).toBeGreaterThanOrEqual(wilson.upper - 1e-12);
    }
  });
});

describe("summarizeStudy: pairwise comparisons are one family", () => {
  it("an interval excludes 0 exactly when its adjusted p-value is below 0.05, over many pairs", async () => {
    let agreements = 0;
    let significant = 0;
    for (let study = 0; study < 6; study++) {
      const rates = [0.2, 0.24, 0.28, 0.32, 0.36].map((rate) => rate + 0.01 * study);
      const results = await summarize(rates.map((rate, i) => ({ name: `M${i}`, raters: 12, images: 40, trialsPerRater: 40, rate, firstRater: 100 * i })));
      expect(results.analysis.correction).toBe("bonferroni");
      for (const c of results.comparisons) {
        const excludesZero = c.lower > 0 || c.upper < 0;
        expect(excludesZero).toBe(c.adjustedPValue < 0.05);
        expect(c.adjustedPValue).toBeCloseTo(Math.min(1, results.comparisons.length * c.pValue), 14);
        agreements++;
        if (excludesZero) significant++;
      }
    }
    expect(agreements).toBe(60);
    // Both outcomes occur, so the equivalence was tested on each side.
    expect(significant).toBeGreaterThan(0);
    expect(significant).toBeLessThan(60);
  });
});

describe("summarizeStudy: a minimum of raters and images per method", () => {
  it("refuses intervals and tests for methods with one trial each on separate images, and says so", async () => {
    const plans = Array.from({ length: 12 }, (_, i) => ({ name: `One${i}`, raters: 1, images: 1, trialsPerRater: 1, rate: i === 0 ? 0 : 0.5, firstRater: i }));
    const results = await summarize(plans);
    expect(results.comparisons).toHaveLength(0);
    for (const method of results.methods) {
      expect(method.interval).toBeNull();
      expect(method.bootstrap).toBeNull();
      expect(method.wilson).toBeNull();
      expect(method.withheld).toBe("1 rater (at least 10 needed) and 1 image (at least 10 needed)");
    }
    expect(results.notes.filter((note) => note.includes("no interval or test"))).toHaveLength(12);
    expect(results.analysis.interval).toMatchObject({ minimumRaters: 10, minimumImages: 10 });
  });

  it("compares only the methods that reach the minimum", async () => {
    const results = await summarize([
      { name: "Big A", raters: 12, images: 20, trialsPerRater: 20, rate: 0.3, firstRater: 0 },
      { name: "Small", raters: 9, images: 20, trialsPerRater: 20, rate: 0.3, firstRater: 100 },
      { name: "Big B", raters: 10, images: 10, trialsPerRater: 10, rate: 0.2, firstRater: 200 },
    ]);
    expect(results.comparisons.map((c) => `${c.nameA}-${c.nameB}`)).toEqual(["Big A-Big B"]);
    expect(results.methods[1]!.withheld).toBe("9 raters (at least 10 needed)");
  });
});

describe("summarizeStudy: d′ with the side bias", () => {
  it("reports the bias and a bias-free d′ above the unbiased formula's when raters lean left", async () => {
    const results = await summarize([{ name: "Lean", raters: 20, images: 40, trialsPerRater: 40, rate: 0.3, firstRater: 0, leftLean: 0.95 }]);
    const method = results.methods[0]!;
    expect(method.sideBias!.criterion).toBeLessThan(-0.2);
    expect(method.sideBias!.leftShare).toBeGreaterThan(0.6);
    expect(method.sideBias!.dPrime).toBeGreaterThan(method.dPrime!.estimate);
  });
});
