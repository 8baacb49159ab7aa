/**
 * The timing rule the rater's page and the server share (browser-safe, no imports): the page flags
 * the exposures it measured with it, and the server repeats the check on the answer it stores
 * (lib/study/answers.ts), so both sides flag the same trials.
 */

/** Before anything was measured: the commonest refresh rate (60 Hz). */
export const FALLBACK_FRAME_INTERVAL_MS = 1000 / 60;

/**
 * Where between "one frame off" and "two frames off" the flag rule draws its line, in frames.
 * A display changes only on frames, so a measured duration misses its target by a whole number
 * of frames (plus under half a frame of rounding, see `stepHasEnded` in lib/rater-client/presentation-schedule.ts, plus timestamp
 * jitter: ~0.1 ms in Chromium, up to a few ms where rAF timestamps are callback times). A line
 * at exactly 1.0 frame would flag a trial that ran one frame long by a coin flip of that jitter;
 * at 1.5 frames it flags exactly the trials that missed by more than one frame (docs/protocol.md, "Timing").
 */
export const FLAG_THRESHOLD_FRAMES = 1.5;

/**
 * Whether a measured duration missed its target by more than one frame interval (the flag rule
 * of docs/protocol.md), decided with a half-frame margin against jitter ({@link FLAG_THRESHOLD_FRAMES}).
 * @example missesTarget(1000, 1016.7, 16.7) // false: one frame long
 * @example missesTarget(1000, 1033.4, 16.7) // true: two frames long
 */
export function missesTarget(targetMs: number, measuredMs: number, frameIntervalMs: number): boolean {
  return Math.abs(measuredMs - targetMs) > FLAG_THRESHOLD_FRAMES * frameIntervalMs;
}
