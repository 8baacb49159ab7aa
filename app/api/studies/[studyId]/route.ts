import { getDb } from "@/lib/db/client";
import { requireResearcher } from "@/lib/auth/request";
import { assertSameOrigin, json, route } from "@/lib/http/route";
import { studyIdParams } from "@/lib/study/route-params";
import { getStudyDetail } from "@/lib/study/study-detail";
import { updateStudy, updateStudySchema } from "@/lib/study/studies";
import { readJson } from "@/lib/http/read-request";

type Context = { params: Promise<{ studyId: string }> };

export const GET = route(async (request, context: Context) => {
  const { studyId } = studyIdParams.parse(await context.params);
  const researcher = await requireResearcher(request);
  return json({ study: await getStudyDetail(await getDb(), researcher, studyId) });
});

export const PATCH = route(async (request, context: Context) => {
  assertSameOrigin(request);
  const { studyId } = studyIdParams.parse(await context.params);
  const researcher = await requireResearcher(request);
  const input = await readJson(request, updateStudySchema);
  return json({ study: await updateStudy(await getDb(), researcher, studyId, input) });
});
