import "server-only";
import { z } from "zod";
import type { Db } from "@/lib/db/client";
import { writeMethodsParagraph } from "./methods-paragraph";
import type { StudyResults } from "./result-types";
import { analysisScriptName, pythonAnalysisScript, rAnalysisScript } from "./analysis-scripts";
import { getStudyResults } from "./study-results";
import { streamTrialCsv } from "./trial-export";

export const exportQuerySchema = z.object({ format: z.enum(["csv", "json", "r", "python"]).default("csv") });
export type ExportFormat = z.infer<typeof exportQuerySchema>["format"];

/** Version of the JSON export's layout; bump when a field changes meaning. */
export const STUDY_EXPORT_FORMAT = "ctt-study-results/1";

/**
 * The JSON export of a study: the protocol and its hash, the methods with their automatic
 * metrics, the summary figures, per-image and per-rater rows, and the methods paragraph.
 */
export function buildStudyExport(results: StudyResults) {
  return {
    format: STUDY_EXPORT_FORMAT,
    generatedAt: new Date().toISOString(),
    study: { id: results.studyId, name: results.studyName, status: results.status, design: results.design },
    protocol: results.protocol,
    protocolHash: results.protocolHash,
    methods: results.methods.map(({ id, name, kind, tested, baseline, metrics }) => ({ id, name, kind, tested, baseline, metrics })),
    analysis: results.analysis,
    sessions: results.sessions,
    summary: {
      computedAt: results.computedAt,
      methods: results.methods.map(({ id, name, used, leftOut, foolRate, interval, withheld, bootstrap, paper, wilson, dPrime, sideBias }) => ({
        id,
        name,
        used,
        leftOut,
        foolRate,
        interval,
        withheld,
        bootstrap,
        paper,
        wilson,
        dPrime,
        sideBias,
      })),
      comparisons: results.comparisons,
    },
    images: results.images,
    raters: results.raters,
    notes: results.notes,
    methodsParagraph: writeMethodsParagraph(results),
  };
}

/** JSON has no ±Infinity (d′ of a perfect score): write them as strings rather than null. */
function finiteOrLabel(_key: string, value: unknown): unknown {
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  return value;
}

/** A filename-safe slug of the study name (falls back to the id). */
function fileStem(results: Pick<StudyResults, "studyId" | "studyName">): string {
  const slug = results.studyName.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 60);
  return slug || results.studyId;
}

/** File name of a study's trial CSV. */
export function trialCsvName(results: Pick<StudyResults, "studyId" | "studyName">): string {
  return `${fileStem(results)}-trials.csv`;
}

/**
 * Exports a study: `csv` streams one row per trial from SQL (see trial-export.ts); `json` writes
 * {@link buildStudyExport}; `r` and `python` are analysis scripts that read that CSV as downloaded
 * (analysis-scripts.ts). All use the cached results, so exclusions agree with the dashboard.
 * The caller has checked access.
 */
export async function exportStudy(db: Db, studyId: string, format: ExportFormat): Promise<Response> {
  const results = await getStudyResults(db, studyId);
  const headers = new Headers({ "cache-control": "no-store" });
  if (format === "r" || format === "python") {
    headers.set("content-type", `${format === "r" ? "text/x-r" : "text/x-python"}; charset=utf-8`);
    headers.set("content-disposition", `attachment; filename="${analysisScriptName(fileStem(results), format)}"`);
    const script = format === "r" ? rAnalysisScript(trialCsvName(results)) : pythonAnalysisScript(trialCsvName(results));
    return new Response(script, { headers });
  }
  if (format === "json") {
    headers.set("content-type", "application/json; charset=utf-8");
    headers.set("content-disposition", `attachment; filename="${fileStem(results)}-results.json"`);
    return new Response(JSON.stringify(buildStudyExport(results), finiteOrLabel, 2), { headers });
  }
  const dispositions = new Map(results.raters.map((rater) => [rater.sessionId, rater]));
  headers.set("content-type", "text/csv; charset=utf-8");
  headers.set("content-disposition", `attachment; filename="${trialCsvName(results)}"`);
  return new Response(streamTrialCsv(db, studyId, results.studyName, dispositions), { headers });
}
