import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type RunningApp } from "../support/app-server";
import { appDatabaseKind } from "../support/database";
import { HttpClient } from "../support/http-client";

// Security: SQL and HTML injection in every text a person can enter — sign-up name,
// email and team name, study name, protocol instructions and consent, method names (generated
// and uploaded), stimulus file names, recruiter parameters. Each must be stored as data (read
// back byte for byte, tables intact) and rendered escaped: the researcher's study page, the team
// page and the rater's page carry the escaped text and no tag of ours.
const SQL = `'); DROP TABLE "Response"; --`;
const HTML = "<script>alert(1)</script><img src=x onerror=alert(2)>";
const payload = (label: string) => `${label} ${SQL} ${HTML}`;
/** React's escaping of the HTML part (what must appear in the markup). */
const ESCAPED = ["&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;img src=x onerror=alert(2)&gt;"];
/** Our tags, live (what must never appear). */
const LIVE = [/<script>alert\(/i, /<img src=x onerror/i, /<img src=x onerror=alert\(3\)/i];

const NAME = payload("Ada");
const TEAM = payload("Lab");
const EMAIL = "o'hara'--@example.org";
const STUDY = payload("Study");
const INSTRUCTIONS = `${payload("Instructions")}\nSecond line`;
const CONSENT = payload("Consent");
const METHOD = payload("Method");
const UPLOADED = payload("Upload");
const STIMULUS_STEM = "<img src=x onerror=alert(3)>";

function expectEscaped(html: string, where: string, mustContain = true) {
  for (const pattern of LIVE) expect(html, `${where}: live markup ${pattern}`).not.toMatch(pattern);
  if (mustContain) for (const escaped of ESCAPED) expect(html, `${where}: escaped text`).toContain(escaped);
}

async function photo(seed: number): Promise<Buffer> {
  const pixels = Buffer.alloc(64 * 64 * 3);
  for (let index = 0; index < pixels.length; index += 3) {
    const x = (index / 3) % 64;
    const y = Math.floor(index / 3 / 64);
    pixels[index] = (x * 4 + seed * 37) % 256;
    pixels[index + 1] = (y * 4 + seed * 11) % 256;
    pixels[index + 2] = ((x + y) * 2 + seed * 53) % 256;
  }
  return sharp(pixels, { raw: { width: 64, height: 64, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
}

describe("injection in every text field against the production app", () => {
  let app: RunningApp;
  let researcher: HttpClient;
  let studyId = "";

  beforeAll(async () => {
    app = await startApp(appDatabaseKind());
  });
  afterAll(async () => {
    await app?.stop();
  });

  it("sign-up stores the name, team and an email with quotes as data; markup in an email is refused", async () => {
    expect((await new HttpClient(app.url).post("/api/auth/sign-up", { email: "<script>@example.org", name: "X", password: "a long password" })).status).toBe(422);
    researcher = new HttpClient(app.url);
    const signUp = await researcher.post("/api/auth/sign-up", { email: EMAIL, name: NAME, password: "a long password", teamName: TEAM });
    expect(signUp.status, signUp.raw).toBe(201);
    expect(signUp.data.researcher).toMatchObject({ email: EMAIL, name: NAME });
    // The quoted email signs in like any other: it was compared as data, not spliced into SQL.
    expect((await new HttpClient(app.url).post("/api/auth/sign-in", { email: EMAIL, password: "a long password" })).status).toBe(200);
    // The classic tautology: refused (422 where the email is not even an address, 401 otherwise).
    expect((await new HttpClient(app.url).post("/api/auth/sign-in", { email: "x' OR '1'='1@example.org", password: "' OR '1'='1" })).status).toBe(422);
    expect((await new HttpClient(app.url).post("/api/auth/sign-in", { email: "o'hara'--@example.org", password: "' OR '1'='1" })).status).toBe(401);
  });

  it("study name, instructions, consent, method names and file names are stored exactly", async () => {
    const created = await researcher.post("/api/studies", {
      name: STUDY,
      protocol: { practiceTrials: 1, testTrials: 4, vigilanceShare: 0.25, instructions: INSTRUCTIONS, consent: CONSENT },
    });
    expect(created.status, created.raw).toBe(201);
    studyId = created.data.study.id;

    const form = new FormData();
    const stems = [STIMULUS_STEM, "b", "c", "d", "e", "f"];
    for (const [index, stem] of stems.entries()) form.append("files", new Blob([new Uint8Array(await photo(index))], { type: "image/jpeg" }), `${stem}.jpg`);
    const stimuli = await researcher.request("POST", `/api/studies/${studyId}/stimuli`, { body: form });
    expect(stimuli.status, stimuli.raw).toBe(201);
    expect(stimuli.data.added.map((added: { name: string }) => added.name).sort(), stimuli.raw).toEqual([...stems].sort());

    for (const body of [{ kind: "baseline", baseline: "gray", name: METHOD }, { kind: "baseline", baseline: "random" }]) {
      const method = await researcher.post(`/api/studies/${studyId}/methods`, body);
      expect(method.status, method.raw).toBe(201);
    }
    // An uploaded method named with the payload (its images: the photos themselves, same L).
    const upload = new FormData();
    upload.set("name", UPLOADED);
    for (const [index, stem] of stems.entries()) upload.append("files", new Blob([new Uint8Array(await photo(index))], { type: "image/jpeg" }), `${stem}.jpg`);
    const uploaded = await researcher.request("POST", `/api/studies/${studyId}/methods/upload`, { body: upload });
    expect(uploaded.status, uploaded.raw).toBe(201);
    expect(uploaded.data.method.name).toBe(UPLOADED);

    // Candidates are generated in the app's worker; open the study once the methods are ready.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const progress = await researcher.get(`/api/studies/${studyId}/progress`);
      const statuses = progress.data.progress.methods.map((method: { status: string }) => method.status);
      if (statuses.every((status: string) => status === "ready" || status === "failed")) break;
      if (Date.now() > deadline) throw new Error(`methods not ready: ${statuses.join(", ")}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const opened = await researcher.post(`/api/studies/${studyId}/status`, { action: "open" });
    expect(opened.status, opened.raw).toBe(200);

    const detail = await researcher.get(`/api/studies/${studyId}`);
    expect(detail.data.study.name).toBe(STUDY);
    expect(detail.data.study.protocol.instructions).toBe(INSTRUCTIONS);
    expect(detail.data.study.protocol.consent).toBe(CONSENT);
    expect(detail.data.study.methods.map((method: { name: string }) => method.name)).toEqual(expect.arrayContaining([METHOD, UPLOADED, "Random"]));
    expect(detail.data.study.stimuli.map((stimulus: { name: string }) => stimulus.name)).toContain(STIMULUS_STEM);
  });

  it("the researcher's study page and team page render the texts escaped", async () => {
    const page = await researcher.get(`/studies/${studyId}`);
    expect(page.status).toBe(200);
    expectEscaped(page.raw, "study page");
    // The study name, the researcher's name and the method name each appear escaped.
    for (const label of ["Study", "Ada", "Method", "Upload"]) expect(page.raw).toContain(`${label} &#x27;); DROP TABLE`);
    // The stimulus file name sits in alt/title attributes.
    expect(page.raw).toContain('alt="&lt;img src=x onerror=alert(3)&gt;"');
    const team = await researcher.get("/team");
    expect(team.status).toBe(200);
    expectEscaped(team.raw, "team page");
    expect(team.raw).toContain("o&#x27;hara&#x27;--@example.org");
    const list = await researcher.get("/studies");
    expectEscaped(list.raw, "study list");
  });

  it("the rater's page (and MTurk's preview) render instructions, consent and recruiter parameters escaped", async () => {
    const query = new URLSearchParams({ PROLIFIC_PID: payload("pid"), STUDY_ID: HTML, SESSION_ID: SQL });
    const raterPage = await new HttpClient(app.url).get(`/s/${studyId}?${query}`);
    expect(raterPage.status).toBe(200);
    // The consent screen is drawn in the browser; the server's HTML must still carry no live tag.
    expectEscaped(raterPage.raw, "rater page", false);
    const preview = await new HttpClient(app.url).get(`/s/${studyId}?assignmentId=ASSIGNMENT_ID_NOT_AVAILABLE&workerId=${encodeURIComponent(HTML)}`);
    expect(preview.status).toBe(200);
    expectEscaped(preview.raw, "MTurk preview");
    expect(preview.raw).toContain("Instructions &#x27;); DROP TABLE");
    expect(preview.raw).toContain("Consent &#x27;); DROP TABLE");

    // Recruiter parameters with SQL and markup start a session and are kept as data.
    const rater = new HttpClient(app.url);
    const started = await rater.post("/api/rater/sessions", { studyId, params: Object.fromEntries(query), screen: null });
    expect(started.status, started.raw).toBe(201);
    // The same participant id again is recognized (its salted hash was compared as data).
    const again = await new HttpClient(app.url).post("/api/rater/sessions", { studyId, params: Object.fromEntries(query), screen: null });
    expect(again.data.code).toBe("already_participated");
  });

  it("everything is in the database as typed, and no table was dropped", async () => {
    const stored = await app.inspectAfterStop(async (db) => ({
      researcher: await db.researcher.findFirstOrThrow({ select: { name: true, email: true, team: { select: { name: true } } } }),
      study: await db.study.findUniqueOrThrow({ where: { id: studyId }, select: { name: true, protocol: true } }),
      methods: (await db.method.findMany({ where: { studyId }, select: { name: true } })).map((method) => method.name),
      stimulus: await db.stimulusImage.count({ where: { studyId, name: STIMULUS_STEM } }),
      session: await db.raterSession.findFirstOrThrow({ where: { studyId }, select: { recruiterIds: true } }),
      responses: await db.response.count(),
      tables: await db.$queryRaw<{ count: bigint }[]>`SELECT count(*) AS count FROM information_schema.tables WHERE table_name = 'Response'`,
    }));
    expect(stored.researcher).toEqual({ name: NAME, email: EMAIL, team: { name: TEAM } });
    expect(stored.study.name).toBe(STUDY);
    expect(stored.study.protocol).toMatchObject({ instructions: INSTRUCTIONS, consent: CONSENT });
    expect(stored.methods).toEqual(expect.arrayContaining([METHOD, UPLOADED, "Random"]));
    expect(stored.stimulus).toBe(1);
    expect(stored.session.recruiterIds).toEqual({ PROLIFIC_PID: payload("pid"), STUDY_ID: HTML, SESSION_ID: SQL });
    expect(stored.responses).toBe(0);
    expect(Number(stored.tables[0]?.count)).toBe(1);
  });
});
