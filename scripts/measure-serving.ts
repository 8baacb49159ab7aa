// `npm run measure:serving -- <photo folder> [--limit N]`: what serving a trial's pair through
// lib/images/trial-pair.ts costs, beside what the stored JPEG itself costs. For each photo, its stored real stimulus and a Gray-baseline
// fake (L only) are rendered as a study stores them, then served as one trial pair; printed:
// the colour difference between stored and served pixels (CIEDE2000 mean and 99th percentile over
// pixels, CIE76 mean), the stored and served byte sizes (real ÷ fake), and the time per pair.
import { readdir, readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import sharp from "sharp";
import { decodeImage } from "@/lib/images/decode";
import { renderFakeStimulus, renderRealStimulus } from "@/lib/images/render-stimulus";
import { renderServedPair } from "@/lib/images/trial-pair";
import { imageDeltaE } from "@/lib/metrics/delta-e";
import { CliUsageError, runScript } from "./support/run-script";

const decodeRgb = async (bytes: Uint8Array) => new Uint8Array((await sharp(bytes).removeAlpha().raw().toBuffer()).buffer.slice(0));
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;

runScript(async () => {
  const args = process.argv.slice(2);
  const folder = args.find((arg) => !arg.startsWith("--"));
  const limitIndex = args.indexOf("--limit");
  const limit = limitIndex >= 0 ? Number(args[limitIndex + 1]) : 50;
  if (!folder || !Number.isInteger(limit) || limit < 1) throw new CliUsageError("usage: npm run measure:serving -- <photo folder> [--limit N]");
  const files = (await readdir(folder)).filter((name) => /\.(jpe?g|png|webp)$/i.test(name)).sort().slice(0, limit);
  if (files.length === 0) throw new CliUsageError(`no photos in ${folder}`);

  const meanDe2000: number[] = [];
  const p99De2000: number[] = [];
  const meanDe76: number[] = [];
  const storedRatio: number[] = [];
  const servedRatio: number[] = [];
  const servedOverStored: number[] = [];
  const pairMs: number[] = [];
  const storedJpegDe2000: number[] = [];
  let servedBytes = 0;
  let servedSize = "";
  for (const [index, file] of files.entries()) {
    const photo = await readFile(path.join(folder, file));
    const decoded = await decodeImage(photo);
    const real = await renderRealStimulus(photo);
    // For scale: what the stored JPEG's own compression costs against the same rendering kept lossless.
    const lossless = await renderRealStimulus(photo, { format: "png" });
    storedJpegDe2000.push(imageDeltaE(await decodeRgb(lossless.bytes), await decodeRgb(real.bytes)).meanDeltaE2000);
    const gray = await renderFakeStimulus(photo, new Float32Array(2 * decoded.width * decoded.height));
    const started = performance.now();
    const realOnLeft = index % 2 === 0;
    const pair = await renderServedPair(realOnLeft ? real.bytes : gray.bytes, realOnLeft ? gray.bytes : real.bytes, BigInt(index + 1));
    pairMs.push(performance.now() - started);
    const [servedReal, servedGray] = realOnLeft ? [pair.left, pair.right] : [pair.right, pair.left];
    for (const [stored, served] of [[real.bytes, servedReal], [gray.bytes, servedGray]] as const) {
      const difference = imageDeltaE(await decodeRgb(stored), await decodeRgb(served));
      meanDe2000.push(difference.meanDeltaE2000);
      p99De2000.push(difference.p99DeltaE2000);
      meanDe76.push(difference.meanDeltaE76);
      servedOverStored.push(served.length / stored.length);
    }
    storedRatio.push(real.bytes.length / gray.bytes.length);
    servedBytes = servedReal.length;
    servedSize = `${real.width}×${real.height}`;
    servedRatio.push(servedReal.length / servedGray.length);
  }
  const load = os.loadavg().map((value) => value.toFixed(2)).join(" ");
  console.log(`Serving cost over ${files.length} photos of ${folder} (${2 * files.length} served images; load average ${load})`);
  console.log(`  ΔE (CIEDE2000) stored → served, per image mean:  mean ${mean(meanDe2000).toFixed(3)}, largest ${Math.max(...meanDe2000).toFixed(3)}`);
  console.log(`  for scale, the stored JPEG's own cost (ΔE2000 lossless → stored, per image mean): mean ${mean(storedJpegDe2000).toFixed(3)}`);
  console.log(`  ΔE (CIEDE2000) per image 99th percentile:        median ${median(p99De2000).toFixed(3)}, largest ${Math.max(...p99De2000).toFixed(3)}`);
  console.log(`  ΔE (CIE76) per image mean:                       mean ${mean(meanDe76).toFixed(3)}, largest ${Math.max(...meanDe76).toFixed(3)}`);
  console.log(`  bytes real ÷ fake, stored:  median ${median(storedRatio).toFixed(3)}, range ${Math.min(...storedRatio).toFixed(3)}–${Math.max(...storedRatio).toFixed(3)}`);
  console.log(`  bytes real ÷ fake, served:  median ${median(servedRatio).toFixed(3)}, range ${Math.min(...servedRatio).toFixed(3)}–${Math.max(...servedRatio).toFixed(3)}`);
  console.log(`  served ÷ stored bytes:      median ${median(servedOverStored).toFixed(3)}; served file ${servedBytes.toLocaleString("en")} bytes at ${servedSize}`);
  console.log(`  time per pair (decode, noise, encode; both sides): median ${median(pairMs).toFixed(1)} ms`);
});
