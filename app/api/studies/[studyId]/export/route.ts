import { getDb } from "@/lib/db/client";
import { requireResearcher } from "@/lib/auth/request";
import { route } from "@/lib/http/route";
import { exportQuerySchema, exportStudy } from "@/lib/results/study-export";
import { assertStudyAccess } from "@/lib/study/access";
import { studyIdParams } from "@/lib/study/route-params";

// GET /api/studies/{id}/export?format=csv|json|r|python — researchers of the study's team only.
export const GET = route(async (request, context: { params: Promise<{ studyId: string }> }) => {
  const { studyId } = studyIdParams.parse(await context.params);
  const { format } = exportQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const researcher = await requireResearcher(request);
  const db = await getDb();
  await assertStudyAccess(db, researcher, studyId);
  return exportStudy(db, studyId, format);
});
