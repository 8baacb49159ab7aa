import "server-only";
import { Prisma } from "@/lib/db/generated/client";
import { logger } from "@/lib/logger";
import type { RaterResult } from "./result-types";
import { csvRow } from "./csv";
import type { QueryClient } from "./study-aggregates";

/** Columns of the tidy trial export, one row per trial (the order is part of the format). */
export const TRIAL_CSV_COLUMNS = [
  "study",
  "session",
  "recruiter",
  "method",
  "method_kind",
  "image",
  "trial_kind",
  "position",
  "real_side",
  "chosen_side",
  "correct",
  "fooled",
  "response_time_ms",
  "exposure_left_ms",
  "exposure_right_ms",
  "frame_interval_ms",
  "timing_flagged",
  "server_elapsed_ms",
  "too_fast",
  "excluded",
  "exclusion_reason",
  "answered_at",
  // The rater's screening (docs/colour-vision-screening.md): passed, flagged or empty (not
  // screened), and the parts failed joined by "+" (protan, deutan, tritan, control, display, window).
  "screening",
  "screening_failed",
  // Single-image designs (empty for pairs): what the one photo was, the rater's judgement, and
  // the exposure the staircase gave the trial (adaptive exposure; the measured one is exposure_left_ms).
  "shown",
  "judgement",
  "exposure_ms",
] as const;

/** Trials read per query: bounded memory however large the study. */
export const TRIAL_EXPORT_PAGE_SIZE = 2_000;

export interface TrialExportRow {
  sessionId: string;
  sessionStatus: string;
  recruiter: string;
  method: string;
  methodKind: string;
  image: string;
  kind: string;
  position: number;
  realOnLeft: boolean;
  showsReal: boolean | null;
  exposureMs: number | null;
  chosenSide: string | null;
  judgedReal: boolean | null;
  correct: boolean | null;
  fooled: boolean | null;
  responseTimeMs: number | null;
  exposureLeftMs: number | null;
  exposureRightMs: number | null;
  frameIntervalMs: number | null;
  timingFlagged: boolean | null;
  serverElapsedMs: number | null;
  tooFast: boolean | null;
  answeredAt: Date | null;
  screening: string | null;
  screeningFailed: string | null;
}

/**
 * Reads one page of a study's trials in (session, position) order, after the given key (keyset
 * pagination on the unique (sessionId, position) index: each page costs the same, however deep).
 * Unanswered trials are included with empty answer fields.
 */
export async function readTrialPage(
  db: QueryClient,
  studyId: string,
  after: { sessionId: string; position: number } | null,
  limit = TRIAL_EXPORT_PAGE_SIZE,
): Promise<TrialExportRow[]> {
  return db.$queryRaw<TrialExportRow[]>(Prisma.sql`
    SELECT t."sessionId", s.status::text AS "sessionStatus", s.recruiter::text AS recruiter,
           m.name AS method, m.kind::text AS "methodKind", i.name AS image, t.kind::text AS kind,
           t.position, t."realOnLeft", t."showsReal", t."exposureMs", r."chosenSide"::text AS "chosenSide", r."judgedReal", r.correct, r.fooled,
           r."responseTimeMs", r."exposureLeftMs", r."exposureRightMs", r."frameIntervalMs",
           r."timingFlagged", r."serverElapsedMs", r."tooFast", r."createdAt" AS "answeredAt",
           sc.outcome::text AS screening,
           NULLIF(concat_ws('+', CASE WHEN sc."protanFailed" THEN 'protan' END, CASE WHEN sc."deutanFailed" THEN 'deutan' END,
                                 CASE WHEN sc."tritanFailed" THEN 'tritan' END, CASE WHEN sc."controlFailed" THEN 'control' END,
                                 CASE WHEN sc."displayFailed" THEN 'display' END, CASE WHEN sc."windowFits" = false THEN 'window' END), '') AS "screeningFailed"
    FROM "Trial" t
    JOIN "RaterSession" s ON s.id = t."sessionId"
    LEFT JOIN "RaterScreening" sc ON sc."sessionId" = s.id
    JOIN "Method" m ON m.id = t."methodId"
    JOIN "StimulusImage" i ON i.id = t."stimulusId"
    LEFT JOIN "Response" r ON r."trialId" = t.id
    WHERE s."studyId" = ${studyId}
      ${after ? Prisma.sql`AND (t."sessionId", t.position) > (${after.sessionId}, ${after.position})` : Prisma.empty}
    ORDER BY t."sessionId", t.position
    LIMIT ${limit}`);
}

/** How the analysis treated each session, for the export's `excluded` and `exclusion_reason`. */
export type SessionDispositions = ReadonlyMap<string, Pick<RaterResult, "disposition" | "reasons">>;

/** Formats one trial as a CSV record of {@link TRIAL_CSV_COLUMNS}. */
export function formatTrialRecord(studyName: string, row: TrialExportRow, dispositions: SessionDispositions): string {
  const decision = dispositions.get(row.sessionId);
  // A session that started after the analysis ran is not analysed yet: incomplete, or (if it
  // completed within those moments) "not-analysed-yet" until the dashboard refreshes.
  const reason = decision
    ? decision.disposition === "included"
      ? null
      : decision.reasons.join("+")
    : row.sessionStatus === "completed"
      ? "not-analysed-yet"
      : "incomplete";
  return csvRow([
    studyName,
    row.sessionId,
    row.recruiter,
    row.method,
    row.methodKind,
    row.image,
    row.kind,
    row.position,
    row.showsReal === null ? (row.realOnLeft ? "left" : "right") : null,
    row.chosenSide,
    row.correct,
    row.fooled,
    row.responseTimeMs,
    row.exposureLeftMs,
    row.exposureRightMs,
    row.frameIntervalMs,
    row.timingFlagged,
    row.serverElapsedMs,
    row.tooFast,
    reason !== null,
    reason,
    row.answeredAt ? row.answeredAt.toISOString() : null,
    row.screening,
    row.screeningFailed,
    row.showsReal === null ? null : row.showsReal ? "real" : "fake",
    row.judgedReal === null ? null : row.judgedReal ? "real" : "fake",
    row.exposureMs,
  ]);
}

/**
 * Streams a study's trials as CSV (header first), reading one page per pull so that memory stays
 * bounded and a slow client slows the reads instead of filling a buffer.
 */
export function streamTrialCsv(db: QueryClient, studyId: string, studyName: string, dispositions: SessionDispositions): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let after: { sessionId: string; position: number } | null = null;
  let headerSent = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!headerSent) {
        headerSent = true;
        controller.enqueue(encoder.encode(csvRow(TRIAL_CSV_COLUMNS)));
        return;
      }
      try {
        const rows = await readTrialPage(db, studyId, after);
        if (rows.length > 0) {
          controller.enqueue(encoder.encode(rows.map((row) => formatTrialRecord(studyName, row, dispositions)).join("")));
          const last = rows[rows.length - 1] as TrialExportRow;
          after = { sessionId: last.sessionId, position: last.position };
        }
        if (rows.length < TRIAL_EXPORT_PAGE_SIZE) controller.close();
      } catch (error) {
        logger.error("trial export failed", error);
        controller.error(new Error("The export failed; please try again."));
      }
    },
  });
}
