// Simulated raters: each runs one whole session over HTTP the way the rater page does
// (app/(rater)/s/[studyId]/rater-app.tsx, through the same lib/rater-client functions): start the
// session, then per trial fetch the trial and both images, wait out the presentation and a
// response time, and send the answer with one idempotency key and the page's retry policy. Some
// answers are delivered twice (a lost acknowledgement, a double click) to exercise idempotency.
import { startKeyFor } from "@/lib/rater-client/idempotency-key";
import type { AnswerBody, SessionState, TrialView } from "@/lib/contract/rater-api";
import { createIdempotencyKey } from "@/lib/rater-client/idempotency-key";
import { buildPresentationSteps } from "@/lib/rater-client/presentation-schedule";
import { createSession, fetchCurrentSession, postAnswer, RaterApiError, type FetchLike } from "@/lib/rater-client/rater-api";
import { ANSWER_RETRY_POLICY, RetryBudgetExhaustedError, runWithRetry, type RetryPolicy } from "@/lib/rater-client/retry";
import { sampleStandardNormal } from "@/lib/stats/random-variates";
import { SeededRandom } from "@/lib/stats/seeded-random";
import { SimulatedBrowser } from "./load-client";
import type { LatencyRecorder } from "./load-stats";

/** Endpoint names under which the simulated raters' requests are recorded. */
export const ENDPOINTS = { start: "session-start", trial: "trial", image: "image", answer: "answer" } as const;

export interface RaterOptions {
  baseUrl: string;
  studyId: string;
  /** Distinguishes this run's participants (the study refuses a Prolific id twice). */
  runId: string;
  index: number;
  recorder: LatencyRecorder;
  seed: number;
  /** Multiplies every wait: 1 is a real rater's pace, 0.05 a twenty times faster one (CI). */
  speed: number;
  /**
   * Median time from the end of the presentation to the answer (ms). Response times are
   * log-normal (σ = 0.5 on the log scale), the usual shape of two-choice response times.
   */
  responseMedianMs: number;
  /** Share of answers delivered once more after their acknowledgement (a lost acknowledgement). */
  resendShare: number;
  /** Share of answers delivered twice at once (a double click, two tabs). */
  doubleSendShare: number;
  /** `performance.now()` after which no new trial starts (the run's time bound). */
  deadline: number;
  retryPolicy?: RetryPolicy;
}

export interface SentAnswer {
  trialId: string;
  idempotencyKey: string;
  chosenSide: "left" | "right";
  /** The server answered 200 with `stored: true` to at least one delivery. */
  acknowledged: boolean;
  /** Deliveries beyond the first (resends and double sends). */
  extraDeliveries: number;
}

export interface RaterOutcome {
  index: number;
  browser: SimulatedBrowser;
  sessionId: string | null;
  answers: SentAnswer[];
  stoppedBy: "completed" | "deadline" | "gave-up" | "refused";
  /** Things the rater saw that a correct server never does (mismatched progress, refusals). */
  problems: string[];
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** How long the page shows a trial before the rater may answer (fixation and exposures). */
export function presentationMs(trial: TrialView): number {
  return buildPresentationSteps(trial.presentation).reduce((sum, step) => sum + (step.durationMs ?? 0), 0);
}

function retryHooks(policy: RetryPolicy, rng: SeededRandom) {
  return { policy, now: () => performance.now(), sleep, random: () => rng.nextFloat() };
}

/** What the page sends for one trial: one fresh idempotency key, the measured timing. */
function answerBody(trial: TrialView, side: "left" | "right", responseTimeMs: number): AnswerBody {
  const exposure = trial.presentation.mode === "unlimited" ? null : trial.presentation.exposureMs;
  return {
    idempotencyKey: createIdempotencyKey(globalThis.crypto),
    chosenSide: side,
    responseTimeMs: Math.round(responseTimeMs),
    timing: { frameIntervalMs: 16.7, exposureLeftMs: exposure, exposureRightMs: exposure, onsets: {}, offsets: {}, flagged: false, refreshHz: 60 },
  };
}

async function fetchImage(fetchFn: FetchLike, url: string): Promise<void> {
  const response = await fetchFn(url);
  if (!response.ok) throw new RaterApiError(response.status, "image_failed", `image ${response.status}`);
  if ((await response.arrayBuffer()).byteLength === 0) throw new RaterApiError(0, "empty_image", "empty image body");
}

/**
 * Runs one rater's session to its end, the deadline, or a failure that the page would show.
 * Never throws: what went wrong is in the outcome, so one rater cannot stop a run.
 */
export async function runRater(options: RaterOptions): Promise<RaterOutcome> {
  const rng = new SeededRandom(options.seed, options.index);
  const policy = options.retryPolicy ?? ANSWER_RETRY_POLICY;
  const hooks = retryHooks(policy, rng);
  const browser = new SimulatedBrowser(options.baseUrl, options.recorder);
  const outcome: RaterOutcome = { index: options.index, browser, sessionId: null, answers: [], stoppedBy: "completed", problems: [] };
  const wait = (ms: number) => sleep(ms * options.speed);

  try {
    // One key for the start and all its retries, as the page keeps it: a start whose reply was lost
    // (an instance killed mid-request) is answered, on retry, with the session it made.
    const startKey = startKeyFor(null, options.studyId, globalThis.crypto);
    let state: SessionState = await runWithRetry(
      () =>
        createSession(browser.fetchAs(ENDPOINTS.start), {
          studyId: options.studyId,
          params: { PROLIFIC_PID: `load-${options.runId}-${options.index}`, STUDY_ID: "load", SESSION_ID: `s${options.index}` },
          screen: { width: 1920, height: 1080, devicePixelRatio: 1 },
          startKey,
        }),
      hooks,
    );
    outcome.sessionId = state.id;
    while (state.status !== "completed") {
      if (performance.now() > options.deadline) {
        outcome.stoppedBy = "deadline";
        return outcome;
      }
      // The trial endpoint: where this rater stands now (the page asks it on every load).
      const current = await runWithRetry(() => fetchCurrentSession(browser.fetchAs(ENDPOINTS.trial), options.studyId), hooks);
      if (!current) throw new RaterApiError(401, "no_session", "the session cookie was not accepted");
      state = current;
      const trial = state.next;
      if (state.status === "completed" || !trial) break;
      if (state.progress.answered !== outcome.answers.filter((answer) => answer.acknowledged).length) {
        outcome.problems.push(`progress ${state.progress.answered} after ${outcome.answers.length} acknowledged answers`);
      }
      // Both photos before the trial starts (image-preload.ts), in parallel as the browser does.
      await runWithRetry(() => Promise.all([fetchImage(browser.fetchAs(ENDPOINTS.image), trial.leftUrl), fetchImage(browser.fetchAs(ENDPOINTS.image), trial.rightUrl)]), hooks);
      const responseMs = options.responseMedianMs * Math.exp(0.5 * sampleStandardNormal(rng));
      await wait(presentationMs(trial) + responseMs);

      const body = answerBody(trial, rng.nextFloat() < 0.5 ? "left" : "right", responseMs);
      const sent: SentAnswer = { trialId: trial.trialId, idempotencyKey: body.idempotencyKey, chosenSide: body.chosenSide, acknowledged: false, extraDeliveries: 0 };
      outcome.answers.push(sent);
      const deliver = () => runWithRetry(() => postAnswer(browser.fetchAs(ENDPOINTS.answer), trial.trialId, body), hooks);
      const double = rng.nextFloat() < options.doubleSendShare;
      let result;
      try {
        if (double) {
          sent.extraDeliveries += 1;
          const [first, second] = await Promise.all([deliver(), deliver()]);
          if (first.session.progress.answered !== second.session.progress.answered) outcome.problems.push(`double send of ${trial.trialId} moved progress twice`);
          result = first;
        } else {
          result = await deliver();
        }
      } catch (error) {
        if (error instanceof RaterApiError) {
          // A refusal the page would resync after (409 out of order, 404): recorded, not hidden.
          outcome.problems.push(`answer to position ${trial.position} refused: ${error.status} ${error.code}`);
          continue;
        }
        throw error;
      }
      sent.acknowledged = true;
      if (rng.nextFloat() < options.resendShare) {
        // The same answer again, as a client that never saw the first acknowledgement sends it.
        sent.extraDeliveries += 1;
        const again = await deliver();
        if (again.session.progress.answered !== result.session.progress.answered) outcome.problems.push(`resend of ${trial.trialId} changed progress`);
      }
      state = result.session;
      if (result.feedback) await wait(trial.practiceFeedbackMs);
    }
    outcome.stoppedBy = "completed";
  } catch (error) {
    outcome.stoppedBy = error instanceof RetryBudgetExhaustedError ? "gave-up" : "refused";
    const detail = error instanceof RetryBudgetExhaustedError ? `gave up after ${error.attempts} attempts: ${String(error.lastError)}` : String(error);
    outcome.problems.push(detail);
  }
  return outcome;
}

export interface CrowdOptions extends Omit<RaterOptions, "index" | "deadline"> {
  raters: number;
  /** Raters arrive evenly over this many milliseconds (scaled by nothing: arrivals are real time). */
  rampMs: number;
  /** The run's time bound in milliseconds from its start. */
  durationMs: number;
}

/** Runs `raters` simulated raters arriving over `rampMs`; resolves when all have stopped. */
export async function runCrowd(options: CrowdOptions): Promise<{ outcomes: RaterOutcome[]; wallMs: number }> {
  const started = performance.now();
  const deadline = started + options.durationMs;
  // Once every rater has arrived, the load is steady: its figures are kept apart as well.
  const steady = setTimeout(() => options.recorder.startPhase("steady"), options.rampMs);
  const outcomes = await Promise.all(
    Array.from({ length: options.raters }, async (_, index) => {
      await sleep((options.rampMs * index) / Math.max(1, options.raters));
      return runRater({ ...options, index, deadline });
    }),
  );
  clearTimeout(steady);
  return { outcomes, wallMs: performance.now() - started };
}
