import { NextResponse, type NextRequest } from "next/server";
import { getConfig } from "@/lib/config";
import { securityHeaders } from "@/lib/http/security-headers";

// Runs before pages and static files: sets the security headers on their responses, read from the
// configuration at run time, not at build time. API routes set the same headers themselves
// (lib/http/route.ts): a proxy in front of them would make Next buffer every request body in full
// before the route's streaming size limits could refuse it.
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

export const config = {
  matcher: ["/((?!api/).*)"],
};
