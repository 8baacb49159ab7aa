import { getDb } from "@/lib/db/client";
import { requireResearcher } from "@/lib/auth/request";
import { json, route } from "@/lib/http/route";
import { assertStudyAccess } from "@/lib/study/access";
import { studyIdParams } from "@/lib/study/route-params";
import { studyProgress } from "@/lib/study/studies";

export const GET = route(async (request, context: { params: Promise<{ studyId: string }> }) => {
  const { studyId } = studyIdParams.parse(await context.params);
  const researcher = await requireResearcher(request);
  const db = await getDb();
  await assertStudyAccess(db, researcher, studyId);
  return json({ progress: await studyProgress(db, studyId) });
});
