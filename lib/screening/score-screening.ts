import { CONFUSION_AXES, type ConfusionAxis } from "./dichromat-simulation";
import type { PlateAnswer, PlateAxis, ScreeningPlate } from "./plates";
import { ScreeningError } from "./screening-error";

export interface ColourScreeningRule {
  /** Wrong answers allowed per dichromacy axis before the axis counts as failed; default 1. */
  readonly maxMissesPerAxis?: number;
}

export interface AxisScore {
  readonly shown: number;
  readonly correct: number;
}

export interface ColourScreeningOutcome {
  readonly passed: boolean;
  /** Axes with more misses than the rule allows: the deficiency the answers point to. */
  readonly failedAxes: readonly ConfusionAxis[];
  /** A control plate was answered wrongly (inattention or an unusable display, not colour vision). */
  readonly controlFailed: boolean;
  readonly perAxis: Readonly<Record<PlateAxis, AxisScore>>;
}

/**
 * Scores a rater's answers to the screening plates. An axis fails when its misses exceed
 * `maxMissesPerAxis` (one slip in three plates is forgiven: a dichromat misses every plate of
 * the axis, a careless click misses one); any wrong control answer fails the screening too.
 *
 * @throws {ScreeningError} when answers and plates differ in number.
 * @example
 * scoreColourScreening(plates, plates.map((p) => p.figure)).passed; // true
 */
export function scoreColourScreening(
  plates: readonly ScreeningPlate[],
  answers: readonly PlateAnswer[],
  rule: ColourScreeningRule = {},
): ColourScreeningOutcome {
  const maxMisses = rule.maxMissesPerAxis ?? 1;
  if (answers.length !== plates.length) {
    throw new ScreeningError(`${answers.length} answers for ${plates.length} plates`);
  }
  if (!Number.isInteger(maxMisses) || maxMisses < 0) throw new ScreeningError("maxMissesPerAxis must be an integer ≥ 0");
  const tally: Record<PlateAxis, { shown: number; correct: number }> = {
    control: { shown: 0, correct: 0 },
    protan: { shown: 0, correct: 0 },
    deutan: { shown: 0, correct: 0 },
    tritan: { shown: 0, correct: 0 },
  };
  plates.forEach((plate, index) => {
    tally[plate.axis].shown++;
    if (answers[index] === plate.figure) tally[plate.axis].correct++;
  });
  const failedAxes = CONFUSION_AXES.filter((axis) => tally[axis].shown - tally[axis].correct > maxMisses);
  const controlFailed = tally.control.correct < tally.control.shown;
  return { passed: failedAxes.length === 0 && !controlFailed, failedAxes, controlFailed, perAxis: tally };
}
