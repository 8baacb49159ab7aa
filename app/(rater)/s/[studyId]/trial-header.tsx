"use client";

import { useEffect, useRef } from "react";
import type { TrialView } from "@/lib/contract/rater-api";
import { STAGE_SPACING } from "@/lib/rater-client/stimulus-layout";

interface TrialHeaderProps {
  trial: Pick<TrialView, "phase" | "index" | "phaseTotal">;
  width: number;
  /** The live status line: loading, the question, saving. */
  status: string;
  /** The answer just opened: focus moves to the question, so keyboard and screen-reader users land there. */
  answerOpen: boolean;
}

/** Above the stage: where the rater is ("Trial 3 of 40") and the live status line. */
export function TrialHeader({ trial, width, status, answerOpen }: TrialHeaderProps) {
  const promptRef = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    if (answerOpen) promptRef.current?.focus({ preventScroll: true });
  }, [answerOpen]);
  const phaseLabel = trial.phase === "practice" ? `Practice ${trial.index} of ${trial.phaseTotal}` : `Trial ${trial.index} of ${trial.phaseTotal}`;
  return (
    <header className="flex items-center justify-between gap-2 text-sm" style={{ height: STAGE_SPACING.headerPx, width }}>
      <span data-testid="trial-phase" data-phase={trial.phase} data-index={trial.index} className="shrink-0 whitespace-nowrap font-medium text-neutral-700">
        {phaseLabel}
      </span>
      <p ref={promptRef} tabIndex={-1} role="status" aria-live="polite" className="text-right text-neutral-900 outline-none">
        {status}
      </p>
    </header>
  );
}
