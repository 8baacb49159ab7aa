import type { Db } from "@/lib/db/client";
import { protocolSchema } from "./protocol";

/** What a rater may know about a study before starting: no methods, no images, no answers. */
export async function getPublicStudy(db: Db, studyId: string) {
  if (!/^[0-9a-f-]{36}$/i.test(studyId)) return null;
  const study = await db.study.findUnique({ where: { id: studyId }, select: { id: true, name: true, status: true, protocol: true } });
  if (!study) return null;
  const protocol = protocolSchema.parse(study.protocol);
  return {
    id: study.id,
    name: study.name,
    status: study.status,
    protocol: {
      presentation: protocol.presentation,
      practiceTrials: protocol.practiceTrials,
      testTrials: protocol.testTrials,
      practiceFeedbackMs: protocol.practiceFeedbackMs,
      responseTimeLimitMs: protocol.responseTimeLimitMs,
      instructions: protocol.instructions,
      consent: protocol.consent,
      stimulusSize: protocol.stimulusSize,
    },
  };
}

export type PublicStudy = NonNullable<Awaited<ReturnType<typeof getPublicStudy>>>;
