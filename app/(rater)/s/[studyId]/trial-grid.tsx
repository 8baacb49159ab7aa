"use client";

import type { CSSProperties } from "react";
import type { AnswerResult, Side } from "@/lib/contract/rater-api";
import { STAGE_SPACING, type SideWords, type StimulusLayoutKind } from "@/lib/rater-client/stimulus-layout";
import type { StageRefs } from "./stage-elements";
import styles from "./trial-stage.module.css";

const SIDES = ["left", "right"] as const;

interface TrialGridProps {
  kind: StimulusLayoutKind;
  size: number;
  words: { left: SideWords; right: SideWords };
  hosts: Omit<StageRefs, "rootRef">;
  feedback: AnswerResult["feedback"];
}

/**
 * The stage's grid: a label and a slot per side (the photo's host, the grey placeholder, and in
 * practice the Real/Fake label), and the fixation cross across both. Every layer is always in
 * the DOM; the stage root's data-display decides which is visible (trial-stage.module.css).
 */
export function TrialGrid({ kind, size, words, hosts: { leftHostRef, rightHostRef }, feedback }: TrialGridProps) {
  const { gapPx, labelPx } = STAGE_SPACING;
  const gridStyle: CSSProperties =
    kind === "row"
      ? { gridTemplateColumns: `${size}px ${size}px`, gridTemplateRows: `${labelPx}px ${size}px`, columnGap: gapPx }
      : { gridTemplateColumns: `${labelPx}px ${size}px`, gridTemplateRows: `${size}px ${size}px`, rowGap: gapPx };
  const area = (side: Side, part: "label" | "slot") => {
    const column = side === "left" ? 1 : 2;
    if (kind === "row") return part === "label" ? `1 / ${column}` : `2 / ${column}`;
    return part === "label" ? `${column} / 1` : `${column} / 2`;
  };
  const fixationArea = kind === "row" ? "2 / 1 / 3 / 3" : "1 / 2 / 3 / 3";

  return (
    <div className="relative grid" style={gridStyle}>
      {SIDES.map((side) => {
        const isReal = feedback?.realSide === side;
        return [
          <div
            key={`${side}-label`}
            aria-hidden
            className={`flex items-center justify-center text-sm font-medium text-neutral-600 ${kind === "column" ? styles.sideways : ""}`}
            style={{ gridArea: area(side, "label") }}
          >
            {words[side].name}
          </div>,
          <div
            key={`${side}-slot`}
            className={`relative ${feedback ? (isReal ? "ring-4 ring-green-600" : "ring-4 ring-red-600") : ""}`}
            style={{ gridArea: area(side, "slot"), width: size, height: size }}
          >
            <div ref={side === "left" ? leftHostRef : rightHostRef} className={`${styles.layer} ${side === "left" ? styles.leftImage : styles.rightImage}`} />
            <div className={`${styles.layer} ${styles.placeholder} flex items-center justify-center bg-neutral-300 text-lg text-neutral-600`}>
              {words[side].name}
            </div>
            {feedback && (
              <span
                className={`absolute left-2 top-2 rounded px-2 py-0.5 text-sm font-semibold text-white ${isReal ? "bg-green-700" : "bg-red-700"}`}
                data-testid={`feedback-label-${side}`}
              >
                {isReal ? "Real" : "Fake"}
              </span>
            )}
          </div>,
        ];
      })}
      <div aria-hidden className={`${styles.layer} ${styles.fixation} flex items-center justify-center`} style={{ gridArea: fixationArea }}>
        <span className="text-4xl font-light text-neutral-800">+</span>
      </div>
    </div>
  );
}
