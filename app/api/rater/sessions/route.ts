import { sessionStartSchema } from "@/lib/contract/rater-api";
import { getConfig } from "@/lib/config";
import { getDb } from "@/lib/db/client";
import { assertSameOrigin, json, route } from "@/lib/http/route";
import { startOrResumeSession } from "@/lib/study/start-session";
import { buildSessionState } from "@/lib/study/session-state";
import { raterCookie, raterToken } from "@/lib/study/rater-request";
import { clientAddress, readJson } from "@/lib/http/read-request";

export const POST = route(async (request) => {
  assertSameOrigin(request);
  const body = await readJson(request, sessionStartSchema);
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
