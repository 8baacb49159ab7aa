"use client";

import { useRouter } from "next/navigation";
import { useId, useState, type FormEvent, type ReactNode } from "react";

export interface FormField {
  name: string;
  label: string;
  type?: "text" | "email" | "password" | "number" | "textarea" | "select";
  /** The choices of a "select" field. */
  options?: { value: string; label: string }[];
  autoComplete?: string;
  required?: boolean;
  defaultValue?: string;
  hint?: string;
}

interface Problem {
  detail?: string;
  errors?: { path: string; message: string }[];
}

/**
 * A form that posts its fields as JSON to an API route and shows the problem+json answer.
 * On success it navigates to `redirectTo` (or calls `onSuccess`).
 */
export function JsonForm({
  action,
  fields,
  submitLabel,
  redirectTo,
  extra = {},
  onSuccess,
  successMessage,
  labels = {},
  children,
}: {
  action: string;
  fields: FormField[];
  submitLabel: string;
  redirectTo?: string;
  extra?: Record<string, unknown>;
  onSuccess?: (body: unknown) => void;
  /** Shown after a successful submission that stays on the page (a confirmation). */
  successMessage?: (body: unknown) => string;
  /** Names for error paths that are not fields of the form (e.g. nested settings). */
  labels?: Record<string, string>;
  children?: ReactNode;
}) {
  const router = useRouter();
  const formId = useId();
  const [problem, setProblem] = useState<Problem | null>(null);
  const [pending, setPending] = useState(false);
  const [done, setDone] = useState<string | null>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setPending(true);
    setProblem(null);
    setDone(null);
    const form = event.currentTarget;
    const data = new FormData(form);
    const body: Record<string, unknown> = { ...extra };
    for (const field of fields) {
      const value = data.get(field.name);
      if (typeof value === "string" && value !== "") body[field.name] = field.type === "number" ? Number(value) : value;
    }
    try {
      const response = await fetch(action, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      const answer: unknown = await response.json().catch(() => ({}));
      if (!response.ok) {
        setProblem(answer as Problem);
        return;
      }
      if (successMessage) {
        setDone(successMessage(answer));
        form.reset();
      }
      onSuccess?.(answer);
      if (redirectTo) {
        router.push(redirectTo);
        router.refresh();
      }
    } catch {
      setProblem({ detail: "The server could not be reached. Check your connection and try again." });
    } finally {
      setPending(false);
    }
  }

  const fieldError = (name: string) => problem?.errors?.find((error) => error.path === name)?.message;
  // Errors of paths that are not fields here are listed in words under the form.
  const fieldNames = new Set(fields.map((field) => field.name));
  const otherErrors = (problem?.errors ?? []).filter((error) => !fieldNames.has(error.path));

  return (
    <form onSubmit={submit} className="space-y-4" noValidate>
      {fields.map((field) => {
        const id = `${formId}-${field.name}`;
        const error = fieldError(field.name);
        const describedBy = [field.hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(" ") || undefined;
        return (
          <div key={field.name}>
            <label htmlFor={id} className="mb-1 block text-sm font-medium">{field.label}</label>
            {field.type === "select" ? (
              <select id={id} name={field.name} defaultValue={field.defaultValue} aria-describedby={describedBy}
                className="w-full rounded border border-neutral-300 px-3 py-2">
                {(field.options ?? []).map((option) => <option key={option.value} value={option.value}>{option.label}</option>)}
              </select>
            ) : field.type === "textarea" ? (
              <textarea id={id} name={field.name} defaultValue={field.defaultValue} aria-describedby={describedBy}
                className="w-full rounded border border-neutral-300 px-3 py-2" rows={4} />
            ) : (
              <input id={id} name={field.name} type={field.type ?? "text"} autoComplete={field.autoComplete}
                required={field.required ?? true} defaultValue={field.defaultValue} aria-describedby={describedBy}
                className="w-full rounded border border-neutral-300 px-3 py-2" />
            )}
            {field.hint && <p id={`${id}-hint`} className="mt-1 text-xs text-neutral-500">{field.hint}</p>}
            {error && <p id={`${id}-error`} className="mt-1 text-sm text-red-700">{error}</p>}
          </div>
        );
      })}
      {children}
      {problem && (
        <p role="alert" data-testid="form-problem" className="rounded bg-red-50 px-3 py-2 text-sm text-red-800">
          {problem.detail ?? "Something went wrong."}
          {otherErrors.map((error) => (
            <span key={error.path} className="block">{labels[error.path] ?? error.path} {error.message}.</span>
          ))}
        </p>
      )}
      {done && (
        <p role="status" data-testid="form-done" className="rounded bg-green-50 px-3 py-2 text-sm text-green-800">
          {done}
        </p>
      )}
      <button
        type="submit"
        disabled={pending}
        className="rounded bg-neutral-900 px-4 py-2 font-medium text-white disabled:opacity-50"
      >
        {pending ? "Please wait…" : submitLabel}
      </button>
    </form>
  );
}
