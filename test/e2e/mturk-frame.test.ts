import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { startApp, type RunningApp } from "../support/app-server";
import { appDatabaseKind } from "../support/database";
import { launchBrowser } from "../support/browser";
import { seedStudy } from "../support/seed-study";
import { syntheticPhoto } from "../support/test-images";

// MTurk shows an ExternalQuestion inside an iframe of its own site. Here a page on
// http://localhost:<port> frames the rater page of the app on http://127.0.0.1:<port>: another
// site, so a SameSite=Lax cookie would never be stored, the images would answer 404 and the
// rater would wait on "Loading the photos…" for ever. The whole session must run in the frame.
const protocol = {
  practiceTrials: 1,
  testTrials: 3,
  vigilanceShare: 0,
  practiceFeedbackMs: 300,
  presentation: { mode: "sequential" as const, exposureMs: 200, blankMs: 100 },
};
const TOTAL_TRIALS = 4;

describe("the rater page framed cross-site, as MTurk frames it", () => {
  let app: RunningApp;
  let browser: Browser;
  let parent: Server;
  let parentOrigin = "";
  let studyId = "";

  beforeAll(async () => {
    // The framing page's server first: its origin goes into the app's frame-ancestors.
    let frameSrc = "";
    parent = createServer((_request, response) => {
      response.writeHead(200, { "content-type": "text/html" });
      response.end(`<!doctype html><title>HIT</title><iframe id="hit" src="${frameSrc}" width="1100" height="850"></iframe>`);
    });
    await new Promise<void>((resolve) => parent.listen(0, "127.0.0.1", resolve));
    parentOrigin = `http://localhost:${(parent.address() as AddressInfo).port}`;
    app = await startApp(appDatabaseKind(), { RATER_FRAME_ANCESTORS: parentOrigin }, {
      seed: async (db) => {
        const seeded = await seedStudy(db, {
          stimuli: 6,
          methods: ["full"],
          protocol,
          imageBytes: async (kind, index) => ({ bytes: await syntheticPhoto(256, 256, index + (kind === "real" ? 0 : 50), "jpeg"), mimeType: "image/jpeg", width: 256, height: 256 }),
        });
        studyId = seeded.study.id;
      },
    });
    const params = new URLSearchParams({ workerId: "A3FRAMEDWORKER", assignmentId: "FRAMEDASSIGNMENT", hitId: "FRAMEDHIT", turkSubmitTo: "https://workersandbox.mturk.com" });
    frameSrc = `${app.url}/s/${studyId}?${params}`;
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await new Promise((resolve) => parent?.close(resolve));
  });

  it("stores the rater's cookie inside the frame, shows the photos and reaches MTurk's submit form", async () => {
    expect(new URL(parentOrigin).hostname).not.toBe(new URL(app.url).hostname);
    const context = await browser.newContext({ viewport: { width: 1200, height: 950 } });
    const page = await context.newPage();
    const imageStatuses: number[] = [];
    page.on("response", (response) => {
      if (response.url().includes("/api/rater/images/")) imageStatuses.push(response.status());
    });
    await page.goto(`${parentOrigin}/`);
    const frame = page.frameLocator("#hit");
    await frame.getByTestId("consent-accept").click();

    let answered = 0;
    for (;;) {
      const next = frame.locator("[data-testid=choose-left]:not([disabled]), [data-testid=start-test], [data-testid=completion-code]");
      await next.first().waitFor({ state: "visible", timeout: 30_000 });
      const testId = await next.first().getAttribute("data-testid");
      if (testId === "completion-code") break;
      await next.first().click();
      if (testId === "choose-left") {
        answered += 1;
        await frame.locator("[data-testid=choose-left]:not([disabled])").first().waitFor({ state: "detached", timeout: 30_000 }).catch(() => undefined);
      }
    }
    expect(answered).toBe(TOTAL_TRIALS);
    expect(imageStatuses.length).toBeGreaterThanOrEqual(2 * TOTAL_TRIALS);
    expect(imageStatuses.every((status) => status === 200 || status === 304)).toBe(true);
    // The completion form posts to MTurk's sandbox with the assignment and this session's code.
    const form = frame.locator("form[action='https://workersandbox.mturk.com/mturk/externalSubmit']");
    await expect(form.count()).resolves.toBe(1);
    await expect(form.locator("input[name=assignmentId]").getAttribute("value")).resolves.toBe("FRAMEDASSIGNMENT");
    // The cookie lives in the framing site's partition only.
    const cookies = await context.cookies(app.url);
    const rater = cookies.find((cookie) => cookie.name.startsWith("ctt_rater_"));
    expect(rater).toMatchObject({ sameSite: "None", secure: true, httpOnly: true });
    await context.close();

    const stored = await app.inspectAfterStop(async (db) => db.raterSession.findMany({ where: { studyId }, select: { status: true, recruiter: true, completionCode: true, _count: { select: { trials: true } } } }));
    expect(stored).toEqual([{ status: "completed", recruiter: "mturk", completionCode: expect.stringMatching(/^[A-HJ-NP-Z2-9]{10}$/), _count: { trials: TOTAL_TRIALS } }]);
  }, 180_000);
});
