import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { screeningViewSchema, type ScreeningView } from "@/lib/contract/screening-api";
import { hashPassword } from "@/lib/auth/password";
import { judgePlate, plateFromWire, type ObserverVision, type RgbaImage } from "@/lib/screening";
import { startApp, type RunningApp } from "../support/app-server";
import { appDatabaseKind } from "../support/database";
import { launchBrowser } from "../support/browser";
import { seedStudy } from "../support/seed-study";
import { syntheticPhoto } from "../support/test-images";
import { SEEDED_PASSWORD } from "../results/seed-study";

// Raters going through the screening in real Chromium against the production build. Each rater
// is a simulated observer looking at the pixels the page drew on its canvases: normal vision
// reads every plate; a protanope (Machado et al. 2009) sees no figure on the protan plates.
const SCREENED_OUT_URL = "https://app.prolific.com/submissions/complete?cc=SCREENOUT";
const protocol = {
  practiceTrials: 1,
  testTrials: 2,
  vigilanceShare: 0,
  practiceFeedbackMs: 300,
  presentation: { mode: "sequential" as const, exposureMs: 300, blankMs: 100 },
  screening: { colourVision: true, display: true, onFail: "end" as const, screenedOutUrl: SCREENED_OUT_URL },
};

/** The pixels a canvas of the page shows. */
async function canvasPixels(page: Page, testId: string): Promise<RgbaImage> {
  // A canvas mounts blank and is painted in an effect: wait for the paint, then read it (base64,
  // far cheaper to carry than a JSON array of a plate's 400 000 bytes).
  const canvas = page.locator(`[data-testid=${testId}][data-painted=true]`);
  await canvas.waitFor({ timeout: 30_000 });
  const { width, height, base64 } = await canvas.evaluate((element: HTMLCanvasElement) => {
    const image = element.getContext("2d")!.getImageData(0, 0, element.width, element.height);
    let binary = "";
    for (let offset = 0; offset < image.data.length; offset += 0x8000) binary += String.fromCharCode(...image.data.subarray(offset, offset + 0x8000));
    return { width: image.width, height: image.height, base64: btoa(binary) };
  });
  return { width, height, data: new Uint8ClampedArray(Buffer.from(base64, "base64")) };
}

/** Which of the four tiles (96 px, 16 px apart: renderDisplayCheck's layout) differs from the others. */
function oddTile(image: RgbaImage): number {
  const centres = [
    [64, 64],
    [176, 64],
    [64, 176],
    [176, 176],
  ] as const;
  const colours = centres.map(([x, y]) => {
    const o = 4 * (y * image.width + x);
    return `${image.data[o]},${image.data[o + 1]},${image.data[o + 2]}`;
  });
  return colours.findIndex((colour) => colours.filter((other) => other === colour).length === 1);
}

/** Goes through the screening as an observer with `vision` would, judging the drawn pixels. */
async function screenAs(page: Page, studyId: string, vision: ObserverVision): Promise<void> {
  await page.getByTestId("screening-start").click();
  // The plates' placements and options (what any rater sees beside the plate), to judge the canvas.
  const view: ScreeningView = screeningViewSchema.parse(
    (await page.evaluate(async (id) => (await fetch(`/api/rater/screening?studyId=${id}`)).json(), studyId)).screening,
  );
  for (const [index, wire] of view.plates.entries()) {
    await page.locator(`[data-testid=screening-plate-step][data-index="${index}"]`).waitFor();
    const judgement = judgePlate(plateFromWire(wire), await canvasPixels(page, "screening-plate"), vision);
    await page.locator(`[data-testid=plate-option][data-option-id="${judgement.answer}"]`).click();
  }
  for (const index of view.displayChecks.keys()) {
    await page.locator(`[data-testid=screening-display-step][data-index="${index}"]`).waitFor();
    const tile = oddTile(await canvasPixels(page, "screening-display"));
    await page.locator(`[data-testid=display-option][data-tile="${tile}"]`).click();
  }
  // The window step measures the window once mounted: 1200 × 900 holds two 256 px photos.
  await page.locator('[data-testid=screening-window-step][data-fits="true"]').waitFor();
  await page.getByTestId("screening-finish").click();
}

/** Answers every trial (always left) until the completion code shows. */
async function answerAll(page: Page): Promise<void> {
  for (;;) {
    const next = page.locator("[data-testid=choose-left]:not([disabled]), [data-testid=start-test], [data-testid=completion-code]");
    await next.first().waitFor({ state: "visible", timeout: 30_000 });
    const testId = await next.first().getAttribute("data-testid");
    if (testId === "completion-code") return;
    if (testId === "start-test") {
      await next.first().click();
      continue;
    }
    await page.keyboard.press("ArrowLeft");
    await page.locator("[data-testid=choose-left]:not([disabled])").first().waitFor({ state: "detached", timeout: 30_000 }).catch(() => undefined);
  }
}

describe("screening raters in a real browser", () => {
  let app: RunningApp;
  let browser: Browser;
  let studyId = "";
  let researcherEmail = "";

  beforeAll(async () => {
    app = await startApp(appDatabaseKind(), {}, {
      seed: async (db) => {
        const seeded = await seedStudy(db, {
          stimuli: 6,
          methods: ["full"],
          protocol,
          imageBytes: async (kind, index) => ({ bytes: await syntheticPhoto(256, 256, index + (kind === "real" ? 0 : 50), "jpeg"), mimeType: "image/jpeg", width: 256, height: 256 }),
        });
        studyId = seeded.study.id;
        researcherEmail = seeded.researcher.email;
        await db.researcher.update({ where: { id: seeded.researcher.id }, data: { passwordHash: await hashPassword(SEEDED_PASSWORD) } });
      },
    });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it("passes a rater with normal vision, ends a protanope politely, and counts both on the dashboard", async () => {
    // Normal vision: the screening, then practice and the test trials, then the completion code.
    const passing = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const normal = await passing.newPage();
    await normal.goto(`${app.url}/s/${studyId}`);
    await normal.getByTestId("consent-accept").click();
    await screenAs(normal, studyId, "normal");
    await answerAll(normal);
    await passing.close();

    // A protanope from Prolific: thanked, sent to the study's screened-out link.
    const failing = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const protan = await failing.newPage();
    await protan.goto(`${app.url}/s/${studyId}?PROLIFIC_PID=protan-browser&STUDY_ID=s1&SESSION_ID=x1`);
    // The redirect to Prolific is kept on the page: this machine has no route to Prolific.
    await protan.route("https://app.prolific.com/**", (route) => route.fulfill({ status: 200, contentType: "text/html", body: "<p>Prolific</p>" }));
    await protan.getByTestId("consent-accept").click();
    await screenAs(protan, studyId, "protan");
    await protan.getByTestId("screened-out").waitFor();
    await expect(protan.getByTestId("screened-out-redirect").getAttribute("href")).resolves.toBe(SCREENED_OUT_URL);
    await protan.waitForURL(SCREENED_OUT_URL, { timeout: 10_000 });
    await failing.close();

    // The dashboard counts both outcomes.
    const researcher = await browser.newContext();
    const page = await researcher.newPage();
    await page.goto(`${app.url}/sign-in`);
    await page.getByLabel("Email", { exact: true }).fill(researcherEmail);
    await page.getByLabel("Password", { exact: true }).fill(SEEDED_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/studies$/);
    await page.goto(`${app.url}/studies/${studyId}/dashboard`);
    await page.getByTestId("screening-results").waitFor({ timeout: 60_000 });
    await expect(page.getByTestId("screening-screened").textContent()).resolves.toBe("2");
    await expect(page.getByTestId("screening-passed").textContent()).resolves.toBe("1");
    await expect(page.getByTestId("screening-screened-out").textContent()).resolves.toBe("1");
    const failedByRow = await page.getByTestId("screening-row").evaluateAll((rows) => rows.map((row) => [row.children[0]?.textContent, row.children[3]?.textContent]));
    expect(Object.fromEntries(failedByRow)).toMatchObject({
      "Protan plates (red–green, L cones)": "1",
      "Deutan plates (red–green, M cones)": "0",
      "Tritan plates (blue–yellow, S cones)": "0",
      "Control plate (anyone can see it)": "0",
      "Display checks (dark, light, saturated)": "0",
    });
    await expect(page.getByTestId("rater-screening").allTextContents()).resolves.toEqual(expect.arrayContaining(["passed", "screened out"]));
    await researcher.close();

    const stored = await app.inspectAfterStop(async (db) =>
      db.raterSession.findMany({
        where: { studyId },
        select: { recruiter: true, status: true, screening: { select: { outcome: true, protanFailed: true, deutanFailed: true } }, trials: { select: { response: { select: { id: true } } } } },
      }),
    );
    const byRecruiter = new Map(stored.map((session) => [session.recruiter, session]));
    expect(byRecruiter.get("link")).toMatchObject({ status: "completed", screening: { outcome: "passed", protanFailed: false } });
    expect(byRecruiter.get("link")?.trials.every((trial) => trial.response !== null)).toBe(true);
    expect(byRecruiter.get("link")?.trials).toHaveLength(3);
    expect(byRecruiter.get("prolific")).toMatchObject({ status: "screened_out", screening: { outcome: "screened_out", protanFailed: true, deutanFailed: false }, trials: [] });
  }, 300_000);
});
