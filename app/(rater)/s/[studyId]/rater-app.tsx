"use client";

import { useCallback, useEffect, useRef, useState, type ReactNode } from "react";
import type { RaterProtocol } from "@/lib/contract/protocol";
import type { AnswerBody, AnswerResult, Completion, ScreenedOut, SessionState, TrialView } from "@/lib/contract/rater-api";
import { clearPendingAnswer, loadPendingAnswer, savePendingAnswer, type KeyValueStorage } from "@/lib/rater-client/answer-store";
import { FrameIntervalTracker, measureFrameInterval } from "@/lib/rater-client/frame-interval";
import { ImageCache } from "@/lib/rater-client/image-preload";
import { createSession, fetchCurrentSession, postAnswer, RaterApiError } from "@/lib/rater-client/rater-api";
import { forgetStartKey, startKeyFor } from "@/lib/rater-client/idempotency-key";
import { RetryBudgetExhaustedError, runWithRetry } from "@/lib/rater-client/retry";
import { browserRetryHooks, browserStorage, requestFrame } from "./browser-runtime";
import { CompletionScreen } from "./completion-screen";
import { ConsentScreen } from "./consent-screen";
import { FocusHeading } from "./focus-heading";
import { ScreenedOutScreen } from "./screened-out-screen";
import { ScreeningStage } from "./screening-stage";
import { SingleImageStage } from "./single-image-stage";
import { TrialStage } from "./trial-stage";
import type { SubmitOutcome } from "./use-answer-submission";

type UnavailableReason = "closed" | "paused" | "not-ready" | "already-participated" | "preview" | "not-found" | "invalid-link" | "session-lost" | "full";

type Screen =
  | { kind: "loading" }
  | { kind: "consent" }
  | { kind: "unavailable"; reason: UnavailableReason; detail?: string }
  /** A returning rater (reload, new visit): the next trial waits for "Continue". */
  | { kind: "resume"; session: SessionState }
  | { kind: "practice-done"; session: SessionState }
  | { kind: "trial"; trial: TrialView }
  | { kind: "completed"; completion: Completion; justFinished: boolean }
  /** The protocol's screening before practice, and the end of a session it screened out. */
  | { kind: "screening" }
  | { kind: "screened-out"; screenedOut: ScreenedOut; justFinished: boolean }
  | { kind: "failed"; detail: string };

/** Where a session state came from: it decides which screen comes next. */
type Origin = "load" | "consent" | "answer" | "resync" | "screening";

export interface RaterAppProps {
  studyId: string;
  /** The study's status when the page was rendered (draft never gets here). */
  studyStatus: "open" | "paused" | "closed";
  protocol: RaterProtocol;
  /** The recruiter's query parameters (recruiter-params.ts). */
  params: Record<string, string>;
  /**
   * Whether the browser sent this study's session cookie (the server sees the httpOnly cookie;
   * the page cannot). Without one there is no session to resume, so the page does not ask.
   */
  hasSessionCookie: boolean;
}

/**
 * Where a returning rater stands, counted as the trial header counts: practice and test pairs
 * separately, so "Trial 4 of 8" and "3 of 8 pairs answered" always agree.
 */
export function resumeText(session: SessionState): string {
  const next = session.next;
  if (!next) return "Your answers are saved.";
  const done = next.index - 1;
  const unit = trialUnit(next);
  return next.phase === "practice"
    ? `You have done ${done} of ${next.phaseTotal} practice ${unit}; your answers are saved.`
    : `You have answered ${done} of ${next.phaseTotal} ${unit}; your answers are saved.`;
}

/** What one trial shows, in the plural: a pair of photos, or one photo. */
const trialUnit = (trial: TrialView) => (trial.format === "single" ? "photos" : "pairs");

/** The photos a trial loads (the image cache keeps these and drops the rest). */
const trialUrls = (trial: TrialView) => (trial.format === "single" ? [trial.imageUrl] : [trial.leftUrl, trial.rightUrl]);

const fetchFn = (input: string, init?: RequestInit) => window.fetch(input, init);

/**
 * The rater's whole path in one page: consent → practice with feedback → test trials → done.
 * The server owns the state (GET current session on every load), so a reload or a new tab
 * resumes at the next unanswered trial; the one answer in flight is kept in storage and re-sent
 * with its idempotency key first.
 */
export function RaterApp({ studyId, studyStatus, protocol, params, hasSessionCookie }: RaterAppProps) {
  const [screen, setScreen] = useState<Screen>({ kind: "loading" });
  const [reconnecting, setReconnecting] = useState(false);
  const [starting, setStarting] = useState(false);
  const [consentProblem, setConsentProblem] = useState<string | null>(null);
  // One tracker and one image cache for the page's life (the factory runs only when loading).
  const [tracker] = useState(() => new FrameIntervalTracker());
  const [images] = useState(() => new ImageCache(() => new Image()));
  const storage = useRef<KeyValueStorage | null>(null);

  const show = useCallback(
    (session: SessionState, origin: Origin, previous?: TrialView) => {
      if (session.status === "completed") {
        if (session.completion) setScreen({ kind: "completed", completion: session.completion, justFinished: origin === "answer" });
        else setScreen({ kind: "failed", detail: "The study is finished, but no completion code came back." });
        return;
      }
      if (session.status === "screened_out" && session.screenedOut) return setScreen({ kind: "screened-out", screenedOut: session.screenedOut, justFinished: origin === "screening" });
      if (session.screening === "pending") return setScreen({ kind: "screening" });
      const next = session.next;
      if (!next) return setScreen({ kind: "failed", detail: "The server has no next pair for you." });
      if (studyStatus === "closed") return setScreen({ kind: "unavailable", reason: "closed" });
      images.retainOnly(trialUrls(next));
      if (origin === "load") return setScreen({ kind: "resume", session });
      if (origin === "answer" && previous?.phase === "practice" && next.phase === "test") return setScreen({ kind: "practice-done", session });
      setScreen({ kind: "trial", trial: next });
    },
    [studyStatus, images],
  );

  const refusal = useCallback(
    async (error: unknown) => {
      if (error instanceof RaterApiError) {
        if (error.code === "study_closed") return setScreen({ kind: "unavailable", reason: "closed" });
        if (error.status === 401) return setScreen({ kind: "unavailable", reason: "session-lost" });
        if (error.status === 404 || error.code === "already_answered" || error.code === "out_of_order" || error.code === "screening_pending" || error.code === "screened_out") {
          // The server knows better where this rater is (another tab answered, say): follow it.
          try {
            const session = await runWithRetry(() => fetchCurrentSession(fetchFn, studyId), browserRetryHooks());
            if (session) return show(session, "resync");
            return setScreen({ kind: "unavailable", reason: "session-lost" });
          } catch {
            // Falls through to the generic failure below.
          }
        }
      }
      setScreen({ kind: "failed", detail: error instanceof Error ? error.message : "Something went wrong." });
    },
    [show, studyId],
  );

  /** Sends one answer until it is stored (same idempotency key on every retry). */
  const submit = useCallback(
    async (trialId: string, body: AnswerBody): Promise<SubmitOutcome> => {
      if (storage.current) savePendingAnswer(storage.current, studyId, { trialId, body });
      try {
        const result: AnswerResult = await runWithRetry(() => postAnswer(fetchFn, trialId, body), browserRetryHooks(() => setReconnecting(true)));
        setReconnecting(false);
        if (storage.current) clearPendingAnswer(storage.current, studyId);
        // Fetch the next pair while the practice feedback is on screen.
        const next = result.session.next;
        if (next) Promise.all(trialUrls(next).map((url) => images.get(url))).catch(() => undefined);
        return { kind: "stored", result };
      } catch (error) {
        setReconnecting(false);
        if (error instanceof RetryBudgetExhaustedError) return { kind: "exhausted" };
        if (storage.current) clearPendingAnswer(storage.current, studyId);
        await refusal(error);
        return { kind: "handled" };
      }
    },
    [studyId, images, refusal],
  );

  // On load: measure the display, deliver an answer a previous visit left unsent, then ask the
  // server where this rater stands.
  useEffect(() => {
    let cancelled = false;
    storage.current = browserStorage();
    void measureFrameInterval(requestFrame, tracker);
    void (async () => {
      const pending = storage.current ? loadPendingAnswer(storage.current, studyId) : null;
      if (pending) {
        const outcome = await submit(pending.trialId, pending.body);
        if (cancelled || outcome.kind === "handled") return;
        // The last answer, stored only now: the rater finished in this page, so Prolific's redirect applies.
        if (outcome.kind === "stored") return show(outcome.result.session, outcome.result.session.status === "completed" ? "answer" : "load");
      }
      try {
        const session = hasSessionCookie ? await runWithRetry(() => fetchCurrentSession(fetchFn, studyId), browserRetryHooks(() => setReconnecting(true))) : null;
        setReconnecting(false);
        if (cancelled) return;
        if (session) return show(session, "load");
        if (studyStatus === "open") return setScreen({ kind: "consent" });
        setScreen({ kind: "unavailable", reason: studyStatus });
      } catch (error) {
        setReconnecting(false);
        if (!cancelled) setScreen({ kind: "failed", detail: error instanceof RetryBudgetExhaustedError ? "The server cannot be reached." : String(error) });
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [studyId, studyStatus, hasSessionCookie, submit, show, tracker]);

  const accept = useCallback(async () => {
    setStarting(true);
    setConsentProblem(null);
    try {
      const startKey = startKeyFor(storage.current, studyId, window.crypto);
      const session = await runWithRetry(
        () =>
          createSession(fetchFn, {
            studyId,
            params,
            screen: { width: window.screen.width, height: window.screen.height, devicePixelRatio: window.devicePixelRatio },
            startKey,
          }),
        browserRetryHooks(() => setReconnecting(true)),
      );
      forgetStartKey(storage.current, studyId);
      setReconnecting(false);
      show(session, "consent");
    } catch (error) {
      setReconnecting(false);
      setStarting(false);
      if (error instanceof RaterApiError) {
        const byCode: Partial<Record<string, UnavailableReason>> = {
          already_participated: "already-participated",
          study_full: "full",
          study_not_open: "closed",
          study_not_ready: "not-ready",
          mturk_preview: "preview",
          not_found: "not-found",
          validation_failed: "invalid-link",
        };
        const reason = byCode[error.code];
        if (reason === "full") return setScreen({ kind: "unavailable", reason, detail: studyFullText(params) });
        if (reason) return setScreen({ kind: "unavailable", reason, detail: error.message });
        return setConsentProblem(error.message);
      }
      setConsentProblem("The server cannot be reached. Check your internet connection and try again.");
    }
  }, [studyId, params, show]);

  return (
    <>
      {reconnecting && (
        <div role="status" data-testid="reconnecting" className="fixed inset-x-0 top-0 z-30 bg-amber-100 px-4 py-2 text-center text-sm text-amber-900">
          Reconnecting… Your answer is kept and will be sent as soon as the connection is back.
        </div>
      )}
      {renderScreen()}
    </>
  );

  function renderScreen() {
    switch (screen.kind) {
      case "loading":
        return (
          <main className="px-4 py-16 text-center text-neutral-500" aria-busy>
            Loading…
          </main>
        );
      case "consent":
        return <ConsentScreen protocol={protocol} starting={starting} problem={consentProblem} onAccept={() => void accept()} />;
      case "unavailable":
        return <UnavailableScreen reason={screen.reason} detail={screen.detail} />;
      case "resume":
        return (
          <Interlude
            title="Welcome back"
            testId="resume-continue"
            action="Continue"
            onAction={() => screen.session.next && setScreen({ kind: "trial", trial: screen.session.next })}
          >
            {resumeText(screen.session)} Press Continue when you are ready for the next {screen.session.next?.format === "single" ? "photo" : "pair"}.
          </Interlude>
        );
      case "practice-done":
        return (
          <Interlude
            title="Practice is over"
            testId="start-test"
            action="Start"
            onAction={() => screen.session.next && setScreen({ kind: "trial", trial: screen.session.next })}
          >
            {screen.session.next?.format === "single"
              ? `Now ${screen.session.next.phaseTotal} photos follow, without feedback. As before: is each photo real or fake?`
              : `Now ${screen.session.next?.phaseTotal ?? "the"} pairs follow, without feedback. As before: choose the photo with the real colours.`}
          </Interlude>
        );
      case "trial":
        // Single-image designs (one photo, "real or fake?") have their own stage.
        if (screen.trial.format === "single") {
          return (
            <SingleImageStage
              key={screen.trial.trialId}
              studyId={studyId}
              trial={screen.trial}
              stimulusSize={protocol.stimulusSize}
              tracker={tracker}
              images={images}
              storage={storage.current}
              submit={submit}
              onDone={(result) => show(result.session, "answer", screen.trial)}
            />
          );
        }
        return (
          <TrialStage
            key={screen.trial.trialId}
            studyId={studyId}
            trial={screen.trial}
            stimulusSize={protocol.stimulusSize}
            tracker={tracker}
            images={images}
            storage={storage.current}
            submit={submit}
            onDone={(result) => show(result.session, "answer", screen.trial)}
          />
        );
      case "screening":
        return <ScreeningStage studyId={studyId} onDone={(session) => show(session, "screening")} onError={refusal} />;
      case "screened-out":
        return <ScreenedOutScreen screenedOut={screen.screenedOut} justFinished={screen.justFinished} />;
      case "completed":
        return <CompletionScreen completion={screen.completion} justFinished={screen.justFinished} />;
      case "failed":
        return (
          <Interlude title="Something went wrong" testId="reload" action="Reload the page" onAction={() => window.location.reload()}>
            {screen.detail} Your saved answers are kept; reloading continues where you left off.
          </Interlude>
        );
    }
  }
}

function Interlude({ title, children, action, onAction, testId }: { title: string; children: ReactNode; action: string; onAction: () => void; testId: string }) {
  return (
    <main className="mx-auto max-w-xl space-y-5 px-4 py-16">
      <FocusHeading>{title}</FocusHeading>
      <p className="text-neutral-800">{children}</p>
      <button type="button" data-testid={testId} onClick={onAction} className="rounded bg-neutral-900 px-5 py-2.5 font-medium text-white">
        {action}
      </button>
    </main>
  );
}

const unavailableText: Record<UnavailableReason, { title: string; body: string }> = {
  closed: { title: "This study is closed", body: "It is no longer taking answers. Thank you for your interest." },
  paused: { title: "This study is paused", body: "It is not taking new participants right now. Please try again later." },
  "not-ready": { title: "This study is not ready yet", body: "Please try again later." },
  "already-participated": { title: "You have already taken part", body: "Each person may take part in this study once. Thank you!" },
  preview: { title: "Accept the HIT to begin", body: "This is a preview. Accept the HIT on MTurk, then the study starts here." },
  "not-found": { title: "Study not found", body: "This study link is not valid." },
  "invalid-link": { title: "This link is not valid", body: "Please open the study from the link you were given." },
  "session-lost": { title: "Your session was not found", body: "Please open the study again from the link you were given." },
  full: { title: "This study is full", body: "It has all the participants it needs. Thank you for your interest." },
};

/**
 * What a rater turned away from a full study should do, in the recruiter's terms: nothing was
 * started, so there is no completion code; Prolific asks for the submission to be returned, MTurk
 * for the HIT.
 */
function studyFullText(params: Record<string, string>): string {
  const base = "This study has all the participants it needs, so it cannot start for you. Thank you for your interest.";
  if (params.PROLIFIC_PID) return `${base} Please return your submission on Prolific (choose “Return submission”); nothing counts against you.`;
  if (params.workerId || params.assignmentId) return `${base} Please return the HIT on MTurk.`;
  return base;
}

const unavailableTestId: Record<UnavailableReason, string> = {
  closed: "study-closed",
  paused: "study-closed",
  "not-ready": "study-closed",
  "already-participated": "already-participated",
  preview: "mturk-preview",
  "not-found": "study-unavailable",
  "invalid-link": "study-unavailable",
  "session-lost": "study-unavailable",
  full: "study-full",
};

function UnavailableScreen({ reason, detail }: { reason: UnavailableReason; detail?: string }) {
  const text = unavailableText[reason];
  return (
    <main className="mx-auto max-w-xl space-y-4 px-4 py-16" data-testid={unavailableTestId[reason]} data-reason={reason}>
      <FocusHeading>{text.title}</FocusHeading>
      <p className="text-neutral-800">{detail ?? text.body}</p>
    </main>
  );
}
