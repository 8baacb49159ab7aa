import { describe, expect, it } from "vitest";
import type { RaterPresentation } from "@/lib/contract/rater-api";
import { missesTarget } from "@/lib/contract/timing-rule";
import {
  buildPresentationSteps,
  FIXATION_MS,
  frameTime,
  PresentationRun,
  responseTimeMs,
  stepHasEnded,
  summarizeTiming,
  type StageDisplay,
} from "@/lib/rater-client/presentation-schedule";

const paperSequential: RaterPresentation = { mode: "sequential", exposureMs: 1000, blankMs: 600 };

/**
 * Drives a run with the given rAF timestamps, as the page does, and returns what each frame
 * showed. The frame interval passed is the display's nominal one.
 */
function drive(run: PresentationRun, stamps: readonly number[], intervalMs: number): StageDisplay[] {
  const shown: StageDisplay[] = [];
  for (const t of stamps) {
    const tick = run.tick(t, intervalMs);
    shown.push(tick.display);
    if (tick.finished) break;
  }
  return shown;
}

const ideal = (hz: number, count: number, start = 0) => Array.from({ length: count }, (_, k) => start + (k * 1000) / hz);

describe("buildPresentationSteps", () => {
  it("follows the released tool (sequential), the paper (side by side) and unlimited", () => {
    expect(buildPresentationSteps(paperSequential)).toEqual([
      { display: "fixation", durationMs: FIXATION_MS },
      { display: "left", durationMs: 1000 },
      { display: "blank", durationMs: 600 },
      { display: "right", durationMs: 1000 },
    ]);
    expect(buildPresentationSteps({ mode: "sequential", exposureMs: 300, blankMs: 0 }).map((step) => step.display)).toEqual(["fixation", "left", "right"]);
    expect(buildPresentationSteps({ mode: "side-by-side", exposureMs: 1000 }, 250)).toEqual([
      { display: "fixation", durationMs: 250 },
      { display: "both", durationMs: 1000 },
    ]);
    expect(buildPresentationSteps({ mode: "unlimited" }).at(-1)).toEqual({ display: "both", durationMs: null });
  });
});

describe("stepHasEnded", () => {
  // 1000 ms at 60 Hz: the threshold is 1000 − 8.33 = 991.67 ms, so frame 59 (983.33) still
  // shows the image and frame 60 (1000.00) hides it: exactly 60 frames.
  it("rounds a duration to the nearest whole number of frames", () => {
    expect(stepHasEnded((59 * 1000) / 60, 1000, 1000 / 60)).toBe(false);
    expect(stepHasEnded((60 * 1000) / 60, 1000, 1000 / 60)).toBe(true);
    // 600 ms at 144 Hz is 86.4 frames: 86 frames (597.22 ms) is the nearest whole number.
    expect(stepHasEnded((85 * 1000) / 144, 600, 1000 / 144)).toBe(false);
    expect(stepHasEnded((86 * 1000) / 144, 600, 1000 / 144)).toBe(true);
  });
});

describe("PresentationRun on an ideal 60 Hz display (the paper's sequential protocol)", () => {
  // Hand computation, frame k at t = 100 + k·16.667 ms: fixation frames 0–29 (500 ms), left
  // image frames 30–89 (1000 ms), blank 90–125 (600 ms = 36 frames), right image 126–185
  // (1000 ms); the placeholders and buttons appear on frame 186 (t = 100 + 3100 ms).
  const run = new PresentationRun(buildPresentationSteps(paperSequential));
  const shown = drive(run, ideal(60, 400, 100), 1000 / 60);

  it("shows each step for its whole number of frames, then the choice", () => {
    const counts = shown.reduce<Record<string, number>>((acc, display) => ({ ...acc, [display]: (acc[display] ?? 0) + 1 }), {});
    expect(counts).toEqual({ fixation: 30, left: 60, blank: 36, right: 60, choice: 1 });
    expect(run.records.map((record) => record.frames)).toEqual([30, 60, 36, 60]);
    expect(run.startedAt).toBe(100);
    expect(run.finishedAt).toBeCloseTo(3200, 9);
  });

  it("reports exposures, onsets and offsets from the trial's first frame, unflagged", () => {
    expect(summarizeTiming(run, 1000 / 60)).toEqual({
      frameIntervalMs: 16.67,
      exposureLeftMs: 1000,
      exposureRightMs: 1000,
      onsets: { left: 500, right: 2100 },
      offsets: { left: 1500, right: 3100 },
      flagged: false,
      refreshHz: 60,
    });
  });

  it("stays finished once finished", () => {
    expect(run.tick(99_999, 1000 / 60)).toEqual({ display: "choice", changed: false, finished: true });
  });
});

describe("PresentationRun on a 144 Hz display", () => {
  it("keeps 1000 ms exact and rounds the 600 ms blank to 86 frames (597.22 ms), unflagged", () => {
    const run = new PresentationRun(buildPresentationSteps(paperSequential));
    drive(run, ideal(144, 1000), 1000 / 144);
    expect(run.records.map((record) => record.frames)).toEqual([72, 144, 86, 144]);
    const blank = run.records[2];
    expect((blank?.offset ?? 0) - (blank?.onset ?? 0)).toBeCloseTo((86 * 1000) / 144, 9);
    const timing = summarizeTiming(run, 1000 / 144);
    expect(timing.exposureLeftMs).toBe(1000);
    expect(timing.exposureRightMs).toBe(1000);
    expect(timing.refreshHz).toBe(144);
    expect(timing.flagged).toBe(false);
  });
});

describe("timing flags", () => {
  const interval = 1000 / 60;

  it("does not flag an exposure one frame long, flags one two frames long", () => {
    expect(missesTarget(1000, 1000 + interval, interval)).toBe(false);
    expect(missesTarget(1000, 1000 - interval, interval)).toBe(false);
    expect(missesTarget(1000, 1000 + 2 * interval, interval)).toBe(true);
  });

  it("flags a stall: no frame from 1400 to 1550 ms stretches the left image to 1050 ms", () => {
    // Frames at 60 Hz except none between t = 1400 and 1550 (a 150 ms long task). The left image
    // starts at 500 ms; the first frame at or past 1491.67 ms is the one at 1550.
    const stamps = ideal(60, 400).filter((t) => t <= 1400 + 1e-9 || t >= 1550 - 1e-9);
    const run = new PresentationRun(buildPresentationSteps(paperSequential));
    drive(run, stamps, interval);
    const timing = summarizeTiming(run, interval);
    expect(timing.exposureLeftMs).toBe(1050);
    expect(timing.flagged).toBe(true);
  });

  it("does not flag an exposure one frame long even when jitter makes it measure over one frame", () => {
    // Jitter of ±0.4 ms on every timestamp (a fixed pattern: −0.4 on the left image's onset frame
    // 30, +0.4 on frame 91) and frames 89 and 90 missing, so the left image ends on frame 91
    // instead of 90: 61 frames = 1016.67 ms, measured 1016.67 + 0.8 = 1017.47 ms — more than one
    // interval (16.67) over, by jitter alone. A rule with no margin would flag it.
    const jitter = [-0.4, 0.4, 0.1, -0.3, 0.2];
    const stamps = ideal(60, 400)
      .map((t, k) => t + (jitter[k % jitter.length] as number))
      .filter((_, k) => k !== 89 && k !== 90);
    const run = new PresentationRun(buildPresentationSteps(paperSequential));
    drive(run, stamps, interval);
    const timing = summarizeTiming(run, interval);
    expect(timing.exposureLeftMs).toBeCloseTo(1017.47, 2);
    expect(timing.flagged).toBe(false);
  });

  // Chromium runs the callback that was due during a stall late, with its old timestamp (a probe
  // in headless Chromium: a 150 ms busy loop from 1031.4 ms gave a callback stamped 1041.4 that
  // ran at 1187.3, then frames resumed at 1191.3). `calledAt` is when each callback ran.
  function driveWithStall(stallFrame: number, stallMs: number) {
    const run = new PresentationRun(buildPresentationSteps(paperSequential));
    const start = stallFrame * interval;
    for (let k = 0; k < 400; k++) {
      const t = k * interval;
      if (t > start && t < start + stallMs) continue; // no frames during the stall
      const tick = run.tick(t, interval, k === stallFrame ? start + stallMs - 4 : t + 0.4);
      if (tick.finished) break;
    }
    return run;
  }

  it("counts a late callback at the time it ran: a stall across the left photo's onset delays it, not shortens it", () => {
    // Frame 30 (500 ms) is due to show the left photo but runs at 646 ms; without the correction
    // the onset would read 500 and the photo, visible from ~646, would be hidden at 1500 (854 ms).
    const run = driveWithStall(30, 150);
    const timing = summarizeTiming(run, interval);
    expect(frameTime(500, interval, 646)).toBe(646);
    expect(timing.onsets.left).toBe(646);
    // Hidden on the first frame ≥ 646 + 991.67: frame 98 (1633.33) is short, frame 99 (1650) ends it.
    expect(timing.exposureLeftMs).toBeCloseTo(1650 - 646, 2);
    expect(timing.flagged).toBe(false);
  });

  it("flags a stall across the left photo's offset: the photo stayed up ~150 ms too long", () => {
    // Frame 90 (1500 ms) should hide the left photo; it runs at 1646 ms, so the offset is 1646.
    const timing = summarizeTiming(driveWithStall(90, 150), interval);
    expect(timing.offsets.left).toBe(1646);
    expect(timing.exposureLeftMs).toBe(1146);
    expect(timing.flagged).toBe(true);
  });

  it("flags a trial the page knows was spoiled (shown before a reload)", () => {
    const run = new PresentationRun(buildPresentationSteps(paperSequential));
    drive(run, ideal(60, 400), interval);
    expect(summarizeTiming(run, interval, true).flagged).toBe(true);
  });

  it("clamps what the server would refuse: an exposure across an hour in a hidden tab", () => {
    const run = new PresentationRun(buildPresentationSteps({ mode: "side-by-side", exposureMs: 1000 }));
    drive(run, [...ideal(60, 31), 500 + 2 * 3_600_000], interval);
    const timing = summarizeTiming(run, 0.5); // and a frame interval below the server's 1 ms floor
    expect(timing.exposureLeftMs).toBe(3_600_000);
    expect(timing.offsets.left).toBe(3_600_000);
    expect(timing.frameIntervalMs).toBe(1);
    expect(timing.refreshHz).toBe(1000);
    expect(timing.flagged).toBe(true);
  });
});

describe("side-by-side and unlimited", () => {
  it("side by side: both images share one measured exposure", () => {
    const run = new PresentationRun(buildPresentationSteps({ mode: "side-by-side", exposureMs: 1000 }));
    const shown = drive(run, ideal(60, 200), 1000 / 60);
    expect(shown.filter((display) => display === "both")).toHaveLength(60);
    expect(summarizeTiming(run, 1000 / 60)).toMatchObject({ exposureLeftMs: 1000, exposureRightMs: 1000, onsets: { left: 500, right: 500 }, offsets: { left: 1500, right: 1500 }, flagged: false });
  });

  it("unlimited: the answer opens at the images' onset; no exposure, no offset", () => {
    const run = new PresentationRun(buildPresentationSteps({ mode: "unlimited" }));
    const shown = drive(run, ideal(60, 200), 1000 / 60);
    expect(shown.at(-1)).toBe("both");
    expect(run.finishedAt).toBeCloseTo(500, 9);
    expect(run.tick(5000, 1000 / 60)).toEqual({ display: "both", changed: false, finished: true });
    expect(summarizeTiming(run, 1000 / 60)).toEqual({
      frameIntervalMs: 16.67,
      exposureLeftMs: null,
      exposureRightMs: null,
      onsets: { left: 500, right: 500 },
      offsets: {},
      flagged: false,
      refreshHz: 60,
    });
  });

  it("refuses to summarize an unfinished run", () => {
    const run = new PresentationRun(buildPresentationSteps(paperSequential));
    run.tick(0, 16);
    expect(() => summarizeTiming(run, 16)).toThrow();
  });
});

describe("responseTimeMs", () => {
  it("runs from the answer's opening to the answer, on the page clock", () => {
    expect(responseTimeMs(3200, 3654.321)).toBe(454.32);
    expect(responseTimeMs(3200, 3100)).toBe(0);
  });
});
