import type { Db } from "@/lib/db/client";
import type { ResearcherView } from "@/lib/auth/accounts";
import { forbidden, notFound } from "@/lib/errors";

/**
 * A study is visible to its owner's team. Unknown ids are 404; another team's study is 403
 * (the caller is signed in but not allowed).
 */
export async function assertStudyAccess(db: Db, researcher: ResearcherView, studyId: string) {
  const study = await db.study.findUnique({ where: { id: studyId }, select: { id: true, teamId: true, status: true, ownerId: true } });
  if (!study) throw notFound("Study");
  if (study.teamId !== researcher.teamId) throw forbidden("This study belongs to another team.");
  return study;
}
