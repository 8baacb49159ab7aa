import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { ensureProductionBuild, freePort, launchProductionApp, productionAppEnv, type AppProcess } from "@/scripts/support/app-server";
import { DEMO_EMAIL, DEMO_PASSWORD } from "@/scripts/support/seed-demo";
import { launchBrowser } from "../support/browser";

// `npm run demo` as a newcomer runs it: on every start (the first, which seeds, and a restart on
// the same embedded database) it prints the full rater URL and the sign-in, and both work in a
// real browser.
describe("npm run demo", () => {
  let dataDir: string;
  let browser: Browser;
  let demo: AppProcess | undefined;

  beforeAll(async () => {
    await ensureProductionBuild();
    dataDir = await mkdtemp(join(tmpdir(), "ctt-demo-"));
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await demo?.stop();
    await browser?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  async function startDemo(): Promise<{ raterUrl: string; signInUrl: string }> {
    const port = await freePort();
    demo = await launchProductionApp(productionAppEnv({ kind: "pglite", dir: dataDir }, port), 240_000, "scripts/demo.ts");
    const output = demo.output();
    const rater = /Rater link \(the demo study\): (http:\/\/\S+)/.exec(output);
    const signIn = /Researcher sign-in: +(http:\/\/\S+) +\(email (\S+), password ([^)]+)\)/.exec(output);
    expect(rater, output).not.toBeNull();
    expect(signIn, output).not.toBeNull();
    expect(signIn![2]).toBe(DEMO_EMAIL);
    expect(signIn![3]).toBe(DEMO_PASSWORD);
    expect(rater![1]).toMatch(new RegExp(`^http://localhost:${port}/s/[0-9a-f-]{36}$`));
    return { raterUrl: rater![1]!, signInUrl: signIn![1]! };
  }

  it("prints the full rater URL and the sign-in on the first start and on a restart", async () => {
    const first = await startDemo();
    const context = await browser.newContext();
    const page = await context.newPage();
    const response = await page.goto(first.raterUrl);
    expect(response?.status()).toBe(200);
    await page.getByTestId("consent-accept").waitFor();

    await page.goto(first.signInUrl);
    await page.getByLabel("Email", { exact: true }).fill(DEMO_EMAIL);
    await page.getByLabel("Password", { exact: true }).fill(DEMO_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/studies$/);
    await context.close();
    await demo!.stop();

    // A restart seeds nothing new and still says where to go, for the same study.
    const second = await startDemo();
    expect(new URL(second.raterUrl).pathname).toBe(new URL(first.raterUrl).pathname);
    const again = await browser.newPage();
    expect((await again.goto(second.raterUrl))?.status()).toBe(200);
    await again.close();
  }, 600_000);
});
