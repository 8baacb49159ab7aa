/**
 * Why a domain operation refused: the error every `lib` module throws for a request it cannot
 * serve. It carries a stable, machine-readable `code` and a message safe to show the caller; it
 * knows nothing of HTTP. lib/http alone turns codes into statuses and problem+json (its table
 * must name every code below, so a new code cannot go out without a status).
 */
export type DomainErrorCode =
  // who is asking
  | "unauthorized"
  | "invalid_credentials"
  | "no_session"
  | "forbidden"
  | "too_many_attempts"
  | "too_many_sessions"
  // what is asked for
  | "not_found"
  | "image_gone"
  | "invalid_invitation"
  // the state does not allow it
  | "already_registered"
  | "protocol_frozen"
  | "method_exists"
  | "invalid_transition"
  | "study_not_ready"
  | "study_not_open"
  | "study_closed"
  | "study_full"
  | "already_participated"
  | "mturk_preview"
  | "already_answered"
  | "out_of_order"
  | "screening_pending"
  | "screened_out"
  // what is sent
  | "invalid_screening_answer"
  | "wrong_answer_kind";

export class DomainError extends Error {
  override name = "DomainError";
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export const unauthorized = (message = "Sign in to continue.") => new DomainError("unauthorized", message);
export const forbidden = (message = "You are not allowed to do this.") => new DomainError("forbidden", message);
export const notFound = (what: string) => new DomainError("not_found", `${what} not found.`);

/**
 * Whether an error says the thing asked for is not there for this caller: unknown, or another
 * team's (pages show both as "not found", so ids cannot be probed).
 */
export function isNotVisible(error: unknown): boolean {
  return error instanceof DomainError && (error.code === "not_found" || error.code === "forbidden");
}
