import type { Db } from "@/lib/db/client";
import { sha256Hex } from "@/lib/crypto";
import { DomainError } from "@/lib/errors";
import type { Completion, SessionState, TrialView } from "@/lib/contract/rater-api";
import type { Protocol } from "@/lib/contract/protocol";
import { isMturkSubmitUrl } from "./recruiter-identity";
import { screenedOutFor, screeningStateOf } from "./screening-state";
import { readStoredProtocol } from "./stored-protocol";
import { MASK_MS } from "./trial-format";

export const raterImageUrl = (token: string) => `/api/rater/images/${token}`;

/** The rater's session for a bearer token (the cookie), or a 401. */
export async function findRaterSession(db: Db, token: string | undefined) {
  if (!token || token.length > 200) throw new DomainError("no_session", "No session: start the study from its link.");
  const session = await db.raterSession.findUnique({
    where: { tokenHash: sha256Hex(token) },
    select: { id: true, studyId: true, status: true, recruiter: true, recruiterIds: true },
  });
  if (!session) throw new DomainError("no_session", "No session: start the study from its link.");
  return session;
}

/**
 * What the rater's page needs now: progress, the next unanswered trial, or the completion.
 * Two queries (the session with its study; the trials with whether each is answered): this runs
 * after every answer and on every trial fetch, the hottest path under load (docs/benchmarks.md).
 */
export async function buildSessionState(db: Db, sessionId: string): Promise<SessionState> {
  const [row] = await db.$queryRaw<
    {
      id: string;
      status: string;
      recruiter: Completion["recruiter"];
      recruiterIds: unknown;
      protocol: unknown;
      protocolHash: string | null;
      studyCode: string;
      sessionCode: string | null;
      screeningOutcome: string | null;
    }[]
  >`
    SELECT r."id", r."status"::text AS "status", r."recruiter"::text AS "recruiter", r."recruiterIds", s."protocol", s."protocolHash",
           s."completionCode" AS "studyCode", r."completionCode" AS "sessionCode", sc."outcome"::text AS "screeningOutcome"
      FROM "RaterSession" r JOIN "Study" s ON s."id" = r."studyId" LEFT JOIN "RaterScreening" sc ON sc."sessionId" = r."id"
     WHERE r."id" = ${sessionId}`;
  if (!row) throw new DomainError("not_found", "Session not found.");
  const trials = await db.$queryRaw<{ id: string; position: number; kind: string; leftToken: string; rightToken: string | null; showsReal: boolean | null; exposureMs: number | null; answered: boolean }[]>`
    SELECT t."id", t."position", t."kind"::text AS "kind", t."leftToken", t."rightToken", t."showsReal", t."exposureMs", (a."id" IS NOT NULL) AS "answered"
      FROM "Trial" t LEFT JOIN "Response" a ON a."trialId" = t."id"
     WHERE t."sessionId" = ${sessionId}
     ORDER BY t."position"`;
  const session = { ...row, trials: trials.map((trial) => ({ ...trial, response: trial.answered })) };
  const protocol = readStoredProtocol(row.protocol, row.protocolHash);
  const practiceTotal = session.trials.filter((trial) => trial.kind === "practice").length;
  const answered = session.trials.filter((trial) => trial.response).length;
  const next = session.trials.find((trial) => !trial.response);
  const completed = session.status === "completed";
  let view: TrialView | null = null;
  if (next && !completed) {
    const phase = next.kind === "practice" ? "practice" : "test";
    const common = {
      trialId: next.id,
      position: next.position,
      phase,
      index: phase === "practice" ? next.position + 1 : next.position - practiceTotal + 1,
      phaseTotal: phase === "practice" ? practiceTotal : session.trials.length - practiceTotal,
      responseTimeLimitMs: protocol.responseTimeLimitMs,
      practiceFeedbackMs: protocol.practiceFeedbackMs,
    } as const;
    if (next.showsReal !== null || next.rightToken === null) {
      // One photo: timed by the staircase (adaptive exposure), else until the answer (HYPE∞).
      const timed = protocol.trialFormat.kind === "adaptive-exposure";
      // Every answer (and the start) gives the next trial its exposure in the same transaction.
      if (timed && next.exposureMs === null) throw new Error(`trial ${next.id} was handed out without its exposure`);
      view = { ...common, format: "single", imageUrl: raterImageUrl(next.leftToken), exposureMs: timed ? next.exposureMs : null, maskMs: timed ? MASK_MS : 0 };
    } else {
      view = { ...common, format: "paired", leftUrl: raterImageUrl(next.leftToken), rightUrl: raterImageUrl(next.rightToken), presentation: protocol.presentation };
    }
  }
  const screenedOut = session.status === "screened_out";
  return {
    id: session.id,
    status: completed ? "completed" : screenedOut ? "screened_out" : "active",
    screening: screeningStateOf(protocol, row.screeningOutcome),
    progress: { answered, total: session.trials.length, practiceTotal },
    next: screenedOut ? null : view,
    completion: completed ? completionFor(session.recruiter, session.recruiterIds, { study: row.studyCode, session: row.sessionCode ?? row.studyCode }, protocol) : null,
    screenedOut: screenedOut ? screenedOutFor(session.recruiter, session.recruiterIds, protocol) : null,
  };
}

/**
 * The rater sees the session's own code. Prolific's redirect alone carries the study's code:
 * Prolific accepts only the codes configured on its side, and its participants are checked by
 * their PROLIFIC_PID in the recruiter ledger instead (lib/results/recruiter-ledger.ts).
 */
function completionFor(recruiter: Completion["recruiter"], recruiterIds: unknown, codes: { study: string; session: string }, protocol: Protocol): Completion {
  const ids = (recruiterIds ?? {}) as Record<string, string>;
  const code = codes.session;
  if (recruiter === "prolific") {
    const url = new URL(protocol.prolificCompletionUrl);
    url.searchParams.set("cc", codes.study);
    return { code, redirectUrl: url.toString(), recruiter };
  }
  // Checked again here: rows stored before the check was tightened must not reach the form either.
  if (recruiter === "mturk" && ids.turkSubmitTo && isMturkSubmitUrl(ids.turkSubmitTo) && ids.assignmentId) {
    return { code, redirectUrl: null, recruiter, mturkSubmit: { action: new URL("/mturk/externalSubmit", ids.turkSubmitTo).toString(), assignmentId: ids.assignmentId } };
  }
  return { code, redirectUrl: null, recruiter };
}
