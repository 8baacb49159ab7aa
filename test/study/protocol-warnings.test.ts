import { describe, expect, it } from "vitest";
import { protocolSchema, protocolWarnings } from "@/lib/contract/protocol";
import { DEMO_PROTOCOL } from "@/scripts/support/seed-demo";

describe("protocol warnings", () => {
  it("warns when the vigilance rule cannot exclude anyone", () => {
    // The old demo: 8 test trials at 12.5% = 1 vigilance trial, excluded after more than 1 failure.
    const [warning] = protocolWarnings(protocolSchema.parse({ testTrials: 8, vigilanceShare: 0.125 }));
    expect(warning).toMatch(/more than 1 failed vigilance trial, but each session has only 1: the rule can never exclude anyone/);
    expect(protocolWarnings(protocolSchema.parse({ vigilanceShare: 0 }))[0]).toMatch(/no vigilance trials/);
    expect(protocolWarnings(protocolSchema.parse({ exclusion: { maxVigilanceFailures: 1, maxTimingFlaggedShare: 1 } }))).toHaveLength(1);
  });

  it("warns when the screening ends raters without a screened-out link", () => {
    const screening = { colourVision: true, onFail: "end" as const };
    expect(protocolWarnings(protocolSchema.parse({ screening }))).toEqual([expect.stringMatching(/no screened-out link: Prolific participants will be asked to return/)]);
    expect(protocolWarnings(protocolSchema.parse({ screening: { ...screening, screenedOutUrl: "https://app.prolific.com/submissions/complete?cc=SCREENOUT" } }))).toEqual([]);
    expect(protocolWarnings(protocolSchema.parse({ screening: { ...screening, onFail: "flag" } }))).toEqual([]);
  });

  it("is silent for the paper's defaults and for the demo", () => {
    expect(protocolWarnings(protocolSchema.parse({}))).toEqual([]);
    expect(protocolWarnings(DEMO_PROTOCOL)).toEqual([]);
  });
});
