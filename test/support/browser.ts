import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";
import { packagedChromium } from "./packaged-chromium";

const DEBIAN_CHROMIUM = "/usr/bin/chromium";

/**
 * The browser the end-to-end tests drive: `CHROMIUM_PATH` when set, else Debian's Chromium when
 * installed, else the one `npm ci` brought (test/support/packaged-chromium.ts). Never a browser
 * downloaded at test time.
 */
export async function chromiumExecutable(): Promise<string> {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  if (existsSync(DEBIAN_CHROMIUM)) return DEBIAN_CHROMIUM;
  return (await packagedChromium()).executable;
}

/**
 * Headless Chromium driven by playwright-core. The flags keep it from reaching for the network
 * this machine does not have; playwright gives each launch a fresh temporary profile.
 */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: await chromiumExecutable(),
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
