"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import type { Protocol } from "@/lib/study/protocol";
import { protocolErrorsInWords } from "@/lib/study/protocol-labels";

const input = "w-full rounded border border-neutral-300 px-2 py-1";

/** Edits a draft's protocol; the server validates it against the same zod schema. */
export function ProtocolEditor({ studyId, protocol }: { studyId: string; protocol: Protocol }) {
  const router = useRouter();
  const [message, setMessage] = useState<string | null>(null);

  async function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const number = (name: string) => Number(form.get(name));
    const mode = String(form.get("mode"));
    const presentation =
      mode === "unlimited"
        ? { mode }
        : mode === "side-by-side"
          ? { mode, exposureMs: number("exposureMs") }
          : { mode, exposureMs: number("exposureMs"), blankMs: number("blankMs") };
    const next = {
      ...protocol,
      stimulusSize: number("stimulusSize"),
      presentation,
      practiceTrials: number("practiceTrials"),
      testTrials: number("testTrials"),
      vigilanceShare: number("vigilanceShare"),
      design: String(form.get("design")),
      targetSessionsPerMethod: number("targetSessionsPerMethod"),
      instructions: String(form.get("instructions")),
      consent: String(form.get("consent")),
      exclusion: { maxVigilanceFailures: number("maxVigilanceFailures"), maxTimingFlaggedShare: number("maxTimingFlaggedShare") },
    };
    const response = await fetch(`/api/studies/${studyId}`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ protocol: next }),
    });
    const body = (await response.json().catch(() => ({}))) as { detail?: string; errors?: { path: string; message: string }[] };
    if (response.ok) {
      setMessage("Saved.");
      router.refresh();
    } else setMessage(body.errors?.length ? `Not saved: ${protocolErrorsInWords(body.errors)}` : (body.detail ?? "Not saved."));
  }

  const exposure = protocol.presentation.mode === "unlimited" ? 1000 : protocol.presentation.exposureMs;
  const blank = protocol.presentation.mode === "sequential" ? protocol.presentation.blankMs : 600;
  return (
    <form onSubmit={save} className="grid max-w-3xl grid-cols-2 gap-3 text-sm" data-testid="protocol-editor">
      <label>Presentation
        <select name="mode" defaultValue={protocol.presentation.mode} className={input}>
          <option value="sequential">sequential (left, blank, right)</option>
          <option value="side-by-side">side by side</option>
          <option value="unlimited">unlimited</option>
        </select>
      </label>
      <label>Stimulus size (px)<input name="stimulusSize" type="number" defaultValue={protocol.stimulusSize} className={input} /></label>
      <label>Exposure (ms)<input name="exposureMs" type="number" defaultValue={exposure} className={input} /></label>
      <label>Blank between (ms, sequential)<input name="blankMs" type="number" defaultValue={blank} className={input} /></label>
      <label>Practice trials<input name="practiceTrials" type="number" defaultValue={protocol.practiceTrials} className={input} /></label>
      <label>Test trials<input name="testTrials" type="number" defaultValue={protocol.testTrials} className={input} /></label>
      <label>Vigilance share (0–0.5)<input name="vigilanceShare" type="number" step="0.01" defaultValue={protocol.vigilanceShare} className={input} /></label>
      <label>Design
        <select name="design" defaultValue={protocol.design} className={input}>
          <option value="between">between (one method per rater)</option>
          <option value="within">within (methods mixed)</option>
        </select>
      </label>
      <label>Target sessions per method<input name="targetSessionsPerMethod" type="number" defaultValue={protocol.targetSessionsPerMethod} className={input} /></label>
      <label>Exclude after more than N vigilance failures<input name="maxVigilanceFailures" type="number" defaultValue={protocol.exclusion.maxVigilanceFailures} className={input} /></label>
      <label>Exclude when timing flagged on more than (share)<input name="maxTimingFlaggedShare" type="number" step="0.01" defaultValue={protocol.exclusion.maxTimingFlaggedShare} className={input} /></label>
      <span />
      <label className="col-span-2">Instructions<textarea name="instructions" defaultValue={protocol.instructions} rows={3} className={input} /></label>
      <label className="col-span-2">Consent<textarea name="consent" defaultValue={protocol.consent} rows={3} className={input} /></label>
      <div className="col-span-2 flex items-center gap-3">
        <button type="submit" className="rounded bg-neutral-900 px-3 py-1.5 font-medium text-white">Save protocol</button>
        {message && <span role="status" data-testid="protocol-message">{message}</span>}
      </div>
    </form>
  );
}
