import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { startApp, type RunningApp } from "../support/app-server";
import { appDatabaseKind } from "../support/database";
import { launchBrowser } from "../support/browser";
import { betweenStudySpec, seedStudy, SEEDED_PASSWORD, type SeededStudy } from "../results/seed-study";

describe("researcher dashboard in a real browser", () => {
  let app: RunningApp;
  let browser: Browser;
  let study: SeededStudy | undefined;

  beforeAll(async () => {
    // The finished study is seeded before the server starts (PGlite admits one process).
    app = await startApp(appDatabaseKind(), {}, { seed: async (db) => void (study = await seedStudy(db, betweenStudySpec())) });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it("opens a finished study's dashboard and sees the chart, the comparisons, the paragraph and the exports", async () => {
    if (!study) throw new Error("the study was not seeded");
    const context = await browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    await page.goto(`${app.url}/sign-in`);
    await page.getByLabel("Email", { exact: true }).fill(study.researcherEmail);
    await page.getByLabel("Password", { exact: true }).fill(SEEDED_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/studies$/);

    await page.goto(`${app.url}/studies/${study.studyId}/dashboard`);
    const chart = page.getByTestId("fool-rate-chart");
    await chart.locator(".recharts-bar-rectangle .recharts-rectangle").first().waitFor();
    // Two tested methods with data: two bars, one 50% line; 2 raters per method is below the
    // minimum for an interval, so no whiskers, and the table says why.
    await expect(chart.locator(".recharts-bar-rectangle").count()).resolves.toBe(2);
    await expect(chart.locator(".recharts-errorBar line").count()).resolves.toBe(0);
    await expect(page.getByTestId("interval-withheld").first().textContent()).resolves.toContain("no interval: 2 raters (at least 10 needed)");
    await expect(chart.locator(".recharts-reference-line").count()).resolves.toBe(1);
    await expect(chart.textContent()).resolves.toContain("50.0%");
    await expect(chart.textContent()).resolves.toContain("37.5%");

    // Progress comes live from /api/studies/{id}/progress.
    await page.getByTestId("dashboard-progress").waitFor();
    await expect(page.getByTestId("dashboard-progress").textContent()).resolves.toContain("2 / 3 analysed · 1 excluded");
    await expect(page.getByTestId("comparison-table").textContent()).resolves.toContain("Comparisons need at least two tested methods with at least 10 raters and 10 images each.");
    await expect(page.getByTestId("methods-paragraph").textContent()).resolves.toContain(
      "Of 6 completed sessions, 2 were excluded (1 for vigilance failures, 1 for timing); 2 incomplete sessions were not analysed.",
    );
    await expect(page.getByTestId("gallery-item").count()).resolves.toBe(11);
    // Gallery images come from the authenticated blob route and decode.
    const loaded = await page.getByTestId("gallery-item").first().locator("img").first().evaluate(async (img: HTMLImageElement) => {
      img.loading = "eager";
      await img.decode();
      return img.naturalWidth;
    });
    expect(loaded).toBe(16);

    const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-csv").click()]);
    const csv = readFileSync((await download.path()) as string, "utf8");
    const lines = csv.split("\r\n").filter((line) => line !== "");
    expect(lines[0]).toBe(
      "study,session,recruiter,method,method_kind,image,trial_kind,position,real_side,chosen_side,correct,fooled,response_time_ms,exposure_left_ms,exposure_right_ms,frame_interval_ms,timing_flagged,server_elapsed_ms,too_fast,excluded,exclusion_reason,answered_at,screening,screening_failed,shown,judgement,exposure_ms",
    );
    expect(lines).toHaveLength(1 + 56);
    // The analysis scripts are served beside the CSV and read it by its download name.
    const [rDownload] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-r").click()]);
    expect(rDownload.suggestedFilename()).toMatch(/-analysis\.R$/);
    expect(readFileSync((await rDownload.path()) as string, "utf8")).toContain(download.suggestedFilename());

    const jsonResponse = await context.request.get(`${app.url}/api/studies/${study.studyId}/export?format=json`);
    expect(jsonResponse.status()).toBe(200);
    const body = (await jsonResponse.json()) as { protocolHash: string; summary: { methods: { foolRate: number }[] } };
    expect(body.protocolHash).toMatch(/^[0-9a-f]{64}$/);
    expect(body.summary.methods.map((method) => method.foolRate)).toEqual([0.5, 0.375]);
    await context.close();

    // Exports are for signed-in researchers only.
    const anonymous = await fetch(`${app.url}/api/studies/${study.studyId}/export?format=csv`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("content-type")).toBe("application/problem+json");
  });
});
