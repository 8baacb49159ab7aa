import { describe, expect, it } from "vitest";
import { formatDPrime, formatPercent, formatPoints, formatPValue } from "@/lib/results/format-figures";
import { writeMethodsParagraph } from "@/lib/results/methods-paragraph";
import { decodePackedCells } from "@/lib/results/packed-cells";
import type { StudyResults } from "@/lib/results/result-types";
import { protocolSchema } from "@/lib/contract/protocol";
import { hashProtocol } from "@/lib/study/protocol-hash";

/** Results as the paper reported them (Zhang et al. 2016, Table 1: Ours (full) 32.3% ± 2.2, 40 raters). */
function paperLikeResults(overrides: Partial<Parameters<typeof protocolSchema.parse>[0]> = {}): Omit<StudyResults, "computeMs"> {
  const protocol = protocolSchema.parse(overrides);
  const method = (id: string, name: string, foolRate: number) => ({
    id,
    name,
    kind: "model" as const,
    tested: true,
    baseline: null,
    metrics: null,
    used: { sessions: 40, images: 1000, trials: 1440, fooled: Math.round(foolRate * 1440) },
    leftOut: { sessions: 0, trials: 0, byReason: [] },
    foolRate,
    interval: { lower: foolRate - 0.04, upper: foolRate + 0.045, standardError: 0.022, degreesOfFreedom: 39, effectiveTrials: 450 },
    withheld: null,
    sideBias: { dPrime: 0.66, criterion: -0.1, leftShare: 0.53 },
    bootstrap: { lower: foolRate - 0.05, upper: foolRate + 0.055, standardError: 0.027, variant: "two-way" as const },
    paper: { lower: foolRate - 0.043, upper: foolRate + 0.043, standardError: 0.022 },
    wilson: { lower: foolRate - 0.024, upper: foolRate + 0.024 },
    dPrime: { estimate: 0.65, lower: 0.5, upper: 0.8 },
  });
  return {
    studyId: "00000000-0000-4000-8000-000000000000",
    studyName: "Paper rerun",
    status: "closed",
    design: protocol.design,
    protocol,
    protocolHash: hashProtocol(protocol),
    computedAt: "2026-01-01T00:00:00.000Z",
    designFigures: null,
    analysis: {
      incompleteSessions: "left-out",
      exclusion: protocol.exclusion,
      interval: { method: "two-way-cluster-robust", level: 0.95, minimumRaters: 10, minimumImages: 10 },
      bootstrap: { variant: "two-way", resamples: 10_000, level: 0.95, seed: "42", jointRaters: false },
      paperBootstrap: { resamples: 2_000, seed: "42" },
      correction: "bonferroni",
    },
    sessions: {
      total: 86,
      byStatus: { active: 1, completed: 84, abandoned: 1, screened_out: 0 },
      analysed: 80,
      excluded: 4,
      excludedByReason: { vigilance: 3, timing: 1, pace: 0, "no-trials": 0 },
      incomplete: 2,
      analysedTrials: 2880,
      leftOutTrials: 150,
    },
    methods: [method("a", "Ours (full)", 0.323), method("b", "Dahl", 0.183)],
    comparisons: [
      { methodA: "a", methodB: "b", nameA: "Ours (full)", nameB: "Dahl", difference: 0.14, standardError: 0.03, lower: 0.08, upper: 0.2, pValue: 0.0002, adjustedPValue: 0.0002 },
    ],
    images: [],
    raters: [],
    notes: [],
    screening: null,
    withoutFlagged: null,
  };
}

describe("methods paragraph", () => {
  it("states the paper's protocol, the exclusions and each figure", () => {
    const text = writeMethodsParagraph(paperLikeResults());
    expect(text).toContain(
      "at 256×256 pixels, shown one after the other (left image 1,000 ms, 600 ms blank, right image 1,000 ms), and chose the one they believed had the real colours",
    );
    expect(text).toContain("response time was unlimited");
    expect(text).toContain("Each session began with 10 practice trials with feedback, which were not analysed, followed by 40 test trials without feedback, of which 4 were vigilance trials");
    expect(text).toContain("between-subjects design), with a target of 40 raters per method");
    expect(text).toContain("sessions that failed more than 1 vigilance trial, had flagged stimulus timing on more than 20% of their trials, or sent any answer sooner than the presentation allows (by the server's clock) were excluded");
    expect(text).toContain("Of 84 completed sessions, 4 were excluded (3 for vigilance failures, 1 for timing); 2 incomplete sessions were not analysed.");
    expect(text).toContain("Ours (full): 32.3% [95% CI 28.3%–36.8%], ±2.2 (paper SE), d′ = 0.65, from 40 raters, 1,000 images and 1,440 trials");
    expect(text).toContain(
      "simultaneous 95% intervals and Bonferroni-adjusted p-values over 1 comparison, one family in which an interval excludes zero exactly when its adjusted p-value is below 0.05: Ours (full) − Dahl +14.0 pp [+8.0 pp, +20.0 pp], adjusted p < 0.001.",
    );
    expect(text).toContain("(10,000 resamples, percentile method, seed 42)");
    // The derivation as implemented: the trial-level variance counted once, not the bootstrap's premise.
    expect(text).toContain("minus by rater–image cell, which counts the trial-level variance once");
    expect(text).toContain("which counts the trial-level variance three times and is therefore conservative");
    expect(text).not.toContain("counts trial-level variance twice");
    expect(text).toContain("at least 10 raters and 10 images");
    expect(text).toContain("1/(2N) rule");
  });

  it("follows the protocol: side by side, a response limit, no vigilance, within design", () => {
    const text = writeMethodsParagraph(
      paperLikeResults({ presentation: { mode: "side-by-side", exposureMs: 1000 }, responseTimeLimitMs: 3000, vigilanceShare: 0, practiceTrials: 0, design: "within" }),
    );
    expect(text).toContain("shown side by side for 1,000 ms");
    expect(text).toContain("raters had 3.0 s to answer");
    expect(text).toContain("Each session had 40 test trials without feedback.");
    expect(text).not.toContain("vigilance trials pairing");
    expect(text).toContain("Each session mixed the tested methods (within-subjects design).");
    expect(text).toContain("(so the within-subjects pairing is kept)");
  });

  it("says when a method has too few raters or images for an interval", () => {
    const results = paperLikeResults();
    const few = { ...results.methods[1]!, interval: null, paper: null, bootstrap: null, wilson: null, withheld: "3 raters (at least 10 needed)" };
    const text = writeMethodsParagraph({ ...results, methods: [results.methods[0]!, few], comparisons: [] });
    expect(text).toContain("Dahl: 18.3% (no interval: 3 raters (at least 10 needed)), d′ = 0.65");
  });
});

describe("figure formatting", () => {
  it("prints percentages, points, p-values and d′ as the dashboard shows them", () => {
    expect(formatPercent(0.3234)).toBe("32.3%");
    expect(formatPoints(0.051)).toBe("+5.1 pp");
    expect(formatPoints(-0.2)).toBe("−20.0 pp");
    expect(formatPValue(0.0004)).toBe("< 0.001");
    expect(formatPValue(0.0423)).toBe("= 0.042");
    expect(formatDPrime(-0.4506)).toBe("−0.45");
  });
});

describe("packed cells", () => {
  it("decodes big-endian int32 quadruples as PostgreSQL's int4send writes them", () => {
    // 1, 2, 3, 1 and 70000 (= 0x00011170), 0, 2, 2, in network byte order.
    const bytes = Uint8Array.of(0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 1, 0, 1, 0x11, 0x70, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 2);
    const cells = decodePackedCells(bytes, 2);
    expect([...cells.rater]).toEqual([1, 70000]);
    expect([...cells.image]).toEqual([2, 0]);
    expect([...cells.trials]).toEqual([3, 2]);
    expect([...cells.fooled]).toEqual([1, 2]);
    expect(() => decodePackedCells(bytes, 3)).toThrow(/expected 48 bytes/);
  });
});
