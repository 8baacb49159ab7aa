"use client";

import { useLayoutEffect, type RefObject } from "react";
import type { Side } from "@/lib/contract/rater-api";

/**
 * The stage's DOM nodes that the presentation writes to directly (inside frame callbacks, not
 * through React): the root whose data-display the CSS shows, and the two hosts of the photos.
 */
export interface StageRefs {
  rootRef: RefObject<HTMLDivElement | null>;
  leftHostRef: RefObject<HTMLDivElement | null>;
  rightHostRef: RefObject<HTMLDivElement | null>;
}

/** Whether a side's photo is on screen in a display state of the stage. */
export const showsSide = (display: string | undefined, side: Side) => display === side || display === "both" || display === "feedback";

/**
 * Practice feedback shows both photos again, bordered and labelled, in the same commit as the
 * feedback itself (a layout effect: no frame without them).
 */
export function useFeedbackReveal({ rootRef, leftHostRef, rightHostRef }: StageRefs, feedback: unknown, pair: [HTMLImageElement, HTMLImageElement] | null): void {
  useLayoutEffect(() => {
    const root = rootRef.current;
    if (!feedback || !root) return;
    if (pair) {
      leftHostRef.current?.replaceChildren(pair[0]);
      rightHostRef.current?.replaceChildren(pair[1]);
    }
    root.dataset.display = "feedback";
  }, [rootRef, leftHostRef, rightHostRef, feedback, pair]);
}
