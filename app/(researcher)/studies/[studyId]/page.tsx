import Link from "next/link";
import { headers } from "next/headers";
import { notFound } from "next/navigation";
import { ActionButton } from "@/app/components/action-button";
import { AutoRefresh } from "@/app/components/auto-refresh";
import { requireResearcherPage } from "@/lib/auth/request";
import { getConfig } from "@/lib/config";
import { getDb } from "@/lib/db/client";
import { isNotVisible } from "@/lib/errors";
import { publicOriginOf } from "@/lib/http/forwarded";
import { listAvailableModels } from "@/lib/methods/available-models";
import { formatPrecisionProgress } from "@/lib/results/format-figures";
import { getStudyDetail, type StudyDetail } from "@/lib/study/study-detail";
import { recruitingLinks } from "@/lib/study/studies";
import { AddMethodForms } from "./add-method-forms";
import { ProtocolEditor } from "./protocol-editor";
import { StimuliUpload } from "./stimuli-upload";

export default async function StudyPage({ params }: { params: Promise<{ studyId: string }> }) {
  const { studyId } = await params;
  const researcher = await requireResearcherPage();
  let study: StudyDetail;
  try {
    study = await getStudyDetail(await getDb(), researcher, studyId);
  } catch (error) {
    // Another team's study answers like an unknown one (404, as the dashboard), not a 500.
    if (isNotVisible(error)) notFound();
    throw error;
  }
  // Behind a TLS proxy (TRUSTED_PROXIES) the links follow X-Forwarded-Proto and -Host.
  const links = recruitingLinks(publicOriginOf(await headers(), getConfig().TRUSTED_PROXIES), study.id);
  const jobsRunning = study.jobs.some((job) => job.status === "queued" || job.status === "running");
  const api = `/api/studies/${study.id}`;
  const models = await listAvailableModels();

  return (
    <div className="space-y-10">
      <AutoRefresh active={jobsRunning || study.status === "open"} intervalMs={jobsRunning ? 2000 : 5000} />
      <header className="flex flex-wrap items-center gap-4">
        <h1 className="text-2xl font-semibold" data-testid="study-name">{study.name}</h1>
        <span className="rounded bg-neutral-200 px-2 py-0.5 text-sm" data-testid="study-status">{study.status}</span>
        <div className="ml-auto flex gap-2">
          {/* Keyed by what readiness depends on: after an edit the old refusal message goes away. */}
          {study.status === "draft" && (
            <ActionButton key={`${JSON.stringify(study.protocol)}|${study.problems.join("|")}|${study.methods.length}|${study.stimuli.length}`} action={`${api}/status`} body={{ action: "open" }} label="Open study" testId="open-study" />
          )}
          {study.status === "open" && <ActionButton action={`${api}/status`} body={{ action: "pause" }} label="Pause" variant="secondary" />}
          {study.status === "paused" && <ActionButton action={`${api}/status`} body={{ action: "resume" }} label="Resume" />}
          {study.status !== "closed" && <ActionButton action={`${api}/status`} body={{ action: "close" }} label="Close" variant="danger" />}
          <Link href={`/studies/${study.id}/dashboard`} className="rounded border border-neutral-300 bg-white px-3 py-1.5 text-sm">Dashboard</Link>
        </div>
      </header>

      {study.warnings.length > 0 && (
        <section className="rounded border border-orange-300 bg-orange-50 p-4 text-sm" data-testid="protocol-warnings">
          <p className="mb-1 font-medium">Check the protocol before opening:</p>
          <ul className="list-disc pl-5">{study.warnings.map((warning) => <li key={warning}>{warning}</li>)}</ul>
        </section>
      )}

      {study.problems.length > 0 && (
        <section className="rounded border border-amber-300 bg-amber-50 p-4 text-sm" data-testid="readiness">
          <p className="mb-1 font-medium">Before this study can open:</p>
          <ul className="list-disc pl-5">{study.problems.map((problem) => <li key={problem}>{problem}</li>)}</ul>
        </section>
      )}

      {study.status !== "draft" && (
        <section>
          <h2 className="mb-2 text-lg font-medium">Recruiting</h2>
          <dl className="grid grid-cols-[8rem_1fr] gap-2 text-sm">
            <dt>Plain link</dt><dd><code className="break-all" data-testid="plain-link">{links.link}</code></dd>
            <dt>Prolific</dt><dd><code className="break-all">{links.prolific}</code> — completion code <code>{study.completionCode}</code></dd>
            <dt>MTurk</dt><dd data-testid="mturk-line"><code className="break-all">{links.mturk}</code> as the ExternalQuestion URL; MTurk appends workerId, assignmentId, hitId and turkSubmitTo.</dd>
          </dl>
          <p className="mt-2 text-xs text-neutral-500">Protocol hash (frozen at opening): <code>{study.protocolHash}</code></p>
        </section>
      )}

      <section>
        <h2 className="mb-2 text-lg font-medium">Progress</h2>
        <table className="w-full bg-white text-left text-sm" data-testid="progress-table">
          <thead><tr className="border-b"><th className="p-2">Method</th><th className="p-2">Kind</th><th className="p-2">Status</th><th className="p-2">Candidates</th><th className="p-2">Analysed / target</th><th className="p-2">Excluded</th><th className="p-2">In progress</th></tr></thead>
          <tbody>
            {study.methods.map((method) => {
              const progress = study.progress.methods.find((row) => row.id === method.id);
              return (
                <tr key={method.id} className="border-b">
                  <td className="p-2">{method.name}{!method.config.tested && <span className="ml-1 text-xs text-neutral-500">(vigilance foil)</span>}</td>
                  <td className="p-2">{method.kind}{method.config.baseline ? ` · ${method.config.baseline}` : ""}{method.config.model ? ` · ${method.config.model}` : ""}</td>
                  <td className="p-2" data-testid={`method-status-${method.name}`}>
                    {method.status}
                    {method.job && method.job.status !== "done" && ` (${method.job.done}/${method.job.total}${method.job.error ? `: ${method.job.error}` : ""})`}
                  </td>
                  <td className="p-2">{method.candidates} / {study.stimuli.length}</td>
                  <td className="p-2" data-testid={`analysed-${method.name}`}>
                    {!method.config.tested
                      ? "—"
                      : study.progress.precisionTarget && progress?.precision
                        ? `${progress.analysed} · ${formatPrecisionProgress(progress.precision, study.progress.precisionTarget.targetHalfWidth)}`
                        : `${progress?.analysed ?? 0} / ${study.progress.target}`}
                    {method.config.tested && (progress?.beyondTarget ?? 0) > 0 && <span className="ml-1 text-xs text-neutral-500">({progress?.beyondTarget} beyond the target)</span>}
                  </td>
                  <td className="p-2" data-testid={`excluded-${method.name}`}>{method.config.tested ? (progress?.excluded ?? 0) : "—"}</td>
                  <td className="p-2">{progress?.active ?? 0}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
        <p className="mt-1 text-xs text-neutral-500">Analysed: completed sessions the exclusion rules keep; only these count toward the target.{study.progress.precisionTarget
            ? ` Recruiting to a precision: each method takes raters until its 95 % interval is as narrow as the target (with at least ${study.progress.precisionTarget.minRaters} raters), the widest first.`
            : " Recruiting continues until every tested method has its target."}</p>
        {study.progress.full && study.status !== "closed" && (
          <p className="mt-2 rounded border border-green-300 bg-green-50 p-3 text-sm" data-testid="study-full">
            Every tested method has its analysed target: new raters are now turned away as &ldquo;study full&rdquo; (Prolific
            participants are asked to return the submission, MTurk workers the HIT). Close the study once the sessions in progress finish.
          </p>
        )}
        {study.status === "draft" ? (
          <AddMethodForms studyId={study.id} models={models} />
        ) : (
          <p className="mt-4 text-sm text-neutral-600" data-testid="methods-frozen">Methods are fixed once the study has opened: every rater sees the same set.</p>
        )}
      </section>

      <section>
        <h2 className="mb-2 text-lg font-medium">Stimuli ({study.stimuli.length})</h2>
        {study.status === "draft" && <StimuliUpload studyId={study.id} />}
        <div className="mt-4 grid grid-cols-4 gap-2 sm:grid-cols-8">
          {study.stimuli.slice(0, 64).map((stimulus) => (
            // eslint-disable-next-line @next/next/no-img-element
            <img key={stimulus.id} src={`/api/blobs/${stimulus.realSha256}`} alt={stimulus.name} title={stimulus.name} className="aspect-square w-full object-cover" loading="lazy" />
          ))}
        </div>
      </section>

      <section>
        <h2 className="mb-2 text-lg font-medium">Protocol</h2>
        {study.status === "draft" ? (
          <ProtocolEditor studyId={study.id} protocol={study.protocol} />
        ) : (
          <pre className="overflow-x-auto rounded bg-white p-3 text-xs" data-testid="protocol-json">{JSON.stringify(study.protocol, null, 2)}</pre>
        )}
      </section>
    </div>
  );
}
