import { getConfig } from "@/lib/config";
import { getDb } from "@/lib/db/client";
import { authenticate } from "@/lib/auth/accounts";
import { signInSchema } from "@/lib/auth/schemas";
import { createAuthSession } from "@/lib/auth/sessions";
import { sessionCookie } from "@/lib/auth/request";
import { assertSameOrigin, json, route } from "@/lib/http/route";
import { clientAddress, readJson } from "@/lib/http/read-request";

export const POST = route(async (request) => {
  assertSameOrigin(request);
  const input = await readJson(request, signInSchema);
  const db = await getDb();
  const researcher = await authenticate(db, input, clientAddress(request));
  const session = await createAuthSession(db, researcher.id, getConfig().SESSION_DAYS);
  return json({ researcher }, { headers: { "set-cookie": sessionCookie(session.token, session.expiresAt) } });
});
