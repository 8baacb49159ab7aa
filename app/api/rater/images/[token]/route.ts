import { z } from "zod";
import { getDb } from "@/lib/db/client";
import { notFound } from "@/lib/errors";
import { raterImageResponse } from "@/lib/http/image-response";
import { route } from "@/lib/http/route";
import { raterSessionOwning } from "@/lib/study/rater-request";
import { resolveRaterImage } from "@/lib/study/trial-images";

const paramsSchema = z.object({ token: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/) });

// Opaque per-trial image URLs: the token encodes neither method nor role. Both photos of a trial
// have the same length and headers; once the trial is answered they answer 410.
export const GET = route(async (request, context: { params: Promise<{ token: string }> }) => {
  const { token } = paramsSchema.parse(await context.params);
  const db = await getDb();
  const session = await raterSessionOwning(db, request, { token });
  if (!session) throw notFound("Image");
  return raterImageResponse(await resolveRaterImage(db, session.id, token));
});
