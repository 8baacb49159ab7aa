"use client";

import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import type { StudyProgress } from "@/lib/results/dashboard-data";
import { formatPrecisionProgress } from "@/lib/results/format-figures";

/** How often progress is polled while the study can still receive sessions. */
const POLL_MS = 4000;

/**
 * Sessions done per method against the target, from /api/studies/{id}/progress: fetched once on
 * load, then polled while the study is open or paused. When the number of completed sessions
 * changes, the server part of the page is refreshed so that the figures include the new sessions.
 */
export function LiveProgress({ studyId, live }: { studyId: string; live: boolean }) {
  const router = useRouter();
  const [progress, setProgress] = useState<StudyProgress | null>(null);
  const [offline, setOffline] = useState(false);
  const completed = useRef<number | null>(null);

  useEffect(() => {
    let cancelled = false;
    const load = async () => {
      try {
        const response = await fetch(`/api/studies/${studyId}/progress`, { cache: "no-store" });
        if (!response.ok) throw new Error(String(response.status));
        const body = (await response.json()) as { progress: StudyProgress };
        if (cancelled) return;
        setProgress(body.progress);
        setOffline(false);
        const done = body.progress.methods.reduce((sum, method) => sum + method.completed, 0);
        if (completed.current !== null && done !== completed.current) router.refresh();
        completed.current = done;
      } catch {
        if (!cancelled) setOffline(true);
      }
    };
    void load();
    const timer = live ? setInterval(load, POLL_MS) : undefined;
    return () => {
      cancelled = true;
      if (timer) clearInterval(timer);
    };
  }, [live, router, studyId]);

  const shown = progress?.methods.filter((method) => method.tested) ?? [];
  return (
    <section aria-labelledby="progress-heading">
      <h2 id="progress-heading" className="mb-2 text-lg font-medium">
        Progress{" "}
        {live && <span className="ml-2 text-xs font-normal text-neutral-500">{offline ? "(offline — retrying)" : "(live)"}</span>}
      </h2>
      {progress === null ? (
        <p className="text-sm text-neutral-500">{offline ? "Progress could not be loaded." : "Loading progress…"}</p>
      ) : (
        <ul className="grid gap-2 sm:grid-cols-2 lg:grid-cols-3" data-testid="dashboard-progress">
          {shown.map((method) => {
            // Towards a precision target the bar shows the interval narrowing to it (the width it has
            // halved on the way from twice the target); towards a number of sessions, the sessions.
            const share =
              progress.precisionTarget && method.precision
                ? method.precision.full
                  ? 1
                  : method.precision.halfWidth === null
                    ? 0
                    : Math.min(1, Math.max(0, 2 - method.precision.halfWidth / progress.precisionTarget.targetHalfWidth))
                : Math.min(1, method.analysed / progress.target);
            return (
              <li key={method.id} className="rounded border border-neutral-200 bg-white p-3 text-sm">
                <div className="flex justify-between">
                  <span className="font-medium">{method.name}</span>
                  <span>
                    {progress.precisionTarget && method.precision
                      ? `${method.analysed} analysed · ${formatPrecisionProgress(method.precision, progress.precisionTarget.targetHalfWidth)}`
                      : `${method.analysed} / ${progress.target} analysed`}
                    {method.excluded > 0 && <span className="text-neutral-500"> · {method.excluded} excluded</span>}
                    {method.active > 0 && <span className="text-neutral-500"> · {method.active} in progress</span>}
                  </span>
                </div>
                <div
                  className="mt-2 h-2 rounded bg-neutral-100"
                  role="progressbar"
                  aria-valuemin={0}
                  aria-valuemax={progress.precisionTarget ? 100 : progress.target}
                  aria-valuenow={progress.precisionTarget ? Math.round(share * 100) : method.analysed}
                  aria-label={progress.precisionTarget ? `${method.name} precision towards the target` : `${method.name} analysed sessions`}
                >
                  <div className="h-2 rounded bg-neutral-800" style={{ width: `${share * 100}%` }} />
                </div>
              </li>
            );
          })}
        </ul>
      )}
      {progress?.design === "within" && <p className="mt-1 text-xs text-neutral-500">Within design: each session serves every tested method.</p>}
    </section>
  );
}
