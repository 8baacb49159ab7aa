"use client";

import { useCallback, useRef, useState, type RefObject } from "react";

/** Where one trial stands, from decoding the photos to the practice feedback. */
export type TrialPhase = "preparing" | "load-failed" | "presenting" | "answering" | "sending" | "send-failed" | "feedback";

/**
 * The trial's phase as state (for rendering) and as a ref (for frame and key callbacks, which must
 * see the phase of this instant, not of their render).
 */
export function useTrialPhase(): [TrialPhase, (next: TrialPhase) => void, RefObject<TrialPhase>] {
  const [phase, setPhaseState] = useState<TrialPhase>("preparing");
  const phaseRef = useRef<TrialPhase>("preparing");
  const setPhase = useCallback((next: TrialPhase) => {
    phaseRef.current = next;
    setPhaseState(next);
  }, []);
  return [phase, setPhase, phaseRef];
}
