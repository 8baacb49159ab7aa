import type { KeyValueStorage } from "@/lib/rater-client/answer-store";
import type { RetryHooks } from "@/lib/rater-client/retry";

/**
 * The page's side of the pure helpers in lib/rater-client: the real clock, timers, storage and
 * network events. Imported by client components only.
 */

/** Waits `ms`, or less if the browser reports that it is back online (then retry at once). */
export function sleepUntilOnline(ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      window.removeEventListener("online", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    window.addEventListener("online", done);
  });
}

/** Retry hooks on `performance.now` (monotonic: a clock change cannot cut a retry short). */
export function browserRetryHooks(onRetry?: RetryHooks["onRetry"]): RetryHooks {
  return { now: () => performance.now(), sleep: sleepUntilOnline, random: Math.random, onRetry };
}

/** `localStorage`, or `null` where the browser refuses it (some private modes throw on access). */
export function browserStorage(): KeyValueStorage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

/** `requestAnimationFrame`, bound (Safari throws on an unbound call). */
export const requestFrame = (callback: (timestamp: number) => void) => window.requestAnimationFrame(callback);
