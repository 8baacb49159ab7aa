"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import type { Protocol } from "@/lib/contract/protocol";
import { protocolErrorsInWords } from "@/lib/contract/protocol-labels";

const input = "w-full rounded border border-neutral-300 px-2 py-1";

/**
 * How each protocol field is read back from the form. The type names every field of the schema,
 * so a field added to the protocol does not compile until the editor can set it.
 */
type ProtocolReaders = { [Field in keyof Protocol]-?: (form: FormData) => unknown };

const text = (form: FormData, name: string) => String(form.get(name) ?? "");
const number = (form: FormData, name: string) => Number(form.get(name));
/** An empty box means "none" (null); anything else must be a number. */
const optionalNumber = (form: FormData, name: string) => (text(form, name).trim() === "" ? null : number(form, name));
/** Nested settings edited as JSON; unreadable JSON goes to the server as text, which names the field. */
function json(form: FormData, name: string): unknown {
  try {
    return JSON.parse(text(form, name));
  } catch {
    return text(form, name);
  }
}

const readers: ProtocolReaders = {
  stimulusSize: (form) => number(form, "stimulusSize"),
  presentation: (form) => {
    const mode = text(form, "mode");
    if (mode === "unlimited") return { mode };
    if (mode === "side-by-side") return { mode, exposureMs: number(form, "exposureMs") };
    return { mode, exposureMs: number(form, "exposureMs"), blankMs: number(form, "blankMs") };
  },
  responseTimeLimitMs: (form) => optionalNumber(form, "responseTimeLimitMs"),
  practiceTrials: (form) => number(form, "practiceTrials"),
  practiceFeedbackMs: (form) => number(form, "practiceFeedbackMs"),
  testTrials: (form) => number(form, "testTrials"),
  vigilanceShare: (form) => number(form, "vigilanceShare"),
  design: (form) => text(form, "design"),
  targetSessionsPerMethod: (form) => number(form, "targetSessionsPerMethod"),
  instructions: (form) => text(form, "instructions"),
  consent: (form) => text(form, "consent"),
  exclusion: (form) => ({ maxVigilanceFailures: number(form, "maxVigilanceFailures"), maxTimingFlaggedShare: number(form, "maxTimingFlaggedShare") }),
  prolificCompletionUrl: (form) => text(form, "prolificCompletionUrl"),
  keepRecruiterIds: (form) => form.get("keepRecruiterIds") === "on",
  screening: (form) => json(form, "screening"),
  trialFormat: (form) => json(form, "trialFormat"),
  precisionTarget: (form) => json(form, "precisionTarget"),
};

/** Edits a draft's protocol, every field of it; the server validates it against the same zod schema. */
export function ProtocolEditor({ studyId, protocol }: { studyId: string; protocol: Protocol }) {
  const router = useRouter();
  const [message, setMessage] = useState<string | null>(null);

  async function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const next = Object.fromEntries(Object.entries(readers).map(([field, read]) => [field, read(form)]));
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
      <label>Practice feedback (ms)<input name="practiceFeedbackMs" type="number" defaultValue={protocol.practiceFeedbackMs} className={input} /></label>
      <label>Response time limit (ms, empty: none)<input name="responseTimeLimitMs" type="number" defaultValue={protocol.responseTimeLimitMs ?? ""} className={input} /></label>
      <label>Prolific completion URL<input name="prolificCompletionUrl" type="url" defaultValue={protocol.prolificCompletionUrl} className={input} /></label>
      <label className="flex items-center gap-2">
        <input name="keepRecruiterIds" type="checkbox" defaultChecked={protocol.keepRecruiterIds} />
        Keep recruiter ids (for payment; otherwise only a salted hash)
      </label>
      <label className="col-span-2">Instructions<textarea name="instructions" defaultValue={protocol.instructions} rows={3} className={input} /></label>
      <label className="col-span-2">Consent<textarea name="consent" defaultValue={protocol.consent} rows={3} className={input} /></label>
      <label className="col-span-2">Screening (JSON)<textarea name="screening" defaultValue={JSON.stringify(protocol.screening, null, 2)} rows={4} className={`${input} font-mono`} /></label>
      <label className="col-span-2">Trial format (JSON)<textarea name="trialFormat" defaultValue={JSON.stringify(protocol.trialFormat, null, 2)} rows={3} className={`${input} font-mono`} /></label>
      <label className="col-span-2">Precision target (JSON, null: a fixed number of sessions)<textarea name="precisionTarget" defaultValue={JSON.stringify(protocol.precisionTarget, null, 2)} rows={2} className={`${input} font-mono`} /></label>
      <div className="col-span-2 flex items-center gap-3">
        <button type="submit" className="rounded bg-neutral-900 px-3 py-1.5 font-medium text-white">Save protocol</button>
        {message && <span role="status" data-testid="protocol-message">{message}</span>}
      </div>
    </form>
  );
}
