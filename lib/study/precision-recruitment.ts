import { Prisma } from "@/lib/db/generated/client";
import type { QueryClient } from "@/lib/results/study-aggregates";
import { methodPrecision, type MethodPrecision, type PrecisionTarget } from "@/lib/stats";
import type { Recruitment } from "./recruitment";

/**
 * Where each tested method stands against the protocol's precision target, measured on the
 * analysed sessions' test trials of that method (a between-design session rates one method; a
 * within-design session counts as one rater of every method it rated): the interval over raters
 * of lib/stats/precision-stopping.ts, and whether the method is full.
 */
export async function readMethodPrecisions(
  db: QueryClient,
  studyId: string,
  methodIds: readonly string[],
  recruitment: Recruitment,
  target: PrecisionTarget,
): Promise<Map<string, MethodPrecision>> {
  const rows = await db.$queryRaw<{ methodId: string; sessionId: string; trials: number; fooled: number }[]>(Prisma.sql`
    SELECT t."methodId", t."sessionId", count(*)::int AS "trials", count(*) FILTER (WHERE r."fooled")::int AS "fooled"
      FROM "Trial" t
      JOIN "Response" r ON r."trialId" = t."id"
      JOIN "RaterSession" s ON s."id" = t."sessionId"
     WHERE s."studyId" = ${studyId} AND t."kind" = 'test'
     GROUP BY t."methodId", t."sessionId"`);
  const perMethod = new Map<string, { trials: number[]; fooled: number[] }>(methodIds.map((id) => [id, { trials: [], fooled: [] }]));
  for (const row of rows) {
    const method = perMethod.get(row.methodId);
    if (!method || !recruitment.analysedSessionIds.has(row.sessionId)) continue;
    method.trials.push(row.trials);
    method.fooled.push(row.fooled);
  }
  return new Map([...perMethod].map(([methodId, { trials, fooled }]) => [methodId, methodPrecision(trials, fooled, target)]));
}
