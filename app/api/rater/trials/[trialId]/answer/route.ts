import { z } from "zod";
import { getDb } from "@/lib/db/client";
import { notFound } from "@/lib/errors";
import { assertSameOrigin, json, route } from "@/lib/http/route";
import { answerSchema } from "@/lib/contract/rater-api";
import { answerTrial } from "@/lib/study/answers";
import { raterSessionOwning } from "@/lib/study/rater-request";
import { forgetServedPair } from "@/lib/study/trial-images";
import { readJson } from "@/lib/http/read-request";

const paramsSchema = z.object({ trialId: z.uuid() });

export const POST = route(async (request, context: { params: Promise<{ trialId: string }> }) => {
  assertSameOrigin(request);
  const { trialId } = paramsSchema.parse(await context.params);
  const input = await readJson(request, answerSchema, 16 * 1024);
  const db = await getDb();
  const session = await raterSessionOwning(db, request, { id: trialId });
  if (!session) throw notFound("Trial");
  const result = await answerTrial(db, session, trialId, input);
  forgetServedPair(trialId);
  return json(result);
});
