/** A failure the rater can retry: what went wrong and a "Try again" button. */
export function RetryAlert({ message, onRetry }: { message: string; onRetry: () => void }) {
  return (
    <div role="alert" className="mt-2 max-w-md rounded border border-amber-300 bg-amber-50 p-3 text-sm">
      <p className="mb-2">{message}</p>
      <button type="button" className="rounded bg-neutral-900 px-3 py-1.5 text-white" onClick={onRetry}>
        Try again
      </button>
    </div>
  );
}
