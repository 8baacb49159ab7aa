import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SIGN_IN_MAX_FAILURES } from "@/lib/auth/throttle";
import { startApp, type RunningApp } from "../support/app-server";
import { appDatabaseKind } from "../support/database";
import { HttpClient } from "../support/http-client";
import { PASSWORD, seedTwoTeams, type SeededTeam } from "./security-fixtures";

// Security: brute-forcing sign-in. At most SIGN_IN_MAX_FAILURES (10) wrong passwords
// per account and per client address in 15 minutes (lib/auth/throttle.ts); then 429
// too_many_attempts, even for the right password, and no session is created. This must hold
// when the guesses arrive all at once, not only one after another.
describe("sign-in brute force against the production app", () => {
  let app: RunningApp;
  let first: SeededTeam;
  let second: SeededTeam;

  beforeAll(async () => {
    // The test client stands in for a proxy on 127.0.0.1 that reports each client's address.
    app = await startApp(appDatabaseKind(), { TRUSTED_PROXIES: "127.0.0.1" }, {
      seed: async (db) => {
        ({ first, second } = await seedTwoTeams(db));
      },
    });
  });
  afterAll(async () => {
    await app?.stop();
  });

  const attempt = (email: string, password: string, address: string) =>
    new HttpClient(app.url).post("/api/auth/sign-in", { email, password }, { "x-forwarded-for": address });

  const legitimateSignIns = SIGN_IN_MAX_FAILURES + 2;

  it("successful sign-ins do not count against an address (a lab behind one NAT)", async () => {
    for (let signIn = 0; signIn < legitimateSignIns; signIn++) {
      expect((await attempt(first.email, PASSWORD, "192.0.2.77")).status).toBe(200);
    }
  });

  it("guesses one after another: 401 up to the limit, then 429 even for the right password", async () => {
    const statuses: number[] = [];
    for (let guess = 0; guess < SIGN_IN_MAX_FAILURES + 2; guess++) statuses.push((await attempt(first.email, `guess number ${guess}`, "203.0.113.10")).status);
    expect(statuses.slice(0, SIGN_IN_MAX_FAILURES)).toEqual(Array(SIGN_IN_MAX_FAILURES).fill(401));
    expect(statuses.slice(SIGN_IN_MAX_FAILURES)).toEqual([429, 429]);
    // The account is locked from any address, the right password included.
    const locked = await attempt(first.email, PASSWORD, "198.51.100.20");
    expect(locked.status).toBe(429);
    expect(locked.headers.get("content-type")).toBe("application/problem+json");
    expect(locked.data).toMatchObject({ code: "too_many_attempts" });
    expect(locked.data.retryAfterSeconds).toBeGreaterThan(0);
    expect(locked.headers.get("set-cookie")).toBeNull();
  });

  it("guesses sent all at once are held to the same limit", async () => {
    // Thirty parallel guesses at the second account from one address: at most ten may be checked.
    const results = await Promise.all(Array.from({ length: 30 }, (_, guess) => attempt(second.email, `parallel guess ${guess}`, "203.0.113.30")));
    const checked = results.filter((result) => result.status === 401).length;
    const refused = results.filter((result) => result.status === 429).length;
    expect(checked + refused).toBe(30);
    expect(checked).toBeLessThanOrEqual(SIGN_IN_MAX_FAILURES);
    expect((await attempt(second.email, PASSWORD, "198.51.100.30")).status).toBe(429);
  });

  it("one address trying many accounts is stopped after the limit (credential stuffing)", async () => {
    const statuses: number[] = [];
    for (let guess = 0; guess < SIGN_IN_MAX_FAILURES + 2; guess++) statuses.push((await attempt(`nobody${guess}@example.org`, "a guessed password", "203.0.113.50")).status);
    expect(statuses.slice(0, SIGN_IN_MAX_FAILURES)).toEqual(Array(SIGN_IN_MAX_FAILURES).fill(401));
    expect(statuses.slice(SIGN_IN_MAX_FAILURES)).toEqual([429, 429]);
  });

  it("no session was created for the locked accounts", async () => {
    const sessions = await app.inspectAfterStop(async (db) => db.authSession.count());
    expect(sessions).toBe(legitimateSignIns);
  });
});
