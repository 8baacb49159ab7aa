import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SIGN_IN_MAX_FAILURES } from "@/lib/auth/throttle";
import { startApp, type RunningApp } from "../support/app-server";
import { appDatabaseKind } from "../support/database";
import { PASSWORD, seedTwoTeams, signIn, type SeededTeam } from "./security-fixtures";

/** A sign-in attempt from a chosen local source address (Linux routes all of 127/8 to loopback). */
function signInFrom(app: RunningApp, localAddress: string, email: string, password: string, extraHeaders: Record<string, string> = {}): Promise<number> {
  const body = JSON.stringify({ email, password });
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${app.url}/api/auth/sign-in`,
      { method: "POST", localAddress, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), ...extraHeaders } },
      (response) => {
        response.resume();
        response.on("end", () => resolve(response.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

// Forwarding headers are believed only from TRUSTED_PROXIES: a client's own X-Forwarded-For
// neither escapes the sign-in throttle nor frames another client, clients without a proxy are
// told apart by their own address (no shared key), and recruiting links follow a trusted TLS
// proxy's X-Forwarded-Proto and X-Forwarded-Host.
describe("TRUSTED_PROXIES against the production app", () => {
  let direct: RunningApp;
  let proxied: RunningApp;
  let directTeam: SeededTeam;
  let proxiedTeam: SeededTeam;

  beforeAll(async () => {
    direct = await startApp(appDatabaseKind(), {}, { seed: async (db) => void ({ first: directTeam } = await seedTwoTeams(db)) });
    proxied = await startApp(appDatabaseKind(), { TRUSTED_PROXIES: "127.0.0.1" }, { seed: async (db) => void ({ first: proxiedTeam } = await seedTwoTeams(db)) });
  });
  afterAll(async () => {
    await Promise.all([direct?.stop(), proxied?.stop()]);
  });

  it("without trusted proxies, guesses with a fresh X-Forwarded-For each are limited by the real address, and other clients are not", async () => {
    const statuses: number[] = [];
    for (let guess = 0; guess < SIGN_IN_MAX_FAILURES + 2; guess++) {
      statuses.push(await signInFrom(direct, "127.0.0.2", `nobody${guess}@example.org`, "a guessed password", { "x-forwarded-for": `203.0.113.${guess + 1}` }));
    }
    expect(statuses.slice(0, SIGN_IN_MAX_FAILURES)).toEqual(Array(SIGN_IN_MAX_FAILURES).fill(401));
    expect(statuses.slice(SIGN_IN_MAX_FAILURES)).toEqual([429, 429]);
    // Another client (no proxy, no header) is not locked out with the guesser.
    expect(await signInFrom(direct, "127.0.0.3", directTeam.email, PASSWORD)).toBe(200);
    expect(await signInFrom(direct, "127.0.0.2", directTeam.email, PASSWORD)).toBe(429);
  });

  it("behind a trusted proxy, the address it reports is the key", async () => {
    for (let guess = 0; guess < SIGN_IN_MAX_FAILURES; guess++) {
      expect(await signInFrom(proxied, "127.0.0.1", `nobody${guess}@example.org`, "a guessed password", { "x-forwarded-for": "6.6.6.6, 198.51.100.20" })).toBe(401);
    }
    expect(await signInFrom(proxied, "127.0.0.1", proxiedTeam.email, PASSWORD, { "x-forwarded-for": "198.51.100.20" })).toBe(429);
    expect(await signInFrom(proxied, "127.0.0.1", proxiedTeam.email, PASSWORD, { "x-forwarded-for": "198.51.100.21" })).toBe(200);
  });

  it("recruiting links follow X-Forwarded-Proto and -Host from a trusted proxy only", async () => {
    const tls = { "x-forwarded-proto": "https", "x-forwarded-host": "study.example.org", "x-forwarded-for": "198.51.100.30" };
    const behindProxy = await (await signIn(proxied, proxiedTeam.email)).get(`/studies/${proxiedTeam.studyId}`, tls);
    expect(behindProxy.status).toBe(200);
    expect(behindProxy.raw).toContain(`https://study.example.org/s/${proxiedTeam.studyId}`);
    expect(behindProxy.raw).not.toContain(`http://study.example.org/s/`);
    const notTrusted = await (await signIn(direct, directTeam.email)).get(`/studies/${directTeam.studyId}`, tls);
    expect(notTrusted.status).toBe(200);
    expect(notTrusted.raw).toContain(`${direct.url}/s/${directTeam.studyId}`);
    expect(notTrusted.raw).not.toContain("study.example.org");
  });
});
