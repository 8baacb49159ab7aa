import "server-only";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { getConfig } from "@/lib/config";
import { getDb } from "@/lib/db/client";
import { unauthorized } from "@/lib/errors";
import { readCookie } from "@/lib/http/read-request";
import type { ResearcherView } from "./accounts";
import { SESSION_COOKIE, findResearcherBySessionToken } from "./sessions";

/** The signed-in researcher of an API request, or a 401. */
export async function requireResearcher(request: Request): Promise<ResearcherView> {
  const researcher = await findResearcherBySessionToken(await getDb(), readCookie(request, SESSION_COOKIE));
  if (!researcher) throw unauthorized();
  return researcher;
}

/** The signed-in researcher of a page, or null. */
export async function currentResearcher(): Promise<ResearcherView | null> {
  const token = (await cookies()).get(SESSION_COOKIE)?.value;
  return findResearcherBySessionToken(await getDb(), token);
}

/** For researcher pages: the researcher, or a redirect to sign-in. */
export async function requireResearcherPage(): Promise<ResearcherView> {
  const researcher = await currentResearcher();
  if (!researcher) redirect("/sign-in");
  return researcher;
}

/** HttpOnly, SameSite=Lax, Secure in production: the session cookie's attributes in one place. */
export function sessionCookie(token: string, expiresAt: Date): string {
  const secure = getConfig().cookieSecure ? "; Secure" : "";
  return `${SESSION_COOKIE}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Lax; Expires=${expiresAt.toUTCString()}${secure}`;
}

export function clearedSessionCookie(): string {
  const secure = getConfig().cookieSecure ? "; Secure" : "";
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0${secure}`;
}
