import { packagedChromium } from "./packaged-chromium";

/**
 * Unpacks the packaged Chromium and SwiftShader once before the test workers start, so parallel
 * files do not each spend the ~10 s unpacking (the browser tests need it when no other Chromium is
 * installed; the WebGPU test always needs SwiftShader).
 */
export default async function setup(): Promise<void> {
  await packagedChromium();
}
