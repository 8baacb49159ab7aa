import { describe, expect, it } from "vitest";
import { HYPE_TIME_RULE } from "@/lib/stats";
import { defaultProtocol, protocolSchema } from "@/lib/contract/protocol";
import { hashProtocol } from "@/lib/study/protocol-hash";

describe("protocol: screening, trial format and precision target", () => {
  it("defaults to no screening, paired trials and a fixed number of sessions", () => {
    const protocol = defaultProtocol();
    expect(protocol.screening).toEqual({
      colourVision: false,
      display: false,
      onFail: "end",
      platesPerAxis: 3,
      maxMissesPerAxis: 1,
      screenedOutUrl: null,
    });
    expect(protocol.trialFormat).toEqual({ kind: "paired" });
    expect(protocol.precisionTarget).toBeNull();
    expect(hashProtocol(protocolSchema.parse({}))).toBe(hashProtocol(protocol));
  });

  it("fills an adaptive-exposure format with HYPE-time's staircase and checks its ladder", () => {
    const protocol = protocolSchema.parse({ trialFormat: { kind: "adaptive-exposure" } });
    expect(protocol.trialFormat).toEqual({
      kind: "adaptive-exposure",
      realShare: 0.5,
      exposuresMs: [...HYPE_TIME_RULE.exposuresMs],
      startIndex: 8,
      correctToShorten: 3,
      wrongToLengthen: 1,
    });
    expect(protocolSchema.safeParse({ trialFormat: { kind: "adaptive-exposure", exposuresMs: [200, 100] } }).success).toBe(false);
    expect(protocolSchema.safeParse({ trialFormat: { kind: "adaptive-exposure", exposuresMs: [100, 200], startIndex: 2 } }).success).toBe(false);
    expect(protocolSchema.parse({ trialFormat: { kind: "single-image", realShare: 0.4 } }).trialFormat).toEqual({ kind: "single-image", realShare: 0.4 });
  });

  it("takes a precision target with screening that flags instead of ending", () => {
    const protocol = protocolSchema.parse({
      screening: { colourVision: true, display: true, onFail: "flag" },
      precisionTarget: { targetHalfWidth: 0.04 },
    });
    expect(protocol.screening).toMatchObject({ colourVision: true, display: true, onFail: "flag" });
    expect(protocol.precisionTarget).toEqual({ targetHalfWidth: 0.04, minRaters: 10, maxRaters: null });
    expect(protocolSchema.safeParse({ precisionTarget: { targetHalfWidth: 0.04, minRaters: 20, maxRaters: 10 } }).success).toBe(false);
    expect(protocolSchema.safeParse({ precisionTarget: { targetHalfWidth: 0 } }).success).toBe(false);
    expect(protocolSchema.safeParse({ screening: { onFail: "ignore" } }).success).toBe(false);
  });
});
