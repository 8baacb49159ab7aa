/**
 * The query parameters recruiters append to a study link (docs/protocol.md): Prolific
 * `PROLIFIC_PID`, `STUDY_ID`, `SESSION_ID`; MTurk `workerId`, `assignmentId`, `hitId`,
 * `turkSubmitTo`. Only these travel to the server; anything else on the link is dropped.
 */
export const RECRUITER_PARAM_KEYS = ["PROLIFIC_PID", "STUDY_ID", "SESSION_ID", "workerId", "assignmentId", "hitId", "turkSubmitTo"] as const;

/** The server's limit on a parameter's value (app/api/rater/sessions/route.ts). */
const MAX_VALUE_LENGTH = 500;

/**
 * The recruiter parameters of a page's `searchParams` (Next passes repeated keys as arrays: the
 * first value counts). Empty and over-long values are dropped rather than failing the start.
 * @example pickRecruiterParams({ PROLIFIC_PID: "abc", utm_source: "x" }) // { PROLIFIC_PID: "abc" }
 */
export function pickRecruiterParams(search: Record<string, string | string[] | undefined>): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const key of RECRUITER_PARAM_KEYS) {
    const raw = search[key];
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (value && value.length <= MAX_VALUE_LENGTH) picked[key] = value;
  }
  return picked;
}

/**
 * A URL the page may send the rater to (the Prolific completion link, MTurk's submit form): only
 * http(s), never `javascript:` or `data:`. Returns the normalized URL or `null`.
 */
export function safeNavigationUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.toString() : null;
  } catch {
    return null;
  }
}
