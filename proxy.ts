import { NextResponse, type NextRequest } from "next/server";
import { getConfig } from "@/lib/config";
import { securityHeaders } from "@/lib/http/security-headers";

// Runs before every route: sets the security headers on every response (pages, API routes,
// images, static files), read from the configuration at run time, not at build time.
export function proxy(request: NextRequest) {
  const config = getConfig();
  const response = NextResponse.next();
  const headers = securityHeaders(request.nextUrl.pathname, {
    raterFrameAncestors: config.RATER_FRAME_ANCESTORS,
    development: config.NODE_ENV === "development",
  });
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  return response;
}
