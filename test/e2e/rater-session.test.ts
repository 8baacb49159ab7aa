import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { startApp, type RunningApp } from "../support/app-server";
import { appDatabaseKind } from "../support/database";
import { launchBrowser } from "../support/browser";
import { seedStudy } from "../support/seed-study";
import { syntheticPhoto } from "../support/test-images";
import { HttpClient } from "../support/http-client";

// The rater's whole path in real Chromium against the production build.
const protocol = {
  practiceTrials: 2,
  testTrials: 5,
  vigilanceShare: 0.2,
  practiceFeedbackMs: 300,
  presentation: { mode: "sequential" as const, exposureMs: 300, blankMs: 100 },
};
const TOTAL_TRIALS = 7;

/** The production app on a fresh database with one open study of real JPEG stimuli. */
async function startSeededApp(): Promise<{ app: RunningApp; studyId: string }> {
  let studyId = "";
  const app = await startApp(appDatabaseKind(), {}, {
    seed: async (db) => {
      const seeded = await seedStudy(db, {
        stimuli: 10,
        methods: ["full"],
        protocol,
        imageBytes: async (kind, index) => ({ bytes: await syntheticPhoto(256, 256, index + (kind === "real" ? 0 : 50), "jpeg"), mimeType: "image/jpeg", width: 256, height: 256 }),
      });
      studyId = seeded.study.id;
    },
  });
  return { app, studyId };
}

/** Answers trials (always `side`) until `stopAfter` answers or the completion screen. */
async function answerTrials(page: Page, side: "left" | "right", stopAfter = Number.POSITIVE_INFINITY): Promise<number> {
  let answered = 0;
  for (;;) {
    const next = page.locator(
      `[data-testid=choose-${side}]:not([disabled]), [data-testid=start-test], [data-testid=resume-continue], [data-testid=completion-code]`,
    );
    await next.first().waitFor({ state: "visible", timeout: 30_000 });
    const testId = await next.first().getAttribute("data-testid");
    if (testId === "completion-code") return answered;
    if (testId === "start-test" || testId === "resume-continue") {
      await next.first().click();
      continue;
    }
    if (answered >= stopAfter) return answered;
    await page.keyboard.press(side === "left" ? "ArrowLeft" : "ArrowRight");
    answered += 1;
    // Wait until this trial's buttons are gone (feedback or the next trial's exposure).
    await page.locator(`[data-testid=choose-${side}]:not([disabled])`).first().waitFor({ state: "detached", timeout: 30_000 }).catch(() => undefined);
  }
}

describe("a rater in a real browser", () => {
  let app: RunningApp;
  let browser: Browser;
  let studyId = "";

  beforeAll(async () => {
    ({ app, studyId } = await startSeededApp());
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it("completes a whole session (practice, test, vigilance) and sees the completion code; a reloaded session resumes", async () => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${app.url}/s/${studyId}`);
    await page.getByTestId("consent-accept").click();
    expect(await answerTrials(page, "left")).toBe(TOTAL_TRIALS);
    // The session's own code, not the study's.
    const shownCode = (await page.getByTestId("completion-code").textContent())?.match(/[A-HJ-NP-Z2-9]{10}/)?.[0];
    expect(shownCode).toBeDefined();
    expect(shownCode).not.toBe("SEEDCODE42");

    // A second rater, on a phone in portrait (photos stacked), reloads after three answers and
    // resumes at the next unanswered trial.
    const second = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const phone = await second.newPage();
    await phone.goto(`${app.url}/s/${studyId}?PROLIFIC_PID=reloader&STUDY_ID=s1&SESSION_ID=x1`);
    // Stacked photos are top and bottom in every word the rater reads: instructions, keys, labels,
    // buttons and the practice feedback (the API keeps left/right for first/second).
    // (The page learns the window's layout once mounted.)
    await phone.getByTestId("trial-course").filter({ hasText: /the top photo .* then the bottom photo/ }).waitFor();
    await expect(phone.getByTestId("answer-keys").textContent()).resolves.toMatch(/Top is real.*Bottom is real.*↑.*↓/);
    await phone.getByTestId("consent-accept").click();
    await phone.locator("[data-testid=choose-left]:not([disabled])").waitFor({ timeout: 30_000 });
    await expect(phone.getByTestId("choose-left").textContent()).resolves.toMatch(/^Top is real/);
    await expect(phone.getByTestId("choose-right").textContent()).resolves.toMatch(/^Bottom is real/);
    await expect(phone.getByTestId("trial-stage").textContent()).resolves.not.toMatch(/Left|Right/);
    await phone.keyboard.press("ArrowDown");
    await expect(phone.getByTestId("feedback").textContent()).resolves.toMatch(/the (top|bottom) photo is the real one/);
    expect(await answerTrials(phone, "right", 2)).toBe(2);
    await phone.reload();
    // One count: two practice pairs and one test pair are done, so "1 of 5 pairs" and "Trial 2 of 5".
    await expect(phone.getByTestId("resume-continue").locator("xpath=..").textContent()).resolves.toContain("You have answered 1 of 5 pairs");
    await phone.getByTestId("resume-continue").click();
    await expect(phone.getByTestId("trial-phase").textContent()).resolves.toBe("Trial 2 of 5");
    expect(await answerTrials(phone, "right")).toBe(TOTAL_TRIALS - 3);

    await context.close();
    await second.close();
    const stored = await app.inspectAfterStop(async (db) =>
      db.raterSession.findMany({
        where: { studyId },
        select: { status: true, recruiter: true, completionCode: true, trials: { select: { kind: true, response: { select: { chosenSide: true, frameIntervalMs: true, exposureLeftMs: true, tooFast: true } } } } },
      }),
    );
    expect(stored).toHaveLength(2);
    expect(stored.find((s) => s.recruiter === "link")!.completionCode).toBe(shownCode);
    for (const session of stored) {
      expect(session.status).toBe("completed");
      expect(session.trials).toHaveLength(TOTAL_TRIALS);
      expect(session.trials.every((trial) => trial.response !== null)).toBe(true);
      expect(session.trials.filter((trial) => trial.kind === "vigilance")).toHaveLength(1);
      expect(session.trials.filter((trial) => trial.kind === "practice")).toHaveLength(2);
      for (const trial of session.trials) {
        expect(trial.response!.frameIntervalMs).toBeGreaterThan(0);
        expect(trial.response!.exposureLeftMs).toBeGreaterThan(0);
        // A real browser following the protocol never answers sooner than the server allows.
        expect(trial.response!.tooFast).toBe(false);
      }
    }
    expect(stored.find((s) => s.recruiter === "prolific")!.trials.every((t) => t.response!.chosenSide === "right")).toBe(true);
  }, 180_000);
});

describe("what a rater can see", () => {
  let app: RunningApp;
  let browser: Browser;
  let studyId = "";

  beforeAll(async () => {
    ({ app, studyId } = await startSeededApp());
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it("payloads and image URLs leak nothing about the answer before it is given", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const payloads: { url: string; body: string }[] = [];
    page.on("response", async (response) => {
      if (response.url().includes("/api/rater/") && !response.url().includes("/images/")) {
        payloads.push({ url: response.url(), body: await response.text().catch(() => "") });
      }
    });
    await page.goto(`${app.url}/s/${studyId}`);
    await page.getByTestId("consent-accept").click();
    await answerTrials(page, "left", 3);

    const sessionPayloads = payloads.filter((payload) => payload.body.includes('"next"'));
    expect(sessionPayloads.length).toBeGreaterThan(0);
    for (const payload of sessionPayloads) {
      const body = JSON.parse(payload.body) as { session: { next: Record<string, unknown> | null } };
      const next = JSON.stringify(body.session.next);
      for (const secret of ["realOnLeft", "realSide", "correct", "fooled", "vigilance", "method", "candidate", "stimulus", "sha256"]) {
        expect(next).not.toContain(secret);
      }
      expect(next).not.toMatch(/[0-9a-f]{64}/);
      if (body.session.next) {
        expect(body.session.next.leftUrl).toMatch(/^\/api\/rater\/images\/[A-Za-z0-9_-]{16,64}$/);
        expect(body.session.next.rightUrl).toMatch(/^\/api\/rater\/images\/[A-Za-z0-9_-]{16,64}$/);
      }
    }

    // Both images of the current trial: same encoder, no metadata, ETags that are not content hashes.
    const state = await page.evaluate(async (id) => (await (await fetch(`/api/rater/sessions/current?studyId=${id}`)).json()) as { session: { next: { leftUrl: string; rightUrl: string } } }, studyId);
    const cookies = await context.cookies();
    const cookieHeader = cookies.map((cookie) => `${cookie.name}=${cookie.value}`).join("; ");
    const fetched = await Promise.all(
      [state.session.next.leftUrl, state.session.next.rightUrl].map(async (url) => {
        const response = await fetch(`${app.url}${url}`, { headers: { cookie: cookieHeader } });
        const bytes = Buffer.from(await response.arrayBuffer());
        return { response, bytes, meta: await sharp(bytes).metadata() };
      }),
    );
    for (const { response, meta } of fetched) {
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("image/png");
      expect(response.headers.get("cache-control")).toBe("private, no-store");
      expect(response.headers.get("etag")).toBeNull();
      expect(meta.exif).toBeUndefined();
      expect(meta.icc).toBeUndefined();
    }
    expect(fetched[0]!.meta.format).toBe(fetched[1]!.meta.format);
    expect([fetched[0]!.meta.width, fetched[0]!.meta.height]).toEqual([fetched[1]!.meta.width, fetched[1]!.meta.height]);
    expect(fetched[0]!.bytes.length).toBe(fetched[1]!.bytes.length);

    // Another rater (or nobody) cannot fetch these images or answer this trial.
    const stranger = new HttpClient(app.url);
    expect((await stranger.get(state.session.next.leftUrl)).status).toBe(404);
    await stranger.post("/api/rater/sessions", { studyId, params: {}, screen: null });
    expect((await stranger.get(state.session.next.leftUrl)).status).toBe(404);
    const trialId = (JSON.parse(sessionPayloads.at(-1)!.body) as { session: { next: { trialId: string } } }).session.next.trialId;
    const forged = await stranger.post(`/api/rater/trials/${trialId}/answer`, {
      idempotencyKey: "forged-answer-1",
      chosenSide: "left",
      responseTimeMs: 500,
      timing: { frameIntervalMs: 16.7, exposureLeftMs: 300, exposureRightMs: 300, onsets: {}, offsets: {}, flagged: false },
    });
    expect(forged.status).toBe(404);
    await context.close();
  });

  it("the photos leave the page when their exposure ends; answered trials' photos are gone; the page loads without errors", async () => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const page = await context.newPage();
    const failures: string[] = [];
    page.on("response", (response) => {
      if (response.status() >= 400) failures.push(`${response.status()} ${new URL(response.url()).pathname}`);
    });
    page.on("console", (message) => {
      if (message.type() === "error") failures.push(`console: ${message.text()}`);
    });
    // Every image element the page inserts, as the DOM describes it apart from its source and its
    // alt text (which names the side, "Left photo" or "Right photo"): the real photo and the fake
    // must not differ in attributes, classes or their order.
    await page.addInitScript(() => {
      const seen: string[] = [];
      (window as unknown as { photoElements: string[] }).photoElements = seen;
      new MutationObserver((mutations) => {
        for (const mutation of mutations) {
          for (const node of mutation.addedNodes) {
            const images = node instanceof HTMLImageElement ? [node] : node instanceof Element ? [...node.querySelectorAll("img")] : [];
            for (const image of images) seen.push(image.getAttributeNames().filter((name) => name !== "src" && name !== "alt").map((name) => `${name}=${image.getAttribute(name)}`).join(" "));
          }
        }
      }).observe(document, { childList: true, subtree: true });
    });
    await page.goto(`${app.url}/s/${studyId}`);
    await page.getByTestId("consent-accept").waitFor();
    // No favicon 404 and no 401 from asking for a session this browser does not have.
    await page.waitForLoadState("networkidle");
    expect(failures).toEqual([]);
    await page.getByTestId("consent-accept").click();

    const seenUrls: string[] = [];
    for (let trial = 0; trial < 4; trial++) {
      await page.locator("[data-testid=start-test]:visible, [data-testid=choose-left]:not([disabled])").first().waitFor({ timeout: 30_000 });
      if (await page.getByTestId("start-test").isVisible()) {
        await page.getByTestId("start-test").click();
        await page.locator("[data-testid=choose-left]:not([disabled])").waitFor({ timeout: 30_000 });
      }
      // The choice: both exposures are over and no image element is left in the document.
      expect(await page.evaluate(() => document.querySelectorAll("img").length)).toBe(0);
      // What the browser fetched for this pair: one length for both (the Resource Timing entries).
      const sizes = await page.evaluate(() =>
        (performance.getEntriesByType("resource") as PerformanceResourceTiming[])
          .filter((entry) => entry.name.includes("/api/rater/images/"))
          .map((entry) => ({ url: new URL(entry.name).pathname, encoded: entry.encodedBodySize, decoded: entry.decodedBodySize })),
      );
      const current = sizes.filter((entry) => !seenUrls.includes(entry.url)).slice(0, 2);
      for (const entry of sizes) if (!seenUrls.includes(entry.url)) seenUrls.push(entry.url);
      if (current.length === 2) expect(current[0]!.encoded).toBe(current[1]!.encoded);
      await page.keyboard.press("ArrowLeft");
      await page.locator("[data-testid=choose-left]:not([disabled])").first().waitFor({ state: "detached", timeout: 30_000 }).catch(() => undefined);
    }
    // The DOM told nothing either: every photo element the page inserted looked the same but for its source.
    const photoElements = await page.evaluate(() => (window as unknown as { photoElements: string[] }).photoElements);
    expect(photoElements.length).toBeGreaterThanOrEqual(8);
    expect(new Set(photoElements).size, photoElements.join("\n")).toBe(1);
    // The first trial's photos now answer 410 Gone to the very page that showed them.
    const statuses = await page.evaluate(async (urls) => Promise.all(urls.map(async (url) => (await fetch(url, { cache: "no-store" })).status)), seenUrls.slice(0, 2));
    expect(statuses).toEqual([410, 410]);
    await context.close();
  }, 180_000);
});
