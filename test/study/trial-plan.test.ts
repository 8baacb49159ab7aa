import { describe, expect, it } from "vitest";
import { balancedSides, planTrials, PlanError } from "@/lib/study/trial-plan";

function seeded(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const stimuli = Array.from({ length: 60 }, (_, i) => `s${i}`);

describe("trial plan", () => {
  it("follows the paper's session: 10 practice, 40 test with 4 vigilance, no image twice, sides balanced", () => {
    const plan = planTrials({
      practiceTrials: 10, testTrials: 40, vigilanceTrials: 4, testMethodIds: ["m"], vigilanceMethodId: "random",
      stimulusIds: stimuli, timesShown: new Map(), random: seeded(1),
    });
    expect(plan).toHaveLength(50);
    expect(plan.map((t) => t.position)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(plan.slice(0, 10).every((t) => t.kind === "practice")).toBe(true);
    expect(plan.slice(10).filter((t) => t.kind === "vigilance")).toHaveLength(4);
    expect(plan.filter((t) => t.kind === "vigilance").every((t) => t.methodId === "random")).toBe(true);
    expect(new Set(plan.map((t) => t.stimulusId)).size).toBe(50);
    expect(plan.slice(0, 10).filter((t) => t.realOnLeft)).toHaveLength(5);
    expect(plan.slice(10).filter((t) => t.realOnLeft)).toHaveLength(20);
  });

  it("places vigilance trials at varying positions across seeds", () => {
    const positions = new Set<string>();
    for (let seed = 1; seed <= 5; seed++) {
      const plan = planTrials({ practiceTrials: 0, testTrials: 40, vigilanceTrials: 4, testMethodIds: ["m"], vigilanceMethodId: "r", stimulusIds: stimuli, timesShown: new Map(), random: seeded(seed) });
      positions.add(plan.filter((t) => t.kind === "vigilance").map((t) => t.position).join(","));
    }
    expect(positions.size).toBe(5);
  });

  it("takes the least-shown images for the method first", () => {
    const shown = new Map(stimuli.map((id, i) => [id, i < 50 ? 3 : 0]));
    const plan = planTrials({ practiceTrials: 0, testTrials: 10, vigilanceTrials: 0, testMethodIds: ["m"], vigilanceMethodId: null, stimulusIds: stimuli, timesShown: new Map([["m", shown]]), random: seeded(2) });
    expect(plan.map((t) => t.stimulusId).sort()).toEqual(stimuli.slice(50).sort());
  });

  it("spreads methods evenly in a within design", () => {
    const plan = planTrials({ practiceTrials: 0, testTrials: 30, vigilanceTrials: 0, testMethodIds: ["a", "b", "c"], vigilanceMethodId: null, stimulusIds: stimuli, timesShown: new Map(), random: seeded(3) });
    const counts = ["a", "b", "c"].map((m) => plan.filter((t) => t.methodId === m).length);
    expect(counts).toEqual([10, 10, 10]);
  });

  it("refuses plans it cannot keep", () => {
    const base = { practiceTrials: 10, testTrials: 40, vigilanceTrials: 4, testMethodIds: ["m"], vigilanceMethodId: "r", timesShown: new Map(), random: seeded(4) };
    expect(() => planTrials({ ...base, stimulusIds: stimuli.slice(0, 49) })).toThrow(PlanError);
    expect(() => planTrials({ ...base, stimulusIds: stimuli, vigilanceMethodId: null })).toThrow(/Random baseline/);
    expect(() => planTrials({ ...base, stimulusIds: stimuli, testMethodIds: [] })).toThrow(/no tested method/);
  });

  it("balances sides exactly for even counts and within one for odd", () => {
    expect(balancedSides(40, seeded(5)).filter(Boolean)).toHaveLength(20);
    const odd = balancedSides(7, seeded(6)).filter(Boolean).length;
    expect([3, 4]).toContain(odd);
  });
});
