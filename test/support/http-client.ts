/** A tiny cookie-keeping HTTP client for API tests against the running app. */
export class HttpClient {
  private cookies = new Map<string, string>();
  constructor(readonly baseUrl: string) {}

  async request(method: string, path: string, options: { json?: unknown; body?: BodyInit; headers?: Record<string, string> } = {}) {
    const headers = new Headers(options.headers);
    if (this.cookies.size) headers.set("cookie", [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; "));
    let body = options.body;
    if (options.json !== undefined) {
      headers.set("content-type", "application/json");
      body = JSON.stringify(options.json);
    }
    const response = await fetch(new URL(path, this.baseUrl), { method, headers, body, redirect: "manual" });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(";");
      const [name, ...value] = (pair ?? "").split("=");
      if (!name) continue;
      const joined = value.join("=");
      if (joined === "" || /max-age=0/i.test(cookie)) this.cookies.delete(name);
      else this.cookies.set(name, joined);
    }
    const text = await response.text();
    let data: unknown = text;
    try {
      data = JSON.parse(text);
    } catch {
      // Not JSON: keep the text.
    }
    return { status: response.status, headers: response.headers, data: data as Record<string, any>, raw: text };
  }

  /** A GET whose body is kept as bytes (images), with the time from sending to the last byte. */
  async getBytes(path: string) {
    const headers = new Headers();
    if (this.cookies.size) headers.set("cookie", [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; "));
    const started = performance.now();
    const response = await fetch(new URL(path, this.baseUrl), { headers, redirect: "manual" });
    const firstByteMs = performance.now() - started;
    const bytes = Buffer.from(await response.arrayBuffer());
    return { status: response.status, headers: response.headers, bytes, firstByteMs, totalMs: performance.now() - started };
  }

  get(path: string, headers?: Record<string, string>) {
    return this.request("GET", path, { headers });
  }
  post(path: string, json?: unknown, headers?: Record<string, string>) {
    return this.request("POST", path, { json, headers });
  }
  cookie(name: string) {
    return this.cookies.get(name);
  }
}
