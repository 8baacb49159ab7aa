import type { RaterProtocol } from "@/lib/contract/protocol";
import { secondsText } from "./study-description";

/**
 * The course of a single-image study, for consent and the MTurk preview: one photo at a time,
 * "real or fake?"; in adaptive exposure the photo is shown briefly, for a time that adapts to the
 * rater, and then covered by a pattern.
 */
export function SingleImageDescription({ protocol }: { protocol: RaterProtocol }) {
  const { practiceTrials, testTrials } = protocol;
  const timed = protocol.trialKind === "adaptive-exposure";
  return (
    <section className="space-y-3 text-neutral-800">
      <p className="whitespace-pre-line">{protocol.instructions}</p>
      <ul className="list-disc space-y-1 pl-5 text-sm">
        <li data-testid="trial-course">
          {timed
            ? "A small cross appears, then one photo for a short time (it gets shorter as you get better, and longer after a mistake), then a pattern covers it. Then you decide."
            : "A small cross appears, then one photo. It stays on screen until you decide."}
        </li>
        <li data-testid="answer-keys">
          Is the photo real (its true colours) or fake (colorized by a computer)? Answer with the buttons <strong>Real</strong> and{" "}
          <strong>Fake</strong>, or with the <kbd className="rounded border border-neutral-300 bg-white px-1">R</kbd> and{" "}
          <kbd className="rounded border border-neutral-300 bg-white px-1">F</kbd> keys.
        </li>
        {practiceTrials > 0 && (
          <li>
            {practiceTrials === 1 ? "The first photo is" : `The first ${practiceTrials} photos are`} practice: after each one you see whether it
            was real (for {secondsText(protocol.practiceFeedbackMs)}).
          </li>
        )}
        <li>
          Then {testTrials === 1 ? "1 photo follows" : `${testTrials} photos follow`} without feedback
          {protocol.responseTimeLimitMs !== null ? `; please answer each within ${secondsText(protocol.responseTimeLimitMs)}` : ""}.
        </li>
        <li>
          The photos are shown at {protocol.stimulusSize}×{protocol.stimulusSize} pixels; keep this window large enough.
        </li>
      </ul>
    </section>
  );
}
