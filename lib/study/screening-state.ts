import type { Completion, ScreenedOut, SessionState } from "@/lib/contract/rater-api";
import type { Protocol } from "@/lib/contract/protocol";
import { isMturkSubmitUrl } from "./recruiter-identity";

/** Whether the protocol screens raters before practice (docs/colour-vision-screening.md). */
export function screeningRequired(protocol: Protocol): boolean {
  return protocol.screening.colourVision || protocol.screening.display;
}

/** The session's screening as the page sees it: pending until the server has scored the answers. */
export function screeningStateOf(protocol: Protocol, outcome: string | null): SessionState["screening"] {
  if (outcome === "passed" || outcome === "flagged" || outcome === "screened_out") return outcome;
  return screeningRequired(protocol) ? "pending" : null;
}

/**
 * Where a rater the screening ended goes, in the recruiter's terms: a Prolific participant to the
 * protocol's screened-out completion link (Prolific's "screened out" path pays the screening time
 * and keeps the place open), an MTurk worker to the HIT's submit form (the researcher sees the
 * session as screened out in the ledger), anyone else to a thank-you page.
 */
export function screenedOutFor(recruiter: Completion["recruiter"], recruiterIds: unknown, protocol: Protocol): ScreenedOut {
  const ids = (recruiterIds ?? {}) as Record<string, string>;
  if (recruiter === "prolific") return { redirectUrl: protocol.screening.screenedOutUrl, recruiter };
  if (recruiter === "mturk" && ids.turkSubmitTo && isMturkSubmitUrl(ids.turkSubmitTo) && ids.assignmentId) {
    return { redirectUrl: null, recruiter, mturkSubmit: { action: new URL("/mturk/externalSubmit", ids.turkSubmitTo).toString(), assignmentId: ids.assignmentId } };
  }
  return { redirectUrl: null, recruiter };
}
