import { z } from "zod";
import { getDb } from "@/lib/db/client";
import { revokeInvitation } from "@/lib/auth/accounts";
import { requireResearcher } from "@/lib/auth/request";
import { assertSameOrigin, json, route } from "@/lib/http/route";

const paramsSchema = z.object({ invitationId: z.uuid() });

// DELETE /api/team/invitations/{id} — revokes an open invitation of the caller's team.
export const DELETE = route(async (request, context: { params: Promise<{ invitationId: string }> }) => {
  assertSameOrigin(request);
  const { invitationId } = paramsSchema.parse(await context.params);
  const researcher = await requireResearcher(request);
  await revokeInvitation(await getDb(), researcher, invitationId);
  return json({ revoked: true });
});
