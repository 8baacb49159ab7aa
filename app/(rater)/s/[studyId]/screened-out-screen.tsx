"use client";

import type { ScreenedOut } from "@/lib/contract/rater-api";
import { safeNavigationUrl } from "@/lib/rater-client/recruiter-params";
import { FocusHeading } from "./focus-heading";
import { ReturnToProlific, useRecruiterRedirect } from "./recruiter-redirect";

/** As on the completion screen: long enough to read, short enough that nobody closes the tab. */
const REDIRECT_DELAY_MS = 2_500;

/**
 * The polite end of a session the screening ended (the protocol's onFail = end): thanks, no
 * judgement of the rater, and the recruiter's path — Prolific's screened-out completion link when
 * the study has one (followed right away only when the rater has just finished the checks), MTurk's
 * submit form, or nothing further to do.
 */
export function ScreenedOutScreen({ screenedOut, justFinished }: { screenedOut: ScreenedOut; justFinished: boolean }) {
  const { redirectUrl, redirecting } = useRecruiterRedirect(screenedOut.redirectUrl, justFinished, REDIRECT_DELAY_MS);
  const mturkAction = safeNavigationUrl(screenedOut.mturkSubmit?.action);

  return (
    <main className="mx-auto max-w-xl space-y-5 px-4 py-12" data-testid="screened-out">
      <FocusHeading>Thank you for your time</FocusHeading>
      <p className="text-neutral-800">
        This study compares very fine colour differences, so it can only use answers given with particular colour vision and on a screen that shows those
        differences. From the checks you just did, the study cannot go on for you. This is not a test of you, and screens and eyes differ in ways nobody can
        control; your answers to the checks are recorded, and nothing else is asked of you.
      </p>
      {redirectUrl && <ReturnToProlific redirectUrl={redirectUrl} redirecting={redirecting} testId="screened-out-redirect" />}
      {screenedOut.recruiter === "prolific" && !redirectUrl && (
        <p className="text-neutral-800">Please return your submission on Prolific (choose “Return submission”).</p>
      )}
      {screenedOut.recruiter === "mturk" && screenedOut.mturkSubmit && mturkAction && (
        <form method="POST" action={mturkAction} data-testid="mturk-submit">
          <input type="hidden" name="assignmentId" value={screenedOut.mturkSubmit.assignmentId} />
          <input type="hidden" name="screenedOut" value="true" />
          <button type="submit" className="rounded bg-neutral-900 px-4 py-2 font-medium text-white">
            Submit the HIT
          </button>
        </form>
      )}
      {screenedOut.recruiter === "link" && <p className="text-neutral-600">You can close this page now.</p>}
    </main>
  );
}
