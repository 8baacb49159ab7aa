import type { z } from "zod";
import { HttpError, problemResponse } from "./errors";
import { getConfig } from "@/lib/config";
import { securityHeaders } from "./security-headers";
import { assertStorableText } from "./storable-text";

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
  const config = getConfig();
  const headers = securityHeaders(new URL(request.url).pathname, {
    raterFrameAncestors: config.RATER_FRAME_ANCESTORS,
    development: config.NODE_ENV === "development",
  });
  try {
    for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
    return response;
  } catch {
    // Immutable headers (Response.redirect): copy into a response of our own.
    const copy = new Response(response.body, response);
    for (const [name, value] of Object.entries(headers)) copy.headers.set(name, value);
    return copy;
  }
}

export function json(data: unknown, init: ResponseInit = {}): Response {
  const headers = new Headers(init.headers);
  headers.set("content-type", "application/json");
  if (!headers.has("cache-control")) headers.set("cache-control", "no-store");
  return new Response(JSON.stringify(data), { ...init, headers });
}

const DEFAULT_JSON_LIMIT = 64 * 1024;

/**
 * Reads a JSON body with a size limit and validates it; malformed JSON is a 400, invalid a 422,
 * and so is text the database cannot store (NUL, unpaired surrogates).
 */
export async function readJson<Schema extends z.ZodType>(
  request: Request,
  schema: Schema,
  maxBytes = DEFAULT_JSON_LIMIT,
): Promise<z.infer<Schema>> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw new HttpError(413, "body_too_large", `The request body is over ${maxBytes} bytes.`);
  const text = await readTextLimited(request, maxBytes);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HttpError(400, "malformed_json", "The request body is not valid JSON.");
  }
  assertStorableText(value);
  return schema.parse(value);
}

async function readTextLimited(request: Request, maxBytes: number): Promise<string> {
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw new HttpError(413, "body_too_large", `The request body is over ${maxBytes} bytes.`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
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
