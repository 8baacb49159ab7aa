"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import type { AnswerBody, AnswerResult, SingleFeedback, SingleTrialView } from "@/lib/contract/rater-api";
import { FALLBACK_FRAME_INTERVAL_MS } from "@/lib/contract/timing-rule";
import type { KeyValueStorage } from "@/lib/rater-client/answer-store";
import type { FrameIntervalTracker } from "@/lib/rater-client/frame-interval";
import { createIdempotencyKey } from "@/lib/rater-client/idempotency-key";
import type { ImageCache } from "@/lib/rater-client/image-preload";
import { responseTimeMs, summarizeTiming } from "@/lib/rater-client/presentation-schedule";
import { runWithRetry } from "@/lib/rater-client/retry";
import { STAGE_SPACING } from "@/lib/rater-client/stimulus-layout";
import { browserRetryHooks } from "./browser-runtime";
import { JudgementRow, type Judgement } from "./judgement-row";
import { AnswerAlerts } from "./answer-alerts";
import { RetryAlert } from "./retry-alert";
import { TrialHeader } from "./trial-header";
import { useAnswerSubmission, type SubmitOutcome } from "./use-answer-submission";
import { useResponseReminder } from "./use-response-reminder";
import { useSingleImageFits, useSinglePresentation } from "./use-single-presentation";
import { useTrialPhase, type TrialPhase } from "./use-trial-phase";
import styles from "./single-image-stage.module.css";

interface SingleImageStageProps {
  studyId: string;
  trial: SingleTrialView;
  stimulusSize: number;
  tracker: FrameIntervalTracker;
  images: ImageCache<HTMLImageElement>;
  storage: KeyValueStorage | null;
  submit: (trialId: string, body: AnswerBody) => Promise<SubmitOutcome>;
  onDone: (result: AnswerResult) => void;
}

const KEYS: Record<string, Judgement> = { r: "real", f: "fake" };

function statusLine(phase: TrialPhase): string {
  if (phase === "preparing") return "Loading the photo…";
  if (phase === "answering") return "Is this photo real or fake?";
  if (phase === "sending") return "Saving your answer…";
  return "";
}

/**
 * One single-image trial: decode the photo, a frame-locked presentation as the paired stage runs
 * it (fixation, the photo for the exposure the server gave, the mask), then "Real" or "Fake". The
 * photo leaves the page when its exposure ends (or with the answer when untimed).
 */
export function SingleImageStage({ studyId, trial, stimulusSize: size, tracker, images, storage, submit, onDone }: SingleImageStageProps) {
  const [phase, setPhase, phaseRef] = useTrialPhase();
  const [photo, setPhoto] = useState<HTMLImageElement | null>(null);
  const [loadAttempt, setLoadAttempt] = useState(0);
  const [chosen, setChosen] = useState<Judgement | null>(null);
  const rootRef = useRef<HTMLDivElement>(null);
  const hostRef = useRef<HTMLDivElement>(null);
  const answered = useRef(false);

  useEffect(() => {
    let cancelled = false;
    runWithRetry(() => images.get(trial.imageUrl), browserRetryHooks())
      .then((image) => {
        if (cancelled) return;
        image.alt = "Photo";
        image.draggable = false;
        image.width = size;
        image.height = size;
        image.style.cssText = `display:block;width:${size}px;height:${size}px;user-select:none;-webkit-user-select:none`;
        setPhoto(image);
      })
      .catch(() => {
        if (!cancelled) setPhase("load-failed");
      });
    return () => {
      cancelled = true;
    };
  }, [images, trial.imageUrl, loadAttempt, setPhase, size]);

  // The presentation waits until the window holds the photo at full size.
  const fits = useSingleImageFits(size);
  const { runRef, spoiledRef } = useSinglePresentation({ studyId, trial, photo: fits ? photo : null, fits: fits === true, stage: { rootRef, hostRef }, tracker, storage, phaseRef, setPhase });

  const submission = useAnswerSubmission({ trialId: trial.trialId, practiceFeedbackMs: trial.practiceFeedbackMs, submit, onDone, setPhase });
  const { sendAnswer } = submission;
  const feedback: SingleFeedback | null = submission.feedback && "imageWasReal" in submission.feedback ? submission.feedback : null;

  const judge = useCallback(
    (judgement: Judgement) => {
      const run = runRef.current;
      if (phaseRef.current !== "answering" || answered.current || !run || run.finishedAt === null) return;
      const answeredAt = performance.now();
      answered.current = true;
      const root = rootRef.current;
      if (root) root.dataset.display = "choice";
      hostRef.current?.replaceChildren();
      setChosen(judgement);
      sendAnswer({
        idempotencyKey: createIdempotencyKey(window.crypto),
        judgement,
        responseTimeMs: responseTimeMs(run.finishedAt, answeredAt),
        timing: summarizeTiming(run, tracker.estimateMs() ?? FALLBACK_FRAME_INTERVAL_MS, spoiledRef.current),
      });
    },
    [phaseRef, runRef, spoiledRef, sendAnswer, tracker],
  );

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.repeat || event.altKey || event.ctrlKey || event.metaKey) return;
      const judgement = KEYS[event.key.toLowerCase()];
      if (!judgement || phaseRef.current !== "answering") return;
      event.preventDefault();
      judge(judgement);
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [judge, phaseRef]);

  // Practice feedback shows the photo again with the truth.
  useEffect(() => {
    if (!feedback || !photo) return;
    hostRef.current?.replaceChildren(photo);
    if (rootRef.current) rootRef.current.dataset.display = "feedback";
  }, [feedback, photo]);

  const overdue = useResponseReminder(phase === "answering", trial.responseTimeLimitMs);
  const width = Math.max(size, 2 * 120 + STAGE_SPACING.gapPx);
  return (
    <div className="flex flex-col items-center" style={{ padding: STAGE_SPACING.paddingPx }}>
      <TrialHeader trial={trial} width={width} status={statusLine(phase)} answerOpen={phase === "answering"} />
      <div ref={rootRef} className={styles.stage} data-testid="single-stage" data-trial-id={trial.trialId}>
        <div className="relative mx-auto" style={{ width: size, height: size }}>
          <div className={`${styles.layer} ${styles.fixation} flex items-center justify-center text-3xl text-neutral-700`} aria-hidden>
            +
          </div>
          <div ref={hostRef} className={`${styles.layer} ${styles.image} ${feedback ? (feedback.imageWasReal ? "ring-4 ring-green-600" : "ring-4 ring-red-600") : ""}`} />
          <div className={`${styles.layer} ${styles.mask}`} aria-hidden />
          <div className={`${styles.layer} ${styles.placeholder} bg-neutral-300`} aria-hidden />
        </div>
        <div className={`${styles.answers} mt-3 flex items-center`} style={{ width, gap: STAGE_SPACING.gapPx, height: STAGE_SPACING.answerRowPx }}>
          <JudgementRow enabled={phase === "answering"} chosen={chosen} feedback={feedback} onJudge={judge} />
        </div>
      </div>
      <AnswerAlerts phase={phase} overdue={overdue} unsent={Boolean(submission.answer)} onResend={submission.resend} />
      {fits === false && (phase === "preparing" || phase === "presenting") && (
        <div role="alert" data-testid="screen-too-small" className="fixed inset-0 z-20 flex items-center justify-center bg-neutral-50 p-4">
          <p className="max-w-md text-sm text-neutral-800">
            This window is too small for the photo ({size}×{size} pixels, never shrunk). Please make the window larger or turn your device.
          </p>
        </div>
      )}
      {phase === "load-failed" && (
        <RetryAlert
          message="The photo could not be loaded. Check your internet connection and try again."
          onRetry={() => {
            setPhase("preparing");
            setLoadAttempt((attempt) => attempt + 1);
          }}
        />
      )}
    </div>
  );
}
