import { describe, expect, it } from "vitest";
import {
  estimateFrameInterval,
  FrameIntervalTracker,
  frameGaps,
  measureFrameInterval,
  median,
  refreshRateHz,
} from "@/lib/rater-client/frame-interval";
import { FALLBACK_FRAME_INTERVAL_MS } from "@/lib/contract/timing-rule";

/** rAF timestamps of an ideal display: `count` frames of `hz` from `start` (ms). */
function frames(hz: number, count: number, start = 0): number[] {
  return Array.from({ length: count }, (_, k) => start + (k * 1000) / hz);
}

describe("median", () => {
  // Hand computation: sorted [1, 2, 3] → middle 2; sorted [1, 2, 3, 4] → (2 + 3) / 2.
  it("takes the middle value, or the mean of the two middle values", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
  });
  it("refuses an empty list", () => {
    expect(() => median([])).toThrow(RangeError);
  });
});

describe("estimateFrameInterval", () => {
  it("finds 60 Hz and 144 Hz periods from ideal timestamps", () => {
    expect(estimateFrameInterval(frames(60, 31))).toBeCloseTo(1000 / 60, 9);
    expect(estimateFrameInterval(frames(144, 31))).toBeCloseTo(1000 / 144, 9);
  });

  it("ignores dropped frames and pauses (median, gaps over 200 ms left out)", () => {
    // 60 Hz with one 50 ms hole (two frames dropped) and a 5 s pause (hidden tab): gaps are
    // 29 × 16.67, one 50 and the pause is not a gap at all; the median stays 16.67.
    const stamps = [...frames(60, 20), ...frames(60, 10, 19 * (1000 / 60) + 50), ...frames(60, 2, 10_000)];
    expect(frameGaps(stamps)).toHaveLength(29 + 1);
    expect(estimateFrameInterval(stamps)).toBeCloseTo(1000 / 60, 9);
  });

  it("says nothing from fewer than two gaps", () => {
    expect(estimateFrameInterval([0, 16])).toBeNull();
    expect(estimateFrameInterval([5, 5, 5])).toBeNull(); // zero gaps are not frames
  });
});

describe("refreshRateHz", () => {
  it("converts to Hz with one decimal", () => {
    expect(refreshRateHz(1000 / 60)).toBe(60);
    expect(refreshRateHz(1000 / 144)).toBe(144);
    expect(refreshRateHz(1000 / 59.94)).toBe(59.9);
  });
});

describe("FrameIntervalTracker", () => {
  it("follows a display that changes rate: only the last 30 gaps count", () => {
    const tracker = new FrameIntervalTracker();
    expect(tracker.estimateMs()).toBeNull();
    for (const t of frames(60, 40)) tracker.record(t);
    expect(tracker.estimateMs()).toBeCloseTo(1000 / 60, 9);
    // 31 frames at 144 Hz give 30 gaps of 6.94 ms (the first gap, from the last 60 Hz frame, is 6.94 too).
    const start = 39 * (1000 / 60) + 1000 / 144;
    for (const t of frames(144, 31, start)) tracker.record(t);
    expect(tracker.sampleCount).toBe(30);
    expect(tracker.estimateMs()).toBeCloseTo(1000 / 144, 9);
  });

  it("never counts the gap across a pause", () => {
    const tracker = new FrameIntervalTracker(4);
    tracker.record(0);
    tracker.record(10);
    tracker.pause();
    tracker.record(150); // 140 ms after the last frame: a valid-looking gap, but it spans the pause
    tracker.record(160);
    expect(tracker.sampleCount).toBe(2);
    expect(tracker.estimateMs()).toBe(10);
  });
});

describe("measureFrameInterval", () => {
  it("watches 31 frames through the given rAF and resolves with their median gap", async () => {
    const stamps = frames(120, 100, 1234);
    let calls = 0;
    const requestFrame = (callback: (t: number) => void) => {
      const t = stamps[calls++] as number;
      queueMicrotask(() => callback(t));
    };
    const tracker = new FrameIntervalTracker();
    await expect(measureFrameInterval(requestFrame, tracker)).resolves.toBeCloseTo(1000 / 120, 9);
    expect(calls).toBe(31);
    expect(tracker.sampleCount).toBe(30);
  });

  it("falls back to 60 Hz when every gap was a pause", async () => {
    let t = 0;
    const requestFrame = (callback: (t: number) => void) => queueMicrotask(() => callback((t += 1000)));
    await expect(measureFrameInterval(requestFrame, new FrameIntervalTracker(), 3)).resolves.toBe(FALLBACK_FRAME_INTERVAL_MS);
  });
});
