import { describe, expect, it } from "vitest";
import { protocolSchema } from "@/lib/contract/protocol";
import { readinessProblemsOf } from "@/lib/study/studies";

// What keeps a study from opening, from the protocol, the stimulus count and the methods.
describe("readiness to open", () => {
  const methods = [
    { id: "m1", name: "Ours", kind: "model", status: "ready", config: { tested: true } },
    { id: "m2", name: "Random", kind: "baseline", status: "ready", config: { tested: false, baseline: "random" } },
  ] as const;

  it("a paired study with enough images and ready methods has no problem", () => {
    expect(readinessProblemsOf(protocolSchema.parse({ practiceTrials: 2, testTrials: 10 }), 12, methods)).toEqual([]);
  });

  it("a design the rater page cannot run yet is refused with a reason", () => {
    for (const trialFormat of [{ kind: "single-image" }, { kind: "adaptive-exposure" }]) {
      const problems = readinessProblemsOf(protocolSchema.parse({ practiceTrials: 2, testTrials: 10, trialFormat }), 12, methods);
      expect(problems).toEqual([expect.stringMatching(new RegExp(`^The ${trialFormat.kind} design cannot be run by the rater page yet`))]);
    }
  });
});
