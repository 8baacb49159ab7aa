import { getDb } from "@/lib/db/client";
import { inviteResearcher, listTeam } from "@/lib/auth/accounts";
import { inviteSchema } from "@/lib/auth/schemas";
import { requireResearcher } from "@/lib/auth/request";
import { assertSameOrigin, json, route } from "@/lib/http/route";
import { readJson } from "@/lib/http/read-request";

export const GET = route(async (request) => {
  const researcher = await requireResearcher(request);
  return json(await listTeam(await getDb(), researcher));
});

export const POST = route(async (request) => {
  assertSameOrigin(request);
  const researcher = await requireResearcher(request);
  const { email } = await readJson(request, inviteSchema);
  const invitation = await inviteResearcher(await getDb(), researcher, email);
  const link = new URL(`/invitations/${invitation.token}`, request.url).toString();
  return json({ invitation: { id: invitation.id, email: invitation.email, expiresAt: invitation.expiresAt, link } }, { status: 201 });
});
