import type { Db } from "@/lib/db/client";
import type { ResearcherView } from "@/lib/auth/accounts";
import { notFound } from "@/lib/errors";

/**
 * A study is visible to its owner's team. Unknown ids and another team's studies both answer 404,
 * alike, so that a researcher cannot probe which ids exist.
 */
export async function assertStudyAccess(db: Db, researcher: ResearcherView, studyId: string) {
  const study = await db.study.findUnique({ where: { id: studyId }, select: { id: true, teamId: true, status: true, ownerId: true } });
  if (!study) throw notFound("Study");
  if (study.teamId !== researcher.teamId) throw notFound("Study");
  return study;
}
