"use client";

import { useEffect, useRef, type RefObject } from "react";
import type { PairedTrialView } from "@/lib/contract/rater-api";
import { wasTrialExposed, type KeyValueStorage } from "@/lib/rater-client/answer-store";
import type { FrameIntervalTracker } from "@/lib/rater-client/frame-interval";
import { buildPresentationSteps, PresentationRun } from "@/lib/rater-client/presentation-schedule";
import type { SideWords, StimulusLayout, StimulusLayoutKind } from "@/lib/rater-client/stimulus-layout";
import { startFrameLoop, useSpoiledWhenHidden } from "./frame-loop";
import { showsSide, type StageRefs } from "./stage-elements";
import type { TrialPhase } from "./use-trial-phase";

interface PresentationInput {
  studyId: string;
  trial: Pick<PairedTrialView, "trialId" | "presentation">;
  /** Both photos, decoded; the presentation waits for them. */
  pair: [HTMLImageElement, HTMLImageElement] | null;
  /** The window fits the stimuli; the presentation waits for that too. */
  fits: boolean;
  /** The layout the stage is drawn in, and the window's current one (to notice a change mid-run). */
  kind: StimulusLayoutKind;
  currentLayout: StimulusLayout["kind"] | undefined;
  words: { left: SideWords; right: SideWords };
  size: number;
  stage: StageRefs;
  tracker: FrameIntervalTracker;
  storage: KeyValueStorage | null;
  phaseRef: RefObject<TrialPhase>;
  setPhase: (next: TrialPhase) => void;
}

export interface PresentationHandle {
  /** The running (then finished) presentation; null before it starts. */
  runRef: RefObject<PresentationRun | null>;
  /** The rater may not have seen the photos as the protocol says: reloaded, resized, tab hidden. */
  spoiledRef: RefObject<boolean>;
}

/**
 * The frame-locked presentation of one trial: once the photos are decoded and the window fits, a
 * `requestAnimationFrame` loop drives the exposure schedule and writes the stage's data-display
 * inside the frame callback, so each change is painted in the frame whose timestamp the run
 * records as its onset or offset. At the end the answer opens ("answering").
 */
export function usePresentationRun(input: PresentationInput): PresentationHandle {
  const { studyId, trial, pair, fits, kind, currentLayout, words, size, tracker, storage, phaseRef, setPhase } = input;
  const { rootRef, leftHostRef, rightHostRef } = input.stage;
  const runRef = useRef<PresentationRun | null>(null);
  const spoiledRef = useRef(false);
  const frameHandle = useRef(0);
  const started = useRef(false);
  const layoutAtStart = useRef<StimulusLayoutKind | null>(null);

  useEffect(() => {
    if (!pair || !fits || started.current || phaseRef.current !== "preparing") return;
    const root = rootRef.current;
    const leftHost = leftHostRef.current;
    const rightHost = rightHostRef.current;
    if (!root || !leftHost || !rightHost) return;
    started.current = true;
    layoutAtStart.current = kind;
    const [leftImage, rightImage] = pair;
    for (const [image, host, side] of [[leftImage, leftHost, "left"], [rightImage, rightHost, "right"]] as const) {
      image.alt = `${words[side].name} photo`;
      image.draggable = false;
      image.width = size;
      image.height = size;
      image.style.cssText = `display:block;width:${size}px;height:${size}px;user-select:none;-webkit-user-select:none;-webkit-touch-callout:none`;
      host.replaceChildren(image);
    }
    // A trial this browser showed before (then reloaded) is shown again, but flagged.
    spoiledRef.current = storage ? wasTrialExposed(storage, studyId, trial.trialId) : false;
    const presentation = new PresentationRun(buildPresentationSteps(trial.presentation));
    runRef.current = presentation;
    tracker.pause();
    setPhase("presenting");
    startFrameLoop({
      run: presentation,
      tracker,
      root,
      // A photo whose exposure ended leaves the page, not just the screen: nothing in the DOM
      // holds it while the rater chooses.
      onDisplayChange: (previous, display) => {
        for (const [side, host] of [["left", leftHost], ["right", rightHost]] as const) {
          if (showsSide(previous, side) && !showsSide(display, side)) host.replaceChildren();
        }
      },
      onFinished: () => setPhase("answering"),
      storage,
      studyId,
      trialId: trial.trialId,
      frameHandle,
    });
    // No cleanup here: a resize must not stop a running presentation; unmounting does (below).
    // Later changes of the inputs find `started` set and leave the running presentation alone.
  }, [pair, fits, kind, words, setPhase, size, storage, studyId, tracker, trial.presentation, trial.trialId, phaseRef, rootRef, leftHostRef, rightHostRef]);

  useEffect(
    () => () => {
      cancelAnimationFrame(frameHandle.current);
      started.current = false;
    },
    [],
  );

  // A presentation disturbed by a layout change or a hidden tab is flagged (the rater may not have
  // seen the photos as the protocol says); the exposure stretch itself is caught by the timing.
  useEffect(() => {
    if (phaseRef.current === "presenting" && layoutAtStart.current !== null && currentLayout !== layoutAtStart.current) spoiledRef.current = true;
  }, [currentLayout, phaseRef]);
  useSpoiledWhenHidden(phaseRef, spoiledRef);

  return { runRef, spoiledRef };
}
