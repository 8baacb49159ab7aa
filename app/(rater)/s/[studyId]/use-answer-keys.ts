"use client";

import { useEffect, type RefObject } from "react";
import type { Side } from "@/lib/contract/rater-api";
import type { SideWords } from "@/lib/rater-client/stimulus-layout";
import type { TrialPhase } from "./use-trial-phase";

/** The layout's own keys (↑/↓ when stacked) choose a side while the answer is open; ←/→ work in either layout. */
export function useAnswerKeys(words: { left: SideWords; right: SideWords }, phaseRef: RefObject<TrialPhase>, choose: (side: Side) => void): void {
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.repeat || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
      const { left, right } = words;
      const side = event.key === left.key || event.key === "ArrowLeft" ? "left" : event.key === right.key || event.key === "ArrowRight" ? "right" : null;
      if (!side || phaseRef.current !== "answering") return;
      event.preventDefault();
      choose(side);
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [choose, words, phaseRef]);
}
