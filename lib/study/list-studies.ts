import type { Db } from "@/lib/db/client";
import type { ResearcherView } from "@/lib/auth/accounts";

/** The team's studies, newest first, with counts for the list page. */
export async function listStudies(db: Db, researcher: ResearcherView) {
  const studies = await db.study.findMany({
    where: { teamId: researcher.teamId },
    orderBy: { createdAt: "desc" },
    select: {
      id: true,
      name: true,
      status: true,
      createdAt: true,
      owner: { select: { name: true } },
      _count: { select: { stimuli: true, methods: true, sessions: true } },
    },
  });
  return studies.map(({ _count, owner, ...study }) => ({ ...study, ownerName: owner.name, ..._count }));
}
