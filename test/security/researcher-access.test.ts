import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type RunningApp } from "../support/app-server";
import { appDatabaseKind } from "../support/database";
import { HttpClient } from "../support/http-client";
import { seedTwoTeams, signIn, type SeededTeam } from "./security-fixtures";

// Security: researcher pages and APIs without a session (401 for the API, a redirect to sign-in
// for pages) and with another team's researcher (404 from the API and the pages, exactly as for
// an unknown id, so that ids cannot be probed). Nothing changes.
describe("researcher pages and APIs against the production app", () => {
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

  /** Every researcher API of a study, with a body that would be valid for its owner. */
  const studyApis = (studyId: string): { method: string; path: string; json?: unknown; multipart?: boolean }[] => [
    { method: "GET", path: `/api/studies/${studyId}` },
    { method: "PATCH", path: `/api/studies/${studyId}`, json: { name: "Renamed by an intruder" } },
    { method: "POST", path: `/api/studies/${studyId}/status`, json: { action: "close" } },
    { method: "GET", path: `/api/studies/${studyId}/progress` },
    { method: "GET", path: `/api/studies/${studyId}/export?format=csv` },
    { method: "GET", path: `/api/studies/${studyId}/export?format=json` },
    { method: "POST", path: `/api/studies/${studyId}/methods`, json: { kind: "baseline", baseline: "gray", name: "Intruder's method" } },
    { method: "POST", path: `/api/studies/${studyId}/stimuli`, multipart: true },
    { method: "POST", path: `/api/studies/${studyId}/methods/upload`, multipart: true },
  ];

  async function send(client: HttpClient, api: ReturnType<typeof studyApis>[number]) {
    if (api.multipart) {
      const form = new FormData();
      form.set("name", "Intruder upload");
      form.set("files", new Blob([new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3])], { type: "image/jpeg" }), "img000.jpg");
      return client.request(api.method, api.path, { body: form });
    }
    return client.request(api.method, api.path, { json: api.json });
  }

  it("without a session: every researcher API answers 401 problem+json, every page redirects to sign-in", async () => {
    const anonymous = new HttpClient(app.url);
    const apis = [
      ...studyApis(first.studyId),
      { method: "GET", path: "/api/studies" },
      { method: "POST", path: "/api/studies", json: { name: "Anonymous study" } },
      { method: "GET", path: "/api/me" },
      { method: "GET", path: "/api/team/invitations" },
      { method: "POST", path: "/api/team/invitations", json: { email: "x@example.org" } },
      { method: "GET", path: `/api/blobs/${first.realSha256}` },
    ];
    for (const api of apis) {
      const response = await send(anonymous, api);
      expect(response.status, `${api.method} ${api.path}`).toBe(401);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
    }
    for (const page of ["/studies", "/studies/new", `/studies/${first.studyId}`, `/studies/${first.studyId}/dashboard`, "/team"]) {
      const response = await anonymous.get(page);
      expect([303, 307, 308], page).toContain(response.status);
      expect(response.headers.get("location"), page).toMatch(/\/sign-in$/);
      expect(response.raw).not.toContain("Seeded study");
    }
  });

  it("another team's researcher: 404 from every study API and page, as for an unknown id; the blob route hides the image", async () => {
    const intruder = await signIn(app, second.email);
    const unknownId = "00000000-0000-4000-8000-000000000000";
    for (const studyId of [first.studyId, unknownId]) {
      for (const api of studyApis(studyId)) {
        const response = await send(intruder, api);
        expect(response.status, `${api.method} ${api.path}: ${response.raw.slice(0, 200)}`).toBe(404);
        expect(response.data.code).toBe("not_found");
        expect(response.data.detail).toBe("Study not found.");
      }
    }
    // Blobs of another team answer like unknown ones (no probing of content hashes).
    expect((await intruder.get(`/api/blobs/${first.realSha256}`)).status).toBe(404);
    expect((await intruder.get(`/api/blobs/${second.realSha256}`)).status).toBe(200);
    // The study list shows the intruder's own team's studies only.
    const list = await intruder.get("/api/studies");
    expect(list.data.studies.map((study: { id: string }) => study.id)).toEqual([second.studyId]);
    const studyPage = await intruder.get(`/studies/${first.studyId}`);
    expect(studyPage.status).toBe(404);
    const dashboard = await intruder.get(`/studies/${first.studyId}/dashboard`);
    expect(dashboard.status).toBe(404);
    expect((await intruder.get(`/studies/${unknownId}/dashboard`)).status).toBe(404);
    for (const response of [studyPage, dashboard]) {
      // What the owner's page shows: the completion code and the recruiting link.
      expect(response.raw).not.toContain("SEEDCODE42");
      expect(response.raw).not.toContain(`/s/${first.studyId}`);
      expect(response.raw).not.toContain("results</h1>");
    }
    // The owner still sees everything (the refusals above are not a broken page).
    const owner = await signIn(app, first.email);
    expect((await owner.get(`/api/studies/${first.studyId}`)).status).toBe(200);
    expect((await owner.get(`/studies/${first.studyId}`)).status).toBe(200);
    expect((await owner.get(`/studies/${first.studyId}/dashboard`)).status).toBe(200);
  });

  it("the refused requests changed nothing", async () => {
    const state = await app.inspectAfterStop(async (db) => ({
      study: await db.study.findUniqueOrThrow({ where: { id: first.studyId }, select: { name: true, status: true } }),
      methods: await db.method.count({ where: { studyId: first.studyId } }),
      stimuli: await db.stimulusImage.count({ where: { studyId: first.studyId } }),
      studies: await db.study.count(),
      invitations: await db.invitation.count(),
    }));
    expect(state).toEqual({ study: { name: "Seeded study", status: "open" }, methods: 2, stimuli: 8, studies: 2, invitations: 0 });
  });
});
