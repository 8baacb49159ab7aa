import { Prisma } from "@/lib/db/generated/client";
import type { DesignRow } from "./design-figures";
import type { QueryClient } from "./study-aggregates";

/**
 * Reads, per analysed session and method, the single-image test trials' counts (fakes judged
 * real, reals judged fake) and the staircase's exposures, aggregated in PostgreSQL.
 */
export async function readDesignRows(db: QueryClient, studyId: string, analysedSessionIds: readonly string[]): Promise<DesignRow[]> {
  if (analysedSessionIds.length === 0) return [];
  return db.$queryRaw<DesignRow[]>(Prisma.sql`
    SELECT t."sessionId", t."methodId",
           count(*) FILTER (WHERE NOT t."showsReal")::int AS "fakeTrials",
           count(*) FILTER (WHERE NOT t."showsReal" AND r."judgedReal")::int AS "fakesJudgedReal",
           count(*) FILTER (WHERE t."showsReal")::int AS "realTrials",
           count(*) FILTER (WHERE t."showsReal" AND NOT r."judgedReal")::int AS "realsJudgedFake",
           coalesce(array_agg(t."exposureMs" ORDER BY t."position") FILTER (WHERE t."exposureMs" IS NOT NULL), '{}') AS "exposures",
           coalesce(array_agg(r."correct" ORDER BY t."position") FILTER (WHERE t."exposureMs" IS NOT NULL), '{}') AS "corrects"
      FROM "Trial" t
      JOIN "Response" r ON r."trialId" = t."id"
      JOIN "RaterSession" s ON s."id" = t."sessionId"
     WHERE s."studyId" = ${studyId} AND t."kind" = 'test' AND t."showsReal" IS NOT NULL
       AND t."sessionId" = ANY(${[...analysedSessionIds]}::text[])
     GROUP BY t."sessionId", t."methodId"
     ORDER BY t."sessionId", t."methodId"`);
}
