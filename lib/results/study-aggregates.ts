// No "server-only" marker: the session start (lib/study/recruitment.ts) counts sessions with these
// queries, and scripts (`npm run demo`, benchmarks) import that code outside Next.
import type { Db } from "@/lib/db/client";
import { Prisma } from "@/lib/db/generated/client";
import type { SideCounts } from "@/lib/stats";
import { decodePackedCells, type PackedCells } from "./packed-cells";
import type { ScreeningCounts } from "./result-types";

// The SQL side of the results: every query here aggregates in PostgreSQL (GROUP BY over
// Trial ⨝ Response ⨝ RaterSession) and returns counts, never one row per trial. Only
// `kind = 'test'` trials count toward fool rates; `vigilance` trials feed the vigilance score;
// `practice` trials are never analysed (Zhang et al. 2016: 10 practice trials "not analysed").

/** A client or an interactive transaction: both can run raw queries. */
export type QueryClient = Pick<Db, "$queryRaw">;

/** Per-session counts (one row per session of the study, with or without answers). */
export interface SessionAggregate {
  sessionId: string;
  recruiter: string;
  status: "active" | "completed" | "abandoned" | "screened_out";
  /** The screening's outcome (docs/colour-vision-screening.md); null when unscreened or not yet answered. */
  screening: "passed" | "flagged" | "screened_out" | null;
  /** The session's method in the between design; null in the within design. */
  methodId: string | null;
  createdAt: Date;
  completedAt: Date | null;
  /** Answered test trials and, of those, trials where the fake was chosen as real. */
  testTrials: number;
  testFooled: number;
  /** Answered vigilance trials and failures (the Random baseline chosen as real). */
  vigilanceTrials: number;
  vigilanceFailures: number;
  /** Answered test and vigilance trials, and of those, trials with flagged exposure timing. */
  analysableTrials: number;
  timingFlagged: number;
  /** Answers of any kind that arrived sooner than the presentation allows (server clock). */
  tooFastAnswers: number;
  meanFrameIntervalMs: number | null;
}

/** Reads {@link SessionAggregate} for every session of a study, ordered by start time. */
export async function readSessionAggregates(db: QueryClient, studyId: string): Promise<SessionAggregate[]> {
  // Columns are named as SessionAggregate's fields, so the rows need no mapping.
  return db.$queryRaw<SessionAggregate[]>(Prisma.sql`
    SELECT s.id AS "sessionId", s.recruiter::text AS recruiter, s.status::text AS status, s."methodId",
           s."createdAt", s."completedAt",
           (SELECT sc.outcome::text FROM "RaterScreening" sc WHERE sc."sessionId" = s.id) AS screening,
           count(r.id) FILTER (WHERE t.kind = 'test')::int AS "testTrials",
           count(r.id) FILTER (WHERE t.kind = 'test' AND r.fooled)::int AS "testFooled",
           count(r.id) FILTER (WHERE t.kind = 'vigilance')::int AS "vigilanceTrials",
           count(r.id) FILTER (WHERE t.kind = 'vigilance' AND r.fooled)::int AS "vigilanceFailures",
           count(r.id) FILTER (WHERE t.kind <> 'practice')::int AS "analysableTrials",
           count(r.id) FILTER (WHERE t.kind <> 'practice' AND r."timingFlagged")::int AS "timingFlagged",
           count(r.id) FILTER (WHERE r."tooFast")::int AS "tooFastAnswers",
           avg(r."frameIntervalMs") FILTER (WHERE t.kind <> 'practice')::float8 AS "meanFrameIntervalMs"
    FROM "RaterSession" s
    LEFT JOIN "Trial" t ON t."sessionId" = s.id
    LEFT JOIN "Response" r ON r."trialId" = t.id
    WHERE s."studyId" = ${studyId}
    GROUP BY s.id
    ORDER BY s."createdAt", s.id`);
}

/** Left-out tally of one method for one reason. */
export interface LeftOutTally {
  /** "incomplete" or the session's exclusion reasons joined with "+". */
  reason: string;
  sessions: number;
  trials: number;
}

/** Test-trial aggregates of one method over the analysed sessions. */
export interface MethodAggregate {
  methodId: string;
  /** Per (rater, image) cells of analysed sessions, for the bootstrap; null when none. */
  cells: PackedCells | null;
  /** Per image: trials and fooled trials of analysed sessions (the gallery). */
  images: { stimulusId: string; trials: number; fooled: number }[];
  /** Analysed test trials by the side of the real photograph, with correct answers (for d′ with bias). */
  sides: SideCounts;
  leftOut: LeftOutTally[];
}

/**
 * Reads per-method test-trial aggregates, leaving out sessions that are not completed and the
 * completed sessions listed in `excluded` (decided beforehand by the protocol's exclusion rules).
 *
 * One statement, one pass over the trials: a materialized CTE groups test trials per
 * (method, session, image, disposition); from it come
 * - the (rater, image) cells of analysed sessions, packed as big-endian int32 quadruples
 *   (rater, image, trials, fooled) in one bytea per method: 16 bytes a cell instead of a JS row,
 *   which keeps a million-response study to a few MB on the wire (decoded by
 *   {@link decodePackedCells}); raters are numbered densely over the study's sessions and images
 *   over the study's stimuli, so indices agree across methods (the two-way bootstrap pairs images
 *   across methods);
 * - per (method, image) trials and fooled of analysed sessions;
 * - per (method, reason) sessions and trials left out.
 *
 * @param excluded completed sessions excluded by rule, with their reasons ("vigilance+timing").
 */
export async function readMethodAggregates(
  db: QueryClient,
  studyId: string,
  excluded: { sessionIds: string[]; reasons: string[] },
): Promise<MethodAggregate[]> {
  const rows = await db.$queryRaw<
    {
      methodId: string;
      cellCount: number | null;
      packed: Uint8Array | null;
      stimulusIds: string[] | null;
      imageTrials: number[] | null;
      imageFooled: number[] | null;
      leftOutReasons: string[] | null;
      leftOutSessions: number[] | null;
      leftOutTrials: number[] | null;
      realLeftTrials: number | null;
      realLeftCorrect: number | null;
      realRightTrials: number | null;
      realRightCorrect: number | null;
    }[]
  >(Prisma.sql`
    WITH excluded(id, reason) AS (
      SELECT * FROM unnest(${excluded.sessionIds}::text[], ${excluded.reasons}::text[])
    ), sessions AS (
      SELECT s.id,
             (row_number() OVER (ORDER BY s.id) - 1)::int AS rater,
             CASE WHEN s.status <> 'completed' THEN 'incomplete'
                  ELSE coalesce(x.reason, 'included') END AS disposition
      FROM "RaterSession" s
      LEFT JOIN excluded x ON x.id = s.id
      WHERE s."studyId" = ${studyId}
    ), images AS (
      SELECT i.id, (row_number() OVER (ORDER BY i.id) - 1)::int AS image
      FROM "StimulusImage" i
      WHERE i."studyId" = ${studyId}
    ), cells AS MATERIALIZED (
      SELECT t."methodId" AS method, se.rater, se.disposition, im.image, t."stimulusId" AS stimulus,
             count(*)::int AS trials,
             count(*) FILTER (WHERE r.fooled)::int AS fooled,
             count(*) FILTER (WHERE t."realOnLeft")::int AS real_left,
             count(*) FILTER (WHERE t."realOnLeft" AND r.correct)::int AS real_left_correct,
             count(*) FILTER (WHERE NOT t."realOnLeft" AND r.correct)::int AS real_right_correct
      FROM sessions se
      -- Single-image designs: a fool rate counts fakes only (real photos feed HYPE∞, design-figures.ts).
      JOIN "Trial" t ON t."sessionId" = se.id AND t.kind = 'test' AND t."showsReal" IS NOT TRUE
      JOIN "Response" r ON r."trialId" = t.id
      JOIN images im ON im.id = t."stimulusId"
      GROUP BY t."methodId", se.rater, se.disposition, im.image, t."stimulusId"
    ), packed AS (
      SELECT method, count(*)::int AS "cellCount",
             string_agg(int4send(rater) || int4send(image) || int4send(trials) || int4send(fooled), ''::bytea) AS packed
      FROM cells WHERE disposition = 'included'
      GROUP BY method
    ), sides AS (
      SELECT method, sum(real_left)::int AS "realLeftTrials", sum(real_left_correct)::int AS "realLeftCorrect",
             sum(trials - real_left)::int AS "realRightTrials", sum(real_right_correct)::int AS "realRightCorrect"
      FROM cells WHERE disposition = 'included'
      GROUP BY method
    ), per_image AS (
      SELECT method, array_agg(stimulus ORDER BY stimulus) AS "stimulusIds",
             array_agg(trials ORDER BY stimulus) AS "imageTrials",
             array_agg(fooled ORDER BY stimulus) AS "imageFooled"
      FROM (
        SELECT method, stimulus, sum(trials)::int AS trials, sum(fooled)::int AS fooled
        FROM cells WHERE disposition = 'included'
        GROUP BY method, stimulus
      ) g
      GROUP BY method
    ), left_out AS (
      SELECT method, array_agg(disposition ORDER BY disposition) AS "leftOutReasons",
             array_agg(sessions ORDER BY disposition) AS "leftOutSessions",
             array_agg(trials ORDER BY disposition) AS "leftOutTrials"
      FROM (
        SELECT method, disposition, count(DISTINCT rater)::int AS sessions, sum(trials)::int AS trials
        FROM cells WHERE disposition <> 'included'
        GROUP BY method, disposition
      ) g
      GROUP BY method
    ), methods AS (
      SELECT method FROM packed UNION SELECT method FROM left_out
    )
    SELECT m.method AS "methodId", p."cellCount", p.packed,
           i."stimulusIds", i."imageTrials", i."imageFooled",
           l."leftOutReasons", l."leftOutSessions", l."leftOutTrials",
           sd."realLeftTrials", sd."realLeftCorrect", sd."realRightTrials", sd."realRightCorrect"
    FROM methods m
    LEFT JOIN packed p ON p.method = m.method
    LEFT JOIN per_image i ON i.method = m.method
    LEFT JOIN left_out l ON l.method = m.method
    LEFT JOIN sides sd ON sd.method = m.method
    ORDER BY m.method`);
  return rows.map((row) => ({
    methodId: row.methodId,
    cells: row.packed && row.cellCount ? decodePackedCells(row.packed, row.cellCount) : null,
    images: (row.stimulusIds ?? []).map((stimulusId, index) => ({
      stimulusId,
      trials: row.imageTrials?.[index] ?? 0,
      fooled: row.imageFooled?.[index] ?? 0,
    })),
    sides: {
      realLeftTrials: row.realLeftTrials ?? 0,
      realLeftCorrect: row.realLeftCorrect ?? 0,
      realRightTrials: row.realRightTrials ?? 0,
      realRightCorrect: row.realRightCorrect ?? 0,
    },
    leftOut: (row.leftOutReasons ?? []).map((reason, index) => ({
      reason,
      sessions: row.leftOutSessions?.[index] ?? 0,
      trials: row.leftOutTrials?.[index] ?? 0,
    })),
  }));
}

/**
 * A cheap fingerprint of a study's analysable data, for caching computed results: sessions per
 * status, the latest start and completion, and the protocol. Figures use completed sessions only,
 * and a session completes after its last answer is stored, so new analysed answers always change
 * this fingerprint; answers inside still-active sessions (shown only in the raters table) refresh
 * with the next session that starts or completes. Uses the (studyId, methodId) index of
 * RaterSession, not the trials.
 */
export async function readResultsFingerprint(db: QueryClient, studyId: string): Promise<string | null> {
  const rows = await db.$queryRaw<{ fingerprint: string | null }[]>(Prisma.sql`
    SELECT concat_ws('|',
             md5(st.protocol::text), st.status::text,
             (SELECT concat_ws('|', count(*), count(*) FILTER (WHERE s.status = 'completed'),
                               count(*) FILTER (WHERE s.status = 'abandoned'),
                               max(s."createdAt"), max(s."completedAt"))
              FROM "RaterSession" s WHERE s."studyId" = st.id),
             (SELECT concat_ws('|', count(*), count(sc."outcome"), max(sc."answeredAt"))
              FROM "RaterScreening" sc JOIN "RaterSession" s ON s.id = sc."sessionId" WHERE s."studyId" = st.id),
             (SELECT concat_ws('|', count(*), max(m."createdAt"), md5(string_agg(m.id || m.name || m.config::text || coalesce(m.metrics::text, ''), ',' ORDER BY m.id)))
              FROM "Method" m WHERE m."studyId" = st.id)
           ) AS fingerprint
    FROM "Study" st WHERE st.id = ${studyId}`);
  return rows[0]?.fingerprint ?? null;
}

/** Counts the study's scored screenings in SQL (one row). */
export async function readScreeningCounts(db: QueryClient, studyId: string): Promise<ScreeningCounts> {
  const [row] = await db.$queryRaw<
    { screened: number; passed: number; flagged: number; screenedOut: number; protan: number; deutan: number; tritan: number; control: number; display: number; window: number; colourVision: number; displayTested: number }[]
  >(Prisma.sql`
    SELECT count(*)::int AS screened,
           count(*) FILTER (WHERE sc.outcome = 'passed')::int AS passed,
           count(*) FILTER (WHERE sc.outcome = 'flagged')::int AS flagged,
           count(*) FILTER (WHERE sc.outcome = 'screened_out')::int AS "screenedOut",
           count(*) FILTER (WHERE sc."protanFailed")::int AS protan,
           count(*) FILTER (WHERE sc."deutanFailed")::int AS deutan,
           count(*) FILTER (WHERE sc."tritanFailed")::int AS tritan,
           count(*) FILTER (WHERE sc."controlFailed")::int AS control,
           count(*) FILTER (WHERE sc."displayFailed")::int AS display,
           count(*) FILTER (WHERE sc."windowFits" = false)::int AS window,
           count(*) FILTER (WHERE sc."colourVision")::int AS "colourVision",
           count(*) FILTER (WHERE sc."display")::int AS "displayTested"
    FROM "RaterScreening" sc JOIN "RaterSession" s ON s.id = sc."sessionId"
    WHERE s."studyId" = ${studyId} AND sc.outcome IS NOT NULL`);
  const r = row ?? { screened: 0, passed: 0, flagged: 0, screenedOut: 0, protan: 0, deutan: 0, tritan: 0, control: 0, display: 0, window: 0, colourVision: 0, displayTested: 0 };
  return {
    screened: r.screened,
    passed: r.passed,
    flagged: r.flagged,
    screenedOut: r.screenedOut,
    failed: { protan: r.protan, deutan: r.deutan, tritan: r.tritan, control: r.control, display: r.display, window: r.window },
    tested: { colourVision: r.colourVision, display: r.displayTested },
  };
}
