import { FALLBACK_FRAME_INTERVAL_MS } from "@/lib/contract/timing-rule";

/**
 * The display's frame interval, estimated from `requestAnimationFrame` timestamps. rAF fires
 * once per displayed frame, so the median gap between its timestamps is the refresh period
 * (16.67 ms at 60 Hz, 6.94 ms at 144 Hz). The median, not the mean, because a single dropped
 * frame or a tab switch adds one huge gap that would drag a mean far off.
 */

/** How many frame gaps an estimate uses: about half a second at 60 Hz (about 30 rAF deltas). */
export const FRAME_WINDOW = 30;

/**
 * Gaps longer than this are pauses (hidden tab, debugger, a long task), not frames; no display
 * refreshes slower than 5 Hz. The server accepts frame intervals up to 200 ms.
 */
export const MAX_FRAME_GAP_MS = 200;

/**
 * The median of a list of numbers (the mean of the two middle values for an even count).
 * @throws {RangeError} on an empty list: a median of nothing is undefined.
 * @example median([3, 1, 2]) // 2; median([4, 1, 3, 2]) // 2.5
 */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError("median of an empty list");
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] as number;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] as number) + upper) / 2;
}

/**
 * The gaps between successive timestamps that can be frame gaps: positive and at most
 * {@link MAX_FRAME_GAP_MS}.
 */
export function frameGaps(timestamps: readonly number[]): number[] {
  const gaps: number[] = [];
  for (let i = 1; i < timestamps.length; i++) {
    const gap = (timestamps[i] as number) - (timestamps[i - 1] as number);
    if (gap > 0 && gap <= MAX_FRAME_GAP_MS) gaps.push(gap);
  }
  return gaps;
}

/**
 * The frame interval (ms) from a run of rAF timestamps: the median of their gaps.
 * @returns `null` when fewer than two usable gaps exist.
 * @example estimateFrameInterval([0, 16.7, 33.3, 50, 100, 116.7]) // 16.7 (the 50 ms gap is a dropped pair of frames)
 */
export function estimateFrameInterval(timestamps: readonly number[]): number | null {
  const gaps = frameGaps(timestamps);
  return gaps.length < 2 ? null : median(gaps);
}

/** The refresh rate (Hz) for a frame interval, to one decimal. @example refreshRateHz(1000 / 144) // 144 */
export function refreshRateHz(frameIntervalMs: number): number {
  return Math.round((10_000 / frameIntervalMs)) / 10;
}

/**
 * A rolling estimate over the last {@link FRAME_WINDOW} frame gaps. The page feeds it every rAF
 * timestamp it sees (the measurement before the session, then every trial's fixation and
 * exposure frames), so the estimate follows a display that changes rate (a laptop that drops to
 * 48 Hz on battery, a window dragged to another monitor).
 */
export class FrameIntervalTracker {
  private readonly gaps: number[] = [];
  private last: number | null = null;

  constructor(private readonly window = FRAME_WINDOW) {}

  /** Records one rAF timestamp. */
  record(timestamp: number): void {
    if (this.last !== null) {
      const gap = timestamp - this.last;
      if (gap > 0 && gap <= MAX_FRAME_GAP_MS) {
        this.gaps.push(gap);
        if (this.gaps.length > this.window) this.gaps.shift();
      }
    }
    this.last = timestamp;
  }

  /** Forgets the last timestamp, so the gap across a pause between two runs is never counted. */
  pause(): void {
    this.last = null;
  }

  /** How many gaps the estimate rests on. */
  get sampleCount(): number {
    return this.gaps.length;
  }

  /** The median gap, or `null` before two gaps were seen. */
  estimateMs(): number | null {
    return this.gaps.length < 2 ? null : median(this.gaps);
  }
}

/** `requestAnimationFrame`'s shape, so that tests can drive frames by hand. */
export type RequestFrame = (callback: (timestamp: number) => void) => unknown;

/**
 * Measures the frame interval by watching `frames` + 1 rAF callbacks, feeding each timestamp to
 * `tracker`. Resolves with the tracker's estimate (or the 60 Hz fallback if the page was hidden
 * throughout and no frame came).
 */
export function measureFrameInterval(requestFrame: RequestFrame, tracker: FrameIntervalTracker, frames = FRAME_WINDOW): Promise<number> {
  return new Promise((resolve) => {
    let seen = 0;
    const onFrame = (timestamp: number) => {
      tracker.record(timestamp);
      seen += 1;
      if (seen > frames) {
        tracker.pause();
        resolve(tracker.estimateMs() ?? FALLBACK_FRAME_INTERVAL_MS);
      } else {
        requestFrame(onFrame);
      }
    };
    requestFrame(onFrame);
  });
}
