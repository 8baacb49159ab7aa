import { getDb } from "@/lib/db/client";
import { requireResearcher } from "@/lib/auth/request";
import { assertSameOrigin, json, route } from "@/lib/http/route";
import { findModel } from "@/lib/methods/available-models";
import { addGeneratedMethod, addMethodSchema } from "@/lib/methods/create-method";
import { kickWorker } from "@/lib/methods/worker";
import { studyIdParams } from "@/lib/study/route-params";
import { readJson } from "@/lib/http/read-request";

export const POST = route(async (request, context: { params: Promise<{ studyId: string }> }) => {
  assertSameOrigin(request);
  const { studyId } = studyIdParams.parse(await context.params);
  const researcher = await requireResearcher(request);
  const input = await readJson(request, addMethodSchema);
  const method = await addGeneratedMethod(await getDb(), researcher, studyId, input, async (name) => (await findModel(name)) !== null);
  kickWorker();
  return json({ method }, { status: 201 });
});
