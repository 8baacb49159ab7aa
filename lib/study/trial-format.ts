import type { Protocol } from "@/lib/contract/protocol";
import type { StaircaseRule } from "@/lib/stats";

/**
 * What a study's trial format (docs/study-designs.md) means for one trial, in one place for the
 * plan, the page's view, the answer check and the results.
 */
export type TrialFormat = Protocol["trialFormat"];
export type AdaptiveExposureFormat = Extract<TrialFormat, { kind: "adaptive-exposure" }>;

/** One photo a trial, "real or fake?": single-image and adaptive-exposure designs. */
export function isSingleImage(format: TrialFormat): format is Exclude<TrialFormat, { kind: "paired" }> {
  return format.kind !== "paired";
}

/** The share of real photos among a single-image study's trials; null for pairs. */
export function realShareOf(format: TrialFormat): number | null {
  return isSingleImage(format) ? format.realShare : null;
}

/**
 * How long a timed photo is masked before the answer opens. HYPE-time follows each image with a
 * mask so that the exposure, not an afterimage, limits what the rater saw; the 500 ms are our
 * choice (long enough to wipe an afterimage, short beside the answer).
 */
export const MASK_MS = 500;

/** The staircase rule of an adaptive-exposure protocol (lib/stats' StaircaseRule). */
export function staircaseRuleOf(format: AdaptiveExposureFormat): StaircaseRule {
  return { exposuresMs: format.exposuresMs, startIndex: format.startIndex, correctToShorten: format.correctToShorten, wrongToLengthen: format.wrongToLengthen };
}

/** Whether a single photo was judged correctly: real called real, fake called fake. */
export function judgedCorrectly(showsReal: boolean, judgedReal: boolean): boolean {
  return showsReal === judgedReal;
}
