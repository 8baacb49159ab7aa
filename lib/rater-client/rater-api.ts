import type { z } from "zod";
import {
  answerResultSchema,
  problemSchema,
  sessionEnvelopeSchema,
  type AnswerBody,
  type AnswerResult,
  type SessionStartBody,
  type SessionState,
} from "@/lib/contract/rater-api";

/** `fetch` as the page uses it; tests pass their own. */
export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/**
 * An HTTP answer that is not a success, with the problem+json `code` the server chose
 * (lib/http/errors.ts). `status` 0 means the body of a 2xx answer was not what the API sends.
 */
export class RaterApiError extends Error {
  override name = "RaterApiError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** One request gives up after this long so that a silently dropped connection is retried. */
export const REQUEST_TIMEOUT_MS = 15_000;

const jsonHeaders = { "content-type": "application/json", accept: "application/json" };

export async function readBody<Schema extends z.ZodType>(response: Response, schema: Schema): Promise<z.infer<Schema>> {
  const body: unknown = await response.json().catch(() => undefined);
  if (!response.ok) {
    const problem = problemSchema.safeParse(body);
    if (problem.success) throw new RaterApiError(response.status, problem.data.code, problem.data.detail);
    throw new RaterApiError(response.status, "http_error", `The server answered ${response.status}.`);
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new RaterApiError(0, "bad_response", "The server's answer could not be read.");
  return parsed.data;
}

export function timeoutSignal(): AbortSignal | undefined {
  return typeof AbortSignal !== "undefined" && "timeout" in AbortSignal ? AbortSignal.timeout(REQUEST_TIMEOUT_MS) : undefined;
}

/**
 * `GET /api/rater/sessions/current`: the session this browser holds for the study, or `null`
 * when it holds none (401 `no_session`: the rater has not consented yet in this browser).
 */
export async function fetchCurrentSession(fetchFn: FetchLike, studyId: string): Promise<SessionState | null> {
  const response = await fetchFn(`/api/rater/sessions/current?studyId=${encodeURIComponent(studyId)}`, {
    headers: { accept: "application/json" },
    cache: "no-store",
    signal: timeoutSignal(),
  });
  if (response.status === 401) return null;
  return (await readBody(response, sessionEnvelopeSchema)).session;
}

/** What the page sends to start: the contract's body, with a screen and a start key always (idempotency-key.ts, startKeyFor). */
export type CreateSessionInput = SessionStartBody & { screen: NonNullable<SessionStartBody["screen"]>; startKey: string };

/** `POST /api/rater/sessions`: starts (or resumes) the rater's session; the server sets its cookie. */
export async function createSession(fetchFn: FetchLike, input: CreateSessionInput): Promise<SessionState> {
  const response = await fetchFn("/api/rater/sessions", {
    method: "POST",
    headers: jsonHeaders,
    body: JSON.stringify(input),
    signal: timeoutSignal(),
  });
  return (await readBody(response, sessionEnvelopeSchema)).session;
}

/**
 * `POST /api/rater/trials/{trialId}/answer`. Safe to repeat with the same body: the server
 * stores an idempotency key once and replays the stored result.
 */
export async function postAnswer(fetchFn: FetchLike, trialId: string, body: AnswerBody): Promise<AnswerResult> {
  const response = await fetchFn(`/api/rater/trials/${encodeURIComponent(trialId)}/answer`, {
    method: "POST",
    headers: jsonHeaders,
    body: JSON.stringify(body),
    signal: timeoutSignal(),
  });
  return readBody(response, answerResultSchema);
}
