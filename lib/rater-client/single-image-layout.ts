import { STAGE_SPACING } from "./stimulus-layout";

/** Space between the photo and the answer row of the single-image stage (its `mt-3`). */
export const SINGLE_ANSWER_GAP_PX = 12;

/**
 * The smallest viewport (CSS px) a single-image trial needs for a photo of `stimulusSize` px at
 * full size: the photo with the stage's padding, the progress line and the answer row. Photos are
 * never shrunk; a smaller window waits with a notice (as the paired stage does).
 * @example singleImageNeed(256) // { minWidth: 272, minHeight: 380 }
 */
export function singleImageNeed(stimulusSize: number, spacing = STAGE_SPACING): { minWidth: number; minHeight: number } {
  const { paddingPx, headerPx, answerRowPx } = spacing;
  return { minWidth: stimulusSize + 2 * paddingPx, minHeight: headerPx + stimulusSize + SINGLE_ANSWER_GAP_PX + answerRowPx + 2 * paddingPx };
}

/** Whether a viewport holds a single-image trial at full size. */
export function singleImageFits(viewport: { width: number; height: number }, stimulusSize: number): boolean {
  const need = singleImageNeed(stimulusSize);
  return viewport.width >= need.minWidth && viewport.height >= need.minHeight;
}
