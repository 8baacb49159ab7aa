"use client";

import { useEffect, useRef, useState, type RefObject } from "react";
import type { SingleTrialView } from "@/lib/contract/rater-api";
import { wasTrialExposed, type KeyValueStorage } from "@/lib/rater-client/answer-store";
import type { FrameIntervalTracker } from "@/lib/rater-client/frame-interval";
import { FIXATION_MS, PresentationRun, type PresentationStep } from "@/lib/rater-client/presentation-schedule";
import { singleImageFits } from "@/lib/rater-client/single-image-layout";
import { startFrameLoop, useSpoiledWhenHidden } from "./frame-loop";
import type { TrialPhase } from "./use-trial-phase";

/**
 * The steps of a single-image trial: the fixation, the photo for the server's exposure, then the
 * mask (HYPE-time); untimed (HYPE∞), the photo stays until the answer.
 */
export function singleImageSteps(trial: Pick<SingleTrialView, "exposureMs" | "maskMs">): PresentationStep[] {
  const fixation: PresentationStep = { display: "fixation", durationMs: FIXATION_MS };
  if (trial.exposureMs === null) return [fixation, { display: "left", durationMs: null }];
  return [fixation, { display: "left", durationMs: trial.exposureMs }, ...(trial.maskMs > 0 ? [{ display: "blank" as const, durationMs: trial.maskMs }] : [])];
}

interface SinglePresentationInput {
  studyId: string;
  trial: Pick<SingleTrialView, "trialId" | "exposureMs" | "maskMs">;
  /** The photo, decoded and sized (see SingleImageStage); the presentation waits for it. */
  photo: HTMLImageElement | null;
  /** The window holds the photo; shrinking it mid-presentation flags the trial. */
  fits: boolean;
  stage: { rootRef: RefObject<HTMLDivElement | null>; hostRef: RefObject<HTMLDivElement | null> };
  tracker: FrameIntervalTracker;
  storage: KeyValueStorage | null;
  phaseRef: RefObject<TrialPhase>;
  setPhase: (next: TrialPhase) => void;
}

/**
 * The frame-locked presentation of one photo, as usePresentationRun runs a pair's: every display
 * change is written inside the frame callback, and the photo leaves the page when its exposure
 * ends. A trial shown before a reload, or whose tab was hidden mid-exposure, is flagged.
 */
export function useSinglePresentation(input: SinglePresentationInput) {
  const { studyId, trial, photo, fits, tracker, storage, phaseRef, setPhase } = input;
  const { rootRef, hostRef } = input.stage;
  const runRef = useRef<PresentationRun | null>(null);
  const spoiledRef = useRef(false);
  const frameHandle = useRef(0);

  useEffect(() => {
    const root = rootRef.current;
    const host = hostRef.current;
    if (!photo || !root || !host || runRef.current) return;
    host.replaceChildren(photo);
    spoiledRef.current = storage ? wasTrialExposed(storage, studyId, trial.trialId) : false;
    const run = new PresentationRun(singleImageSteps(trial));
    runRef.current = run;
    tracker.pause();
    setPhase("presenting");
    startFrameLoop({
      run,
      tracker,
      root,
      // The photo leaves the page when its exposure ends.
      onDisplayChange: (previous, display) => {
        if (previous === "left" && display !== "left") host.replaceChildren();
      },
      onFinished: () => setPhase("answering"),
      storage,
      studyId,
      trialId: trial.trialId,
      frameHandle,
    });
  }, [photo, storage, studyId, trial, tracker, setPhase, rootRef, hostRef]);

  useEffect(() => {
    if (!fits && phaseRef.current === "presenting") spoiledRef.current = true;
  }, [fits, phaseRef]);

  useSpoiledWhenHidden(phaseRef, spoiledRef);
  useEffect(() => () => cancelAnimationFrame(frameHandle.current), []);

  return { runRef, spoiledRef };
}

/** Whether the window holds a single photo of `stimulusSize` at full size, following resizes; null until mounted. */
export function useSingleImageFits(stimulusSize: number): boolean | null {
  const [fits, setFits] = useState<boolean | null>(null);
  useEffect(() => {
    const update = () => setFits(singleImageFits({ width: window.innerWidth, height: window.innerHeight }, stimulusSize));
    update();
    window.addEventListener("resize", update);
    return () => window.removeEventListener("resize", update);
  }, [stimulusSize]);
  return fits;
}
