"use client";

import { useEffect } from "react";
import { safeNavigationUrl } from "@/lib/rater-client/recruiter-params";

/**
 * The recruiter's link at the end of a session (Prolific's completion or screened-out link), and
 * whether the page follows it by itself: only when the rater has just finished here, after
 * `delayMs` so the end screen can be read. A link the page may not navigate to counts as none.
 */
export function useRecruiterRedirect(url: string | null | undefined, justFinished: boolean, delayMs: number): { redirectUrl: string | null; redirecting: boolean } {
  const redirectUrl = safeNavigationUrl(url);
  const redirecting = justFinished && redirectUrl !== null;
  useEffect(() => {
    if (!redirecting || !redirectUrl) return;
    const timer = setTimeout(() => window.location.assign(redirectUrl), delayMs);
    return () => clearTimeout(timer);
  }, [redirecting, redirectUrl, delayMs]);
  return { redirectUrl, redirecting };
}

/** The link back to Prolific, announced while the page is about to follow it. */
export function ReturnToProlific({ redirectUrl, redirecting, testId }: { redirectUrl: string; redirecting: boolean; testId: string }) {
  return (
    <p role="status">
      {redirecting ? "Taking you back to Prolific… " : ""}
      <a href={redirectUrl} className="font-medium underline" data-testid={testId}>
        Return to Prolific
      </a>
    </p>
  );
}
