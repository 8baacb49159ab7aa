import { describe, expect, it } from "vitest";
import { benchStatsCore } from "@/scripts/bench-stats-core";

// Not a timing test: checks that the benchmark's worker-thread path computes exactly what the
// calling thread computes (chunks use their own streams), on a small study.
describe("benchStatsCore", () => {
  it("gives the same numbers with 0, 1 and 2 workers", async () => {
    const options = { ratersPerMethod: 60, trialsPerRater: 20, images: 40, resamples: 600 };
    const inline = await benchStatsCore({ ...options, workers: 0 });
    const one = await benchStatsCore({ ...options, workers: 1 });
    const two = await benchStatsCore({ ...options, workers: 2 });
    expect(inline.responses).toBe(5 * 60 * 20);
    expect(one.replicateChecksum).toBe(inline.replicateChecksum);
    expect(two.replicateChecksum).toBe(inline.replicateChecksum);
    expect(two.foolRates).toEqual(inline.foolRates);
    expect(inline.comparisons).toBe(10);
    for (const f of inline.foolRates) {
      expect(f.lower).toBeLessThanOrEqual(f.estimate);
      expect(f.estimate).toBeLessThanOrEqual(f.upper);
      // The pigeonhole bootstrap counts trial-level variance three times: wider than the derived interval.
      expect(f.intervalLower).toBeLessThanOrEqual(f.estimate);
      expect(f.intervalUpper - f.intervalLower).toBeLessThanOrEqual(f.upper - f.lower);
    }
  });
});
