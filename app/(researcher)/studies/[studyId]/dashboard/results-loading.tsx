/**
 * Shown while the results stream in (the first computation of a large study takes seconds). Not a
 * route-level loading.tsx on purpose: that would stream the page before its access check, and a
 * study of another team would then answer 200 with a not-found body instead of a 404.
 */
export default function DashboardLoading() {
  return (
    <div className="space-y-4" aria-busy="true">
      <div className="h-8 w-64 animate-pulse rounded bg-neutral-200" />
      <div className="h-24 animate-pulse rounded bg-neutral-200" />
      <div className="h-80 animate-pulse rounded bg-neutral-200" />
      <p className="text-sm text-neutral-500">Computing the study&apos;s figures…</p>
    </div>
  );
}
