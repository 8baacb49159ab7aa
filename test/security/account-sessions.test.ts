import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type RunningApp } from "../support/app-server";
import { appDatabaseKind } from "../support/database";
import { HttpClient } from "../support/http-client";
import { seedTwoTeams, signIn, type SeededTeam } from "./security-fixtures";

// Accounts: a common password is refused at sign-up and on accepting an invitation; "sign out
// everywhere" ends every session of the researcher; an open invitation can be revoked, by its
// own team only, and its link then stops working.
describe("account hardening against the production app", () => {
  let app: RunningApp;
  let first: SeededTeam;
  let second: SeededTeam;

  beforeAll(async () => {
    app = await startApp(appDatabaseKind(), {}, {
      seed: async (db) => {
        ({ first, second } = await seedTwoTeams(db));
      },
    });
  });
  afterAll(async () => {
    await app?.stop();
  });

  it("signing out everywhere ends the other browsers' sessions too", async () => {
    const laptop = await signIn(app, first.email);
    const labMachine = await signIn(app, first.email);
    const colleague = await signIn(app, second.email);
    expect((await labMachine.get("/api/me")).status).toBe(200);
    // Signing out one browser leaves the others signed in.
    const phone = await signIn(app, first.email);
    expect((await phone.post("/api/auth/sign-out")).status).toBe(200);
    expect((await laptop.get("/api/me")).status).toBe(200);
    const everywhere = await laptop.post("/api/auth/sign-out?everywhere=true");
    expect(everywhere.status).toBe(200);
    expect(everywhere.data).toMatchObject({ everywhere: true, sessionsEnded: 2 });
    expect((await laptop.get("/api/me")).status).toBe(401);
    expect((await labMachine.get("/api/me")).status).toBe(401);
    expect((await colleague.get("/api/me")).status).toBe(200);
  });

  it("invitations can be revoked by their team, and a revoked link no longer works", async () => {
    const researcher = await signIn(app, first.email);
    const created = await researcher.post("/api/team/invitations", { email: "revoked@example.org" });
    expect(created.status).toBe(201);
    const { id, link } = created.data.invitation as { id: string; link: string };
    const token = link.split("/").pop()!;
    // Another team cannot revoke it (and cannot tell it exists).
    const outsider = await signIn(app, second.email);
    expect((await outsider.request("DELETE", `/api/team/invitations/${id}`)).status).toBe(404);
    expect((await researcher.request("DELETE", `/api/team/invitations/${id}`)).status).toBe(200);
    expect((await researcher.request("DELETE", `/api/team/invitations/${id}`)).status).toBe(404);
    const accept = await new HttpClient(app.url).post("/api/auth/accept-invitation", { token, name: "Late", password: "a correct long password" });
    expect(accept.status).toBe(400);
    expect(accept.data.code).toBe("invalid_invitation");
    expect((await researcher.get("/api/team/invitations")).data.invitations).toEqual([]);
  });

  it("refuses common passwords when an invitation is accepted", async () => {
    const researcher = await signIn(app, first.email);
    const { link } = (await researcher.post("/api/team/invitations", { email: "newcomer@example.org" })).data.invitation as { link: string };
    const token = link.split("/").pop()!;
    for (const password of ["aaaaaaaaaa", "1234567890", "password123"]) {
      const response = await new HttpClient(app.url).post("/api/auth/accept-invitation", { token, name: "Newcomer", password });
      expect(response.status, password).toBe(422);
      expect(response.data.errors.map((error: { path: string }) => error.path)).toEqual(["password"]);
    }
    expect((await new HttpClient(app.url).post("/api/auth/accept-invitation", { token, name: "Newcomer", password: "a correct long password" })).status).toBe(201);
  });
});
