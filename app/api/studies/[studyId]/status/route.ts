import { getDb } from "@/lib/db/client";
import { requireResearcher } from "@/lib/auth/request";
import { assertSameOrigin, json, route } from "@/lib/http/route";
import { studyIdParams } from "@/lib/study/route-params";
import { changeStudyStatus, statusActionSchema } from "@/lib/study/studies";
import { readJson } from "@/lib/http/read-request";

export const POST = route(async (request, context: { params: Promise<{ studyId: string }> }) => {
  assertSameOrigin(request);
  const { studyId } = studyIdParams.parse(await context.params);
  const researcher = await requireResearcher(request);
  const { action } = await readJson(request, statusActionSchema);
  return json({ study: await changeStudyStatus(await getDb(), researcher, studyId, action) });
});
