import type { Protocol } from "@/lib/contract/protocol";

/**
 * How early a timed step may end on a real display: the browser flags an exposure that misses its
 * target by more than 1.5 frames (lib/contract/timing-rule.ts), and a 30 Hz display
 * has 33 ms frames, so 50 ms per timed step is the most a faithful page can fall short. Timers in
 * the page never fire early and the network only adds delay, so anything shorter than
 * {@link minimumAnswerDelayMs} did not show the protocol's presentation.
 */
export const STEP_TOLERANCE_MS = 50;

/**
 * The least time, by the server's clock, between handing out a trial and its answer arriving:
 * the presentation's timed steps (sequential: image, blank, image; side by side: both images;
 * unlimited: nothing timed), less {@link STEP_TOLERANCE_MS} per step, plus the practice feedback
 * when the trial before was a practice trial (the page shows it before the next pair; see
 * app/(rater)/s/[studyId]/trial-stage.tsx).
 *
 * @example
 * // The paper's tool: 1000 ms, 600 ms blank, 1000 ms → 2600 − 3 × 50 = 2450 ms
 * minimumAnswerDelayMs(defaultProtocol(), { afterPractice: false }); // 2450
 */
export function minimumAnswerDelayMs(protocol: Pick<Protocol, "presentation" | "practiceFeedbackMs">, options: { afterPractice: boolean }): number {
  const feedback = options.afterPractice ? protocol.practiceFeedbackMs : 0;
  const presentation = protocol.presentation;
  const steps =
    presentation.mode === "sequential"
      ? [presentation.exposureMs, presentation.blankMs, presentation.exposureMs].filter((ms) => ms > 0)
      : presentation.mode === "side-by-side"
        ? [presentation.exposureMs]
        : [];
  const timed = steps.reduce((sum, ms) => sum + Math.max(0, ms - STEP_TOLERANCE_MS), 0);
  return feedback + timed;
}
