import { FoolRateChart } from "@/app/components/charts/fool-rate-chart";
import type { DashboardResults } from "@/lib/results/dashboard-data";
import { formatPercent } from "@/lib/results/format-figures";
import type { MethodResult } from "@/lib/results/result-types";

const th = "p-2 font-medium";
const td = "p-2 tabular-nums";

function bars(methods: readonly MethodResult[]) {
  return methods.flatMap((method) =>
    method.foolRate !== null
      ? [{ name: method.name, foolRate: method.foolRate, lower: method.interval?.lower ?? null, upper: method.interval?.upper ?? null, tested: method.tested, raters: method.used.sessions }]
      : [],
  );
}

function rateText(method: MethodResult | undefined): string {
  if (!method || method.foolRate === null) return "—";
  const interval = method.interval ? ` [${formatPercent(method.interval.lower)}–${formatPercent(method.interval.upper)}]` : "";
  return `${formatPercent(method.foolRate)}${interval} · ${method.used.sessions} raters`;
}

/**
 * The screening's outcomes (docs/colour-vision-screening.md): sessions passed, flagged and
 * screened out, failures per dichromacy axis and per display part, and — when the protocol keeps
 * failing raters — the fool rates again without them, as a second figure beside the main one.
 */
export function ScreeningResults({ results }: { results: DashboardResults }) {
  const screening = results.screening;
  if (!screening) return null;
  const tested = screening.tested;
  const rows: { part: string; shown: number; failed: number }[] = [
    { part: "Protan plates (red–green, L cones)", shown: tested.colourVision, failed: screening.failed.protan },
    { part: "Deutan plates (red–green, M cones)", shown: tested.colourVision, failed: screening.failed.deutan },
    { part: "Tritan plates (blue–yellow, S cones)", shown: tested.colourVision, failed: screening.failed.tritan },
    { part: "Control plate (anyone can see it)", shown: tested.colourVision, failed: screening.failed.control },
    { part: "Display checks (dark, light, saturated)", shown: tested.display, failed: screening.failed.display },
    { part: "Window large enough for the photos", shown: tested.display, failed: screening.failed.window },
  ].filter((row) => row.shown > 0);
  const without = results.withoutFlagged;
  const withoutById = new Map(without?.methods.map((method) => [method.id, method]) ?? []);
  return (
    <div className="space-y-4" data-testid="screening-results">
      <p className="text-sm" data-testid="screening-outcomes">
        <strong data-testid="screening-screened">{screening.screened}</strong> {screening.screened === 1 ? "rater" : "raters"} screened:{" "}
        <strong data-testid="screening-passed">{screening.passed}</strong> passed, <strong data-testid="screening-flagged">{screening.flagged}</strong> failed and kept
        (flagged), <strong data-testid="screening-screened-out">{screening.screenedOut}</strong> failed and ended (screened out, never analysed).
      </p>
      {rows.length > 0 && (
        <table className="w-full border-collapse bg-white text-left text-sm" data-testid="screening-table">
          <thead>
            <tr className="border-b">
              <th className={th}>Check</th>
              <th className={th}>Raters shown</th>
              <th className={th}>Passed</th>
              <th className={th}>Failed</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.part} className="border-b" data-testid="screening-row">
                <td className="p-2">{row.part}</td>
                <td className={td}>{row.shown}</td>
                <td className={td}>{row.shown - row.failed}</td>
                <td className={td} data-testid="screening-failed-count">{row.failed}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {without ? (
        <div className="space-y-3" data-testid="without-flagged">
          <h3 className="font-medium">Fool rates without the {without.flaggedSessions} flagged {without.flaggedSessions === 1 ? "rater" : "raters"}</h3>
          <FoolRateChart
            bars={bars(without.methods)}
            intervalLabel="95% CI, raters and images crossed, as in the main figure"
            dataNote="The same analysis with the raters who failed the screening (and were kept) left out."
          />
          <table className="w-full border-collapse bg-white text-left text-sm">
            <thead>
              <tr className="border-b">
                <th className={th}>Method</th>
                <th className={th}>All analysed raters</th>
                <th className={th}>Without flagged raters</th>
              </tr>
            </thead>
            <tbody>
              {results.methods.map((method) => (
                <tr key={method.id} className="border-b">
                  <td className="p-2">{method.name}</td>
                  <td className={td}>{rateText(method)}</td>
                  <td className={td}>{rateText(withoutById.get(method.id))}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p className="text-xs text-neutral-500">No analysed rater is flagged, so the fool rates above are also the rates without flagged raters.</p>
      )}
    </div>
  );
}
