import { getConfig } from "@/lib/config";
import { getDb } from "@/lib/db/client";
import { acceptInvitation } from "@/lib/auth/accounts";
import { acceptInvitationSchema } from "@/lib/auth/schemas";
import { createAuthSession } from "@/lib/auth/sessions";
import { sessionCookie } from "@/lib/auth/request";
import { assertSameOrigin, json, route } from "@/lib/http/route";
import { readJson } from "@/lib/http/read-request";

export const POST = route(async (request) => {
  assertSameOrigin(request);
  const input = await readJson(request, acceptInvitationSchema);
  const db = await getDb();
  const researcher = await acceptInvitation(db, input.token, input.name, input.password);
  const session = await createAuthSession(db, researcher.id, getConfig().SESSION_DAYS);
  return json({ researcher }, { status: 201, headers: { "set-cookie": sessionCookie(session.token, session.expiresAt) } });
});
