// `npm run calibrate-colours -- --manifest models/full.manifest.json --images DIR [--images DIR …]
//   [--photos 300] [--pixels 96] [--held-out 5] [--iterations 200] [--learning-rate 0.05]
//   [--penalty 0.3] [--out models/full-calibrated.manifest.json] [--threads N] [--json]`
//
// Fits one bias per ab bin so that the colours a class model paints (annealed mean at the
// manifest's temperature) are distributed over the ab plane as the photos' own colours are
// (lib/model/colour-calibration.ts), and writes the calibrated model beside --out:
// - photos: --photos spread evenly over each --images folder (sorted by name), each reduced to the
//   network's input as the colorizer does; its real colours are kept at the network's output size;
//   --pixels pixels per photo, drawn with a fixed seed;
// - every --held-out-th photo is left out of the fit and checks it (0: none);
// - the bias is folded into the Conv that produces the logits (or added after the output), so the
//   calibrated model runs exactly as fast; the manifest records the source, the photos and the
//   divergence before and after (field `colourCalibration`);
// - then it reloads what it wrote and checks that the written model's own output gives the
//   divergence the fit predicted on the held-out photos.
// Use training photos, never the photos a study reports. Quantize after calibrating.
import { mkdir, readFile } from "node:fs/promises";
import os from "node:os";
import { basename, dirname, join } from "node:path";
import { z } from "zod";
import { preparePhoto, type PreparedPhoto } from "@/lib/images/colorize";
import { ImageError } from "@/lib/images/errors";
import { colourDivergence, DEFAULT_PENALTY, fitColourBias, withOutputBias, type ColourSamples } from "@/lib/model/colour-calibration";
import { loadManifest, manifestSchema, type ModelManifest } from "@/lib/model/manifest";
import { parseOnnxModel } from "@/lib/model/onnx-reader";
import { closeColorizers, loadColorizer, type LocalColorizer } from "@/lib/model/session";
import { SeededRandom } from "@/lib/stats/seeded-random";
import { listPhotoNames, spreadEvenly } from "./support/image-folder";
import { derivedModelPaths, sourceRecord } from "./support/derived-model";
import { checkFlags, CliUsageError, readFlags, runScript, writeAtomically } from "./support/run-script";

const USAGE = `usage: npm run calibrate-colours -- --manifest models/full.manifest.json --images DIR [--images DIR …]
       [--photos 300] [--pixels 96] [--held-out 5] [--iterations 200] [--learning-rate 0.05] [--penalty 0.3]
       [--out models/full-calibrated.manifest.json] [--threads N] [--json]`;

const argsSchema = z.object({
  manifest: z.string({ error: "--manifest is required" }).min(1),
  images: z.array(z.string().min(1)).min(1, "--images DIR is required"),
  photos: z.coerce.number().int().min(1).max(100000),
  pixels: z.coerce.number().int().min(1).max(65536),
  heldOut: z.coerce.number().int().min(0),
  iterations: z.coerce.number().int().min(1).max(10000),
  learningRate: z.coerce.number().positive().max(10),
  penalty: z.coerce.number().min(0),
  out: z.string().min(1).optional(),
  threads: z.coerce.number().int().min(1),
  json: z.boolean(),
});

/** Seed of the pixel draws: the same photos give the same pixels. */
const PIXEL_SEED = 20161008;

/** Pixel-major logits and real colours of `pixels` pixels drawn from each photo. */
async function gatherSamples(colorizer: LocalColorizer, photos: readonly PreparedPhoto[], pixels: number, seed: number): Promise<ColourSamples> {
  const { outputChannels: q, outputHeight, outputWidth, outputLayout } = colorizer.manifest;
  const probabilities = colorizer.manifest.manifest.output.kind === "probabilities";
  const plane = outputHeight * outputWidth;
  const perPhoto = Math.min(pixels, plane);
  const logits = new Float32Array(photos.length * perPhoto * q);
  const ab = new Float32Array(photos.length * perPhoto * 2);
  const rng = new SeededRandom(seed);
  const chosen = new Int32Array(perPhoto);
  let n = 0;
  // A batch at a time: the whole output of hundreds of photos would take gigabytes.
  for (let start = 0; start < photos.length; start += colorizer.maxBatch) {
    const batch = photos.slice(start, start + colorizer.maxBatch);
    const outputs = await colorizer.predictOutput(batch.map((p) => p.lInput));
    for (const [k, out] of outputs.entries()) {
      drawDistinct(rng, plane, chosen);
      for (const i of chosen) {
        for (let c = 0; c < q; c++) {
          const v = outputLayout === "NCHW" ? out[c * plane + i]! : out[i * q + c]!;
          logits[n * q + c] = probabilities ? Math.log(Math.max(v, 1e-30)) : v;
        }
        ab[2 * n] = batch[k]!.abOutput[2 * i]!;
        ab[2 * n + 1] = batch[k]!.abOutput[2 * i + 1]!;
        n++;
      }
    }
  }
  return { logits, ab, pixels: n };
}

/** `out.length` distinct indices below n (a partial Fisher–Yates shuffle). */
function drawDistinct(rng: SeededRandom, n: number, out: Int32Array): void {
  const pool = Int32Array.from({ length: n }, (_, i) => i);
  for (let k = 0; k < out.length; k++) {
    const j = k + rng.nextBelow(n - k);
    [pool[k], pool[j]] = [pool[j]!, pool[k]!];
    out[k] = pool[k]!;
  }
}

/** The source's model card, retitled, with a section on the calibration. */
function calibratedCard(sourceCard: string, manifest: ModelManifest, sourceFile: string): string {
  const c = manifest.colourCalibration!;
  const body = sourceCard.replace(/^# .*\n/, "");
  const heldOut = c.divergence.heldOutBefore !== undefined ? `; on the ${c.photos.heldOut} held-out photos ${c.divergence.heldOutBefore} → ${c.divergence.heldOutAfter}` : "";
  return `# Model card: ${manifest.name} (\`${manifest.file}\`)

\`${sourceFile}\` (its card follows) with one bias per ab bin added to its logits by \`npm run calibrate-colours\`,
so that the colours it paints at T = ${c.temperature} are distributed over the ab plane as the colours of
${c.photos.fit} training photos are (${c.images.map((d) => `\`${basename(d)}\``).join(", ")}; ${c.pixelsPerPhoto} pixels each). KL(decoded ‖ real)
of the soft colour histograms went ${c.divergence.fitBefore} → ${c.divergence.fitAfter} on the fitted photos${heldOut};
largest bias ${c.largestBias} logits, penalty λ = ${c.penalty}, ${c.iterations} Adam steps. The network and its cost are
unchanged. The bias is in the manifest (\`colourCalibration.bias\`); see \`docs/colorizer.md\`, *Colour calibration*.
${body}`;
}

runScript(async () => {
  const raw = readFlags(
    {
      manifest: { type: "string" },
      images: { type: "string", multiple: true },
      photos: { type: "string", default: "300" },
      pixels: { type: "string", default: "96" },
      "held-out": { type: "string", default: "5" },
      iterations: { type: "string", default: "200" },
      "learning-rate": { type: "string", default: "0.05" },
      penalty: { type: "string", default: String(DEFAULT_PENALTY) },
      out: { type: "string" },
      threads: { type: "string", default: String(os.availableParallelism()) },
      json: { type: "boolean", default: false },
    },
    USAGE,
  );
  if (!raw) return;
  const args = checkFlags(argsSchema, { ...raw, images: raw.images ?? [], heldOut: raw["held-out"], learningRate: raw["learning-rate"] }, USAGE);
  const log = (m: string) => process.stderr.write(`${m}\n`);

  const source = await loadManifest(args.manifest);
  const { manifest } = source;
  if (manifest.output.kind === "ab") throw new CliUsageError(`${args.manifest} regresses ab; a colour calibration concerns class outputs (logits or probabilities)`);
  if (manifest.quantization) throw new CliUsageError(`${args.manifest} is a quantized model; calibrate its float source (${manifest.quantization.source.file}), then quantize`);
  if (manifest.colourCalibration) throw new CliUsageError(`${args.manifest} is already calibrated; calibrate its source (${manifest.colourCalibration.source.file}) instead`);
  const { manifest: outManifest, model: outModel } = derivedModelPaths(args.manifest, source.modelPath, args.out, "calibrated");

  const colorizer = await loadColorizer(args.manifest, { providers: ["cpu"], intraOpNumThreads: args.threads, log });
  const fitPhotos: PreparedPhoto[] = [];
  const heldOutPhotos: PreparedPhoto[] = [];
  for (const dir of args.images) {
    const names = spreadEvenly(await listPhotoNames(dir, "--images"), args.photos);
    if (names.length === 0) throw new CliUsageError(`no images in ${dir}`);
    for (const [k, name] of names.entries()) {
      try {
        const photo = await preparePhoto(await readFile(join(dir, name)), colorizer);
        (args.heldOut > 0 && k % args.heldOut === args.heldOut - 1 ? heldOutPhotos : fitPhotos).push(photo);
      } catch (error) {
        if (!(error instanceof ImageError)) throw error;
        log(`skipping ${name}: ${error.message}`);
      }
    }
  }
  if (fitPhotos.length === 0) throw new CliUsageError("none of the photos could be decoded");
  const temperature = source.defaultTemperature;
  log(`fitting on ${fitPhotos.length} photos × ${args.pixels} pixels (${heldOutPhotos.length} held out) at T = ${temperature}`);

  const fitSamples = await gatherSamples(colorizer, fitPhotos, args.pixels, PIXEL_SEED);
  const started = performance.now();
  const fit = fitColourBias(fitSamples, source.centres, { temperature, iterations: args.iterations, learningRate: args.learningRate, penalty: args.penalty });
  const fitSeconds = (performance.now() - started) / 1000;
  const heldOutSamples = heldOutPhotos.length ? await gatherSamples(colorizer, heldOutPhotos, args.pixels, PIXEL_SEED + 1) : null;
  const heldOutBefore = heldOutSamples ? colourDivergence(heldOutSamples, source.centres, temperature) : undefined;
  const heldOutAfter = heldOutSamples ? colourDivergence(heldOutSamples, source.centres, temperature, fit.bias) : undefined;
  const largestBias = fit.bias.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

  const sourceBytes = await readFile(source.modelPath);
  const sourceFile = sourceRecord(sourceBytes, source.modelPath, args.manifest, outManifest);
  const calibrated = withOutputBias(
    parseOnnxModel(new Uint8Array(sourceBytes.buffer, sourceBytes.byteOffset, sourceBytes.byteLength)),
    manifest.output.name,
    manifest.output.kind,
    source.outputLayout,
    fit.bias,
  );
  const round = (x: number) => Number(x.toPrecision(5));
  const written: ModelManifest = {
    ...manifest,
    name: `${manifest.name}-calibrated`,
    description: `${manifest.name} with its colours calibrated to the marginal of ${fitPhotos.length} photos (npm run calibrate-colours). ${manifest.description ?? ""}`.trim(),
    file: basename(outModel),
    colourCalibration: {
      method: "colour-marginal",
      temperature,
      source: sourceFile,
      images: args.images,
      photos: { fit: fitPhotos.length, heldOut: heldOutPhotos.length },
      pixelsPerPhoto: args.pixels,
      iterations: fit.iterations,
      learningRate: args.learningRate,
      penalty: args.penalty,
      divergence: {
        fitBefore: round(fit.divergenceBefore),
        fitAfter: round(fit.divergenceAfter),
        ...(heldOutBefore !== undefined && heldOutAfter !== undefined ? { heldOutBefore: round(heldOutBefore), heldOutAfter: round(heldOutAfter) } : {}),
      },
      largestBias: round(largestBias),
      bias: Array.from(fit.bias, (v) => Number(v.toFixed(6))),
      tool: "npm run calibrate-colours (lib/model/colour-calibration.ts)",
      date: new Date().toISOString(),
    },
  };
  manifestSchema.parse(written); // what we write must load
  await mkdir(dirname(outManifest), { recursive: true });
  await writeAtomically(outModel, calibrated);
  await writeAtomically(outManifest, `${JSON.stringify(written, null, 2)}\n`);
  log(`wrote ${outModel} and ${outManifest}`);
  const sourceCard = source.modelPath.replace(/\.onnx$/, ".md");
  const card = await readFile(sourceCard, "utf8").catch(() => null);
  if (card !== null) {
    const outCard = outModel.replace(/\.onnx$/, ".md");
    await writeAtomically(outCard, calibratedCard(card, written, basename(source.modelPath)));
    log(`wrote ${outCard} (the source's model card with the calibration added)`);
  }

  // The written model, run for real, must give what the fit predicted.
  const check = heldOutPhotos.length ? heldOutPhotos : fitPhotos.slice(0, 8);
  const checkSamples = heldOutSamples ?? (await gatherSamples(colorizer, check, args.pixels, PIXEL_SEED + 1));
  const reloaded = await loadColorizer(outManifest, { providers: ["cpu"], intraOpNumThreads: args.threads, log });
  const expected = colourDivergence(checkSamples, source.centres, temperature, fit.bias);
  const measured = colourDivergence(await gatherSamples(reloaded, check, args.pixels, PIXEL_SEED + 1), source.centres, temperature);
  await closeColorizers();
  if (Math.abs(expected - measured) > 1e-3 * Math.max(1, expected)) {
    throw new Error(`the written model gives a divergence of ${measured.toFixed(5)} where the fit predicted ${expected.toFixed(5)}`);
  }
  const { bias: _bias, ...recorded } = written.colourCalibration!;
  const summary = { ...recorded, written: { model: outModel, manifest: outManifest }, fit_seconds: Number(fitSeconds.toFixed(1)), written_model_check: { expected: round(expected), measured: round(measured) } };
  log(
    `KL(decoded ‖ real) ${fit.divergenceBefore.toFixed(4)} → ${fit.divergenceAfter.toFixed(4)} on the fitted photos` +
      (heldOutBefore !== undefined ? `, ${heldOutBefore.toFixed(4)} → ${heldOutAfter!.toFixed(4)} held out` : "") +
      `; largest bias ${largestBias.toFixed(2)} logits; fit ${fitSeconds.toFixed(1)} s`,
  );
  console.log(args.json ? JSON.stringify(summary) : JSON.stringify(summary, null, 2));
});
