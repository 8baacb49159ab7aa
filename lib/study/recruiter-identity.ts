import { sha256Hex } from "@/lib/crypto";
import type { Protocol } from "@/lib/contract/protocol";

export type RecruiterName = "prolific" | "mturk" | "link";

export interface RecruiterIdentity {
  recruiter: RecruiterName;
  /** The recruiter's participant id (PROLIFIC_PID, workerId), if any. */
  participantId: string | null;
  /** What the researcher needs for payment and the recruiter for submission. */
  ids: Record<string, string>;
}

const MTURK_SUBMIT_HOSTS = new Set(["www.mturk.com", "workersandbox.mturk.com"]);

/**
 * The form of a recruiter's participant id that the once-per-participant check compares:
 * Unicode-compatible characters folded (NFKC), surrounding spaces dropped, letters lower-cased.
 * Prolific ids are lower-case hex and MTurk worker ids upper-case alphanumerics, so no two real
 * ids collide, while `5F00…`, ` 5f00…` and `5f00… ` all name the same participant.
 */
export function normalizeParticipantId(id: string): string {
  return id.normalize("NFKC").trim().toLowerCase();
}

/** MTurk's submit endpoint, over HTTPS only: anything else must not reach the submit form. */
export function isMturkSubmitUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === "https:" && MTURK_SUBMIT_HOSTS.has(url.host) && !url.username && !url.password;
  } catch {
    return false;
  }
}

/** Reads recruiter parameters (Prolific, MTurk, or none) from a study link's query string. */
export function identifyRecruiter(params: Record<string, string>): RecruiterIdentity {
  const pick = (...keys: string[]) => Object.fromEntries(keys.filter((key) => params[key]?.trim()).map((key) => [key, (params[key] as string).trim().slice(0, 200)]));
  if (params.PROLIFIC_PID?.trim()) {
    return { recruiter: "prolific", participantId: normalizeParticipantId(params.PROLIFIC_PID), ids: pick("PROLIFIC_PID", "STUDY_ID", "SESSION_ID") };
  }
  if (params.workerId?.trim()) {
    const ids = pick("workerId", "assignmentId", "hitId", "turkSubmitTo");
    // Only MTurk's own hosts: the submit form must not become an open redirect.
    if (ids.turkSubmitTo && !isMturkSubmitUrl(ids.turkSubmitTo)) delete ids.turkSubmitTo;
    return { recruiter: "mturk", participantId: normalizeParticipantId(params.workerId), ids };
  }
  return { recruiter: "link", participantId: null, ids: {} };
}

export function isMturkPreview(params: Record<string, string>): boolean {
  return params.assignmentId === "ASSIGNMENT_ID_NOT_AVAILABLE";
}

/** The stored form of a participant id: salted per study, so ids cannot be matched across studies. */
export function participantHash(salt: string, recruiter: RecruiterName, participantId: string): string {
  return sha256Hex(`${salt}:${recruiter}:${participantId}`);
}

/** The recruiter ids a session stores: all of them with the raters' consent, else only MTurk's submission fields. */
export function recruiterIdsToKeep(identity: RecruiterIdentity, protocol: Protocol): Record<string, string> {
  if (protocol.keepRecruiterIds) return identity.ids;
  // Without consent to keep ids, only what MTurk's submission needs stays (not personal data).
  const { assignmentId, turkSubmitTo } = identity.ids;
  return Object.fromEntries(Object.entries({ assignmentId, turkSubmitTo }).filter(([, value]) => value)) as Record<string, string>;
}
