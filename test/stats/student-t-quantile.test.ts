import { describe, expect, it } from "vitest";
import { StatsError } from "@/lib/stats";
import { studentTQuantile } from "@/lib/stats/student-t-quantile";

describe("studentTQuantile", () => {
  it("matches scipy.stats.t.ppf", () => {
    // scipy 1.10 (Debian), stats.t.ppf(p, df):
    const cases: [number, number, number][] = [
      [0.975, 1, 12.706204736432095],
      [0.975, 2, 4.302652729911275],
      [0.975, 9, 2.2621571627409915],
      [0.975, 799, 1.9629374611056056],
      [0.975, 1999, 1.9611514201705613],
      [0.9, 30, 1.3104150225671307],
      [0.025, 5, -2.57058183661474],
      [0.995, 3.5, 5.085702223526865],
    ];
    for (const [p, df, expected] of cases) expect(studentTQuantile(p, df)).toBeCloseTo(expected, 8);
    expect(studentTQuantile(0.5, 4)).toBe(0);
  });

  it("rejects p outside (0, 1) and ν ≤ 0", () => {
    expect(() => studentTQuantile(1, 3)).toThrow(StatsError);
    expect(() => studentTQuantile(0.9, 0)).toThrow(StatsError);
  });
});
