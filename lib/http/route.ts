import { HttpError, problemResponse } from "./errors";
import { setSecurityHeaders } from "./security-headers";

/**
 * Wraps a route handler so that every error leaves through the one mapper as problem+json.
 * Route files stay thin: parse input, call one `lib/` function, shape the output.
 */
export function route<Context>(handler: (request: Request, context: Context) => Promise<Response>) {
  return async (request: Request, context: Context): Promise<Response> => {
    let response: Response;
    try {
      response = await handler(request, context);
    } catch (error) {
      response = problemResponse(error);
    }
    return withSecurityHeaders(request, response);
  };
}

/**
 * The security headers of every API response. They are set here rather than in the proxy
 * (proxy.ts, which serves pages and static files): a proxy in front of a route makes Next buffer
 * the whole request body before the route runs, which would defeat readJson's and the upload
 * reader's streaming size limits (a 64 MiB body read in full before its 413).
 */
function withSecurityHeaders(request: Request, response: Response): Response {
  const pathname = new URL(request.url).pathname;
  try {
    setSecurityHeaders(response.headers, pathname);
    return response;
  } catch {
    // Immutable headers (Response.redirect): copy into a response of our own.
    const copy = new Response(response.body, response);
    setSecurityHeaders(copy.headers, pathname);
    return copy;
  }
}

export function json(data: unknown, init: ResponseInit = {}): Response {
  const headers = new Headers(init.headers);
  headers.set("content-type", "application/json");
  if (!headers.has("cache-control")) headers.set("cache-control", "no-store");
  return new Response(JSON.stringify(data), { ...init, headers });
}

/**
 * CSRF defence for cookie-authenticated, state-changing requests: the browser's Origin (or
 * Sec-Fetch-Site) must say the request comes from this site. SameSite=Lax cookies are the
 * first line; this is the second.
 */
export function assertSameOrigin(request: Request): void {
  const fetchSite = request.headers.get("sec-fetch-site");
  if (fetchSite && fetchSite !== "same-origin" && fetchSite !== "none") {
    throw new HttpError(403, "cross_site_request", "Cross-site requests are not allowed.");
  }
  const origin = request.headers.get("origin");
  if (!origin) return; // Non-browser clients (no ambient cookies of a victim) send none.
  const host = request.headers.get("x-forwarded-host") ?? request.headers.get("host");
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    throw new HttpError(403, "cross_site_request", "Cross-site requests are not allowed.");
  }
  if (!host || originHost !== host) throw new HttpError(403, "cross_site_request", "Cross-site requests are not allowed.");
}
