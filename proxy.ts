import { NextResponse, type NextRequest } from "next/server";
import { setSecurityHeaders } from "@/lib/http/security-headers";

// Runs before pages and static files: sets the security headers on their responses, read from the
// configuration at run time, not at build time. API routes set the same headers themselves
// (lib/http/route.ts): a proxy in front of them would make Next buffer every request body in full
// before the route's streaming size limits could refuse it.
export function proxy(request: NextRequest) {
  const response = NextResponse.next();
  setSecurityHeaders(response.headers, request.nextUrl.pathname);
  return response;
}

export const config = {
  matcher: ["/((?!api/).*)"],
};
