import { chromium, type Browser } from "playwright-core";

/**
 * Debian's Chromium driven by playwright-core (never a downloaded browser). The flags keep it
 * from reaching for the network this machine does not have; playwright gives each launch a
 * fresh temporary profile.
 */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
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
