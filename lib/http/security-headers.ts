import { getConfig } from "@/lib/config";

/**
 * The security headers of every response (pages and static files in proxy.ts, API routes in
 * lib/http/route.ts, both through {@link setSecurityHeaders}). A strict Content-Security-Policy
 * with 'self' sources; inline scripts and styles stay allowed because Next.js inlines its
 * bootstrap and React its style attributes (nonces would make every page dynamic). No page may
 * be framed (clickjacking) except the rater page, which MTurk shows inside its own page
 * (ExternalQuestion): its frame-ancestors lists RATER_FRAME_ANCESTORS. The MTurk hosts are also
 * the only outside targets a form may post to (the completion form submits to MTurk).
 */
export interface SecurityHeaderOptions {
  /** Origins allowed to frame the rater page, space-separated. */
  raterFrameAncestors: string;
  /** `next dev` needs eval and a WebSocket for its reloads. */
  development: boolean;
}

const MTURK_SUBMIT_ORIGINS = "https://www.mturk.com https://workersandbox.mturk.com";

/** Whether a path is the rater's page (`/s/{studyId}`), the one page that may be framed. */
export function isRaterPage(pathname: string): boolean {
  return /^\/s\/[^/]+\/?$/.test(pathname);
}

export function securityHeaders(pathname: string, options: SecurityHeaderOptions): Record<string, string> {
  const framed = isRaterPage(pathname);
  const csp = [
    "default-src 'self'",
    `script-src 'self' 'unsafe-inline'${options.development ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self'${options.development ? " ws: wss:" : ""}`,
    "object-src 'none'",
    "base-uri 'self'",
    `form-action 'self' ${MTURK_SUBMIT_ORIGINS}`,
    `frame-ancestors ${framed ? `'self' ${options.raterFrameAncestors}` : "'none'"}`,
  ].join("; ");
  return {
    "content-security-policy": csp,
    // Older browsers that ignore frame-ancestors; it cannot list origins, so the rater page has none.
    ...(framed ? {} : { "x-frame-options": "DENY" }),
    "x-content-type-options": "nosniff",
    // Rater links carry recruiter ids in their query: no address leaves for another site.
    "referrer-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=()",
  };
}

/**
 * Sets the security headers of `pathname` on a response's headers, with this deployment's
 * configuration (the rater page's frame ancestors, development mode). The one place the proxy and
 * the route wrapper read that configuration, so pages and API routes cannot drift apart.
 */
export function setSecurityHeaders(target: Headers, pathname: string): void {
  const config = getConfig();
  const headers = securityHeaders(pathname, { raterFrameAncestors: config.RATER_FRAME_ANCESTORS, development: config.NODE_ENV === "development" });
  for (const [name, value] of Object.entries(headers)) target.set(name, value);
}
