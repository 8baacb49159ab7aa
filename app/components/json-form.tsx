"use client";

import { useRouter } from "next/navigation";
import { useId, useState, type FormEvent, type ReactNode } from "react";

export interface FormField {
  name: string;
  label: string;
  type?: "text" | "email" | "password" | "number" | "textarea";
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
  children,
}: {
  action: string;
  fields: FormField[];
  submitLabel: string;
  redirectTo?: string;
  extra?: Record<string, unknown>;
  onSuccess?: (body: unknown) => void;
  children?: ReactNode;
}) {
  const router = useRouter();
  const formId = useId();
  const [problem, setProblem] = useState<Problem | null>(null);
  const [pending, setPending] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setPending(true);
    setProblem(null);
    const data = new FormData(event.currentTarget);
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

  return (
    <form onSubmit={submit} className="space-y-4" noValidate>
      {fields.map((field) => {
        const id = `${formId}-${field.name}`;
        const error = fieldError(field.name);
        const describedBy = [field.hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(" ") || undefined;
        return (
          <div key={field.name}>
            <label htmlFor={id} className="mb-1 block text-sm font-medium">{field.label}</label>
            {field.type === "textarea" ? (
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
