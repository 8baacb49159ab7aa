"use client";

/** Anything the page could not handle itself: answers already stored stay stored; a retry resumes. */
export default function StudyError({ reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <main className="mx-auto max-w-xl space-y-4 px-4 py-16" role="alert">
      <h1 className="text-2xl font-semibold">Something went wrong</h1>
      <p>Your saved answers are kept. Try again to continue where you left off.</p>
      <button type="button" onClick={reset} className="rounded bg-neutral-900 px-4 py-2 font-medium text-white">
        Try again
      </button>
    </main>
  );
}
