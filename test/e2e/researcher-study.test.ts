import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { startApp, type RunningApp } from "../support/app-server";
import { appDatabaseKind } from "../support/database";
import { launchBrowser } from "../support/browser";
import { recolour, shifted, syntheticPhoto } from "../support/test-images";
import { writeZip } from "../support/zip-writer";

// A researcher builds a study in the browser: stimuli from a zip, the paper's baselines, a
// competitor's outputs uploaded as a zip (with the report), then opens it.
describe("a researcher sets up a study in a real browser", () => {
  let app: RunningApp;
  let browser: Browser;
  beforeAll(async () => {
    app = await startApp(appDatabaseKind());
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it("uploads stimuli and a method's zip, sees the report, adds baselines and opens the study", async () => {
    const photos = await Promise.all(Array.from({ length: 4 }, (_, seed) => syntheticPhoto(120, 90, seed)));
    const stimuliZip = writeZip(photos.map((data, seed) => ({ name: `set/photo${seed}.png`, data })));
    const outputs = await Promise.all(photos.map((bytes) => recolour(bytes)));
    outputs[3] = await shifted(outputs[3]!);
    const methodZip = writeZip([...outputs.map((data, seed) => ({ name: `photo${seed}.png`, data })), { name: "unrelated.png", data: outputs[0]! }]);

    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${app.url}/sign-up`);
    await page.getByLabel("Name", { exact: true }).fill("Grace");
    await page.getByLabel("Email", { exact: true }).fill("grace@example.org");
    await page.getByLabel("Password", { exact: true }).fill("a long enough password");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.waitForURL(/\/studies$/);
    await page.getByRole("link", { name: "New study" }).click();
    await page.getByLabel("Study name").fill("Browser study, \"quoted\"");
    await page.getByRole("button", { name: "Create draft" }).click();
    await page.waitForURL(/\/studies\/[0-9a-f-]{36}$/);

    // Protocol small enough for four stimuli.
    const editor = page.getByTestId("protocol-editor");
    await editor.getByLabel("Practice trials").fill("1");
    await editor.getByLabel("Test trials").fill("3");
    await editor.getByLabel("Vigilance share (0–0.5)").fill("0");
    await editor.getByRole("button", { name: "Save protocol" }).click();
    await expect(editor.getByRole("status").textContent()).resolves.toBe("Saved.");

    await page.getByTestId("stimuli-upload").locator("input[type=file]").setInputFiles({ name: "stimuli.zip", mimeType: "application/zip", buffer: stimuliZip });
    await page.getByTestId("stimuli-upload").getByRole("button", { name: "Upload" }).click();
    await expect(page.getByTestId("stimuli-upload").getByTestId("upload-report").textContent()).resolves.toContain("Added 4");

    const upload = page.getByTestId("method-upload");
    await upload.getByLabel("Method name").fill("Competitor");
    await upload.locator("input[type=file]").setInputFiles({ name: "outputs.zip", mimeType: "application/zip", buffer: methodZip });
    await upload.getByRole("button", { name: "Upload" }).click();
    const report = await upload.getByTestId("upload-report").textContent();
    expect(report).toContain("Nothing stored");
    expect(report).toContain("rejected 1");
    expect(report).toContain("photo3.png");
    expect(report).toContain("unrelated.png");

    await upload.getByLabel("Accept a partial set").check();
    await upload.getByRole("button", { name: "Upload" }).click();
    await expect(upload.getByTestId("upload-report").textContent()).resolves.toContain("Stored: matched 3");

    await page.getByLabel("Baseline (random, gray or ground-truth)").fill("gray");
    await page.getByRole("button", { name: "Add baseline" }).click();
    await page.getByTestId("method-status-Gray").filter({ hasText: "ready" }).waitFor({ timeout: 60_000 });

    await page.getByTestId("open-study").click();
    await page.getByTestId("study-status").filter({ hasText: "open" }).waitFor();
    await expect(page.getByTestId("plain-link").textContent()).resolves.toMatch(/\/s\/[0-9a-f-]{36}$/);
    await context.close();
  });
});
