"use client";

import { useEffect } from "react";

/** The dashboard failed to load: say so without internals, and offer a retry. */
export default function DashboardError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  useEffect(() => {
    console.error(error);
  }, [error]);
  return (
    <div role="alert" className="rounded border border-red-300 bg-red-50 p-4 text-sm">
      <p className="font-medium">The dashboard could not be loaded.</p>
      <p className="mt-1 text-neutral-700">Something went wrong while computing the figures{error.digest ? ` (reference ${error.digest})` : ""}.</p>
      <button type="button" onClick={reset} className="mt-3 rounded bg-neutral-900 px-3 py-1.5 text-white">
        Try again
      </button>
    </div>
  );
}
