import { z } from "zod";
import { clientAddress } from "@/lib/auth/request";
import { getConfig } from "@/lib/config";
import { getDb } from "@/lib/db/client";
import { assertSameOrigin, json, readJson, route } from "@/lib/http/route";
import { startOrResumeSession } from "@/lib/study/start-session";
import { buildSessionState } from "@/lib/study/session-state";
import { raterCookie, raterToken } from "@/lib/study/rater-request";

const bodySchema = z.object({
  studyId: z.uuid(),
  params: z.record(z.string().max(64), z.string().max(500)).default({}),
  /** The page's key for this start, sent again with each retry (lib/study/start-session.ts). */
  startKey: z.string().regex(/^[A-Za-z0-9_-]{22,64}$/).nullable().default(null),
  screen: z.object({ width: z.number().finite().min(0).max(100_000), height: z.number().finite().min(0).max(100_000), devicePixelRatio: z.number().finite().min(0).max(20) }).nullable().default(null),
});

export const POST = route(async (request) => {
  assertSameOrigin(request);
  const body = await readJson(request, bodySchema);
  const db = await getDb();
  const config = getConfig();
  const started = await startOrResumeSession(db, {
    studyId: body.studyId,
    params: body.params,
    startKey: body.startKey,
    existingToken: raterToken(request, body.studyId),
    userAgent: request.headers.get("user-agent"),
    screen: body.screen,
    clientAddress: clientAddress(request),
    limits: {
      perAddressPerHour: config.RATER_STARTS_PER_ADDRESS_PER_HOUR,
      perStudyPerMinute: config.RATER_STARTS_PER_STUDY_PER_MINUTE,
      idleMinutes: config.RATER_SESSION_IDLE_MINUTES,
    },
  });
  const session = await buildSessionState(db, started.sessionId);
  return json({ session }, { status: started.resumed ? 200 : 201, headers: { "set-cookie": raterCookie(request, body.studyId, started.token) } });
});
