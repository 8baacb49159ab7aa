import { FoolRateChart } from "@/app/components/charts/fool-rate-chart";
import { getDb } from "@/lib/db/client";
import { loadDashboardResults, type DashboardResults } from "@/lib/results/dashboard-data";
import { formatDPrime, formatPercent, formatPoints, formatPValue } from "@/lib/results/format-figures";
import type { MethodResult } from "@/lib/results/result-types";
import { CopyButton } from "./copy-button";
import { DesignFiguresSection } from "./design-figures-section";
import { ScreeningResults } from "./screening-results";

const th = "p-2 font-medium";
const td = "p-2 tabular-nums";

function metric(value: number | null | undefined, digits: number, unit = ""): string {
  return value === null || value === undefined ? "—" : `${value.toFixed(digits)}${unit}`;
}

function interval(figure: { lower: number; upper: number } | null): string {
  return figure ? `${formatPercent(figure.lower)}–${formatPercent(figure.upper)}` : "—";
}

function leftOutText(method: MethodResult): string {
  if (method.leftOut.trials === 0) return "none";
  return method.leftOut.byReason.map((item) => `${item.trials} (${item.sessions} ${item.sessions === 1 ? "session" : "sessions"}, ${item.reason})`).join("; ");
}

/**
 * One interval in the table: the primary two-way cluster-robust interval. The two-way bootstrap,
 * the paper's standard error and the naive Wilson interval, for comparison with other work, are
 * under "Other intervals" (several kinds side by side read as several answers).
 */
function OtherIntervals({ results }: { results: DashboardResults }) {
  return (
    <details className="text-sm" data-testid="other-intervals">
      <summary className="cursor-pointer text-neutral-700">Other intervals (for comparison with published figures)</summary>
      <table className="mt-2 w-full border-collapse bg-white text-left text-sm">
        <thead>
          <tr className="border-b">
            <th className={th}>Method</th>
            <th className={th} title="Resamples raters and images; counts trial-level variance three times, so conservative">Two-way bootstrap 95% CI</th>
            <th className={th} title="Zhang et al. (2016): resample raters, then each rater's trials">± SE (the paper&apos;s bootstrap)</th>
            <th className={th} title="Ignores clustering by rater and image: a naive reference">Wilson 95% CI (ignores clustering)</th>
          </tr>
        </thead>
        <tbody>
          {results.methods.map((method) => (
            <tr key={method.id} className="border-b">
              <td className="p-2">{method.name}</td>
              <td className={td}>{interval(method.bootstrap)}</td>
              <td className={td}>{method.paper ? `±${(method.paper.standardError * 100).toFixed(1)}` : "—"}</td>
              <td className={td}>{interval(method.wilson)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}

function MethodsTable({ results }: { results: DashboardResults }) {
  return (
    <div className="overflow-x-auto">
      <table className="w-full border-collapse bg-white text-left text-sm" data-testid="methods-table">
        <thead>
          <tr className="border-b">
            <th className={th}>Method</th>
            <th className={th}>Fool rate</th>
            <th className={th} title="Raters and images crossed: two-way cluster-robust, Student t (lib/stats twoWayFoolRateInterval)">95% CI</th>
            <th className={th}>d′ [95% CI]</th>
            <th className={th} title="d′ = (z(H) − z(F))/√2 with the side bias removed; c < 0: leaning to answer left">d′ bias-free / c</th>
            <th className={th}>Raters</th>
            <th className={th}>Trials</th>
            <th className={th}>Trials left out</th>
            <th className={th} title="Automatic metrics against the ground truth (lib/metrics)">AuC / rebal.</th>
            <th className={th}>Colourfulness (GT)</th>
            <th className={th}>PSNR</th>
          </tr>
        </thead>
        <tbody>
          {results.methods.map((method) => (
            <tr key={method.id} className="border-b align-top" data-testid="method-row">
              <td className="p-2">
                <span className="font-medium">{method.name}</span>
                <span className="ml-1 text-xs text-neutral-500">{method.kind}{method.tested ? "" : ", not tested"}</span>
              </td>
              <td className={`${td} font-semibold`}>{method.foolRate === null ? "—" : formatPercent(method.foolRate)}</td>
              <td className={td}>{method.withheld ? <span className="text-xs text-amber-800" data-testid="interval-withheld">no interval: {method.withheld}</span> : interval(method.interval)}</td>
              <td className={td}>
                {method.dPrime
                  ? method.dPrime.lower !== null && method.dPrime.upper !== null
                    ? `${formatDPrime(method.dPrime.estimate)} [${formatDPrime(method.dPrime.lower)}, ${formatDPrime(method.dPrime.upper)}]`
                    : formatDPrime(method.dPrime.estimate)
                  : "—"}
              </td>
              <td className={td}>{method.sideBias ? `${formatDPrime(method.sideBias.dPrime)} / ${method.sideBias.criterion.toFixed(2)}` : "—"}</td>
              <td className={td}>{method.used.sessions}</td>
              <td className={td}>{method.used.trials}</td>
              <td className="p-2 text-xs">{leftOutText(method)}</td>
              <td className={td}>{method.metrics ? `${metric(method.metrics.auc, 3)} / ${metric(method.metrics.aucRebalanced, 3)}` : "—"}</td>
              <td className={td}>{method.metrics ? `${metric(method.metrics.colourfulness, 1)} (${metric(method.metrics.colourfulnessGroundTruth, 1)})` : "—"}</td>
              <td className={td}>{metric(method.metrics?.psnr, 1, " dB")}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ComparisonTable({ results }: { results: DashboardResults }) {
  const used = new Map(results.methods.map((method) => [method.id, method.used]));
  if (results.comparisons.length === 0) {
    return (
      <p className="text-sm text-neutral-600" data-testid="comparison-table">
        Comparisons need at least two tested methods with at least {results.analysis.interval.minimumRaters} raters and {results.analysis.interval.minimumImages} images each.
      </p>
    );
  }
  return (
    <table className="w-full border-collapse bg-white text-left text-sm" data-testid="comparison-table">
      <thead>
        <tr className="border-b">
          <th className={th}>Comparison</th>
          <th className={th}>Difference</th>
          <th className={th}>Simultaneous 95% CI</th>
          <th className={th}>SE</th>
          <th className={th}>p</th>
          <th className={th}>p (Bonferroni)</th>
          <th className={th}>Data</th>
        </tr>
      </thead>
      <tbody>
        {results.comparisons.map((comparison) => (
          <tr key={`${comparison.methodA}-${comparison.methodB}`} className="border-b">
            <td className="p-2">{comparison.nameA} − {comparison.nameB}</td>
            <td className={td}>{formatPoints(comparison.difference)}</td>
            <td className={td}>{formatPoints(comparison.lower)} to {formatPoints(comparison.upper)}</td>
            <td className={td}>{(comparison.standardError * 100).toFixed(1)} pp</td>
            <td className={td}>{formatPValue(comparison.pValue).replace("= ", "")}</td>
            <td className={`${td} ${comparison.adjustedPValue < 0.05 ? "font-semibold" : ""}`}>{formatPValue(comparison.adjustedPValue).replace("= ", "")}</td>
            <td className="p-2 text-xs">
              {used.get(comparison.methodA)?.sessions} + {used.get(comparison.methodB)?.sessions} raters,{" "}
              {(used.get(comparison.methodA)?.trials ?? 0) + (used.get(comparison.methodB)?.trials ?? 0)} trials
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ExclusionSummary({ results }: { results: DashboardResults }) {
  const s = results.sessions;
  const rules = results.analysis.exclusion;
  return (
    <div className="rounded border border-neutral-200 bg-white p-4 text-sm" data-testid="exclusion-summary">
      <p>
        <strong>{s.analysed}</strong> of {s.total} sessions analysed ({s.analysedTrials} test trials).{" "}
        <strong>{s.excluded}</strong> completed {s.excluded === 1 ? "session" : "sessions"} excluded: {s.excludedByReason.vigilance} for failing more than{" "}
        {rules.maxVigilanceFailures} vigilance {rules.maxVigilanceFailures === 1 ? "trial" : "trials"}, {s.excludedByReason.timing} for timing flagged on more than{" "}
        {formatPercent(rules.maxTimingFlaggedShare, 0)} of trials{s.excludedByReason.pace > 0 ? `, ${s.excludedByReason.pace} for answering faster than the presentation allows` : ""}{s.excludedByReason["no-trials"] > 0 ? `, ${s.excludedByReason["no-trials"]} without answers` : ""}.{" "}
        <strong>{s.incomplete}</strong> incomplete {s.incomplete === 1 ? "session" : "sessions"} ({s.byStatus.active} active, {s.byStatus.abandoned} abandoned) not analysed;{s.byStatus.screened_out > 0 ? ` ${s.byStatus.screened_out} ended by the screening;` : ""} {s.leftOutTrials} test trials left out in all.
      </p>
      <p className="mt-1 text-xs text-neutral-500">
        Rules stored with the protocol before data arrived. Only completed sessions are analysed, as in the paper (completed HITs).
      </p>
    </div>
  );
}

function ImageGallery({ results }: { results: DashboardResults }) {
  return (
    <div className="space-y-6" data-testid="image-gallery">
      {results.gallery.map((group) => (
        <div key={group.methodId}>
          <h3 className="mb-2 font-medium">
            {group.methodName} <span className="text-xs font-normal text-neutral-500">{group.total > group.images.length ? `top ${group.images.length} of ${group.total} images (all in the JSON export)` : `${group.total} images`}</span>
          </h3>
          {group.images.length === 0 ? (
            <p className="text-sm text-neutral-500">No analysed trials yet.</p>
          ) : (
            <ul className="grid grid-cols-2 gap-3 sm:grid-cols-4 lg:grid-cols-6">
              {group.images.map((image) => (
                <li key={image.stimulusId} className="rounded border border-neutral-200 bg-white p-2 text-xs" data-testid="gallery-item">
                  <div className="grid grid-cols-2 gap-1">
                    {/* eslint-disable-next-line @next/next/no-img-element -- authenticated blob route, sizes vary */}
                    <img src={`/api/blobs/${image.realSha256}`} alt={`${image.name}, real`} loading="lazy" className="aspect-square w-full object-cover" />
                    {image.candidateSha256 ? (
                      // eslint-disable-next-line @next/next/no-img-element -- as above
                      <img src={`/api/blobs/${image.candidateSha256}`} alt={`${image.name}, ${group.methodName}`} loading="lazy" className="aspect-square w-full object-cover" />
                    ) : (
                      <span className="flex aspect-square items-center justify-center bg-neutral-100">—</span>
                    )}
                  </div>
                  <div className="mt-1 flex justify-between">
                    <span className="truncate" title={image.name}>{image.name}</span>
                    <span className="tabular-nums">{formatPercent(image.foolRate, 0)} ({image.fooled}/{image.trials})</span>
                  </div>
                </li>
              ))}
            </ul>
          )}
        </div>
      ))}
    </div>
  );
}

function RatersTable({ results }: { results: DashboardResults }) {
  const names = new Map(results.methods.map((method) => [method.id, method.name]));
  return (
    <div className="overflow-x-auto">
      <table className="w-full border-collapse bg-white text-left text-sm" data-testid="raters-table">
        <thead>
          <tr className="border-b">
            <th className={th}>Session</th>
            <th className={th}>Recruiter</th>
            {results.design === "between" && <th className={th}>Method</th>}
            <th className={th}>Status</th>
            <th className={th}>Fooled (test)</th>
            <th className={th}>Vigilance passed</th>
            <th className={th}>Timing flagged</th>
            <th className={th}>Frame interval</th>
            <th className={th}>Screening</th>
            <th className={th}>Analysis</th>
          </tr>
        </thead>
        <tbody>
          {results.raters.map((rater) => (
            <tr key={rater.sessionId} className="border-b">
              <td className="p-2 font-mono text-xs">{rater.sessionId.slice(0, 8)}</td>
              <td className="p-2">{rater.recruiter}</td>
              {results.design === "between" && <td className="p-2">{rater.methodId ? names.get(rater.methodId) ?? "—" : "—"}</td>}
              <td className="p-2">{rater.status}</td>
              <td className={td}>{rater.testFooled}/{rater.testTrials}</td>
              <td className={td}>{rater.vigilanceTrials > 0 ? `${rater.vigilanceTrials - rater.vigilanceFailures}/${rater.vigilanceTrials}` : "—"}</td>
              <td className={td}>{rater.analysableTrials > 0 ? `${rater.timingFlagged}/${rater.analysableTrials}` : "—"}</td>
              <td className={td}>{rater.meanFrameIntervalMs === null ? "—" : `${rater.meanFrameIntervalMs.toFixed(1)} ms`}</td>
              <td className={rater.screening === "flagged" ? "p-2 text-amber-800" : "p-2"} data-testid="rater-screening">
                {rater.screening === null ? "—" : rater.screening === "screened_out" ? "screened out" : rater.screening}
              </td>
              <td className="p-2">
                {rater.disposition === "included" ? (
                  <span className="text-green-800">analysed</span>
                ) : rater.disposition === "incomplete" ? (
                  <span className="text-neutral-600">incomplete, not analysed</span>
                ) : (
                  <span className="text-red-800">excluded: {rater.reasons.join(", ")}</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {results.raterTotal > results.raters.length && (
        <p className="mt-1 text-xs text-neutral-500">Showing {results.raters.length} of {results.raterTotal} sessions (excluded and incomplete first); the exports list all.</p>
      )}
    </div>
  );
}

/** The computed part of the dashboard (streams in after the header; see page.tsx). */
export async function DashboardResultsSection({ studyId }: { studyId: string }) {
  const results = await loadDashboardResults(await getDb(), studyId);
  const bars = results.methods.flatMap((method) =>
    method.foolRate !== null
      ? [{ name: method.name, foolRate: method.foolRate, lower: method.interval?.lower ?? null, upper: method.interval?.upper ?? null, tested: method.tested, raters: method.used.sessions }]
      : [],
  );
  const intervalLabel = `95% CI, raters and images crossed (two-way cluster-robust, Student t); methods with fewer than ${results.analysis.interval.minimumRaters} raters or ${results.analysis.interval.minimumImages} images get no interval`;
  const s = results.sessions;
  const dataNote = `From ${s.analysed} analysed sessions and ${s.analysedTrials} test trials; ${s.excluded} completed sessions excluded by the protocol's rules and ${s.incomplete} incomplete sessions left out (${s.leftOutTrials} test trials).`;
  return (
    <div className="space-y-10">
      {results.designFigures && <DesignFiguresSection figures={results.designFigures} />}
      <section aria-labelledby="fool-rates-heading" className="space-y-4">
        <h2 id="fool-rates-heading" className="text-lg font-medium">{results.designFigures ? "Fool rates: fakes judged real" : "Fool rates"}</h2>
        {bars.length > 0 ? (
          <FoolRateChart bars={bars} intervalLabel={intervalLabel} dataNote={dataNote} />
        ) : (
          <p className="text-sm text-neutral-600">No analysed test trials yet.</p>
        )}
        <MethodsTable results={results} />
        <OtherIntervals results={results} />
        <ExclusionSummary results={results} />
        {results.notes.length > 0 && (
          <ul className="list-disc pl-5 text-sm text-amber-800">{results.notes.map((note) => <li key={note}>{note}</li>)}</ul>
        )}
      </section>

      {results.screening && (
        <section aria-labelledby="screening-heading" className="space-y-2">
          <h2 id="screening-heading" className="text-lg font-medium">Colour-vision and display screening</h2>
          <ScreeningResults results={results} />
        </section>
      )}

      <section aria-labelledby="comparisons-heading">
        <h2 id="comparisons-heading" className="mb-2 text-lg font-medium">Pairwise comparisons</h2>
        <ComparisonTable results={results} />
        <p className="mt-1 text-xs text-neutral-500">
          Differences of fool rates with the two-way cluster-robust variance (each rater and image one cluster across methods, so within-subjects pairing is kept); simultaneous 95% intervals and Bonferroni-adjusted p-values over all pairs of tested methods with at least {results.analysis.interval.minimumRaters} raters and {results.analysis.interval.minimumImages} images — an interval excludes 0 exactly when its adjusted p is below 0.05.
        </p>
      </section>

      <section aria-labelledby="paragraph-heading">
        <div className="mb-2 flex items-center gap-3">
          <h2 id="paragraph-heading" className="text-lg font-medium">Methods paragraph</h2>
          <CopyButton text={results.methodsParagraph} />
        </div>
        <p className="rounded border border-neutral-200 bg-white p-4 text-sm leading-relaxed" data-testid="methods-paragraph">{results.methodsParagraph}</p>
      </section>

      <section aria-labelledby="gallery-heading">
        <h2 id="gallery-heading" className="mb-2 text-lg font-medium">Images by fool rate</h2>
        <p className="mb-2 text-xs text-neutral-500">Real photo (left) and colorization (right); fooled/trials over analysed sessions only.</p>
        <ImageGallery results={results} />
      </section>

      <section aria-labelledby="raters-heading">
        <h2 id="raters-heading" className="mb-2 text-lg font-medium">Raters</h2>
        <RatersTable results={results} />
      </section>

      <p className="text-xs text-neutral-500">
        Computed {new Date(results.computedAt).toISOString().replace("T", " ").slice(0, 19)} UTC in {results.computeMs} ms · seed {results.analysis.bootstrap.seed} · protocol {results.protocolHash.slice(0, 12)}…
      </p>
    </div>
  );
}
