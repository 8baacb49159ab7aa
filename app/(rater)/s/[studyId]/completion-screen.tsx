"use client";

import { useEffect, useRef, useState } from "react";
import type { Completion } from "@/lib/contract/rater-api";
import { safeNavigationUrl } from "@/lib/rater-client/recruiter-params";
import { ReturnToProlific, useRecruiterRedirect } from "./recruiter-redirect";

/** Long enough to read "done" and see the code, short enough that nobody closes the tab first. */
const REDIRECT_DELAY_MS = 1_500;

/**
 * The end: the completion code, always on screen. Prolific raters who just finished are sent on
 * to Prolific's completion link (only after the last answer was stored: this screen is reached
 * from the answer's 200 or from the server's own "completed" state); MTurk raters submit the HIT
 * to MTurk with a form; a plain link shows the code only.
 */
export function CompletionScreen({ completion, justFinished }: { completion: Completion; justFinished: boolean }) {
  const headingRef = useRef<HTMLHeadingElement>(null);
  const [copied, setCopied] = useState(false);
  const { redirectUrl, redirecting } = useRecruiterRedirect(completion.redirectUrl, justFinished, REDIRECT_DELAY_MS);
  const mturkAction = safeNavigationUrl(completion.mturkSubmit?.action);

  useEffect(() => headingRef.current?.focus(), []);

  return (
    <main className="mx-auto max-w-xl space-y-5 px-4 py-12">
      <h1 ref={headingRef} tabIndex={-1} className="text-2xl font-semibold outline-none">
        Thank you — you are done!
      </h1>
      <p>All your answers are saved. Your completion code is:</p>
      <div className="flex items-center gap-3">
        <code data-testid="completion-code" className="rounded border border-neutral-300 bg-white px-4 py-2 font-mono text-xl tracking-wider select-all">
          {completion.code}
        </code>
        <button
          type="button"
          className="text-sm text-neutral-600 underline"
          onClick={() => {
            void navigator.clipboard?.writeText(completion.code).then(() => setCopied(true), () => undefined);
          }}
        >
          {copied ? "Copied" : "Copy"}
        </button>
      </div>
      {redirectUrl && <ReturnToProlific redirectUrl={redirectUrl} redirecting={redirecting} testId="completion-redirect" />}
      {completion.recruiter === "mturk" && completion.mturkSubmit && mturkAction && (
        <form method="POST" action={mturkAction} data-testid="mturk-submit">
          <input type="hidden" name="assignmentId" value={completion.mturkSubmit.assignmentId} />
          <input type="hidden" name="completionCode" value={completion.code} />
          <button type="submit" className="rounded bg-neutral-900 px-4 py-2 font-medium text-white">
            Submit the HIT
          </button>
        </form>
      )}
      {!redirectUrl && !(completion.recruiter === "mturk" && mturkAction) && <p className="text-neutral-600">Keep the code if you were asked for it. You can close this page now.</p>}
    </main>
  );
}
