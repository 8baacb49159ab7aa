import type { AnswerTiming, RaterPresentation } from "@/lib/contract/rater-api";
import { missesTarget } from "@/lib/contract/timing-rule";
import { refreshRateHz } from "./frame-interval";

/**
 * Frame-locked presentation of one trial, as a pure state machine over `requestAnimationFrame`
 * timestamps. The page calls {@link PresentationRun.tick} from each rAF callback and applies the
 * returned display in that same callback, so the change is painted in that frame: a step's
 * onset is the rAF timestamp of the first frame that shows it, its offset the timestamp of the
 * first frame that no longer does. The display's latency (rAF time → photons) is the same for
 * onset and offset, so it cancels out of every duration measured here.
 *
 * One exception: a rAF timestamp is the time its frame *began*, not when the callback ran.
 * After a main-thread stall Chromium runs the pending callback late with the old frame's
 * timestamp (measured: a 150 ms stall gave a callback at 1187.3 ms stamped 1041.4 ms), and a
 * change made there reaches the screen only after the stall. So a callback that runs more than
 * one frame interval after its timestamp counts at the time it ran ({@link frameTime}).
 */

/** What the stage shows: one of the steps, then the placeholders with the answer buttons. */
export type StepDisplay = "fixation" | "left" | "right" | "both" | "blank";
export type StageDisplay = StepDisplay | "choice";

export interface PresentationStep {
  display: StepDisplay;
  /** Intended duration; `null` = until the rater answers (unlimited presentation). */
  durationMs: number | null;
}

/**
 * A fixation cross before each trial's first image, so that the rater's eyes are on the stage
 * when it appears. Not part of the paper's protocol (its tool starts the left image on load);
 * its frames double as the periodic re-measurement of the frame interval (30 frames at 60 Hz).
 */
export const FIXATION_MS = 500;

/**
 * The steps of one trial for a presentation mode (docs/protocol.md): sequential = left image,
 * blank, right image (the released AMT tool: 1000, 600, 1000 ms); side-by-side = both images for
 * the exposure (the paper's text: 1 s); unlimited = both until the answer. A 0 ms blank is left out.
 */
export function buildPresentationSteps(presentation: RaterPresentation, fixationMs = FIXATION_MS): PresentationStep[] {
  const fixation: PresentationStep = { display: "fixation", durationMs: fixationMs };
  switch (presentation.mode) {
    case "sequential":
      return [
        fixation,
        { display: "left", durationMs: presentation.exposureMs },
        ...(presentation.blankMs > 0 ? [{ display: "blank" as const, durationMs: presentation.blankMs }] : []),
        { display: "right", durationMs: presentation.exposureMs },
      ];
    case "side-by-side":
      return [fixation, { display: "both", durationMs: presentation.exposureMs }];
    case "unlimited":
      return [fixation, { display: "both", durationMs: null }];
  }
}

export interface StepRecord {
  display: StepDisplay;
  targetMs: number | null;
  /** rAF timestamp of the first frame showing the step. */
  onset: number;
  /** rAF timestamp of the first frame after it; `null` while shown (or for an open-ended step). */
  offset: number | null;
  /** rAF callbacks (frames) that showed the step, its onset frame included. */
  frames: number;
}

export interface FrameTick {
  /** What this frame must show. */
  display: StageDisplay;
  /** Whether that differs from the previous frame (the page touches the DOM only then). */
  changed: boolean;
  /** The timed part is over: the answer buttons are live from this frame on. */
  finished: boolean;
}

/**
 * The frame at which a timed step ends. A step ends on the first frame whose timestamp is at
 * least `duration − interval/2` after its onset: the exposure is rounded to the nearest whole
 * number of frames (1000 ms = 60 frames at 60 Hz, 144 at 144 Hz, 75 at 75 Hz) instead of
 * always running one frame long.
 */
export function stepHasEnded(elapsedMs: number, durationMs: number, frameIntervalMs: number): boolean {
  return elapsedMs >= durationMs - frameIntervalMs / 2;
}

/**
 * The time a frame's changes count from: its rAF timestamp, or — when the callback ran more than
 * one frame interval later than that (a stall) — the time it actually ran, since nothing it
 * changes can be painted earlier.
 * @example frameTime(1041.4, 16.7, 1187.3) // 1187.3; frameTime(1041.4, 16.7, 1041.9) // 1041.4
 */
export function frameTime(timestamp: number, frameIntervalMs: number, calledAt = timestamp): number {
  return calledAt - timestamp > frameIntervalMs ? calledAt : timestamp;
}

/** One trial's presentation, advanced frame by frame. */
export class PresentationRun {
  private readonly log: StepRecord[] = [];
  private current = -1;
  private finishedTimestamp: number | null = null;

  constructor(private readonly steps: readonly PresentationStep[]) {
    if (steps.length === 0) throw new RangeError("a presentation needs at least one step");
  }

  /** Every step shown so far, in order. */
  get records(): readonly StepRecord[] {
    return this.log;
  }

  /** The trial's first frame (the fixation onset): onsets and offsets are sent relative to it. */
  get startedAt(): number | null {
    return this.log[0]?.onset ?? null;
  }

  /**
   * When the answer opened: the offset of the last timed image, or the onset of the images in
   * unlimited mode (docs/protocol.md: response time runs from the end of the exposure, or from the onset).
   */
  get finishedAt(): number | null {
    return this.finishedTimestamp;
  }

  /**
   * Advances to the frame at `timestamp` (a rAF timestamp), given the current frame-interval
   * estimate and when the callback ran (`performance.now()` in it), and says what the frame shows.
   */
  tick(rafTimestamp: number, frameIntervalMs: number, calledAt = rafTimestamp): FrameTick {
    const timestamp = frameTime(rafTimestamp, frameIntervalMs, calledAt);
    if (this.finishedTimestamp !== null) {
      const last = this.log[this.log.length - 1] as StepRecord;
      return { display: last.offset === null ? last.display : "choice", changed: false, finished: true };
    }
    if (this.current === -1) return this.begin(0, timestamp);
    const record = this.log[this.current] as StepRecord;
    const step = this.steps[this.current] as PresentationStep;
    if (step.durationMs === null || !stepHasEnded(timestamp - record.onset, step.durationMs, frameIntervalMs)) {
      record.frames += 1;
      return { display: record.display, changed: false, finished: false };
    }
    record.offset = timestamp;
    if (this.current + 1 < this.steps.length) return this.begin(this.current + 1, timestamp);
    this.finishedTimestamp = timestamp;
    return { display: "choice", changed: true, finished: true };
  }

  private begin(index: number, timestamp: number): FrameTick {
    const step = this.steps[index] as PresentationStep;
    this.current = index;
    this.log.push({ display: step.display, targetMs: step.durationMs, onset: timestamp, offset: null, frames: 1 });
    const openEnded = step.durationMs === null;
    if (openEnded) this.finishedTimestamp = timestamp;
    return { display: step.display, changed: true, finished: openEnded };
  }
}

/** Rounds to 0.01 ms: finer than any browser's timer resolution, short in the stored JSON. */
export function roundMs(value: number): number {
  return Math.round(value * 100) / 100;
}

/**
 * The ranges the server accepts (`answerSchema`, lib/contract/rater-api.ts): durations up to one hour,
 * a frame interval of 1–200 ms. A value outside them would make the answer a 422 that no retry
 * can fix, so it is clamped here; a trial that needed clamping is flagged anyway (a one-hour
 * exposure is a hidden tab).
 */
export const MAX_REPORTED_MS = 3_600_000;
export const FRAME_INTERVAL_RANGE_MS = { min: 1, max: 200 } as const;

function clampMs(value: number, max = MAX_REPORTED_MS): number {
  return Math.min(max, Math.max(0, value));
}

function durationOf(record: StepRecord | undefined): number | null {
  return record && record.offset !== null ? record.offset - record.onset : null;
}

/**
 * The timing the answer carries (`answerSchema.timing`, lib/contract/rater-api.ts): measured exposure per
 * image, onsets and offsets in ms from the trial's first frame, the frame interval, and the flag.
 * A trial is flagged when any timed image or blank missed its target by more than one frame
 * interval ({@link missesTarget}), or when the page knows of something else that spoiled it
 * (`spoiled`: the trial had been shown before a reload, the window was resized mid-exposure).
 * In side-by-side mode both images share one exposure; in unlimited mode exposures are `null`.
 */
export function summarizeTiming(run: PresentationRun, frameIntervalMs: number, spoiled = false): AnswerTiming {
  const records = run.records;
  const start = run.startedAt;
  if (start === null || run.finishedAt === null) throw new Error("the presentation has not finished");
  const both = records.find((record) => record.display === "both");
  const left = both ?? records.find((record) => record.display === "left");
  const right = both ?? records.find((record) => record.display === "right");
  const relative = (value: number | null | undefined) => (value === null || value === undefined ? undefined : roundMs(clampMs(value - start)));
  const missed = records.some((record) => {
    const measured = durationOf(record);
    return record.display !== "fixation" && record.targetMs !== null && measured !== null && missesTarget(record.targetMs, measured, frameIntervalMs);
  });
  const exposureLeft = durationOf(left);
  const exposureRight = durationOf(right);
  const onsets: AnswerTiming["onsets"] = {};
  const offsets: AnswerTiming["offsets"] = {};
  const leftOnset = relative(left?.onset);
  const rightOnset = relative(right?.onset);
  const leftOffset = relative(left?.offset);
  const rightOffset = relative(right?.offset);
  if (leftOnset !== undefined) onsets.left = leftOnset;
  if (rightOnset !== undefined) onsets.right = rightOnset;
  if (leftOffset !== undefined) offsets.left = leftOffset;
  if (rightOffset !== undefined) offsets.right = rightOffset;
  const interval = Math.min(FRAME_INTERVAL_RANGE_MS.max, Math.max(FRAME_INTERVAL_RANGE_MS.min, frameIntervalMs));
  return {
    frameIntervalMs: roundMs(interval),
    exposureLeftMs: exposureLeft === null ? null : roundMs(clampMs(exposureLeft)),
    exposureRightMs: exposureRight === null ? null : roundMs(clampMs(exposureRight)),
    onsets,
    offsets,
    flagged: missed || spoiled,
    refreshHz: refreshRateHz(interval),
  };
}

/**
 * Response time (ms): from the moment the answer opened ({@link PresentationRun.finishedAt}, a
 * rAF timestamp) to the answer's `performance.now()` — both on the page's one monotonic clock.
 */
export function responseTimeMs(answerOpenedAt: number, answeredAt: number): number {
  return roundMs(clampMs(answeredAt - answerOpenedAt));
}
