import { getConfig } from "@/lib/config";
import { getDb } from "@/lib/db/client";
import { requireResearcher } from "@/lib/auth/request";
import { assertSameOrigin, json, route } from "@/lib/http/route";
import { readUploadedImages } from "@/lib/uploads/uploaded-files";
import { requeueGeneratedMethods } from "@/lib/methods/create-method";
import { kickWorker } from "@/lib/methods/worker";
import { assertStudyAccess } from "@/lib/study/access";
import { studyIdParams } from "@/lib/study/route-params";
import { addStimuli } from "@/lib/study/stimuli";

export const POST = route(async (request, context: { params: Promise<{ studyId: string }> }) => {
  assertSameOrigin(request);
  const { studyId } = studyIdParams.parse(await context.params);
  const researcher = await requireResearcher(request);
  // Access before the body: another team's researcher gets a 403, not a decode of their upload.
  await assertStudyAccess(await getDb(), researcher, studyId);
  const config = getConfig();
  const { images } = await readUploadedImages(request, { maxBytes: config.MAX_UPLOAD_BYTES, maxPixels: config.IMAGE_PIXEL_LIMIT });
  const db = await getDb();
  const report = await addStimuli(db, researcher, studyId, images, config.IMAGE_PIXEL_LIMIT);
  if (report.added.length) {
    await requeueGeneratedMethods(db, studyId);
    kickWorker();
  }
  return json(report, { status: report.added.length ? 201 : 200 });
});
