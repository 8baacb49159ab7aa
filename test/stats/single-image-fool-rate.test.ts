import { describe, expect, it } from "vitest";
import { StatsError } from "@/lib/stats";
import { singleImageFoolRates } from "@/lib/stats/single-image-fool-rate";

describe("singleImageFoolRates (HYPE∞)", () => {
  const raters = [
    { fakeTrials: 10, fakesJudgedReal: 3, realTrials: 10, realsJudgedFake: 1 },
    { fakeTrials: 10, fakesJudgedReal: 5, realTrials: 10, realsJudgedFake: 2 },
  ];

  it("pools errors on fakes and reals: (3 + 5 + 1 + 2)/40 = 0.275; fake error 0.4, real error 0.15", () => {
    const result = singleImageFoolRates(raters, { seed: 3 });
    expect(result.hypeInfinity.estimate).toBe(0.275);
    expect(result.fakeError.estimate).toBe(0.4);
    expect(result.realError.estimate).toBe(0.15);
    // With as many fakes as reals, HYPE∞ is the mean of the two error rates.
    expect(result.hypeInfinity.estimate).toBeCloseTo((0.4 + 0.15) / 2, 15);
    expect(result).toMatchObject({ raters: 2, fakeTrials: 20, realTrials: 20 });
  });

  it("resamples raters whole: the exact bootstrap of two raters", () => {
    // Resamples (1,1), (1,2), (2,1), (2,2), each ¼: HYPE∞ = 4/20 = 0.2, 0.275, 0.275, 7/20 = 0.35.
    // Percentile interval [0.2, 0.35]; SD = 0.075·√½ = 0.05303.
    const result = singleImageFoolRates(raters, { seed: 3 });
    expect(result.hypeInfinity.lower).toBeCloseTo(0.2, 12);
    expect(result.hypeInfinity.upper).toBeCloseTo(0.35, 12);
    expect(result.hypeInfinity.standardError).toBeCloseTo(0.05303, 2);
    expect(result.hypeInfinity.mean).toBeCloseTo(0.275, 2);
    // Fake error: 0.3 or 0.5 (¼ each) or 0.4 (½): SD 0.1·√½.
    expect(result.fakeError.standardError).toBeCloseTo(0.0707, 2);
  });

  it("redraws resamples without fakes or reals, and rejects impossible input", () => {
    const lopsided = [
      { fakeTrials: 10, fakesJudgedReal: 4, realTrials: 0, realsJudgedFake: 0 },
      { fakeTrials: 0, fakesJudgedReal: 0, realTrials: 10, realsJudgedFake: 3 },
    ];
    const result = singleImageFoolRates(lopsided, { seed: 1, resamples: 2000 });
    // Only the resamples holding both raters are valid: every replicate equals the estimate.
    expect(result.hypeInfinity.estimate).toBe(0.35);
    expect(result.hypeInfinity.lower).toBe(0.35);
    expect(result.hypeInfinity.upper).toBe(0.35);
    expect(() => singleImageFoolRates([], { seed: 1 })).toThrow(StatsError);
    expect(() => singleImageFoolRates([{ fakeTrials: 0, fakesJudgedReal: 0, realTrials: 5, realsJudgedFake: 1 }], { seed: 1 })).toThrow(StatsError);
    expect(() => singleImageFoolRates([{ fakeTrials: 5, fakesJudgedReal: 6, realTrials: 5, realsJudgedFake: 1 }], { seed: 1 })).toThrow(StatsError);
  });
});
