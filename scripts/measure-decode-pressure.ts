/**
 * What four concurrent uploads of small PNGs that declare huge images do to a process: its peak
 * memory, and how long a small request's image work (a 256 px JPEG encode, as serving a trial does)
 * waits meanwhile. Runs the same decodes once under the shared pixel budget and once unbounded,
 * each in a child process of its own so their memory does not mix.
 *
 *   npm run measure:decode-pressure [-- --side 6300 --uploads 4]
 */
import { spawnSync } from "node:child_process";
import { parseArgs } from "node:util";
import os from "node:os";
import sharp from "sharp";
import { decodeImage } from "@/lib/images/decode";
import { PixelBudget, decodeBudget } from "@/lib/images/pixel-budget";

interface Figures {
  budget: string;
  peakRssMb: number;
  baselineRssMb: number;
  probeWorstMs: number;
  probeMedianMs: number;
  decodeSeconds: number;
}

async function measureOnce(side: number, uploads: number, bounded: boolean): Promise<Figures> {
  const png = await sharp({ create: { width: side, height: side, channels: 3, background: { r: 40, g: 120, b: 200 } } })
    .png({ compressionLevel: 9 })
    .toBuffer();
  const small = await sharp({ create: { width: 256, height: 256, channels: 3, background: { r: 1, g: 2, b: 3 } } }).raw().toBuffer();
  global.gc?.();
  const baselineRss = process.memoryUsage().rss;
  let peakRss = baselineRss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 5);

  const probeTimes: number[] = [];
  let decoding = true;
  const probe = (async () => {
    while (decoding) {
      const started = performance.now();
      await sharp(small, { raw: { width: 256, height: 256, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
      probeTimes.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();

  const budget = bounded ? decodeBudget : new PixelBudget(Number.MAX_SAFE_INTEGER);
  const started = performance.now();
  // Each upload keeps only what it derives from its pixels (here their count), as the stimulus
  // path keeps a 256 px rendering, so memory measures how many decodes overlap.
  await Promise.all(
    Array.from({ length: uploads }, async () => (await decodeImage(png, { budget, limitInputPixels: side * side })).rgb.length),
  );
  const decodeSeconds = (performance.now() - started) / 1000;
  decoding = false;
  await probe;
  clearInterval(sampler);
  probeTimes.sort((a, b) => a - b);
  return {
    budget: bounded ? `${decodeBudget.limitPixels / 1e6} MP` : "unbounded",
    peakRssMb: Math.round(peakRss / 2 ** 20),
    baselineRssMb: Math.round(baselineRss / 2 ** 20),
    probeWorstMs: Math.round(probeTimes.at(-1) ?? 0),
    probeMedianMs: Math.round(probeTimes[Math.floor(probeTimes.length / 2)] ?? 0),
    decodeSeconds: Math.round(decodeSeconds * 100) / 100,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { side: { type: "string", default: "6300" }, uploads: { type: "string", default: "4" }, child: { type: "string" } },
  });
  const side = Number(values.side);
  const uploads = Number(values.uploads);
  if (values.child) {
    process.stdout.write(JSON.stringify(await measureOnce(side, uploads, values.child === "bounded")));
    return;
  }
  console.log(`${uploads} uploads of ${side}×${side} PNGs decoded at once; load average ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  for (const mode of ["unbounded", "bounded"]) {
    const run = spawnSync(process.execPath, [...process.execArgv, process.argv[1] ?? "", "--side", String(side), "--uploads", String(uploads), "--child", mode], {
      encoding: "utf8",
    });
    if (run.status !== 0) throw new Error(run.stderr);
    const figures = JSON.parse(run.stdout) as Figures;
    console.log(
      `${figures.budget.padEnd(10)} peak RSS ${figures.peakRssMb} MB (from ${figures.baselineRssMb}), ` +
        `a 256 px encode meanwhile: median ${figures.probeMedianMs} ms, worst ${figures.probeWorstMs} ms; decodes took ${figures.decodeSeconds} s`,
    );
  }
  console.log(`load average after: ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
}

await main();
