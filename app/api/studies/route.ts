import { getDb } from "@/lib/db/client";
import { requireResearcher } from "@/lib/auth/request";
import { assertSameOrigin, json, route } from "@/lib/http/route";
import { createStudy, createStudySchema } from "@/lib/study/studies";
import { listStudies } from "@/lib/study/list-studies";
import { readJson } from "@/lib/http/read-request";

export const GET = route(async (request) => {
  const researcher = await requireResearcher(request);
  return json({ studies: await listStudies(await getDb(), researcher) });
});

export const POST = route(async (request) => {
  assertSameOrigin(request);
  const researcher = await requireResearcher(request);
  const input = await readJson(request, createStudySchema);
  return json({ study: await createStudy(await getDb(), researcher, input) }, { status: 201 });
});
