"use client";

import { useEffect, type RefObject } from "react";
import { FALLBACK_FRAME_INTERVAL_MS } from "@/lib/contract/timing-rule";
import { markTrialExposed, type KeyValueStorage } from "@/lib/rater-client/answer-store";
import type { FrameIntervalTracker } from "@/lib/rater-client/frame-interval";
import type { PresentationRun } from "@/lib/rater-client/presentation-schedule";
import { requestFrame } from "./browser-runtime";
import type { TrialPhase } from "./use-trial-phase";

interface FrameLoopInput {
  run: PresentationRun;
  tracker: FrameIntervalTracker;
  /** The stage root: its data-display is written inside the frame callback that paints it. */
  root: HTMLElement;
  /** Called in the same frame as a display change, with the display before it. */
  onDisplayChange: (previous: string | undefined, next: string) => void;
  /** The last step ended: the answer opens. */
  onFinished: () => void;
  storage: KeyValueStorage | null;
  studyId: string;
  trialId: string;
  /** Where the pending frame's handle is kept, so that unmounting can cancel it. */
  frameHandle: { current: number };
}

/**
 * The frame-locked loop shared by the paired and the single-image presentations: each
 * `requestAnimationFrame` callback records the frame, advances the run and writes the stage's
 * data-display in that callback, so each change is painted in the frame whose timestamp the run
 * records as its onset or offset. The first photo shown marks the trial as exposed in storage
 * (after the frame: a storage write can take milliseconds), so a reload shows it again flagged.
 */
export function startFrameLoop(input: FrameLoopInput): void {
  const { run, tracker, root, storage } = input;
  let marked = false;
  const onFrame = (timestamp: number) => {
    const calledAt = performance.now();
    tracker.record(timestamp);
    const tick = run.tick(timestamp, tracker.estimateMs() ?? FALLBACK_FRAME_INTERVAL_MS, calledAt);
    if (tick.changed) {
      const previous = root.dataset.display;
      root.dataset.display = tick.display;
      input.onDisplayChange(previous, tick.display);
      if (!marked && tick.display !== "fixation") {
        marked = true;
        if (storage) setTimeout(() => markTrialExposed(storage, input.studyId, input.trialId), 0);
      }
    }
    if (tick.finished) {
      tracker.pause();
      root.dataset.answer = "open";
      input.onFinished();
      return;
    }
    input.frameHandle.current = requestFrame(onFrame);
  };
  input.frameHandle.current = requestFrame(onFrame);
}

/** A presentation whose tab is hidden while it runs is spoiled: the rater may not have seen it as the protocol says. */
export function useSpoiledWhenHidden(phaseRef: RefObject<TrialPhase>, spoiledRef: RefObject<boolean>): void {
  useEffect(() => {
    const onVisibility = () => {
      if (document.visibilityState === "hidden" && phaseRef.current === "presenting") spoiledRef.current = true;
    };
    document.addEventListener("visibilitychange", onVisibility);
    return () => document.removeEventListener("visibilitychange", onVisibility);
  }, [phaseRef, spoiledRef]);
}
