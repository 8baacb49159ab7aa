import { z } from "zod";
import { getDb } from "@/lib/db/client";
import { screeningAnswersSchema } from "@/lib/contract/screening-api";
import { readJson } from "@/lib/http/read-request";
import { assertSameOrigin, json, route } from "@/lib/http/route";
import { raterToken } from "@/lib/study/rater-request";
import { getScreening, submitScreening } from "@/lib/study/screening";
import { findRaterSession } from "@/lib/study/session-state";

const querySchema = z.object({ studyId: z.uuid() });

/** The session's screening to draw (plates and display checks, without their answers). */
export const GET = route(async (request) => {
  const { studyId } = querySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const db = await getDb();
  const session = await findRaterSession(db, raterToken(request, studyId));
  return json({ screening: await getScreening(db, session.id) });
});

/** The chosen options; the server scores them and answers with the session's new state. */
export const POST = route(async (request) => {
  assertSameOrigin(request);
  const { studyId } = querySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const input = await readJson(request, screeningAnswersSchema, 16 * 1024);
  const db = await getDb();
  const session = await findRaterSession(db, raterToken(request, studyId));
  return json({ session: await submitScreening(db, session.id, input) });
});
