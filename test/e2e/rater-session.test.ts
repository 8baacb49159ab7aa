import { createHash } from "node:crypto";
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
    await expect(page.getByTestId("completion-code").textContent()).resolves.toContain("SEEDCODE42");

    // A second rater reloads after three answers and resumes at the next unanswered trial.
    const second = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const phone = await second.newPage();
    await phone.goto(`${app.url}/s/${studyId}?PROLIFIC_PID=reloader&STUDY_ID=s1&SESSION_ID=x1`);
    await phone.getByTestId("consent-accept").click();
    expect(await answerTrials(phone, "right", 3)).toBe(3);
    await phone.reload();
    expect(await answerTrials(phone, "right")).toBe(TOTAL_TRIALS - 3);

    await context.close();
    await second.close();
    const stored = await app.inspectAfterStop(async (db) =>
      db.raterSession.findMany({
        where: { studyId },
        select: { status: true, recruiter: true, trials: { select: { kind: true, response: { select: { chosenSide: true, frameIntervalMs: true, exposureLeftMs: true } } } } },
      }),
    );
    expect(stored).toHaveLength(2);
    for (const session of stored) {
      expect(session.status).toBe("completed");
      expect(session.trials).toHaveLength(TOTAL_TRIALS);
      expect(session.trials.every((trial) => trial.response !== null)).toBe(true);
      expect(session.trials.filter((trial) => trial.kind === "vigilance")).toHaveLength(1);
      expect(session.trials.filter((trial) => trial.kind === "practice")).toHaveLength(2);
      for (const trial of session.trials) {
        expect(trial.response!.frameIntervalMs).toBeGreaterThan(0);
        expect(trial.response!.exposureLeftMs).toBeGreaterThan(0);
      }
    }
    expect(stored.find((s) => s.recruiter === "prolific")!.trials.every((t) => t.response!.chosenSide === "right")).toBe(true);
  });
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
    for (const { response, bytes, meta } of fetched) {
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("image/jpeg");
      expect(response.headers.get("cache-control")).toBe("private, max-age=31536000, immutable");
      expect(response.headers.get("etag")).not.toContain(createHash("sha256").update(bytes).digest("hex"));
      expect(meta.exif).toBeUndefined();
      expect(meta.icc).toBeUndefined();
    }
    expect(fetched[0]!.meta.format).toBe(fetched[1]!.meta.format);
    expect([fetched[0]!.meta.width, fetched[0]!.meta.height]).toEqual([fetched[1]!.meta.width, fetched[1]!.meta.height]);

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
});
