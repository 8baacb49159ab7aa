import type { Db } from "@/lib/db/client";
import type { ResearcherView } from "@/lib/auth/accounts";
import type { Protocol } from "@/lib/contract/protocol";
import { DomainError, notFound } from "@/lib/errors";
import { readStoredProtocol } from "./stored-protocol";

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

export type LoadedStudy = Awaited<ReturnType<typeof assertStudyAccess>> & { protocol: Protocol; protocolHash: string | null };

/** The study with its parsed protocol, if the researcher's team may see it (404 alike otherwise). */
export async function loadStudy(db: Db, researcher: ResearcherView, studyId: string): Promise<LoadedStudy> {
  const study = await db.study.findUnique({ where: { id: studyId }, select: { id: true, teamId: true, status: true, ownerId: true, protocol: true, protocolHash: true } });
  if (!study || study.teamId !== researcher.teamId) throw notFound("Study");
  return { ...study, protocol: readStoredProtocol(study.protocol, study.protocolHash) };
}

/**
 * Refuses a change that only a draft allows (protocol, stimuli, methods): once a study opens, what
 * raters see is frozen. `refusal` says what cannot change, for the researcher.
 */
export function assertDraft(study: { status: string }, refusal: string): void {
  if (study.status !== "draft") throw new DomainError("protocol_frozen", refusal);
}

/** {@link loadStudy} for a change that only a draft allows ({@link assertDraft}). */
export async function loadDraftStudy(db: Db, researcher: ResearcherView, studyId: string, refusal: string): Promise<LoadedStudy> {
  const study = await loadStudy(db, researcher, studyId);
  assertDraft(study, refusal);
  return study;
}
