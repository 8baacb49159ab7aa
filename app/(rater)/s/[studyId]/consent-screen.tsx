"use client";

import { FocusHeading } from "./focus-heading";
import { ScreenTooSmall } from "./screen-too-small";
import type { RaterProtocol } from "@/lib/contract/protocol";
import { StudyDescription } from "./study-description";
import { useStimulusLayout } from "./use-stimulus-layout";

/**
 * Consent and instructions. Accepting starts the session (server-side assignment); it is refused
 * while the window cannot show the photos at full size, so that nobody uses up their one
 * participation on a screen that cannot run it.
 */
export function ConsentScreen({
  protocol,
  starting,
  problem,
  onAccept,
}: {
  protocol: RaterProtocol;
  starting: boolean;
  problem: string | null;
  onAccept: () => void;
}) {
  const layout = useStimulusLayout(protocol.stimulusSize);
  const tooSmall = layout?.kind === "too-small" ? layout : null;
  return (
    <main className="mx-auto max-w-2xl space-y-6 px-4 py-10">
      <FocusHeading>Which photo has the real colours?</FocusHeading>
      <StudyDescription protocol={protocol} arrangement={layout?.kind === "column" ? "column" : "row"} />
      <section aria-labelledby="consent-title" className="space-y-2 rounded border border-neutral-200 bg-white p-4">
        <h2 id="consent-title" className="font-semibold">
          Consent
        </h2>
        <p className="whitespace-pre-line text-sm text-neutral-800">{protocol.consent}</p>
      </section>
      {tooSmall && <ScreenTooSmall needs={tooSmall.needs} stimulusSize={protocol.stimulusSize} />}
      {problem && (
        <p role="alert" className="rounded bg-red-50 px-3 py-2 text-sm text-red-800">
          {problem}
        </p>
      )}
      <div className="flex flex-wrap items-center gap-4">
        <button
          type="button"
          data-testid="consent-accept"
          disabled={starting || layout === null || tooSmall !== null}
          onClick={onAccept}
          className="rounded bg-neutral-900 px-5 py-2.5 font-medium text-white disabled:opacity-50"
        >
          {starting ? "Starting…" : "I agree — start"}
        </button>
        <span className="text-sm text-neutral-600">If you do not agree, simply close this page.</span>
      </div>
    </main>
  );
}
