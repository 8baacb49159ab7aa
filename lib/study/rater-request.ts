import "server-only";
import { getConfig } from "@/lib/config";
import type { Db } from "@/lib/db/client";
import { Prisma } from "@/lib/db/generated/client";
import { sha256Hex } from "@/lib/crypto";
import { readCookie } from "@/lib/auth/request";
import { raterCookieName } from "./rater-sessions";

/** The rater's bearer secret for a study, from its cookie. */
export function raterToken(request: Request, studyId: string): string | undefined {
  return readCookie(request, raterCookieName(studyId));
}

/** HttpOnly, SameSite=Lax, scoped to the study's rater routes' needs (path /), 30 days. */
export function raterCookie(studyId: string, token: string): string {
  const secure = getConfig().cookieSecure ? "; Secure" : "";
  return `${raterCookieName(studyId)}=${token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${30 * 86_400}${secure}`;
}

/**
 * The session that owns a trial, if this request carries that session's secret. Trials and
 * images are addressed without their study, so the study comes from the trial, and the cookie of
 * that study must match the session's token hash; anything else is "not found".
 */
export async function raterSessionOwning(db: Db, request: Request, trialWhere: { id: string } | { token: string }) {
  // One query (trial joined with its session): this runs on every answer and every image.
  const [owner] = await db.$queryRaw<{ id: string; studyId: string; tokenHash: string }[]>(
    "id" in trialWhere
      ? Prisma.sql`SELECT s."id", s."studyId", s."tokenHash" FROM "Trial" t JOIN "RaterSession" s ON s."id" = t."sessionId" WHERE t."id" = ${trialWhere.id}`
      : Prisma.sql`SELECT s."id", s."studyId", s."tokenHash" FROM "Trial" t JOIN "RaterSession" s ON s."id" = t."sessionId" WHERE t."leftToken" = ${trialWhere.token} OR t."rightToken" = ${trialWhere.token}`,
  );
  const token = owner ? raterToken(request, owner.studyId) : undefined;
  if (!owner || !token || sha256Hex(token) !== owner.tokenHash) return null;
  return { id: owner.id, studyId: owner.studyId };
}
