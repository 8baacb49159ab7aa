"use client";

import type { SingleFeedback } from "@/lib/contract/rater-api";

export type Judgement = "real" | "fake";

interface JudgementRowProps {
  enabled: boolean;
  chosen: Judgement | null;
  feedback: SingleFeedback | null;
  onJudge: (judgement: Judgement) => void;
}

/** Under a single photo: "Real" and "Fake" (keys R and F), or in practice the feedback in their place. */
export function JudgementRow({ enabled, chosen, feedback, onJudge }: JudgementRowProps) {
  if (feedback) {
    return (
      <p data-testid="feedback" data-correct={feedback.correct} role="status" className={`w-full text-center font-semibold ${feedback.correct ? "text-green-800" : "text-red-800"}`}>
        {feedback.correct ? "Correct" : "Not this time"}: this photo {feedback.imageWasReal ? "has its real colours" : "was colorized by a computer"}.
      </p>
    );
  }
  return (
    <>
      {(["real", "fake"] as const).map((judgement) => (
        <button
          key={judgement}
          type="button"
          data-testid={`judge-${judgement}`}
          aria-keyshortcuts={judgement === "real" ? "R" : "F"}
          disabled={!enabled}
          onClick={() => onJudge(judgement)}
          className={`h-11 flex-1 rounded font-medium text-white disabled:cursor-default ${
            chosen === judgement ? "bg-neutral-600" : "bg-neutral-900 hover:bg-neutral-700"
          } ${chosen && chosen !== judgement ? "opacity-40" : ""} focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600`}
        >
          {judgement === "real" ? "Real" : "Fake"} <span aria-hidden className="text-neutral-400">({judgement === "real" ? "R" : "F"})</span>
        </button>
      ))}
    </>
  );
}
