import { getDb } from "@/lib/db/client";
import { deleteAuthSession, SESSION_COOKIE } from "@/lib/auth/sessions";
import { clearedSessionCookie, readCookie } from "@/lib/auth/request";
import { assertSameOrigin, json, route } from "@/lib/http/route";

export const POST = route(async (request) => {
  assertSameOrigin(request);
  await deleteAuthSession(await getDb(), readCookie(request, SESSION_COOKIE));
  return json({ signedOut: true }, { headers: { "set-cookie": clearedSessionCookie() } });
});
