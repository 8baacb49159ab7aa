import Link from "next/link";
import { notFound } from "next/navigation";
import { Suspense } from "react";
import { requireResearcherPage } from "@/lib/auth/request";
import { getDb } from "@/lib/db/client";
import { isNotVisible } from "@/lib/errors";
import { loadDashboardStudy } from "@/lib/results/dashboard-data";
import { studyIdParams } from "@/lib/study/route-params";
import { DashboardResultsSection } from "./dashboard-results";
import DashboardLoading from "./results-loading";
import { LiveProgress } from "./live-progress";

export default async function DashboardPage({ params }: { params: Promise<{ studyId: string }> }) {
  const parsed = studyIdParams.safeParse(await params);
  if (!parsed.success) notFound();
  const { studyId } = parsed.data;
  const researcher = await requireResearcherPage();
  let study: Awaited<ReturnType<typeof loadDashboardStudy>>;
  try {
    study = await loadDashboardStudy(await getDb(), researcher, studyId);
  } catch (error) {
    // Another team's study answers like an unknown one (no probing of ids).
    if (isNotVisible(error)) notFound();
    throw error;
  }
  const exportUrl = `/api/studies/${study.id}/export`;
  return (
    <div className="space-y-10">
      <header className="flex flex-wrap items-center gap-4">
        <div>
          <Link href={`/studies/${study.id}`} className="text-sm text-neutral-500 underline">Study</Link>
          <h1 className="text-2xl font-semibold" data-testid="dashboard-title">{study.name} — results</h1>
        </div>
        <span className="rounded bg-neutral-200 px-2 py-0.5 text-sm">{study.status}</span>
        <div className="ml-auto flex gap-2">
          <a href={`${exportUrl}?format=csv`} download className="rounded border border-neutral-300 bg-white px-3 py-1.5 text-sm" data-testid="export-csv">Export trials (CSV)</a>
          <a href={`${exportUrl}?format=json`} download className="rounded border border-neutral-300 bg-white px-3 py-1.5 text-sm" data-testid="export-json">Export results (JSON)</a>
          <a href={`${exportUrl}?format=r`} download className="rounded border border-neutral-300 bg-white px-3 py-1.5 text-sm" data-testid="export-r" title="lme4 GLMM with crossed rater and image effects; reads the trial CSV as downloaded">R script (lme4)</a>
          <a href={`${exportUrl}?format=python`} download className="rounded border border-neutral-300 bg-white px-3 py-1.5 text-sm" data-testid="export-python" title="statsmodels GLMM with crossed rater and image effects; reads the trial CSV as downloaded">Python script (statsmodels)</a>
        </div>
        <p className="w-full text-sm text-neutral-600" data-testid="recruiter-ledger">
          Recruiter ledger (who completed, who is excluded and why, approve or reject; CSV):{" "}
          {(["prolific", "mturk", "link"] as const).map((recruiter, index) => (
            <span key={recruiter}>
              {index > 0 && " · "}
              <a href={`/api/studies/${study.id}/ledger?recruiter=${recruiter}`} download className="underline">
                {recruiter === "link" ? "plain links" : recruiter === "mturk" ? "MTurk" : "Prolific"}
              </a>
            </span>
          ))}
        </p>
      </header>
      <LiveProgress studyId={study.id} live={study.status === "open" || study.status === "paused"} />
      <Suspense fallback={<DashboardLoading />}>
        <DashboardResultsSection studyId={study.id} />
      </Suspense>
    </div>
  );
}
