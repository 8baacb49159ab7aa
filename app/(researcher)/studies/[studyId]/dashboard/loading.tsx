/** Shown while the dashboard's server part loads (the first computation of a large study takes seconds). */
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
