import type { Tx } from "@/lib/db/client";

/**
 * Marks abandoned the study's active sessions whose last answer (or start, without answers) is
 * older than `idleBefore`: they no longer count toward the balance of methods and images. A rater
 * who comes back can still finish; the last answer marks the session completed as usual.
 */
export async function abandonIdleSessions(tx: Tx, studyId: string, idleBefore: Date): Promise<void> {
  await tx.$executeRaw`
    UPDATE "RaterSession" r SET "status" = 'abandoned'
     WHERE r."studyId" = ${studyId} AND r."status" = 'active' AND r."createdAt" < ${idleBefore}
       AND NOT EXISTS (
         SELECT 1 FROM "Trial" t JOIN "Response" a ON a."trialId" = t."id"
          WHERE t."sessionId" = r."id" AND a."createdAt" >= ${idleBefore})`;
}
