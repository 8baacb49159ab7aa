import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type RunningApp } from "../support/app-server";
import { appDatabaseKind } from "../support/database";
import { HttpClient } from "../support/http-client";
import { answerBody, PASSWORD, seedTwoTeams, signIn, startRater, type SeededTeam } from "./security-fixtures";

// Security: cross-site request forgery. A page on another site can make a victim's
// browser send cookie-carrying requests; the browser then sends the attacker's Origin (or
// `Sec-Fetch-Site: cross-site`). Every state-changing route must refuse them (403
// cross_site_request, lib/http/route.ts assertSameOrigin) and change nothing; the same requests
// from the app's own origin still work.
describe("cross-site requests against the production app", () => {
  let app: RunningApp;
  let first: SeededTeam;

  beforeAll(async () => {
    app = await startApp(appDatabaseKind(), {}, {
      seed: async (db) => {
        ({ first } = await seedTwoTeams(db));
      },
    });
  });
  afterAll(async () => {
    await app?.stop();
  });

  const hostile = (): Record<string, string>[] => [
    { origin: "https://evil.example" },
    { "sec-fetch-site": "cross-site" },
    { "sec-fetch-site": "same-site", origin: "https://sub.evil.example" },
    // Sandboxed frames and data: URLs send the opaque origin "null".
    { origin: "null" },
    // Same host name, another port: another origin.
    { origin: new URL(app.url).origin.replace(/:\d+$/, ":1") },
  ];

  function stateChanging(studyId: string, trialId: string): { method: string; path: string; json?: unknown; multipart?: boolean }[] {
    return [
      { method: "POST", path: "/api/auth/sign-in", json: { email: first.email, password: PASSWORD } },
      { method: "POST", path: "/api/auth/sign-up", json: { email: "mallory@example.org", name: "Mallory", password: "a long password" } },
      { method: "POST", path: "/api/auth/sign-out" },
      { method: "POST", path: "/api/auth/accept-invitation", json: { token: "x".repeat(43), name: "Mallory", password: "a long password" } },
      { method: "POST", path: "/api/team/invitations", json: { email: "mallory@example.org" } },
      { method: "POST", path: "/api/studies", json: { name: "Planted study" } },
      { method: "PATCH", path: `/api/studies/${studyId}`, json: { name: "Renamed cross-site" } },
      { method: "POST", path: `/api/studies/${studyId}/status`, json: { action: "close" } },
      { method: "POST", path: `/api/studies/${studyId}/methods`, json: { kind: "baseline", baseline: "gray", name: "Planted method" } },
      { method: "POST", path: `/api/studies/${studyId}/stimuli`, multipart: true },
      { method: "POST", path: `/api/studies/${studyId}/methods/upload`, multipart: true },
      { method: "POST", path: "/api/rater/sessions", json: { studyId, params: {}, screen: null } },
      { method: "POST", path: `/api/rater/trials/${trialId}/answer`, json: answerBody("cross-site-answer") },
    ];
  }

  async function send(client: HttpClient, request: ReturnType<typeof stateChanging>[number], headers: Record<string, string>) {
    if (request.multipart) {
      const form = new FormData();
      form.set("name", "Planted upload");
      form.set("files", new Blob([new Uint8Array([0xff, 0xd8, 0xff])], { type: "image/jpeg" }), "img000.jpg");
      return client.request(request.method, request.path, { body: form, headers });
    }
    return client.request(request.method, request.path, { json: request.json, headers });
  }

  it("every state-changing route refuses a cross-site request with 403 cross_site_request", async () => {
    // The victim: a signed-in researcher whose browser also holds a rater session.
    const victim = await signIn(app, first.email);
    const { client: raterVictim, session } = await startRater(app, first.studyId);
    const trialId = session.next!.trialId;
    for (const request of stateChanging(first.studyId, trialId)) {
      const client = request.path.startsWith("/api/rater/") ? raterVictim : victim;
      for (const headers of hostile()) {
        const response = await send(client, request, headers);
        expect(response.status, `${request.method} ${request.path} with ${JSON.stringify(headers)}`).toBe(403);
        expect(response.data.code).toBe("cross_site_request");
      }
    }
    // The victim's researcher session survived the forged sign-out; the rater's trial is unanswered.
    expect((await victim.get("/api/me")).status).toBe(200);
    expect((await raterVictim.get(`/api/rater/sessions/current?studyId=${first.studyId}`)).data.session.progress.answered).toBe(0);
  });

  it("the same requests from the app's own origin are accepted (the check is not a blanket refusal)", async () => {
    const researcher = await signIn(app, first.email);
    const sameOrigin = { origin: new URL(app.url).origin, "sec-fetch-site": "same-origin" };
    const invitation = await researcher.post("/api/team/invitations", { email: "colleague@example.org" }, sameOrigin);
    expect(invitation.status).toBe(201);
    const { client: rater, session } = await startRater(app, first.studyId);
    const answer = await rater.post(`/api/rater/trials/${session.next!.trialId}/answer`, answerBody("same-origin-answer"), sameOrigin);
    expect(answer.status).toBe(200);
  });

  it("the researcher's cookie is HttpOnly and SameSite=Lax; the rater's, which must live in MTurk's frame, is partitioned and Secure", async () => {
    const signInResponse = await new HttpClient(app.url).post("/api/auth/sign-in", { email: first.email, password: PASSWORD });
    expect(signInResponse.headers.get("set-cookie")).toMatch(/HttpOnly; SameSite=Lax/);
    const raterStart = await new HttpClient(app.url).post("/api/rater/sessions", { studyId: first.studyId, params: {}, screen: null });
    expect(raterStart.status).toBe(201);
    // On a loopback host browsers keep Secure cookies over http; cross-site requests riding on
    // this cookie are refused by the Origin check above.
    expect(raterStart.headers.get("set-cookie")).toMatch(/^ctt_rater_[0-9a-f]{32}=[^;]+; Path=\/; HttpOnly; Max-Age=\d+; SameSite=None; Secure; Partitioned$/);
  });

  it("nothing the cross-site requests asked for happened", async () => {
    const state = await app.inspectAfterStop(async (db) => ({
      study: await db.study.findUniqueOrThrow({ where: { id: first.studyId }, select: { name: true, status: true } }),
      studies: await db.study.count(),
      methods: await db.method.count({ where: { studyId: first.studyId } }),
      stimuli: await db.stimulusImage.count({ where: { studyId: first.studyId } }),
      researchers: await db.researcher.count(),
      invitations: (await db.invitation.findMany({ select: { email: true } })).map((row) => row.email),
      responses: (await db.response.findMany({ select: { idempotencyKey: true } })).map((row) => row.idempotencyKey),
      raterSessions: await db.raterSession.count({ where: { studyId: first.studyId } }),
    }));
    expect(state).toEqual({
      study: { name: "Seeded study", status: "open" },
      studies: 2,
      methods: 2,
      stimuli: 8,
      researchers: 2,
      invitations: ["colleague@example.org"],
      responses: ["same-origin-answer"],
      // The victim's, the same-origin test's and the cookie test's: none from the forged starts.
      raterSessions: 3,
    });
  });
});
