"use client";

import { useCallback, useMemo, useRef, useState } from "react";
import type { AnswerBody, AnswerResult, Side, PairedTrialView } from "@/lib/contract/rater-api";
import { FALLBACK_FRAME_INTERVAL_MS } from "@/lib/contract/timing-rule";
import type { KeyValueStorage } from "@/lib/rater-client/answer-store";
import type { FrameIntervalTracker } from "@/lib/rater-client/frame-interval";
import { createIdempotencyKey } from "@/lib/rater-client/idempotency-key";
import type { ImageCache } from "@/lib/rater-client/image-preload";
import { responseTimeMs, summarizeTiming } from "@/lib/rater-client/presentation-schedule";
import { sideWords, STAGE_SPACING, type StimulusLayoutKind } from "@/lib/rater-client/stimulus-layout";
import { AnswerRow } from "./answer-row";
import { AnswerAlerts } from "./answer-alerts";
import { RetryAlert } from "./retry-alert";
import { ScreenTooSmall } from "./screen-too-small";
import { useFeedbackReveal } from "./stage-elements";
import { TrialGrid } from "./trial-grid";
import { TrialHeader } from "./trial-header";
import { useAnswerKeys } from "./use-answer-keys";
import { useAnswerSubmission, type SubmitOutcome } from "./use-answer-submission";
import { usePresentationRun } from "./use-presentation-run";
import { useResponseReminder } from "./use-response-reminder";
import { useStimulusLayout } from "./use-stimulus-layout";
import { useTrialPhase, type TrialPhase } from "./use-trial-phase";
import { useTrialPhotos } from "./use-trial-photos";
import styles from "./trial-stage.module.css";

interface TrialStageProps {
  studyId: string;
  trial: PairedTrialView;
  stimulusSize: number;
  tracker: FrameIntervalTracker;
  images: ImageCache<HTMLImageElement>;
  storage: KeyValueStorage | null;
  submit: (trialId: string, body: AnswerBody) => Promise<SubmitOutcome>;
  onDone: (result: AnswerResult) => void;
}

function statusLine(phase: TrialPhase, slowLoad: boolean): string {
  if (phase === "preparing" && slowLoad) return "Loading the photos…";
  if (phase === "answering") return "Which photo has the real colours?";
  if (phase === "sending") return "Saving your answer…";
  return "";
}

/**
 * One trial: decode both photos, then a frame-locked presentation (fixation, photos, blank, as
 * the protocol says), then grey placeholders and the two answer buttons (the rater chooses from
 * memory, as in the released tool), then the answer is sent and, in practice, the feedback shown.
 * Mounted once per trial (keyed by its id), so nothing carries over between trials.
 */
export function TrialStage({ studyId, trial, stimulusSize: size, tracker, images, storage, submit, onDone }: TrialStageProps) {
  const layout = useStimulusLayout(size);
  // The last layout that fitted: a window shrunk below the stimuli keeps it under the overlay.
  const [kind, setKind] = useState<StimulusLayoutKind>("row");
  const fits = layout !== null && layout.kind !== "too-small";
  if (fits && layout.kind !== kind) setKind(layout.kind);
  const words = useMemo(() => sideWords(kind), [kind]);

  const [phase, setPhase, phaseRef] = useTrialPhase();
  const [chosen, setChosen] = useState<Side | null>(null);
  const answered = useRef(false);
  const rootRef = useRef<HTMLDivElement>(null);
  const leftHostRef = useRef<HTMLDivElement>(null);
  const rightHostRef = useRef<HTMLDivElement>(null);

  const onPhotosFailed = useCallback(() => setPhase("load-failed"), [setPhase]);
  const photos = useTrialPhotos(images, trial.leftUrl, trial.rightUrl, onPhotosFailed);
  const { runRef, spoiledRef } = usePresentationRun({
    studyId,
    trial,
    pair: photos.pair,
    fits,
    kind,
    currentLayout: layout?.kind,
    words,
    size,
    stage: { rootRef, leftHostRef, rightHostRef },
    tracker,
    storage,
    phaseRef,
    setPhase,
  });
  const submission = useAnswerSubmission({ trialId: trial.trialId, practiceFeedbackMs: trial.practiceFeedbackMs, submit, onDone, setPhase });
  const { sendAnswer } = submission;

  // The answer: response time on the page's monotonic clock from the moment the answer opened.
  const choose = useCallback(
    (side: Side) => {
      const run = runRef.current;
      if (phaseRef.current !== "answering" || answered.current || !run || run.finishedAt === null) return;
      const answeredAt = performance.now();
      answered.current = true;
      const root = rootRef.current;
      if (root) root.dataset.display = "choice";
      // Unlimited viewing ends with the answer: the photos leave the page now.
      leftHostRef.current?.replaceChildren();
      rightHostRef.current?.replaceChildren();
      const frameInterval = tracker.estimateMs() ?? FALLBACK_FRAME_INTERVAL_MS;
      setChosen(side);
      sendAnswer({
        idempotencyKey: createIdempotencyKey(window.crypto),
        chosenSide: side,
        responseTimeMs: responseTimeMs(run.finishedAt, answeredAt),
        timing: summarizeTiming(run, frameInterval, spoiledRef.current),
      });
    },
    [phaseRef, runRef, spoiledRef, sendAnswer, tracker],
  );
  useAnswerKeys(words, phaseRef, choose);
  const overdue = useResponseReminder(phase === "answering", trial.responseTimeLimitMs);
  // A pair's feedback names the real side (the page's answer sender also serves single photos).
  const feedback = submission.feedback && "realSide" in submission.feedback ? submission.feedback : null;
  useFeedbackReveal({ rootRef, leftHostRef, rightHostRef }, feedback, photos.pair);

  const gridWidth = kind === "row" ? 2 * size + STAGE_SPACING.gapPx : STAGE_SPACING.labelPx + size;
  return (
    <div className="flex flex-col items-center" style={{ padding: STAGE_SPACING.paddingPx }}>
      <TrialHeader trial={trial} width={gridWidth} status={statusLine(phase, photos.slowLoad)} answerOpen={phase === "answering"} />

      <div ref={rootRef} className={styles.trial} data-testid="trial-stage" data-trial-id={trial.trialId}>
        <TrialGrid kind={kind} size={size} words={words} hosts={{ leftHostRef, rightHostRef }} feedback={feedback} />
        <AnswerRow width={gridWidth} words={words} enabled={phase === "answering"} chosen={chosen} feedback={feedback} onChoose={choose} />
      </div>

      <AnswerAlerts phase={phase} overdue={overdue} unsent={Boolean(submission.answer)} onResend={submission.resend} />
      {phase === "load-failed" && (
        <RetryAlert
          message="The photos could not be loaded. Check your internet connection and try again."
          onRetry={() => {
            setPhase("preparing");
            photos.reload();
          }}
        />
      )}
      {layout?.kind === "too-small" && (phase === "preparing" || phase === "presenting") && (
        <ScreenTooSmall needs={layout.needs} stimulusSize={size} overlay />
      )}
    </div>
  );
}
