import { RaterApiError } from "./rater-api";

/**
 * Exponential backoff for requests that must not be lost (an acknowledged answer is never lost). The
 * defaults retry for about a minute: 0.5, 1, 2, 4, 8, 8, … s between attempts (±20% jitter so that
 * many raters cut off by the same outage do not come back in lockstep).
 */
export interface RetryPolicy {
  initialDelayMs: number;
  factor: number;
  maxDelayMs: number;
  /** No new attempt starts once this long has passed since the first one began. */
  budgetMs: number;
  /** Each delay is multiplied by a uniform factor in [1 − jitter, 1 + jitter]. */
  jitter: number;
}

export const ANSWER_RETRY_POLICY: RetryPolicy = { initialDelayMs: 500, factor: 2, maxDelayMs: 8_000, budgetMs: 60_000, jitter: 0.2 };

/**
 * The wait before retry number `retry` (0 for the first retry): `initialDelayMs · factor^retry`,
 * capped at `maxDelayMs`, then jittered.
 * @param random a draw in [0, 1); 0.5 gives the un-jittered delay.
 * @example backoffDelayMs(3, ANSWER_RETRY_POLICY, 0.5) // 4000
 */
export function backoffDelayMs(retry: number, policy: RetryPolicy, random: number): number {
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.factor ** retry);
  return base * (1 - policy.jitter + 2 * policy.jitter * random);
}

/**
 * Whether a failed attempt is worth repeating: network failures and timeouts (anything that is
 * not an HTTP answer), unreadable 2xx bodies (a captive portal), 408, 425, 429 and 5xx. Any other
 * HTTP answer (409 already answered, 404, 422) will not change by asking again.
 */
export function isRetryableFailure(error: unknown): boolean {
  if (!(error instanceof RaterApiError)) return true;
  const { status } = error;
  return status === 0 || status === 408 || status === 425 || status === 429 || status >= 500;
}

/** Thrown when every attempt within the budget failed; `lastError` is the last attempt's failure. */
export class RetryBudgetExhaustedError extends Error {
  override name = "RetryBudgetExhaustedError";
  constructor(
    readonly attempts: number,
    readonly lastError: unknown,
  ) {
    super(`Gave up after ${attempts} attempts.`);
  }
}

export interface RetryHooks {
  policy?: RetryPolicy;
  /** Milliseconds on a monotonic clock (`performance.now` in the page). */
  now: () => number;
  /** Waits; the page's version returns early when the browser comes back online. */
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  /** Called before each wait; the page shows "reconnecting…" from the first one. */
  onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
}

/**
 * Runs `attempt` until it succeeds, a failure is not retryable (rethrown as is), or the budget is
 * spent (throws {@link RetryBudgetExhaustedError}). The caller makes `attempt` idempotent — the
 * answer sender reuses one idempotency key for all attempts of one answer.
 */
export async function runWithRetry<T>(attempt: () => Promise<T>, hooks: RetryHooks): Promise<T> {
  const policy = hooks.policy ?? ANSWER_RETRY_POLICY;
  const started = hooks.now();
  for (let attempts = 1; ; attempts++) {
    try {
      return await attempt();
    } catch (error) {
      if (!isRetryableFailure(error)) throw error;
      const delayMs = backoffDelayMs(attempts - 1, policy, hooks.random());
      if (hooks.now() + delayMs - started > policy.budgetMs) throw new RetryBudgetExhaustedError(attempts, error);
      hooks.onRetry?.({ attempt: attempts, delayMs, error });
      await hooks.sleep(delayMs);
    }
  }
}
