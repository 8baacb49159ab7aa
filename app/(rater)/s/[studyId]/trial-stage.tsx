"use client";

import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type CSSProperties } from "react";
import type { AnswerBody, AnswerResult, Side, TrialView } from "@/lib/contract/rater-api";
import { markTrialExposed, wasTrialExposed, type KeyValueStorage } from "@/lib/rater-client/answer-store";
import { FALLBACK_FRAME_INTERVAL_MS } from "@/lib/contract/timing-rule";
import type { FrameIntervalTracker } from "@/lib/rater-client/frame-interval";
import { createIdempotencyKey } from "@/lib/rater-client/idempotency-key";
import type { ImageCache } from "@/lib/rater-client/image-preload";
import { buildPresentationSteps, PresentationRun, responseTimeMs, summarizeTiming } from "@/lib/rater-client/presentation-schedule";
import { runWithRetry, type RetryPolicy } from "@/lib/rater-client/retry";
import { sideWords, STAGE_SPACING, type StimulusLayoutKind } from "@/lib/rater-client/stimulus-layout";
import { browserRetryHooks, requestFrame } from "./browser-runtime";
import { ScreenTooSmall } from "./screen-too-small";
import { useStimulusLayout } from "./use-stimulus-layout";
import styles from "./trial-stage.module.css";

/** What the page's answer sender reports back to the trial. */
export type SubmitOutcome =
  | { kind: "stored"; result: AnswerResult }
  /** Every retry failed; the answer is kept (also in storage) for "Try again" or the next visit. */
  | { kind: "exhausted" }
  /** The server refused the answer for good and the page has moved on (closed study, resync). */
  | { kind: "handled" };

type Phase = "preparing" | "load-failed" | "presenting" | "answering" | "sending" | "send-failed" | "feedback";

/** Photos load with retries for half a minute before the rater is asked to try again. */
const IMAGE_RETRY_POLICY: RetryPolicy = { initialDelayMs: 500, factor: 2, maxDelayMs: 4_000, budgetMs: 30_000, jitter: 0.2 };

/** A "Loading the photos…" note appears only when loading is noticeably slow (no flicker). */
const SLOW_LOAD_NOTICE_MS = 400;

const SIDES = ["left", "right"] as const;

/** Whether a side's photo is on screen in a display state of the stage. */
const showsSide = (display: string | undefined, side: Side) => display === side || display === "both" || display === "feedback";

interface TrialStageProps {
  studyId: string;
  trial: TrialView;
  stimulusSize: number;
  tracker: FrameIntervalTracker;
  images: ImageCache<HTMLImageElement>;
  storage: KeyValueStorage | null;
  submit: (trialId: string, body: AnswerBody) => Promise<SubmitOutcome>;
  onDone: (result: AnswerResult) => void;
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

  const [phase, setPhaseState] = useState<Phase>("preparing");
  const phaseRef = useRef<Phase>("preparing");
  const setPhase = useCallback((next: Phase) => {
    phaseRef.current = next;
    setPhaseState(next);
  }, []);
  const [pair, setPair] = useState<[HTMLImageElement, HTMLImageElement] | null>(null);
  const [loadAttempt, setLoadAttempt] = useState(0);
  const [slowLoad, setSlowLoad] = useState(false);
  const [chosen, setChosen] = useState<Side | null>(null);
  const [feedback, setFeedback] = useState<AnswerResult["feedback"]>(null);
  const [overdue, setOverdue] = useState(false);

  const rootRef = useRef<HTMLDivElement>(null);
  const leftHostRef = useRef<HTMLDivElement>(null);
  const rightHostRef = useRef<HTMLDivElement>(null);
  const promptRef = useRef<HTMLParagraphElement>(null);
  const runRef = useRef<PresentationRun | null>(null);
  const frameHandle = useRef(0);
  const started = useRef(false);
  const answered = useRef(false);
  const spoiled = useRef(false);
  const layoutAtStart = useRef<StimulusLayoutKind | null>(null);
  const [answer, setAnswer] = useState<AnswerBody | null>(null);
  const feedbackTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  // 1. Fetch and decode both photos (retried); the trial never starts with one missing.
  useEffect(() => {
    let cancelled = false;
    const slow = setTimeout(() => setSlowLoad(true), SLOW_LOAD_NOTICE_MS);
    runWithRetry(() => images.pair(trial.leftUrl, trial.rightUrl), { ...browserRetryHooks(), policy: IMAGE_RETRY_POLICY })
      .then((decoded) => {
        if (!cancelled) setPair(decoded);
      })
      .catch(() => {
        if (!cancelled) setPhase("load-failed");
      })
      .finally(() => {
        clearTimeout(slow);
        if (!cancelled) setSlowLoad(false);
      });
    return () => {
      cancelled = true;
      clearTimeout(slow);
    };
  }, [images, trial.leftUrl, trial.rightUrl, loadAttempt, setPhase]);

  // 2. Once decoded and the window fits: the presentation, driven by requestAnimationFrame. The
  // loop writes the stage's data-display inside the frame callback, so each change is painted in
  // the frame whose timestamp the run records as its onset or offset.
  useEffect(() => {
    if (!pair || !fits || started.current || phaseRef.current !== "preparing") return;
    const root = rootRef.current;
    const leftHost = leftHostRef.current;
    const rightHost = rightHostRef.current;
    if (!root || !leftHost || !rightHost) return;
    started.current = true;
    layoutAtStart.current = kind;
    const [leftImage, rightImage] = pair;
    for (const [image, host, side] of [[leftImage, leftHost, "left"], [rightImage, rightHost, "right"]] as const) {
      image.alt = `${words[side].name} photo`;
      image.draggable = false;
      image.width = size;
      image.height = size;
      image.style.cssText = `display:block;width:${size}px;height:${size}px;user-select:none;-webkit-user-select:none;-webkit-touch-callout:none`;
      host.replaceChildren(image);
    }
    // A trial this browser showed before (then reloaded) is shown again, but flagged.
    spoiled.current = storage ? wasTrialExposed(storage, studyId, trial.trialId) : false;
    const run = new PresentationRun(buildPresentationSteps(trial.presentation));
    runRef.current = run;
    tracker.pause();
    setPhase("presenting");
    let marked = false;
    const onFrame = (timestamp: number) => {
      const calledAt = performance.now();
      tracker.record(timestamp);
      const tick = run.tick(timestamp, tracker.estimateMs() ?? FALLBACK_FRAME_INTERVAL_MS, calledAt);
      if (tick.changed) {
        const previous = root.dataset.display;
        root.dataset.display = tick.display;
        // A photo whose exposure ended leaves the page, not just the screen: nothing in the DOM
        // holds it while the rater chooses.
        for (const [side, host] of [["left", leftHost], ["right", rightHost]] as const) {
          if (showsSide(previous, side) && !showsSide(tick.display, side)) host.replaceChildren();
        }
        if (!marked && tick.display !== "fixation") {
          marked = true;
          // Storage writes can take milliseconds: after this frame, never inside it.
          if (storage) setTimeout(() => markTrialExposed(storage, studyId, trial.trialId), 0);
        }
      }
      if (tick.finished) {
        tracker.pause();
        root.dataset.answer = "open";
        setPhase("answering");
        return;
      }
      frameHandle.current = requestFrame(onFrame);
    };
    frameHandle.current = requestFrame(onFrame);
    // No cleanup here: a resize must not stop a running presentation; unmounting does (below).
    // Later changes of the inputs find `started` set and leave the running presentation alone.
  }, [pair, fits, kind, words, setPhase, size, storage, studyId, tracker, trial.presentation, trial.trialId]);

  useEffect(
    () => () => {
      cancelAnimationFrame(frameHandle.current);
      clearTimeout(feedbackTimer.current);
      started.current = false;
    },
    [],
  );

  // A presentation disturbed by a layout change or a hidden tab is flagged (the rater may not have
  // seen the photos as the protocol says); the exposure stretch itself is caught by the timing.
  useEffect(() => {
    if (phaseRef.current === "presenting" && layoutAtStart.current !== null && layout?.kind !== layoutAtStart.current) spoiled.current = true;
  }, [layout?.kind]);
  useEffect(() => {
    const onVisibility = () => {
      if (document.visibilityState === "hidden" && phaseRef.current === "presenting") spoiled.current = true;
    };
    document.addEventListener("visibilitychange", onVisibility);
    return () => document.removeEventListener("visibilitychange", onVisibility);
  }, []);

  const send = useCallback(
    async (answer: AnswerBody) => {
      setPhase("sending");
      const outcome = await submit(trial.trialId, answer);
      if (outcome.kind === "exhausted") return setPhase("send-failed");
      if (outcome.kind === "handled") return;
      const { result } = outcome;
      if (!result.feedback) return onDone(result);
      setFeedback(result.feedback);
      setPhase("feedback");
      feedbackTimer.current = setTimeout(() => onDone(result), trial.practiceFeedbackMs);
    },
    [submit, trial.trialId, trial.practiceFeedbackMs, onDone, setPhase],
  );

  // 3. The answer: response time on the page's monotonic clock from the moment the answer opened.
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
      const body: AnswerBody = {
        idempotencyKey: createIdempotencyKey(window.crypto),
        chosenSide: side,
        responseTimeMs: responseTimeMs(run.finishedAt, answeredAt),
        timing: summarizeTiming(run, frameInterval, spoiled.current),
      };
      setAnswer(body);
      setChosen(side);
      void send(body);
    },
    [send, tracker],
  );

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.repeat || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
      // The layout's own keys (↑/↓ when stacked); ←/→ keep working in either layout.
      const { left, right } = words;
      const side = event.key === left.key || event.key === "ArrowLeft" ? "left" : event.key === right.key || event.key === "ArrowRight" ? "right" : null;
      if (!side || phaseRef.current !== "answering") return;
      event.preventDefault();
      choose(side);
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [choose, words]);

  // Focus moves to the question when the answer opens, so keyboard and screen-reader users land there.
  useEffect(() => {
    if (phase === "answering") promptRef.current?.focus({ preventScroll: true });
  }, [phase]);

  // An optional response-time limit is a reminder: the 2AFC has no "no answer", so the answer
  // still counts and its response time tells the analysis it was late.
  useEffect(() => {
    if (phase !== "answering" || trial.responseTimeLimitMs === null) return;
    const timer = setTimeout(() => setOverdue(true), trial.responseTimeLimitMs);
    return () => clearTimeout(timer);
  }, [phase, trial.responseTimeLimitMs]);

  // Practice feedback shows both photos again, bordered and labelled, in the same commit.
  useLayoutEffect(() => {
    if (!feedback || !rootRef.current) return;
    if (pair) {
      leftHostRef.current?.replaceChildren(pair[0]);
      rightHostRef.current?.replaceChildren(pair[1]);
    }
    rootRef.current.dataset.display = "feedback";
  }, [feedback, pair]);

  const { gapPx, labelPx, headerPx, answerRowPx, paddingPx } = STAGE_SPACING;
  const gridWidth = kind === "row" ? 2 * size + gapPx : labelPx + size;
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
  const phaseLabel = trial.phase === "practice" ? `Practice ${trial.index} of ${trial.phaseTotal}` : `Trial ${trial.index} of ${trial.phaseTotal}`;
  const status =
    phase === "preparing" && slowLoad
      ? "Loading the photos…"
      : phase === "answering"
        ? "Which photo has the real colours?"
        : phase === "sending"
          ? "Saving your answer…"
          : "";

  return (
    <div className="flex flex-col items-center" style={{ padding: paddingPx }}>
      <header className="flex items-center justify-between gap-2 text-sm" style={{ height: headerPx, width: gridWidth }}>
        <span data-testid="trial-phase" data-phase={trial.phase} data-index={trial.index} className="shrink-0 whitespace-nowrap font-medium text-neutral-700">
          {phaseLabel}
        </span>
        <p ref={promptRef} tabIndex={-1} role="status" aria-live="polite" className="text-right text-neutral-900 outline-none">
          {status}
        </p>
      </header>

      <div ref={rootRef} className={styles.trial} data-testid="trial-stage" data-trial-id={trial.trialId}>
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

        <div className={`${styles.answers} flex items-center`} style={{ height: answerRowPx, width: gridWidth, gap: gapPx }}>
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
                disabled={phase !== "answering"}
                onClick={() => choose(side)}
                className={`h-11 flex-1 rounded font-medium text-white disabled:cursor-default ${
                  chosen === side ? "bg-neutral-600" : "bg-neutral-900 hover:bg-neutral-700"
                } ${chosen && chosen !== side ? "opacity-40" : ""} focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600`}
              >
                {words[side].name} is real <span aria-hidden className="text-neutral-400">{words[side].arrow}</span>
              </button>
            ))
          )}
        </div>
      </div>

      {overdue && phase === "answering" && (
        <p role="alert" className="mt-2 text-sm font-medium text-amber-800">
          Please answer now.
        </p>
      )}
      {phase === "send-failed" && answer && (
        <div role="alert" className="mt-2 max-w-md rounded border border-amber-300 bg-amber-50 p-3 text-sm">
          <p className="mb-2">Your answer is not saved yet: the server cannot be reached. Check your internet connection and try again — your answer is kept.</p>
          <button type="button" className="rounded bg-neutral-900 px-3 py-1.5 text-white" onClick={() => void send(answer)}>
            Try again
          </button>
        </div>
      )}
      {phase === "load-failed" && (
        <div role="alert" className="mt-2 max-w-md rounded border border-amber-300 bg-amber-50 p-3 text-sm">
          <p className="mb-2">The photos could not be loaded. Check your internet connection and try again.</p>
          <button
            type="button"
            className="rounded bg-neutral-900 px-3 py-1.5 text-white"
            onClick={() => {
              setPhase("preparing");
              setLoadAttempt((attempt) => attempt + 1);
            }}
          >
            Try again
          </button>
        </div>
      )}
      {layout?.kind === "too-small" && (phase === "preparing" || phase === "presenting") && (
        <ScreenTooSmall needs={layout.needs} stimulusSize={size} overlay />
      )}
    </div>
  );
}
