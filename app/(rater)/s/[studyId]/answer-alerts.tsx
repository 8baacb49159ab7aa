import { RetryAlert } from "./retry-alert";
import type { TrialPhase } from "./use-trial-phase";

/**
 * What both trial stages (a pair, a single photo) say about the answer: the response-time
 * reminder while it is open and overdue, and a retry when it could not be sent (it is kept).
 */
export function AnswerAlerts({ phase, overdue, unsent, onResend }: { phase: TrialPhase; overdue: boolean; unsent: boolean; onResend: () => void }) {
  return (
    <>
      {overdue && phase === "answering" && (
        <p role="alert" className="mt-2 text-sm font-medium text-amber-800">
          Please answer now.
        </p>
      )}
      {phase === "send-failed" && unsent && (
        <RetryAlert
          message="Your answer is not saved yet: the server cannot be reached. Check your internet connection and try again — your answer is kept."
          onRetry={onResend}
        />
      )}
    </>
  );
}
