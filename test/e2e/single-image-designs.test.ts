import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { hashPassword } from "@/lib/auth/password";
import { startApp, type RunningApp } from "../support/app-server";
import { appDatabaseKind } from "../support/database";
import { launchBrowser } from "../support/browser";
import { seedStudy } from "../support/seed-study";
import { syntheticPhoto } from "../support/test-images";

// A rater through a single-image study (HYPE∞) and through an adaptive-exposure study (HYPE-time)
// in real Chromium against the production build, then the researcher's dashboard counting them.

const PASSWORD = "correct horse battery";
// Headless Chromium's frames are not a lab display: timing flags must not exclude the raters here.
const exclusion = { maxVigilanceFailures: 1, maxTimingFlaggedShare: 1, maxTooFastAnswers: 1000 };
const common = { practiceTrials: 2, testTrials: 6, vigilanceShare: 0, practiceFeedbackMs: 300, exclusion, instructions: "Is each photo real or fake?" };
const TOTAL_TRIALS = 8;

/** Answers single-image trials (always `key`: r = real, f = fake) until the completion screen. */
async function judgeTrials(page: Page, key: "r" | "f"): Promise<number> {
  let answered = 0;
  for (;;) {
    const next = page.locator(`[data-testid=judge-real]:not([disabled]), [data-testid=start-test], [data-testid=completion-code]`);
    await next.first().waitFor({ state: "visible", timeout: 30_000 });
    const testId = await next.first().getAttribute("data-testid");
    if (testId === "completion-code") return answered;
    if (testId === "start-test") {
      await next.first().click();
      continue;
    }
    const trialId = await page.getByTestId("single-stage").getAttribute("data-trial-id");
    await page.keyboard.press(key);
    answered += 1;
    // This trial's stage leaves (after the practice feedback, or at once for the next trial).
    await page.locator(`[data-testid=single-stage][data-trial-id="${trialId}"]`).waitFor({ state: "detached", timeout: 30_000 });
  }
}

describe("single-image designs in a real browser", () => {
  let app: RunningApp;
  let browser: Browser;
  const ids = { single: "", adaptive: "", email: "" };

  beforeAll(async () => {
    app = await startApp(appDatabaseKind(), {}, {
      seed: async (db) => {
        const imageBytes = async (kind: string, index: number) => ({ bytes: await syntheticPhoto(256, 256, index + (kind === "real" ? 0 : 50), "jpeg"), mimeType: "image/jpeg", width: 256, height: 256 });
        const single = await seedStudy(db, { stimuli: 10, methods: ["Ours"], imageBytes, protocol: { ...common, trialFormat: { kind: "single-image", realShare: 0.5 } } });
        const adaptive = await seedStudy(db, { stimuli: 10, methods: ["Ours"], imageBytes, protocol: { ...common, trialFormat: { kind: "adaptive-exposure" } } });
        // One researcher owns both studies and can sign in.
        await db.study.update({ where: { id: adaptive.study.id }, data: { teamId: single.team.id, ownerId: single.researcher.id } });
        await db.researcher.update({ where: { id: single.researcher.id }, data: { passwordHash: await hashPassword(PASSWORD) } });
        Object.assign(ids, { single: single.study.id, adaptive: adaptive.study.id, email: single.researcher.email });
      },
    });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it("single-image: one photo at a time, Real or Fake, practice feedback, to the completion code", async () => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${app.url}/s/${ids.single}`);
    await expect(page.getByTestId("answer-keys").textContent()).resolves.toMatch(/Real.*Fake.*R.*F/);
    await page.getByTestId("consent-accept").click();
    // The first practice photo stays until the answer (untimed), alone on the stage.
    await page.locator("[data-testid=judge-real]:not([disabled])").waitFor({ timeout: 30_000 });
    await expect(page.getByTestId("single-stage").getAttribute("data-display")).resolves.toBe("left");
    await expect(page.locator("[data-testid=single-stage] img").count()).resolves.toBe(1);
    await page.getByTestId("judge-real").click();
    await expect(page.getByTestId("feedback").textContent()).resolves.toMatch(/this photo (has its real colours|was colorized by a computer)/);
    expect(1 + (await judgeTrials(page, "r"))).toBe(TOTAL_TRIALS);
    await expect(page.getByTestId("completion-code").textContent()).resolves.toMatch(/[A-HJ-NP-Z2-9]{10}/);
    await context.close();
  });

  it("adaptive exposure: each photo for the server's exposure, then the mask, to the completion code", async () => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${app.url}/s/${ids.adaptive}`);
    await expect(page.getByTestId("trial-course").textContent()).resolves.toMatch(/short time.*pattern covers it/);
    // Watch the stage from the first frame: the photo, then the mask, then the answer.
    const sequence = page.evaluate(
      () =>
        new Promise<string[]>((resolve) => {
          const seen: string[] = [];
          const poll = () => {
            const display = document.querySelector("[data-testid=single-stage]")?.getAttribute("data-display");
            if (display && seen[seen.length - 1] !== display) seen.push(display);
            if (display === "choice" || seen.length > 6) resolve(seen);
            else requestAnimationFrame(poll);
          };
          requestAnimationFrame(poll);
        }),
    );
    await page.getByTestId("consent-accept").click();
    await page.locator("[data-testid=judge-fake]:not([disabled])").waitFor({ timeout: 30_000 });
    await page.keyboard.press("f");
    expect(await sequence).toEqual(["fixation", "left", "blank", "choice"]);
    await page.getByTestId("feedback").waitFor();
    expect(1 + (await judgeTrials(page, "f"))).toBe(TOTAL_TRIALS);
    await context.close();
  });

  it("the dashboard counts both sessions with each design's figures; the answers and exposures are stored", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${app.url}/sign-in`);
    await page.getByLabel("Email", { exact: true }).fill(ids.email);
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/studies$/);

    await page.goto(`${app.url}/studies/${ids.single}/dashboard`);
    const single = page.getByTestId("design-figures");
    await single.waitFor({ timeout: 60_000 });
    await expect(single.getAttribute("data-design")).resolves.toBe("single-image");
    const singleRow = page.getByTestId("design-row-Ours");
    await expect(singleRow.getByTestId("design-raters").textContent()).resolves.toBe("1");
    await expect(singleRow.getByTestId("design-trials").textContent()).resolves.toBe("3 / 3");
    // Every photo judged real: all 3 fakes judged real, no real judged fake → HYPE∞ 50%.
    await expect(singleRow.getByTestId("hype-infinity").textContent()).resolves.toMatch(/^50\.0%/);
    await expect(page.getByTestId("methods-paragraph").textContent()).resolves.toContain("HYPE∞ (Zhou et al. 2019)");

    await page.goto(`${app.url}/studies/${ids.adaptive}/dashboard`);
    await page.getByTestId("design-figures").waitFor({ timeout: 60_000 });
    await expect(page.getByTestId("design-figures").getAttribute("data-design")).resolves.toBe("adaptive-exposure");
    const adaptiveRow = page.getByTestId("design-row-Ours");
    await expect(adaptiveRow.getByTestId("design-raters").textContent()).resolves.toBe("1");
    await expect(adaptiveRow.getByTestId("threshold").textContent()).resolves.toMatch(/^\d+ ms/);
    await expect(page.getByTestId("methods-paragraph").textContent()).resolves.toMatch(/adaptive-exposure design.*threshold \d+ ms/);
    await context.close();

    const stored = await app.inspectAfterStop(async (db) =>
      db.raterSession.findMany({
        select: { studyId: true, status: true, trials: { orderBy: { position: "asc" }, select: { kind: true, showsReal: true, exposureMs: true, response: { select: { judgedReal: true, correct: true, chosenSide: true, exposureLeftMs: true } } } } },
      }),
    );
    expect(stored).toHaveLength(2);
    for (const session of stored) {
      expect(session.status).toBe("completed");
      expect(session.trials).toHaveLength(TOTAL_TRIALS);
      expect(session.trials.every((trial) => trial.response !== null && trial.response.chosenSide === null && trial.showsReal !== null)).toBe(true);
    }
    const single2 = stored.find((session) => session.studyId === ids.single)!;
    expect(single2.trials.every((trial) => trial.response!.judgedReal === true && trial.exposureMs === null)).toBe(true);
    const adaptive = stored.find((session) => session.studyId === ids.adaptive)!;
    expect(adaptive.trials.every((trial) => trial.response!.judgedReal === false)).toBe(true);
    // The staircase from the stored answers (answering "fake" is right for a fake, wrong for a real):
    // replayed here by hand for the test trials, 3 correct → 50 ms shorter, 1 wrong → 50 ms longer.
    let level = 500;
    let run = 0;
    for (const trial of adaptive.trials.filter((entry) => entry.kind === "test")) {
      expect(trial.exposureMs).toBe(level);
      // The page measured its exposure within a few frames of the server's.
      expect(Math.abs(trial.response!.exposureLeftMs! - level)).toBeLessThan(60);
      if (trial.response!.correct) {
        run += 1;
        if (run === 3) {
          level = Math.max(100, level - 50);
          run = 0;
        }
      } else {
        level = Math.min(1000, level + 50);
        run = 0;
      }
    }
    expect(adaptive.trials.filter((trial) => trial.kind === "practice").every((trial) => trial.exposureMs === 500)).toBe(true);
  });
});
