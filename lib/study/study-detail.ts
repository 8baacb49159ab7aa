import type { Db } from "@/lib/db/client";
import type { ResearcherView } from "@/lib/auth/accounts";
import { protocolWarnings } from "@/lib/contract/protocol";
import { notFound } from "@/lib/errors";
import { parseMethodConfig } from "./method-config";
import { readStoredProtocol } from "./stored-protocol";
import { progressOf, readinessProblemsOf } from "./studies";

/**
 * Everything the study page shows: protocol, stimuli, methods with jobs, progress, readiness.
 * The study row (with its stimuli, methods and jobs) is read once; progress and readiness are
 * computed from it, and only the recruitment counts take another query.
 */
export async function getStudyDetail(db: Db, researcher: ResearcherView, studyId: string) {
  const row = await db.study.findUnique({
    where: { id: studyId },
    select: {
      id: true, name: true, status: true, teamId: true, protocol: true, protocolHash: true, completionCode: true, createdAt: true, openedAt: true, closedAt: true,
      owner: { select: { name: true } },
      stimuli: { select: { id: true, name: true, realSha256: true, width: true, height: true }, orderBy: { name: "asc" } },
      methods: { select: { id: true, name: true, kind: true, status: true, config: true, metrics: true, _count: { select: { candidates: true } } }, orderBy: { createdAt: "asc" } },
      jobs: { select: { id: true, methodId: true, status: true, done: true, total: true, error: true, updatedAt: true }, orderBy: { createdAt: "desc" } },
    },
  });
  // Another team's study answers exactly like a missing one (lib/study/access.ts).
  if (!row || row.teamId !== researcher.teamId) throw notFound("Study");
  const { teamId: _teamId, ...study } = row;
  const protocol = readStoredProtocol(study.protocol, study.protocolHash);
  return {
    ...study,
    protocol,
    methods: study.methods.map(({ _count, config, ...method }) => ({
      ...method,
      config: parseMethodConfig(config),
      candidates: _count.candidates,
      job: study.jobs.find((job) => job.methodId === method.id) ?? null,
    })),
    progress: await progressOf(db, { id: study.id, status: study.status, protocol }, study.methods),
    problems: study.status === "draft" ? readinessProblemsOf(protocol, study.stimuli.length, study.methods) : [],
    /** Rules of the protocol that cannot take effect: not blocking, but said before opening. */
    warnings: study.status === "draft" ? protocolWarnings(protocol) : [],
  };
}

export type StudyDetail = Awaited<ReturnType<typeof getStudyDetail>>;
