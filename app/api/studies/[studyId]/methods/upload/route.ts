import { z } from "zod";
import { getConfig } from "@/lib/config";
import { getDb } from "@/lib/db/client";
import { requireResearcher } from "@/lib/auth/request";
import { assertSameOrigin, json, route } from "@/lib/http/route";
import { readUploadedImages } from "@/lib/uploads/uploaded-files";
import { uploadMethod } from "@/lib/methods/upload-method";
import { assertStudyAccess } from "@/lib/study/access";
import { studyIdParams } from "@/lib/study/route-params";

const fieldsSchema = z.object({
  name: z.string().trim().min(1).max(100),
  acceptPartial: z.enum(["true", "false"]).default("false").transform((value) => value === "true"),
});

export const POST = route(async (request, context: { params: Promise<{ studyId: string }> }) => {
  assertSameOrigin(request);
  const { studyId } = studyIdParams.parse(await context.params);
  const researcher = await requireResearcher(request);
  // Access before the body: another team's researcher gets a 403, not a decode of their upload.
  await assertStudyAccess(await getDb(), researcher, studyId);
  const config = getConfig();
  const upload = await readUploadedImages(request, { maxBytes: config.MAX_UPLOAD_BYTES, maxPixels: config.IMAGE_PIXEL_LIMIT });
  const fields = fieldsSchema.parse(upload.fields);
  const report = await uploadMethod(await getDb(), researcher, studyId, fields, upload.images, { maxPixels: config.IMAGE_PIXEL_LIMIT });
  return json(report, { status: report.stored ? 201 : 422 });
});
