import { describe, expect, it } from "vitest";
import { SeededRandom, StatsError } from "@/lib/stats";
import {
  bootstrapExposureThreshold,
  HYPE_TIME_EXPOSURES_MS,
  nextExposure,
  staircaseThreshold,
  type StaircaseTrial,
} from "@/lib/stats/exposure-staircase";

/** Plays a staircase: answers[i] is trial i's correctness; returns the trials as the rule sets them. */
function play(answers: readonly boolean[]): StaircaseTrial[] {
  const trials: StaircaseTrial[] = [];
  for (const correct of answers) trials.push({ exposureMs: nextExposure(trials), correct });
  return trials;
}

describe("nextExposure (HYPE-time's 3-down/1-up staircase)", () => {
  it("follows a hand-traced run: three correct shorten by 50 ms, one wrong lengthens", () => {
    // 500 C C C → 450; C C W → 500; W → 550; C C C → 500.
    const trials = play([true, true, true, true, true, false, false, true, true, true]);
    expect(trials.map((t) => t.exposureMs)).toEqual([500, 500, 500, 450, 450, 450, 500, 550, 550, 550]);
    expect(nextExposure(trials)).toBe(500);
    expect(HYPE_TIME_EXPOSURES_MS[0]).toBe(100);
    expect(HYPE_TIME_EXPOSURES_MS.at(-1)).toBe(1000);
  });

  it("stops at 100 ms and at 1000 ms", () => {
    expect(nextExposure(play(Array(60).fill(true)))).toBe(100);
    expect(nextExposure(play(Array(30).fill(false)))).toBe(1000);
  });

  it("replays only histories the rule could have produced, under any valid rule", () => {
    expect(() => nextExposure([{ exposureMs: 450, correct: true }])).toThrow(StatsError);
    const rule = { exposuresMs: [200, 400, 800], startIndex: 2, correctToShorten: 2, wrongToLengthen: 1 };
    expect(nextExposure([{ exposureMs: 800, correct: true }, { exposureMs: 800, correct: true }], rule)).toBe(400);
    expect(() => nextExposure([], { ...rule, exposuresMs: [400, 200] })).toThrow(StatsError);
    expect(() => nextExposure([], { ...rule, startIndex: 3 })).toThrow(StatsError);
  });

  it("settles near the exposure answered 79.4 % correctly (Levitt 1971), as the modal threshold", () => {
    // A simulated rater whose p(correct) rises from ½ (guessing) to 1 with exposure:
    // p(t) = ½ + ½·logistic((t − 300)/60). p(t) = 0.5^(1/3) = 0.7937 at t = 300 + 60·ln(0.2937/0.2063)
    // = 321.2 ms: where a 3-down/1-up staircase converges.
    const convergence = 300 + 60 * Math.log((Math.cbrt(0.5) - 0.5) / (1 - Math.cbrt(0.5)));
    expect(convergence).toBeCloseTo(321.2, 1);
    const rng = new SeededRandom(16);
    const thresholds: number[] = [];
    for (let rater = 0; rater < 300; rater++) {
      const trials: StaircaseTrial[] = [];
      for (let k = 0; k < 150; k++) {
        const exposureMs = nextExposure(trials);
        const p = 0.5 + 0.5 / (1 + Math.exp(-(exposureMs - 300) / 60));
        trials.push({ exposureMs, correct: rng.nextFloat() < p });
      }
      thresholds.push(staircaseThreshold(trials));
    }
    const mean = thresholds.reduce((a, b) => a + b, 0) / thresholds.length;
    expect(Math.abs(mean - convergence)).toBeLessThan(50); // within one step of the ladder
  });
});

describe("staircaseThreshold", () => {
  it("is the modal exposure, the mean of the modes on a tie", () => {
    const at = (exposureMs: number): StaircaseTrial => ({ exposureMs, correct: true });
    expect(staircaseThreshold([at(500), at(450), at(500), at(400)])).toBe(500);
    expect(staircaseThreshold([at(500), at(450), at(450), at(500)])).toBe(475);
    expect(() => staircaseThreshold([])).toThrow(StatsError);
  });
});

describe("bootstrapExposureThreshold", () => {
  it("agrees with the exact bootstrap distribution of three raters", () => {
    // Thresholds 300, 400, 500: the 27 equally likely resamples give the mean 300 with probability
    // 1/27 > 2.5 % (and 500 likewise), so the 95 % percentile interval is exactly [300, 500]; the
    // exact bootstrap SE is the population SD over √3: √((100² + 0 + 100²)/3)/√3 = 47.14 ms.
    const result = bootstrapExposureThreshold([300, 400, 500], { seed: 5 });
    expect(result.estimate).toBe(400);
    expect(result.lower).toBe(300);
    expect(result.upper).toBe(500);
    expect(result.standardError).toBeCloseTo(47.14, 0);
    expect(result).toMatchObject({ raters: 3, resamples: 10_000, level: 0.95 });
    expect(bootstrapExposureThreshold([300, 400, 500], { seed: 5 })).toEqual(result);
    expect(() => bootstrapExposureThreshold([], { seed: 1 })).toThrow(StatsError);
  });
});
