"use client";

import { useEffect, useState } from "react";
import { chooseStimulusLayout, type StimulusLayout } from "@/lib/rater-client/stimulus-layout";

function sameLayout(a: StimulusLayout | null, b: StimulusLayout): boolean {
  return a !== null && a.kind === b.kind;
}

/**
 * The stimulus layout for the current window, following resizes and rotations; `null` until
 * mounted (the server cannot know the window).
 */
export function useStimulusLayout(stimulusSize: number): StimulusLayout | null {
  const [layout, setLayout] = useState<StimulusLayout | null>(null);
  useEffect(() => {
    const update = () => {
      const next = chooseStimulusLayout({ width: window.innerWidth, height: window.innerHeight }, stimulusSize);
      setLayout((previous) => (sameLayout(previous, next) ? previous : next));
    };
    update();
    window.addEventListener("resize", update);
    return () => window.removeEventListener("resize", update);
  }, [stimulusSize]);
  return layout;
}
