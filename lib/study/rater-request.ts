import "server-only";
import { getConfig } from "@/lib/config";
import type { Db } from "@/lib/db/client";
import { Prisma } from "@/lib/db/generated/client";
import { sha256Hex } from "@/lib/crypto";
import { readCookie } from "@/lib/http/read-request";

/** The name of a study's rater cookie (one per study, so sessions of two studies never meet). */
export function raterCookieName(studyId: string): string {
  return `ctt_rater_${studyId.replace(/-/g, "")}`;
}

/** The rater's bearer secret for a study, from its cookie. */
export function raterToken(request: Request, studyId: string): string | undefined {
  return readCookie(request, raterCookieName(studyId));
}

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * The rater's cookie: HttpOnly, path /, 30 days. MTurk shows the rater page inside its own page
 * (a cross-site frame), where a SameSite=Lax cookie is never stored and every image would be a
 * 404. So wherever the browser can hold a Secure cookie (HTTPS, COOKIE_SECURE, or a loopback host,
 * which browsers count as secure), it is `SameSite=None; Secure; Partitioned`: sent inside a frame
 * of any site, and partitioned (CHIPS) so that it lives in that top-level site's jar only and
 * browsers that block third-party cookies keep it. Cross-site requests cannot use it to answer
 * for the rater: state-changing routes check the Origin (assertSameOrigin). Over plain HTTP on
 * another host it stays SameSite=Lax (framing then needs HTTPS, as MTurk requires anyway).
 */
export function raterCookie(request: Request, studyId: string, token: string): string {
  const base = `${raterCookieName(studyId)}=${token}; Path=/; HttpOnly; Max-Age=${30 * 86_400}`;
  const url = new URL(request.url);
  const host = request.headers.get("host")?.replace(/:\d+$/, "") ?? url.hostname;
  const secureContext = getConfig().cookieSecure || url.protocol === "https:" || LOOPBACK_HOSTS.has(host);
  return secureContext ? `${base}; SameSite=None; Secure; Partitioned` : `${base}; SameSite=Lax`;
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
