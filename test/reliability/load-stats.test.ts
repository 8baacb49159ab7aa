import { describe, expect, it } from "vitest";
import { compareEndpoints, LatencyRecorder, nearestRankPercentile, ratio } from "@/scripts/support/load-stats";

// Expected values computed by hand from the nearest-rank definition (Hyndman & Fan 1996,
// definition 1: the ⌈p·n/100⌉-th smallest value), the textbook example of
// https://en.wikipedia.org/wiki/Percentile#The_nearest-rank_method: {15, 20, 35, 40, 50}
// gives P5 = 15, P30 = 20, P40 = 20, P50 = 35, P100 = 50.
describe("nearest-rank percentiles", () => {
  const sample = [15, 20, 35, 40, 50];
  it("matches the worked example", () => {
    expect([5, 30, 40, 50, 100].map((p) => nearestRankPercentile(sample, p))).toEqual([15, 20, 20, 35, 50]);
  });

  it("p99 of 1..200 is the 198th value, p95 the 190th (⌈0.99·200⌉ = 198, ⌈0.95·200⌉ = 190)", () => {
    const values = Array.from({ length: 200 }, (_, index) => index + 1);
    expect(nearestRankPercentile(values, 99)).toBe(198);
    expect(nearestRankPercentile(values, 95)).toBe(190);
    expect(nearestRankPercentile(values, 50)).toBe(100);
  });

  it("refuses an empty sample and percentiles outside (0, 100]", () => {
    expect(() => nearestRankPercentile([], 50)).toThrow(RangeError);
    expect(() => nearestRankPercentile(sample, 0)).toThrow(RangeError);
    expect(() => nearestRankPercentile(sample, 101)).toThrow(RangeError);
  });
});

describe("LatencyRecorder", () => {
  it("keeps failures out of the percentiles and counts them by kind", () => {
    const recorder = new LatencyRecorder();
    for (const ms of [15, 20, 35, 40, 50]) recorder.record("answer", ms, 200);
    recorder.record("answer", 1, 500);
    recorder.record("answer", 2, "network");
    recorder.record("image", 3, 304);
    const answer = recorder.summarize("answer", 2_000);
    expect(answer).toMatchObject({ requests: 7, errors: 2, errorKinds: { "500": 1, network: 1 }, p50Ms: 35, p99Ms: 50, maxMs: 50, meanMs: 32 });
    // 5 successes in 2 s.
    expect(answer.throughputPerS).toBe(2.5);
    expect(recorder.successes("image")).toBe(1);
    expect(recorder.endpoints()).toEqual(["answer", "image"]);
  });

  it("compares a subject with a reference: latency ratios and how many times slower the throughput is", () => {
    const recorder = new LatencyRecorder();
    recorder.record("app", 6, 200);
    recorder.record("nginx", 2, 200);
    recorder.record("nginx", 2, 200);
    recorder.record("nginx", 2, 200);
    const comparison = compareEndpoints(recorder.summarize("app", 1_000), recorder.summarize("nginx", 1_000));
    expect(comparison).toEqual({ p50: 3, p99: 3, throughput: 3 });
    expect(ratio(1, 0)).toBeNull();
    expect(ratio(null, 2)).toBeNull();
  });
});
