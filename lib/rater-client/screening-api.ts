import { sessionEnvelopeSchema, type SessionState } from "@/lib/contract/rater-api";
import { screeningEnvelopeSchema, type ScreeningAnswers, type ScreeningView } from "@/lib/contract/screening-api";
import { readBody, timeoutSignal, type FetchLike } from "./rater-api";

/** `GET /api/rater/screening`: the plates and display checks to draw (never their answers). */
export async function fetchScreening(fetchFn: FetchLike, studyId: string): Promise<ScreeningView> {
  const response = await fetchFn(`/api/rater/screening?studyId=${encodeURIComponent(studyId)}`, {
    headers: { accept: "application/json" },
    cache: "no-store",
    signal: timeoutSignal(),
  });
  return (await readBody(response, screeningEnvelopeSchema)).screening;
}

/**
 * `POST /api/rater/screening`: the chosen options. The server scores them and answers with the
 * session's state (passed or flagged: practice next; screened out: the end). Safe to repeat: a
 * screening is scored once and a repeat returns the session as it stands.
 */
export async function postScreening(fetchFn: FetchLike, studyId: string, answers: ScreeningAnswers): Promise<SessionState> {
  const response = await fetchFn(`/api/rater/screening?studyId=${encodeURIComponent(studyId)}`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify(answers),
    signal: timeoutSignal(),
  });
  return (await readBody(response, sessionEnvelopeSchema)).session;
}
