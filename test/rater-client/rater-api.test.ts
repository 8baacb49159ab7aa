import { describe, expect, it } from "vitest";
import { createSession, fetchCurrentSession, postAnswer, RaterApiError, type FetchLike } from "@/lib/rater-client/rater-api";

const trial = {
  trialId: "4b8c3d2e-0000-4000-8000-000000000001",
  position: 0,
  phase: "practice",
  index: 1,
  phaseTotal: 10,
  format: "paired",
  leftUrl: "/api/rater/images/aaaaaaaaaaaaaaaaaaaaaaaa",
  rightUrl: "/api/rater/images/bbbbbbbbbbbbbbbbbbbbbbbb",
  presentation: { mode: "sequential", exposureMs: 1000, blankMs: 600 },
  responseTimeLimitMs: null,
  practiceFeedbackMs: 2400,
};
const session = { id: "s1", status: "active", progress: { answered: 0, total: 50, practiceTotal: 10 }, next: trial, completion: null, screening: null, screenedOut: null };

/** Answers every request with one canned response and records what was asked. */
function respondWith(status: number, body: unknown) {
  const requests: { url: string; init?: RequestInit }[] = [];
  const fetchFn: FetchLike = async (url, init) => {
    requests.push({ url, init });
    return new Response(typeof body === "string" ? body : JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
  };
  return { fetchFn, requests };
}

describe("fetchCurrentSession", () => {
  it("reads the session, asking without caches for the study given", async () => {
    const { fetchFn, requests } = respondWith(200, { session });
    await expect(fetchCurrentSession(fetchFn, "a b")).resolves.toEqual(session);
    expect(requests[0]?.url).toBe("/api/rater/sessions/current?studyId=a%20b");
    expect(requests[0]?.init?.cache).toBe("no-store");
  });

  it("reads a single-image trial: one photo, the server's exposure and the mask, nothing else", async () => {
    const single = {
      trialId: trial.trialId,
      position: 0,
      phase: "practice",
      index: 1,
      phaseTotal: 10,
      responseTimeLimitMs: null,
      practiceFeedbackMs: 2400,
      format: "single",
      imageUrl: "/api/rater/images/cccccccccccccccccccccccc",
      exposureMs: 450,
      maskMs: 500,
    };
    await expect(fetchCurrentSession(respondWith(200, { session: { ...session, next: single } }).fetchFn, "s")).resolves.toEqual({ ...session, next: single });
    // A single photo without its exposure field is not a trial the page can run.
    await expect(fetchCurrentSession(respondWith(200, { session: { ...session, next: { ...single, exposureMs: undefined } } }).fetchFn, "s")).rejects.toMatchObject({ code: "bad_response" });
  });

  it("treats 401 as no session yet", async () => {
    const { fetchFn } = respondWith(401, { status: 401, code: "no_session", detail: "No session" });
    await expect(fetchCurrentSession(fetchFn, "s")).resolves.toBeNull();
  });

  it("refuses a 200 that is not a session (status 0, retryable)", async () => {
    const { fetchFn } = respondWith(200, "<html>captive portal</html>");
    await expect(fetchCurrentSession(fetchFn, "s")).rejects.toMatchObject({ status: 0, code: "bad_response" });
    const wrongShape = respondWith(200, { session: { ...session, next: { ...trial, phase: "vigilance" } } });
    await expect(fetchCurrentSession(wrongShape.fetchFn, "s")).rejects.toBeInstanceOf(RaterApiError);
  });
});

describe("createSession", () => {
  it("posts the study, recruiter parameters and screen as JSON and keeps the problem's code", async () => {
    const { fetchFn, requests } = respondWith(409, { type: "about:blank#already_participated", status: 409, code: "already_participated", detail: "You have already taken part." });
    const input = { studyId: "s", params: { PROLIFIC_PID: "p1" }, screen: { width: 390, height: 844, devicePixelRatio: 3 }, startKey: "k".repeat(22) };
    await expect(createSession(fetchFn, input)).rejects.toMatchObject({ status: 409, code: "already_participated", message: "You have already taken part." });
    expect(requests[0]?.init?.method).toBe("POST");
    expect(JSON.parse(String(requests[0]?.init?.body))).toEqual(input);
  });
});

describe("postAnswer", () => {
  it("parses feedback and the next state; a problem without a body keeps its status", async () => {
    const ok = respondWith(200, { stored: true, replayed: false, feedback: { correct: false, realSide: "right" }, session });
    const body = { idempotencyKey: "k-123456789", chosenSide: "left" as const, responseTimeMs: 1, timing: { frameIntervalMs: 16.67, exposureLeftMs: 1000, exposureRightMs: 1000, onsets: {}, offsets: {}, flagged: false } };
    await expect(postAnswer(ok.fetchFn, "t/1", body)).resolves.toMatchObject({ feedback: { correct: false, realSide: "right" }, session: { id: "s1" } });
    expect(ok.requests[0]?.url).toBe("/api/rater/trials/t%2F1/answer");
    const bare = respondWith(502, "Bad gateway");
    await expect(postAnswer(bare.fetchFn, "t", body)).rejects.toMatchObject({ status: 502, code: "http_error" });
  });
});
