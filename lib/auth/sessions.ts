import type { Db } from "@/lib/db/client";
import { randomToken, sha256Hex } from "@/lib/crypto";
import type { ResearcherView } from "./accounts";

export const SESSION_COOKIE = "ctt_session";

/** Creates a server-side session; only the SHA-256 of the token is stored. */
export async function createAuthSession(db: Db, researcherId: string, days: number): Promise<{ token: string; expiresAt: Date }> {
  const token = randomToken();
  const expiresAt = new Date(Date.now() + days * 86_400_000);
  await db.authSession.create({ data: { tokenHash: sha256Hex(token), researcherId, expiresAt } });
  return { token, expiresAt };
}

export async function findResearcherBySessionToken(db: Db, token: string | undefined): Promise<ResearcherView | null> {
  if (!token || token.length > 200) return null;
  const session = await db.authSession.findUnique({
    where: { tokenHash: sha256Hex(token) },
    select: { expiresAt: true, researcher: { select: { id: true, email: true, name: true, teamId: true } } },
  });
  if (!session || session.expiresAt < new Date()) return null;
  return session.researcher;
}

export async function deleteAuthSession(db: Db, token: string | undefined): Promise<void> {
  if (!token) return;
  await db.authSession.deleteMany({ where: { tokenHash: sha256Hex(token) } });
}

/**
 * Signs out everywhere: deletes every session of the researcher who holds this token (other
 * browsers, a forgotten lab machine, a stolen cookie), this one included.
 */
export async function deleteAllAuthSessions(db: Db, token: string | undefined): Promise<number> {
  const researcher = await findResearcherBySessionToken(db, token);
  if (!researcher) return 0;
  const { count } = await db.authSession.deleteMany({ where: { researcherId: researcher.id } });
  return count;
}
