"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent, type ReactNode } from "react";

/**
 * Uploads files (images or a zip) as multipart form data to an API route and renders the JSON
 * report the route returns with `renderReport`.
 */
export function FileUploadForm({
  action,
  label,
  accept,
  extraFields,
  renderReport,
  testId,
}: {
  action: string;
  label: string;
  accept: string;
  extraFields?: ReactNode;
  renderReport: (report: unknown) => ReactNode;
  testId?: string;
}) {
  const router = useRouter();
  const [report, setReport] = useState<unknown>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setPending(true);
    setError(null);
    setReport(null);
    try {
      const response = await fetch(action, { method: "POST", body: new FormData(event.currentTarget) });
      const body = (await response.json().catch(() => ({}))) as { detail?: string };
      const isProblem = response.headers.get("content-type")?.includes("problem+json") ?? false;
      // A refused upload that the route still reports on (plain JSON) shows its report.
      if (!response.ok && (isProblem || !body)) setError(body.detail ?? `Upload failed (${response.status}).`);
      else {
        setReport(body);
        router.refresh();
      }
    } catch {
      setError("The server could not be reached.");
    } finally {
      setPending(false);
    }
  }

  return (
    <form onSubmit={submit} className="space-y-3" data-testid={testId}>
      <label className="block text-sm font-medium">
        {label}
        <input name="files" type="file" multiple accept={accept} required className="mt-1 block text-sm" />
      </label>
      {extraFields}
      <button type="submit" disabled={pending} className="rounded bg-neutral-900 px-3 py-1.5 text-sm font-medium text-white disabled:opacity-50">
        {pending ? "Uploading…" : "Upload"}
      </button>
      {error && <p role="alert" data-testid="upload-error" className="text-sm text-red-700">{error}</p>}
      {report !== null && <div data-testid="upload-report">{renderReport(report)}</div>}
    </form>
  );
}
