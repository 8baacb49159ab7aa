// The figures of the single-image designs (docs/study-designs.md): HYPE∞ with its parts for
// single-image trials, and the HYPE-time threshold for adaptive exposure, per tested method over
// the analysed sessions. Pure (it runs on the results workers); the rows come from design-rows.ts.
import type { Protocol } from "@/lib/contract/protocol";
import { bootstrapExposureThreshold, singleImageFoolRates, staircaseThreshold, StatsError, type SingleImageRaterCounts } from "@/lib/stats";

export interface EstimateFigure {
  estimate: number;
  lower: number;
  upper: number;
  standardError: number;
}

export interface SingleImageMethodFigures {
  methodId: string;
  name: string;
  raters: number;
  fakeTrials: number;
  realTrials: number;
  /** (Fakes judged real + reals judged fake) / all judgements; null without both kinds of trial. */
  hypeInfinity: EstimateFigure | null;
  /** Fakes judged real / fake trials: the single-image fool rate. */
  fakeError: EstimateFigure | null;
  /** Reals judged fake / real trials: how suspicious the raters were. */
  realError: EstimateFigure | null;
  /** Adaptive exposure: the mean over raters of each rater's modal exposure (ms); null otherwise or without raters. */
  thresholdMs: EstimateFigure | null;
}

export interface DesignFigures {
  kind: "single-image" | "adaptive-exposure";
  methods: SingleImageMethodFigures[];
  /** Bootstrap over raters (percentile interval): resamples, level, and the study's seed. */
  bootstrap: { resamples: number; level: number; seed: string };
}

/** One analysed session's single-image test trials of one method (a row of design-rows.ts). */
export interface DesignRow extends SingleImageRaterCounts {
  sessionId: string;
  methodId: string;
  /** Adaptive exposure: the exposures of its test trials and whether each was answered correctly, in order; empty otherwise. */
  exposures: number[];
  corrects: boolean[];
}

const figure = (value: { estimate: number; lower: number; upper: number; standardError: number }): EstimateFigure => ({
  estimate: value.estimate,
  lower: value.lower,
  upper: value.upper,
  standardError: value.standardError,
});

/**
 * Each tested method's figures from the rows of {@link readDesignRows}: HYPE∞, fake and real
 * error with the rater bootstrap of lib/stats `singleImageFoolRates`, and, for adaptive exposure,
 * each rater's threshold (`staircaseThreshold`, the modal exposure) averaged with
 * `bootstrapExposureThreshold`. Null for a paired protocol.
 */
export function summarizeDesignFigures(
  format: Protocol["trialFormat"],
  methods: readonly { id: string; name: string; tested: boolean }[],
  rows: readonly DesignRow[],
  options: { seed: bigint; resamples: number; level: number },
): DesignFigures | null {
  if (format.kind === "paired") return null;
  const bootstrap = { seed: options.seed, resamples: options.resamples, level: options.level };
  const figures = methods
    .filter((method) => method.tested)
    .map((method): SingleImageMethodFigures => {
      const own = rows.filter((row) => row.methodId === method.id);
      const fakeTrials = own.reduce((sum, row) => sum + row.fakeTrials, 0);
      const realTrials = own.reduce((sum, row) => sum + row.realTrials, 0);
      let rates: ReturnType<typeof singleImageFoolRates> | null = null;
      if (fakeTrials > 0 && realTrials > 0) {
        try {
          rates = singleImageFoolRates(own, bootstrap);
        } catch (error) {
          // A resample with both kinds of trial can be impossible (one rater saw only fakes): no interval then.
          if (!(error instanceof StatsError)) throw error;
        }
      }
      const staircases = format.kind === "adaptive-exposure" ? own.filter((row) => row.exposures.length > 0) : [];
      const threshold = staircases.length > 0 ? bootstrapExposureThreshold(staircases.map((row) => staircaseThreshold(row.exposures.map((exposureMs, index) => ({ exposureMs, correct: row.corrects[index] === true })))), bootstrap) : null;
      return {
        methodId: method.id,
        name: method.name,
        raters: own.length,
        fakeTrials,
        realTrials,
        hypeInfinity: rates ? figure(rates.hypeInfinity) : null,
        fakeError: rates ? figure(rates.fakeError) : null,
        realError: rates ? figure(rates.realError) : null,
        thresholdMs: threshold ? figure(threshold) : null,
      };
    });
  return { kind: format.kind, methods: figures, bootstrap: { resamples: options.resamples, level: options.level, seed: options.seed.toString() } };
}
