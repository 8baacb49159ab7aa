// One simulated browser for load and fault runs: keeps its cookies, sends the headers a browser
// sends on same-origin requests, and times every request (until the whole body is read) into a
// LatencyRecorder under an endpoint name. It hands the rater client code (lib/rater-client) a
// `fetch`, so the simulated raters speak to the server exactly as the page does.
import type { FetchLike } from "@/lib/rater-client/rater-api";
import type { LatencyRecorder } from "./load-stats";

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

/**
 * Refuses any target that is not this machine: the harness is a load generator, and must never
 * be pointed at someone else's server by a mistyped URL.
 * @throws Error when the URL's host is not a loopback address
 */
export function assertLoopback(url: string): void {
  const host = new URL(url).hostname;
  if (!LOOPBACK_HOSTS.has(host)) throw new Error(`refusing to load ${url}: the harness only targets loopback addresses`);
}

export class SimulatedBrowser {
  private readonly cookies = new Map<string, string>();

  constructor(
    readonly baseUrl: string,
    private readonly recorder: LatencyRecorder,
  ) {
    assertLoopback(baseUrl);
  }

  /**
   * A `fetch` for the rater client that records each attempt under `endpoint`. The body is read
   * here (so the timing covers the whole transfer) and handed on in a fresh Response.
   */
  fetchAs(endpoint: string): FetchLike {
    return async (input, init = {}) => {
      const url = new URL(input, this.baseUrl);
      const headers = new Headers(init.headers);
      if (this.cookies.size) headers.set("cookie", [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; "));
      const method = (init.method ?? "GET").toUpperCase();
      // What a browser adds to a same-origin fetch (the server's CSRF check reads these).
      headers.set("sec-fetch-site", "same-origin");
      if (method !== "GET" && method !== "HEAD") headers.set("origin", new URL(this.baseUrl).origin);
      const started = performance.now();
      let response: Response;
      let body: ArrayBuffer;
      try {
        response = await fetch(url, { ...init, headers, redirect: "manual" });
        body = await response.arrayBuffer();
      } catch (error) {
        this.recorder.record(endpoint, performance.now() - started, "network");
        throw error;
      }
      this.recorder.record(endpoint, performance.now() - started, response.status);
      this.keepCookies(response);
      return new Response(response.status === 204 || response.status === 304 ? null : body, { status: response.status, headers: response.headers });
    };
  }

  /** The cookie header this browser would send (for tools that fetch on its behalf). */
  cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }

  private keepCookies(response: Response): void {
    for (const cookie of response.headers.getSetCookie()) {
      const [pair = ""] = cookie.split(";");
      const separator = pair.indexOf("=");
      if (separator <= 0) continue;
      const name = pair.slice(0, separator).trim();
      const value = pair.slice(separator + 1).trim();
      if (value === "" || /max-age=0/i.test(cookie)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
}
