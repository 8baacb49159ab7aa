"use client";

import type { AnswerResult, Side } from "@/lib/contract/rater-api";
import { STAGE_SPACING, type SideWords } from "@/lib/rater-client/stimulus-layout";
import styles from "./trial-stage.module.css";

const SIDES = ["left", "right"] as const;

interface AnswerRowProps {
  width: number;
  words: { left: SideWords; right: SideWords };
  /** The buttons take clicks only while the answer is open. */
  enabled: boolean;
  chosen: Side | null;
  feedback: AnswerResult["feedback"];
  onChoose: (side: Side) => void;
}

/** The row under the photos: the two answer buttons, or in practice the feedback in their place. */
export function AnswerRow({ width, words, enabled, chosen, feedback, onChoose }: AnswerRowProps) {
  const { gapPx, answerRowPx } = STAGE_SPACING;
  return (
    <div className={`${styles.answers} flex items-center`} style={{ height: answerRowPx, width, gap: gapPx }}>
      {feedback ? (
        <p
          data-testid="feedback"
          data-correct={feedback.correct}
          role="status"
          className={`w-full text-center font-semibold ${feedback.correct ? "text-green-800" : "text-red-800"}`}
        >
          {feedback.correct ? "Correct" : "Not this time"}: the {words[feedback.realSide].word} photo is the real one.
        </p>
      ) : (
        SIDES.map((side) => (
          <button
            key={side}
            type="button"
            data-testid={`choose-${side}`}
            aria-keyshortcuts={words[side].key}
            disabled={!enabled}
            onClick={() => onChoose(side)}
            className={`h-11 flex-1 rounded font-medium text-white disabled:cursor-default ${
              chosen === side ? "bg-neutral-600" : "bg-neutral-900 hover:bg-neutral-700"
            } ${chosen && chosen !== side ? "opacity-40" : ""} focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600`}
          >
            {words[side].name} is real <span aria-hidden className="text-neutral-400">{words[side].arrow}</span>
          </button>
        ))
      )}
    </div>
  );
}
