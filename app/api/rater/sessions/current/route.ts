import { z } from "zod";
import { getDb } from "@/lib/db/client";
import { json, route } from "@/lib/http/route";
import { buildSessionState, findRaterSession } from "@/lib/study/session-state";
import { raterToken } from "@/lib/study/rater-request";

const querySchema = z.object({ studyId: z.uuid() });

export const GET = route(async (request) => {
  const { studyId } = querySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const db = await getDb();
  const session = await findRaterSession(db, raterToken(request, studyId));
  return json({ session: await buildSessionState(db, session.id) });
});
