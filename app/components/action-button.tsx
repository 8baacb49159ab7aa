"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";

/** Posts a JSON body to an API route, shows its problem detail on failure, refreshes the page on success. */
export function ActionButton({
  action,
  body,
  label,
  method = "POST",
  variant = "primary",
  testId,
}: {
  action: string;
  body?: unknown;
  label: string;
  method?: "POST" | "PATCH" | "DELETE";
  variant?: "primary" | "secondary" | "danger";
  testId?: string;
}) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const styles = {
    primary: "bg-neutral-900 text-white",
    secondary: "border border-neutral-300 bg-white",
    danger: "bg-red-700 text-white",
  }[variant];
  return (
    <span className="inline-flex flex-col gap-1">
      <button
        type="button"
        data-testid={testId}
        disabled={pending}
        className={`rounded px-3 py-1.5 text-sm font-medium disabled:opacity-50 ${styles}`}
        onClick={async () => {
          setPending(true);
          setError(null);
          try {
            const response = await fetch(action, {
              method,
              headers: { "content-type": "application/json" },
              body: body === undefined ? undefined : JSON.stringify(body),
            });
            if (!response.ok) {
              const problem = (await response.json().catch(() => ({}))) as { detail?: string };
              setError(problem.detail ?? `Failed (${response.status}).`);
            } else router.refresh();
          } catch {
            setError("The server could not be reached.");
          } finally {
            setPending(false);
          }
        }}
      >
        {pending ? "…" : label}
      </button>
      {error && <span role="alert" className="max-w-md text-xs text-red-700">{error}</span>}
    </span>
  );
}
