"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent, type ReactNode } from "react";

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
      {fields.map((field) => (
        <label key={field.name} className="block">
          <span className="mb-1 block text-sm font-medium">{field.label}</span>
          {field.type === "textarea" ? (
            <textarea
              name={field.name}
              defaultValue={field.defaultValue}
              className="w-full rounded border border-neutral-300 px-3 py-2"
              rows={4}
            />
          ) : (
            <input
              name={field.name}
              type={field.type ?? "text"}
              autoComplete={field.autoComplete}
              required={field.required ?? true}
              defaultValue={field.defaultValue}
              className="w-full rounded border border-neutral-300 px-3 py-2"
            />
          )}
          {field.hint && <span className="mt-1 block text-xs text-neutral-500">{field.hint}</span>}
          {fieldError(field.name) && <span className="mt-1 block text-sm text-red-700">{fieldError(field.name)}</span>}
        </label>
      ))}
      {children}
      {problem && (
        <p role="alert" className="rounded bg-red-50 px-3 py-2 text-sm text-red-800">
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
