import { z } from "zod";
import { getDb } from "@/lib/db/client";
import { blobVisibleToTeam, getBlob } from "@/lib/db/blobs";
import { requireResearcher } from "@/lib/auth/request";
import { notFound } from "@/lib/errors";
import { imageResponse } from "@/lib/http/image-response";
import { route } from "@/lib/http/route";

const paramsSchema = z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/, "not a SHA-256") });

// Researchers' view of stored images (galleries, uploads). Raters never use this route: they get
// opaque per-trial URLs (app/api/rater/images) that do not reveal the content hash.
export const GET = route(async (request, context: { params: Promise<{ sha256: string }> }) => {
  const { sha256 } = paramsSchema.parse(await context.params);
  const researcher = await requireResearcher(request);
  const db = await getDb();
  if (!(await blobVisibleToTeam(db, sha256, researcher.teamId))) {
    // Unknown and foreign blobs answer alike (404), so other teams' hashes cannot be probed.
    throw notFound("Image");
  }
  const blob = await getBlob(db, sha256);
  if (!blob) throw notFound("Image");
  return imageResponse(request, { bytes: blob.bytes, mimeType: blob.mimeType, etag: blob.sha256 });
});
