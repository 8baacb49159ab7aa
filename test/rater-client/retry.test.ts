import { describe, expect, it } from "vitest";
import { postAnswer, RaterApiError } from "@/lib/rater-client/rater-api";
import type { AnswerBody } from "@/lib/contract/rater-api";
import { createIdempotencyKey } from "@/lib/rater-client/idempotency-key";
import {
  ANSWER_RETRY_POLICY,
  backoffDelayMs,
  isRetryableFailure,
  RetryBudgetExhaustedError,
  runWithRetry,
  type RetryHooks,
} from "@/lib/rater-client/retry";

/** A fake monotonic clock: sleeping advances it instantly and records the wait. */
function fakeClock() {
  let now = 0;
  const sleeps: number[] = [];
  const hooks: RetryHooks = {
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
    random: () => 0.5,
  };
  return { hooks, sleeps, elapsed: () => now };
}

describe("backoffDelayMs", () => {
  // 500 · 2^n capped at 8000; the jitter factor is 1 − 0.2 + 0.4·random.
  it("doubles from 500 ms up to the 8 s cap, jittered by ±20%", () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((retry) => backoffDelayMs(retry, ANSWER_RETRY_POLICY, 0.5))).toEqual([500, 1000, 2000, 4000, 8000, 8000, 8000]);
    expect(backoffDelayMs(0, ANSWER_RETRY_POLICY, 0)).toBeCloseTo(400, 9);
    expect(backoffDelayMs(4, ANSWER_RETRY_POLICY, 1)).toBeCloseTo(9600, 9);
  });
});

describe("isRetryableFailure", () => {
  it("retries network failures, timeouts, unreadable bodies, 408/425/429 and 5xx only", () => {
    expect(isRetryableFailure(new TypeError("Failed to fetch"))).toBe(true);
    expect(isRetryableFailure(new DOMException("signal timed out", "TimeoutError"))).toBe(true);
    for (const status of [0, 408, 425, 429, 500, 502, 503]) expect(isRetryableFailure(new RaterApiError(status, "x", "x"))).toBe(true);
    for (const status of [400, 401, 404, 409, 413, 422]) expect(isRetryableFailure(new RaterApiError(status, "x", "x"))).toBe(false);
  });
});

describe("runWithRetry", () => {
  it("retries until success with the backoff waits, telling each retry", async () => {
    const clock = fakeClock();
    const retries: number[] = [];
    let calls = 0;
    const result = await runWithRetry(
      async () => {
        calls += 1;
        if (calls <= 3) throw new TypeError("Failed to fetch");
        return "stored";
      },
      { ...clock.hooks, onRetry: ({ attempt }) => retries.push(attempt) },
    );
    expect(result).toBe("stored");
    expect(calls).toBe(4);
    expect(clock.sleeps).toEqual([500, 1000, 2000]);
    expect(retries).toEqual([1, 2, 3]);
  });

  it("gives up after about a minute: 11 attempts when every one fails at once", async () => {
    // Attempts start at 0, 0.5, 1.5, 3.5, 7.5, 15.5, 23.5, 31.5, 39.5, 47.5 and 55.5 s; the next
    // wait (8 s) would start an attempt at 63.5 s, past the 60 s budget.
    const clock = fakeClock();
    let calls = 0;
    const failing = runWithRetry(async () => {
      calls += 1;
      throw new RaterApiError(503, "unavailable", "down");
    }, clock.hooks);
    await expect(failing).rejects.toBeInstanceOf(RetryBudgetExhaustedError);
    await failing.catch((error: RetryBudgetExhaustedError) => {
      expect(error.attempts).toBe(11);
      expect(error.lastError).toBeInstanceOf(RaterApiError);
    });
    expect(calls).toBe(11);
    expect(clock.elapsed()).toBe(55_500);
  });

  it("does not retry an answer the server refused for good", async () => {
    const clock = fakeClock();
    let calls = 0;
    await expect(
      runWithRetry(async () => {
        calls += 1;
        throw new RaterApiError(409, "already_answered", "This trial has already been answered.");
      }, clock.hooks),
    ).rejects.toMatchObject({ status: 409, code: "already_answered" });
    expect(calls).toBe(1);
    expect(clock.sleeps).toEqual([]);
  });
});

/**
 * A stand-in for the answer route with its contract's semantics: an answer is stored
 * once per trial; a repeat with the same idempotency key replays the stored result; a different
 * key is a 409. The network in front of it loses the first `lostResponses` responses after the
 * server has stored the answer — the case that loses answers without idempotency.
 */
function flakyAnswerServer(lostResponses: number) {
  const stored = new Map<string, AnswerBody>();
  const keysSeen: string[] = [];
  let lost = 0;
  const fetchFn = async (url: string, init?: RequestInit): Promise<Response> => {
    const trialId = decodeURIComponent(/\/trials\/([^/]+)\/answer$/.exec(url)?.[1] ?? "");
    const body = JSON.parse(String(init?.body)) as AnswerBody;
    keysSeen.push(body.idempotencyKey);
    const existing = stored.get(trialId);
    if (existing && existing.idempotencyKey !== body.idempotencyKey) {
      return new Response(JSON.stringify({ status: 409, code: "already_answered", detail: "This trial has already been answered." }), { status: 409 });
    }
    stored.set(trialId, existing ?? body);
    if (lost < lostResponses) {
      lost += 1;
      throw new TypeError("Failed to fetch");
    }
    const session = { id: "s1", status: "completed", progress: { answered: 1, total: 1, practiceTotal: 0 }, next: null, completion: { code: "C0DE", redirectUrl: null, recruiter: "link" } };
    return new Response(JSON.stringify({ stored: true, replayed: lost > 0, feedback: null, session }), { status: 200 });
  };
  return { fetchFn, stored, keysSeen };
}

describe("an answer sent through a connection that drops responses", () => {
  it("is stored exactly once, with one key reused on every retry", async () => {
    const server = flakyAnswerServer(2);
    const body: AnswerBody = {
      idempotencyKey: createIdempotencyKey(globalThis.crypto),
      chosenSide: "left",
      responseTimeMs: 812.5,
      timing: { frameIntervalMs: 16.67, exposureLeftMs: 1000, exposureRightMs: 1000, onsets: { left: 500, right: 2100 }, offsets: { left: 1500, right: 3100 }, flagged: false, refreshHz: 60 },
    };
    const clock = fakeClock();
    const result = await runWithRetry(() => postAnswer(server.fetchFn, "trial-1", body), clock.hooks);
    expect(result.session.completion?.code).toBe("C0DE");
    expect(server.stored.size).toBe(1);
    expect(server.keysSeen).toEqual([body.idempotencyKey, body.idempotencyKey, body.idempotencyKey]);
    expect(clock.sleeps).toEqual([500, 1000]);
  });
});
