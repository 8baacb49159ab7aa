import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { startApp, type RunningApp } from "../support/app-server";
import { appDatabaseKind } from "../support/database";
import { launchBrowser } from "../support/browser";
import { HttpClient } from "../support/http-client";
import { betweenStudySpec, seedStudy, SEEDED_PASSWORD, type SeededStudy } from "../results/seed-study";

// Recruiting runs until the *analysed* target is met (excluded sessions do not count), and a rater
// who arrives after that is turned away with the recruiter's "study full" path. The seeded study
// has, per tested method, 2 analysed sessions and 1 excluded (test/results/seed-study.ts).
describe("recruiting to the analysed target, in a real browser", () => {
  let app: RunningApp;
  let browser: Browser;
  let recruiting: SeededStudy | undefined;
  let full: SeededStudy | undefined;

  beforeAll(async () => {
    app = await startApp(appDatabaseKind(), {}, {
      seed: async (db) => {
        // Target 3: 2 analysed + 1 excluded per method is not enough, whatever "3 completed" says.
        recruiting = await seedStudy(db, betweenStudySpec("Still recruiting"));
        const fullSpec = betweenStudySpec("Full study");
        full = await seedStudy(db, { ...fullSpec, protocol: { ...fullSpec.protocol, targetSessionsPerMethod: 2 } }, "bo@example.org");
        await db.study.updateMany({ where: { id: { in: [recruiting.studyId, full.studyId] } }, data: { status: "open", closedAt: null } });
      },
    });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it("shows analysed / excluded / target, keeps recruiting below it, and turns raters away beyond it", async () => {
    if (!recruiting || !full) throw new Error("not seeded");
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${app.url}/sign-in`);
    await page.getByLabel("Email", { exact: true }).fill(recruiting.researcherEmail);
    await page.getByLabel("Password", { exact: true }).fill(SEEDED_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/studies$/);
    await page.goto(`${app.url}/studies/${recruiting.studyId}`);
    await expect(page.getByTestId("analysed-Ours").textContent()).resolves.toContain("2 / 3");
    await expect(page.getByTestId("excluded-Ours").textContent()).resolves.toBe("1");
    await expect(page.getByTestId("study-full").count()).resolves.toBe(0);
    await page.goto(`${app.url}/studies/${recruiting.studyId}/dashboard`);
    await page.getByTestId("dashboard-progress").waitFor();
    await expect(page.getByTestId("dashboard-progress").textContent()).resolves.toContain("2 / 3 analysed · 1 excluded");
    await context.close();

    // Below the analysed target a rater starts, although every method has 3 completed sessions.
    const starting = await new HttpClient(app.url).post("/api/rater/sessions", { studyId: recruiting.studyId, params: {}, screen: null });
    expect(starting.status, JSON.stringify(starting.data)).toBe(201);

    // At the target: the researcher is told, and a Prolific rater is asked to return the submission.
    const researcher = await browser.newContext();
    const studyPage = await researcher.newPage();
    await studyPage.goto(`${app.url}/sign-in`);
    await studyPage.getByLabel("Email", { exact: true }).fill("bo@example.org");
    await studyPage.getByLabel("Password", { exact: true }).fill(SEEDED_PASSWORD);
    await studyPage.getByRole("button", { name: "Sign in" }).click();
    await studyPage.waitForURL(/\/studies$/);
    await studyPage.goto(`${app.url}/studies/${full.studyId}`);
    await expect(studyPage.getByTestId("analysed-Dahl").textContent()).resolves.toContain("2 / 2");
    await studyPage.getByTestId("study-full").waitFor();
    await researcher.close();

    const raterContext = await browser.newContext();
    const rater = await raterContext.newPage();
    await rater.goto(`${app.url}/s/${full.studyId}?PROLIFIC_PID=late-arrival&STUDY_ID=s1&SESSION_ID=x1`);
    await rater.getByTestId("consent-accept").click();
    await rater.getByTestId("study-full").waitFor();
    await expect(rater.getByTestId("study-full").textContent()).resolves.toMatch(/This study is full.*return your submission on Prolific/);
    await raterContext.close();
    const refused = await new HttpClient(app.url).post("/api/rater/sessions", { studyId: full.studyId, params: {}, screen: null });
    expect(refused.data).toMatchObject({ status: 409, code: "study_full" });
  }, 180_000);
});
