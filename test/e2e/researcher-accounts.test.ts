import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { startApp, type RunningApp } from "../support/app-server";
import { appDatabaseKind } from "../support/database";
import { launchBrowser } from "../support/browser";

describe("researcher accounts in a real browser", () => {
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

  it("signs up the first researcher, signs out, signs in and sees an empty studies page", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${app.url}/studies`);
    await page.waitForURL(/\/sign-in$/);
    await page.getByRole("link", { name: "Create the first account" }).click();
    await page.waitForURL(/\/sign-up$/);
    await page.getByLabel("Name", { exact: true }).fill("Ada Researcher");
    await page.getByLabel("Email", { exact: true }).fill("ada@example.org");
    await page.getByLabel("Password", { exact: true }).fill("correct horse battery");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.waitForURL(/\/studies$/);
    await expect(page.getByTestId("no-studies").isVisible()).resolves.toBe(true);

    const cookies = await context.cookies();
    const session = cookies.find((cookie) => cookie.name === "ctt_session");
    expect(session?.httpOnly).toBe(true);
    expect(session?.sameSite).toBe("Lax");

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/\/sign-in$/);
    await page.getByLabel("Email", { exact: true }).fill("ada@example.org");
    await page.getByLabel("Password", { exact: true }).fill("wrong password!!");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByTestId("form-problem").textContent()).resolves.toContain("not right");
    await page.getByLabel("Password", { exact: true }).fill("correct horse battery");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/studies$/);
    await expect(page.getByTestId("researcher-name").textContent()).resolves.toBe("Ada Researcher");
    await expect(page.getByTestId("no-studies").isVisible()).resolves.toBe(true);
    await context.close();
  });
});
