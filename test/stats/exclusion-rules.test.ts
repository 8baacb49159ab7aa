import { describe, expect, it } from "vitest";
import { applyExclusionRules, DEFAULT_EXCLUSION_RULES, exclusionRulesSchema, StatsError, type SessionSummary } from "@/lib/stats";

const session = (sessionId: string, vigilanceFailures: number, timingFlaggedTrials: number, trials = 44): SessionSummary => ({
  sessionId,
  vigilanceTrials: 4,
  vigilanceFailures,
  trials,
  timingFlaggedTrials,
});

describe("exclusion rules", () => {
  it("defaults to more than one vigilance failure, more than 20% timing-flagged trials or any answer too fast", () => {
    expect(DEFAULT_EXCLUSION_RULES).toEqual({ maxVigilanceFailures: 1, maxTimingFlaggedShare: 0.2, maxTooFastAnswers: 0 });
    expect(exclusionRulesSchema.parse({ maxVigilanceFailures: 0 })).toEqual({ maxVigilanceFailures: 0, maxTimingFlaggedShare: 0.2, maxTooFastAnswers: 0 });
    expect(exclusionRulesSchema.safeParse({ maxVigilanceFailures: -1 }).success).toBe(false);
    expect(exclusionRulesSchema.safeParse({ maxTimingFlaggedShare: 1.5 }).success).toBe(false);
    expect(exclusionRulesSchema.safeParse({ extra: 1 }).success).toBe(false);
  });

  it("excludes for pace a session with more too-fast answers than the rule allows", () => {
    const result = applyExclusionRules([
      { ...session("honest", 0, 0), tooFastAnswers: 0 },
      { ...session("one-rushed", 0, 1), tooFastAnswers: 1 },
      { ...session("rushed", 0, 44), tooFastAnswers: 44 },
    ]);
    expect(result.sessions.map((s) => [s.sessionId, s.reasons])).toEqual([
      ["honest", []],
      ["one-rushed", ["pace"]],
      ["rushed", ["timing", "pace"]],
    ]);
    expect(applyExclusionRules([{ ...session("one-rushed", 0, 1), tooFastAnswers: 1 }], { maxTooFastAnswers: 1 }).counts.kept).toBe(1);
  });

  it("keeps or excludes each session with its reasons and counts per reason", () => {
    // 8/44 = 18.2% flagged: kept; 9/44 = 20.5%: excluded (strictly more than the share).
    const result = applyExclusionRules([
      session("ok", 1, 8),
      session("vigilance", 2, 0),
      session("timing", 0, 9),
      session("both", 3, 40),
      session("empty", 0, 0, 0),
    ]);
    expect(result.sessions.map((s) => [s.sessionId, s.kept, s.reasons])).toEqual([
      ["ok", true, []],
      ["vigilance", false, ["vigilance"]],
      ["timing", false, ["timing"]],
      ["both", false, ["vigilance", "timing"]],
      ["empty", false, ["no-trials"]],
    ]);
    expect(result.counts).toEqual({
      sessions: 5,
      kept: 1,
      excluded: 4,
      byReason: { vigilance: 2, timing: 2, pace: 0, "no-trials": 1 },
    });
  });

  it("applies custom rules and validates inputs", () => {
    const strict = applyExclusionRules([session("a", 1, 0)], { maxVigilanceFailures: 0, maxTimingFlaggedShare: 0.5 });
    expect(strict.sessions[0]!.reasons).toEqual(["vigilance"]);
    expect(() => applyExclusionRules([session("a", 1, 0)], { maxTimingFlaggedShare: 2 })).toThrow(StatsError);
    expect(() => applyExclusionRules([session("a", 5, 0)])).toThrow(StatsError); // 5 failures of 4 trials
    expect(() => applyExclusionRules([session("a", 0, 50)])).toThrow(StatsError);
    expect(() => applyExclusionRules([session("a", 0, 0), session("a", 0, 0)])).toThrow(StatsError);
    expect(() => applyExclusionRules([{ ...session("a", 0, 0), trials: 1.5 }])).toThrow(StatsError);
  });
});
