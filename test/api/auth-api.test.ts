import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type RunningApp } from "../support/app-server";
import { appDatabaseKind } from "../support/database";
import { HttpClient } from "../support/http-client";
import { SIGN_IN_MAX_FAILURES } from "@/lib/auth/throttle";

describe("researcher API over HTTP", () => {
  let app: RunningApp;
  beforeAll(async () => {
    app = await startApp(appDatabaseKind());
  });
  afterAll(async () => {
    await app?.stop();
  });

  it("answers 401 problem+json without a session, and 400/422 for malformed or invalid bodies", async () => {
    const anonymous = new HttpClient(app.url);
    const me = await anonymous.get("/api/me");
    expect(me.status).toBe(401);
    expect(me.headers.get("content-type")).toBe("application/problem+json");
    expect(me.data).toMatchObject({ status: 401, code: "unauthorized" });

    const malformed = await anonymous.request("POST", "/api/auth/sign-in", { body: "{not json", headers: { "content-type": "application/json" } });
    expect(malformed.status).toBe(400);
    expect(malformed.data.code).toBe("malformed_json");

    const invalid = await anonymous.post("/api/auth/sign-up", { email: "not-an-email", name: "", password: "short" });
    expect(invalid.status).toBe(422);
    expect(invalid.data.errors.map((error: { path: string }) => error.path).sort()).toEqual(["email", "name", "password"]);

    const oversized = await anonymous.request("POST", "/api/auth/sign-in", { body: "x".repeat(200_000), headers: { "content-type": "application/json" } });
    expect(oversized.status).toBe(413);

    const blobs = await anonymous.get(`/api/blobs/${"a".repeat(64)}`);
    expect(blobs.status).toBe(401);
  });

  it("runs sign-up, invitation, sign-in and sign-out with the right statuses, and throttles guessing", async () => {
    const ada = new HttpClient(app.url);
    const signUp = await ada.post("/api/auth/sign-up", { email: "Ada@Example.org", name: "Ada", password: "a long password" });
    expect(signUp.status).toBe(201);
    expect(signUp.data.researcher.email).toBe("ada@example.org");
    expect(signUp.headers.get("set-cookie")).toMatch(/HttpOnly; SameSite=Lax/);

    const again = await new HttpClient(app.url).post("/api/auth/sign-up", { email: "eve@example.org", name: "Eve", password: "a long password" });
    expect(again.status).toBe(403);

    const csrf = await ada.post("/api/team/invitations", { email: "bob@example.org" }, { origin: "https://evil.example" });
    expect(csrf.status).toBe(403);
    expect(csrf.data.code).toBe("cross_site_request");

    const invitation = await ada.post("/api/team/invitations", { email: "bob@example.org" });
    expect(invitation.status).toBe(201);
    const token = new URL(invitation.data.invitation.link).pathname.split("/").pop();

    const bob = new HttpClient(app.url);
    const accepted = await bob.post("/api/auth/accept-invitation", { token, name: "Bob", password: "bob's long password" });
    expect(accepted.status).toBe(201);
    const reused = await new HttpClient(app.url).post("/api/auth/accept-invitation", { token, name: "Mallory", password: "another long one" });
    expect(reused.status).toBe(400);
    expect((await bob.get("/api/team/invitations")).data.members.map((m: { name: string }) => m.name)).toEqual(["Ada", "Bob"]);

    const wrong = await new HttpClient(app.url).post("/api/auth/sign-in", { email: "ada@example.org", password: "not the password" });
    expect(wrong.status).toBe(401);
    expect(wrong.data.code).toBe("invalid_credentials");
    const unknown = await new HttpClient(app.url).post("/api/auth/sign-in", { email: "nobody@example.org", password: "not the password" });
    expect(unknown.status).toBe(401);
    expect(unknown.data.detail).toBe(wrong.data.detail);

    const signOut = await ada.post("/api/auth/sign-out");
    expect(signOut.status).toBe(200);
    expect((await ada.get("/api/me")).status).toBe(401);

    // Brute force: after the limit, even the right password is refused for a while.
    const attacker = new HttpClient(app.url);
    let last = 0;
    for (let attempt = 0; attempt < SIGN_IN_MAX_FAILURES + 1; attempt++) {
      last = (await attacker.post("/api/auth/sign-in", { email: "bob@example.org", password: `guess number ${attempt}` }, { "x-forwarded-for": "203.0.113.9" })).status;
    }
    expect(last).toBe(429);
    const locked = await attacker.post("/api/auth/sign-in", { email: "bob@example.org", password: "bob's long password" }, { "x-forwarded-for": "198.51.100.1" });
    expect(locked.status).toBe(429);
  });
});

describe("configuration errors", () => {
  it("a DATABASE_URL that does not answer gets a clear message naming the variable, not a stack", () => {
    const result = spawnSync(process.execPath, ["--import", "tsx", "scripts/migrate.ts"], {
      // DIRECT_DATABASE_URL cleared: the migrator would otherwise reach the server through it.
      env: { ...process.env, DATABASE_URL: "postgres://nobody@127.0.0.1:1/none", DIRECT_DATABASE_URL: "" },
      encoding: "utf8",
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("DATABASE_URL");
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("an invalid setting is named", () => {
    const result = spawnSync(process.execPath, ["--import", "tsx", "scripts/migrate.ts"], {
      env: { ...process.env, DATABASE_URL: "mysql://x" },
      encoding: "utf8",
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/DATABASE_URL: DATABASE_URL must start with postgres/);
  });
});
