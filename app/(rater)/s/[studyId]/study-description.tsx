import type { RaterProtocol } from "@/lib/contract/protocol";
import type { RaterPresentation } from "@/lib/contract/rater-api";
import { sideWords, type StimulusLayoutKind } from "@/lib/rater-client/stimulus-layout";

/** "1 second", "0.6 seconds", "2.4 seconds". */
export function secondsText(ms: number): string {
  const seconds = Math.round(ms / 100) / 10;
  return `${seconds} second${seconds === 1 ? "" : "s"}`;
}

/** One trial's course in words, from the study's presentation mode. */
export function trialCourseText(presentation: RaterPresentation, arrangement: StimulusLayoutKind = "row"): string {
  const { left, right } = sideWords(arrangement);
  switch (presentation.mode) {
    case "sequential":
      return `A small cross appears, then the ${left.word} photo for ${secondsText(presentation.exposureMs)}${
        presentation.blankMs > 0 ? `, a short pause` : ""
      }, then the ${right.word} photo for ${secondsText(presentation.exposureMs)}. Then both are replaced by grey boxes and you choose.`;
    case "side-by-side":
      return `A small cross appears, then both photos ${arrangement === "row" ? "side by side" : "one above the other"} for ${secondsText(presentation.exposureMs)}. Then they are replaced by grey boxes and you choose.`;
    case "unlimited":
      return "A small cross appears, then both photos. They stay on screen until you choose.";
  }
}

/**
 * The instructions, the course of a trial and the study's length, for consent and MTurk preview.
 * `arrangement` is how this screen will show the photos: side by side, or stacked on a phone.
 */
export function StudyDescription({ protocol, arrangement = "row" }: { protocol: RaterProtocol; arrangement?: StimulusLayoutKind }) {
  const { practiceTrials, testTrials } = protocol;
  const { left, right } = sideWords(arrangement);
  return (
    <section className="space-y-3 text-neutral-800">
      <p className="whitespace-pre-line">{protocol.instructions}</p>
      <ul className="list-disc space-y-1 pl-5 text-sm">
        <li data-testid="trial-course">{trialCourseText(protocol.presentation, arrangement)}</li>
        <li data-testid="answer-keys">
          Answer with the buttons <strong>{left.name} is real</strong> and <strong>{right.name} is real</strong>, or with the{" "}
          <kbd className="rounded border border-neutral-300 bg-white px-1">{left.arrow}</kbd> and{" "}
          <kbd className="rounded border border-neutral-300 bg-white px-1">{right.arrow}</kbd> keys.
        </li>
        {practiceTrials > 0 && (
          <li>
            {practiceTrials === 1 ? "The first pair is" : `The first ${practiceTrials} pairs are`} practice: after each one you see
            which photo was real (for {secondsText(protocol.practiceFeedbackMs)}).
          </li>
        )}
        <li>
          Then {testTrials === 1 ? "1 pair follows" : `${testTrials} pairs follow`} without feedback{protocol.responseTimeLimitMs !== null ? `; please answer each within ${secondsText(protocol.responseTimeLimitMs)}` : ""}.
        </li>
        <li>
          The photos are shown at {protocol.stimulusSize}×{protocol.stimulusSize} pixels; keep this window large enough (a
          phone works upright if its screen is tall enough).
        </li>
      </ul>
    </section>
  );
}

/** A still picture of the answer screen, for the MTurk preview (no study images are shown there). */
export function ExampleChoice() {
  return (
    <figure className="rounded border border-neutral-200 bg-white p-4">
      <div className="flex justify-center gap-3">
        {(["Left", "Right"] as const).map((side) => (
          <div key={side} className="flex flex-col items-center gap-2">
            <div className="flex h-24 w-24 items-center justify-center bg-neutral-300 text-sm text-neutral-600">{side}</div>
            <span className="rounded bg-neutral-900 px-3 py-1 text-xs text-white">{side} is real</span>
          </div>
        ))}
      </div>
      <figcaption className="mt-3 text-center text-xs text-neutral-500">
        Then you choose: which photo had the real colours?
      </figcaption>
    </figure>
  );
}
