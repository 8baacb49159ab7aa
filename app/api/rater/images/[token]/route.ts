import { z } from "zod";
import { getDb } from "@/lib/db/client";
import { notFound } from "@/lib/errors";
import { imageResponse } from "@/lib/http/image-response";
import { route } from "@/lib/http/route";
import { resolveRaterImage } from "@/lib/study/answers";
import { raterSessionOwning } from "@/lib/study/rater-request";

const paramsSchema = z.object({ token: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/) });

// Opaque per-trial image URLs: the token encodes neither method nor role, and the ETag is the
// token itself (never the content hash, which would repeat across trials and sessions).
export const GET = route(async (request, context: { params: Promise<{ token: string }> }) => {
  const { token } = paramsSchema.parse(await context.params);
  const db = await getDb();
  const session = await raterSessionOwning(db, request, { token });
  if (!session) throw notFound("Image");
  const blob = await resolveRaterImage(db, session.id, token);
  return imageResponse(request, { bytes: blob.bytes, mimeType: blob.mimeType, etag: token }, "private");
});
