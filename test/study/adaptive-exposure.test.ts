import { describe, expect, it } from "vitest";
import { protocolSchema, protocolWarnings, raterProtocol } from "@/lib/contract/protocol";
import { answerSchema } from "@/lib/contract/rater-api";
import { HYPE_TIME_RULE } from "@/lib/stats";
import { exposureForTrial, type ExposureTrial } from "@/lib/study/adaptive-exposure";
import { planTrials } from "@/lib/study/trial-plan";
import { seededRandom } from "../support/random";

describe("the server's staircase over a session's trials", () => {
  const test = (methodId: string, exposureMs: number | null, correct: boolean | null): ExposureTrial => ({ kind: "test", methodId, exposureMs, correct });

  it("runs one staircase per method; practice trials show the start, vigilance trials the longest, and neither moves it", () => {
    const trials: ExposureTrial[] = [
      { kind: "practice", methodId: "a", exposureMs: 500, correct: false },
      test("a", 500, true),
      test("b", 500, false),
      test("a", 500, true),
      { kind: "vigilance", methodId: "random", exposureMs: 1000, correct: false },
      test("a", 500, true),
      test("b", 550, true),
      test("a", null, null),
      test("b", null, null),
      { kind: "vigilance", methodId: "random", exposureMs: null, correct: null },
      { kind: "practice", methodId: "b", exposureMs: null, correct: null },
    ];
    // Method a: three correct at 500 → 450. Method b: one wrong at 500 → 550, then one correct stays.
    expect(exposureForTrial(trials, 7, HYPE_TIME_RULE)).toBe(450);
    expect(exposureForTrial(trials, 8, HYPE_TIME_RULE)).toBe(550);
    expect(exposureForTrial(trials, 9, HYPE_TIME_RULE)).toBe(1000);
    expect(exposureForTrial(trials, 10, HYPE_TIME_RULE)).toBe(500);
  });

  it("refuses a stored exposure the rule did not give", () => {
    expect(() => exposureForTrial([test("a", 300, true), test("a", null, null)], 1, HYPE_TIME_RULE)).toThrow(/staircase gave 500 ms/);
  });
});

describe("single-image plans and protocol", () => {
  it("shows the real photo in realShare of each method's test trials, vigilance trials the Random output", () => {
    const plan = planTrials({
      practiceTrials: 4,
      testTrials: 24,
      vigilanceTrials: 4,
      testMethodIds: ["a", "b"],
      vigilanceMethodId: "random",
      stimulusIds: Array.from({ length: 40 }, (_, index) => `s${index}`),
      timesShown: new Map(),
      random: seededRandom(7),
      realShare: 0.3,
    });
    for (const method of ["a", "b"]) {
      const own = plan.filter((trial) => trial.kind === "test" && trial.methodId === method);
      expect(own).toHaveLength(10);
      expect(own.filter((trial) => trial.showsReal)).toHaveLength(3);
    }
    expect(plan.filter((trial) => trial.kind === "vigilance").every((trial) => trial.showsReal === false)).toBe(true);
    expect(plan.filter((trial) => trial.kind === "practice" && trial.showsReal).length).toBeGreaterThanOrEqual(1);
    expect(plan.every((trial) => trial.showsReal !== null)).toBe(true);
  });

  it("warns while a single-image study keeps the default instructions, which describe pairs", () => {
    const warn = (input: object) => protocolWarnings(protocolSchema.parse(input)).filter((text) => text.includes("one photo at a time"));
    expect(warn({ trialFormat: { kind: "single-image" } })).toHaveLength(1);
    expect(warn({ trialFormat: { kind: "adaptive-exposure" }, instructions: "Real or fake?" })).toHaveLength(0);
    expect(warn({})).toHaveLength(0);
  });
});

describe("what a single-image answer and the rater's protocol carry", () => {
  const timing = { frameIntervalMs: 16.7, exposureLeftMs: 450, exposureRightMs: null, flagged: false };
  const base = { idempotencyKey: "key-12345678", responseTimeMs: 500, timing };

  it("an answer is a side or a judgement, never both or neither, and carries no exposure the server would use", () => {
    expect(answerSchema.safeParse({ ...base, judgement: "real" }).success).toBe(true);
    expect(answerSchema.safeParse({ ...base, chosenSide: "left" }).success).toBe(true);
    expect(answerSchema.safeParse({ ...base, judgement: "real", chosenSide: "left" }).success).toBe(false);
    expect(answerSchema.safeParse(base).success).toBe(false);
    expect(answerSchema.safeParse({ ...base, judgement: "maybe" }).success).toBe(false);
    expect(answerSchema.safeParse({ ...base, judgement: "real", exposureMs: 100 }).success).toBe(false);
  });

  it("the rater learns the kind of trial, not the share of real photos or the staircase", () => {
    const rater = raterProtocol(protocolSchema.parse({ trialFormat: { kind: "adaptive-exposure", realShare: 0.3 } }));
    expect(rater.trialKind).toBe("adaptive-exposure");
    expect(JSON.stringify(rater)).not.toMatch(/realShare|exposuresMs|correctToShorten/);
  });
});
