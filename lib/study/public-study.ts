import type { Db } from "@/lib/db/client";
import { raterProtocol } from "@/lib/contract/protocol";
import { readStoredProtocol } from "./stored-protocol";

/** What a rater may know about a study before starting: no methods, no images, no answers. */
export async function getPublicStudy(db: Db, studyId: string) {
  if (!/^[0-9a-f-]{36}$/i.test(studyId)) return null;
  const study = await db.study.findUnique({ where: { id: studyId }, select: { id: true, name: true, status: true, protocol: true, protocolHash: true } });
  if (!study) return null;
  return { id: study.id, name: study.name, status: study.status, protocol: raterProtocol(readStoredProtocol(study.protocol, study.protocolHash)) };
}
