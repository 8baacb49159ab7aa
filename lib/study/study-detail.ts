import type { Db } from "@/lib/db/client";
import type { ResearcherView } from "@/lib/auth/accounts";
import { assertStudyAccess } from "./access";
import { parseMethodConfig } from "./method-config";
import { protocolSchema, protocolWarnings } from "./protocol";
import { readinessProblems, studyProgress } from "./studies";

/** Everything the study page shows: protocol, stimuli, methods with jobs, progress, readiness. */
export async function getStudyDetail(db: Db, researcher: ResearcherView, studyId: string) {
  await assertStudyAccess(db, researcher, studyId);
  const study = await db.study.findUniqueOrThrow({
    where: { id: studyId },
    select: {
      id: true, name: true, status: true, protocol: true, protocolHash: true, completionCode: true, createdAt: true, openedAt: true, closedAt: true,
      owner: { select: { name: true } },
      stimuli: { select: { id: true, name: true, realSha256: true, width: true, height: true }, orderBy: { name: "asc" } },
      methods: { select: { id: true, name: true, kind: true, status: true, config: true, metrics: true, _count: { select: { candidates: true } } }, orderBy: { createdAt: "asc" } },
      jobs: { select: { id: true, methodId: true, status: true, done: true, total: true, error: true, updatedAt: true }, orderBy: { createdAt: "desc" } },
    },
  });
  const protocol = protocolSchema.parse(study.protocol);
  return {
    ...study,
    protocol,
    methods: study.methods.map(({ _count, config, ...method }) => ({
      ...method,
      config: parseMethodConfig(config),
      candidates: _count.candidates,
      job: study.jobs.find((job) => job.methodId === method.id) ?? null,
    })),
    progress: await studyProgress(db, studyId),
    problems: study.status === "draft" ? await readinessProblems(db, studyId, protocol) : [],
    /** Rules of the protocol that cannot take effect: not blocking, but said before opening. */
    warnings: study.status === "draft" ? protocolWarnings(protocol) : [],
  };
}

export type StudyDetail = Awaited<ReturnType<typeof getStudyDetail>>;
