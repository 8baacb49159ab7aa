import { z } from "zod";
import { getDb } from "@/lib/db/client";
import { deleteAllAuthSessions, deleteAuthSession, SESSION_COOKIE } from "@/lib/auth/sessions";
import { clearedSessionCookie } from "@/lib/auth/request";
import { assertSameOrigin, json, route } from "@/lib/http/route";
import { readCookie } from "@/lib/http/read-request";

const querySchema = z.object({ everywhere: z.enum(["true", "false"]).default("false") });

// POST /api/auth/sign-out[?everywhere=true] — this session, or every session of the researcher.
export const POST = route(async (request) => {
  assertSameOrigin(request);
  const { everywhere } = querySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const db = await getDb();
  const token = readCookie(request, SESSION_COOKIE);
  const sessionsEnded = everywhere === "true" ? await deleteAllAuthSessions(db, token) : (await deleteAuthSession(db, token), 1);
  return json({ signedOut: true, everywhere: everywhere === "true", sessionsEnded }, { headers: { "set-cookie": clearedSessionCookie() } });
});
