"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import type { AnswerBody, AnswerResult } from "@/lib/contract/rater-api";
import type { TrialPhase } from "./use-trial-phase";

/** What the page's answer sender reports back to the trial. */
export type SubmitOutcome =
  | { kind: "stored"; result: AnswerResult }
  /** Every retry failed; the answer is kept (also in storage) for "Try again" or the next visit. */
  | { kind: "exhausted" }
  /** The server refused the answer for good and the page has moved on (closed study, resync). */
  | { kind: "handled" };

interface SubmissionInput {
  trialId: string;
  practiceFeedbackMs: number;
  submit: (trialId: string, body: AnswerBody) => Promise<SubmitOutcome>;
  onDone: (result: AnswerResult) => void;
  setPhase: (next: TrialPhase) => void;
}

export interface AnswerSubmission {
  /** The answer given, kept for "Try again"; null before the rater chose. */
  answer: AnswerBody | null;
  /** Practice feedback once the server stored a practice answer. */
  feedback: AnswerResult["feedback"];
  /** Sends the rater's answer (once per trial). */
  sendAnswer: (body: AnswerBody) => void;
  /** Sends the kept answer again after every retry failed. */
  resend: () => void;
}

/**
 * Sends the trial's answer through the page's sender and follows the outcome: stored → the next
 * trial, or first the practice feedback for `practiceFeedbackMs`; retries spent → "send-failed"
 * with the answer kept; refused for good → nothing (the page has moved on).
 */
export function useAnswerSubmission({ trialId, practiceFeedbackMs, submit, onDone, setPhase }: SubmissionInput): AnswerSubmission {
  const [answer, setAnswer] = useState<AnswerBody | null>(null);
  const [feedback, setFeedback] = useState<AnswerResult["feedback"]>(null);
  const feedbackTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const send = useCallback(
    async (body: AnswerBody) => {
      setPhase("sending");
      const outcome = await submit(trialId, body);
      if (outcome.kind === "exhausted") return setPhase("send-failed");
      if (outcome.kind === "handled") return;
      const { result } = outcome;
      if (!result.feedback) return onDone(result);
      setFeedback(result.feedback);
      setPhase("feedback");
      feedbackTimer.current = setTimeout(() => onDone(result), practiceFeedbackMs);
    },
    [submit, trialId, practiceFeedbackMs, onDone, setPhase],
  );

  useEffect(() => () => clearTimeout(feedbackTimer.current), []);

  const sendAnswer = useCallback(
    (body: AnswerBody) => {
      setAnswer(body);
      void send(body);
    },
    [send],
  );
  const resend = useCallback(() => {
    if (answer) void send(answer);
  }, [answer, send]);

  return { answer, feedback, sendAnswer, resend };
}
