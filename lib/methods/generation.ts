import type { Db } from "@/lib/db/client";
import { getBlob, putBlob } from "@/lib/db/blobs";
import { logger } from "@/lib/logger";
import { joinLab, rgb8ToLab } from "@/lib/model/color-space";
import { decodeImage } from "@/lib/images/decode";
import { colorizeImage } from "@/lib/images/colorize";
import { loadColorizer, type Colorizer } from "@/lib/model/session";
import { renderStimulusFromLab } from "@/lib/images/render-stimulus";
import { computeMethodMetrics } from "@/lib/metrics/method-metrics";
import { chooseRandomSource, grayBaseline, groundTruthBaseline, randomBaseline, type LabImage } from "./baselines";
import { parseMethodConfig, type MethodConfig } from "@/lib/study/method-config";
import { readStoredProtocol } from "@/lib/study/stored-protocol";

/**
 * Candidate generation as a job queue in PostgreSQL (works the same on PGlite): a job per
 * (study, method) generates the missing candidates one stimulus at a time, so it is resumable —
 * a restarted job skips what is stored — and several workers can share the queue
 * (`FOR UPDATE SKIP LOCKED`). When all candidates exist the method's automatic metrics are
 * computed on the rendered stimuli, exactly the images raters see.
 */

export const GENERATE_CANDIDATES = "generate-candidates";
// A running job whose worker has not reported for this long is taken over (worker died).
const STALE_AFTER_MS = 2 * 60_000;

export interface GenerationDeps {
  /** Resolves a model method's manifest path (MODELS_DIR/<name>.manifest.json). */
  manifestPathFor: (modelName: string) => Promise<string>;
  providers: readonly string[];
  pixelLimit: number;
}

/** Queues generation for a method (no-op when a job is already queued or running). */
export async function enqueueGeneration(db: Db, studyId: string, methodId: string): Promise<string> {
  return db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${methodId}))`;
    const active = await tx.job.findFirst({ where: { methodId, status: { in: ["queued", "running"] } }, select: { id: true } });
    if (active) return active.id;
    const total = await tx.stimulusImage.count({ where: { studyId } });
    await tx.method.update({ where: { id: methodId }, data: { status: "generating" } });
    const job = await tx.job.create({ data: { kind: GENERATE_CANDIDATES, studyId, methodId, total }, select: { id: true } });
    return job.id;
  });
}

/** Claims the oldest queued (or stale running) job, atomically across workers. */
export async function claimJob(db: Db) {
  const staleBefore = new Date(Date.now() - STALE_AFTER_MS);
  const rows = await db.$queryRaw<{ id: string }[]>`
    UPDATE "Job" SET "status" = 'running', "lockedAt" = now(), "updatedAt" = now()
     WHERE "id" = (
       SELECT "id" FROM "Job"
        WHERE "kind" = ${GENERATE_CANDIDATES}
          AND ("status" = 'queued' OR ("status" = 'running' AND "lockedAt" < ${staleBefore}))
        ORDER BY "createdAt"
        FOR UPDATE SKIP LOCKED
        LIMIT 1)
    RETURNING "id"`;
  const id = rows[0]?.id;
  return id ? db.job.findUniqueOrThrow({ where: { id } }) : null;
}

async function labOfBlob(db: Db, sha256: string, pixelLimit: number): Promise<LabImage & { bytes: Uint8Array }> {
  const blob = await getBlob(db, sha256);
  if (!blob) throw new Error(`blob ${sha256} is missing`);
  const decoded = await decodeImage(blob.bytes, { limitInputPixels: pixelLimit });
  return { width: decoded.width, height: decoded.height, lab: rgb8ToLab(decoded.rgb), bytes: blob.bytes };
}

/** Produces a method's full-resolution Lab image for one stimulus. */
async function produceLab(
  db: Db,
  config: MethodConfig,
  methodId: string,
  stimulus: { id: string; sourceSha256: string },
  allStimuli: { id: string; sourceSha256: string }[],
  colorizer: Colorizer | null,
  deps: GenerationDeps,
): Promise<LabImage> {
  const source = await labOfBlob(db, stimulus.sourceSha256, deps.pixelLimit);
  if (config.baseline === "ground-truth") return groundTruthBaseline(source);
  if (config.baseline === "gray") return grayBaseline(source);
  if (config.baseline === "random") {
    // Seeded by the method, so the same study always pairs the same images (reproducible foil).
    const otherId = chooseRandomSource(allStimuli.map((s) => s.id), stimulus.id, methodId);
    const other = allStimuli.find((s) => s.id === otherId);
    if (!other) throw new Error("random baseline: source stimulus not found");
    return randomBaseline(source, await labOfBlob(db, other.sourceSha256, deps.pixelLimit));
  }
  if (!colorizer) throw new Error("model method without a model");
  const colorized = await colorizeImage(source.bytes, colorizer, { temperature: config.temperature, limitInputPixels: deps.pixelLimit });
  return { width: colorized.width, height: colorized.height, lab: joinLab(colorized.L, colorized.ab) };
}

/** Runs one claimed job to the end (or records its failure). Returns whether it finished. */
export async function runJob(db: Db, jobId: string, deps: GenerationDeps): Promise<boolean> {
  const job = await db.job.findUniqueOrThrow({ where: { id: jobId } });
  if (!job.methodId) throw new Error(`job ${jobId} has no method`);
  const method = await db.method.findUniqueOrThrow({ where: { id: job.methodId }, select: { id: true, config: true, study: { select: { protocol: true, protocolHash: true } } } });
  const config = parseMethodConfig(method.config);
  const protocol = readStoredProtocol(method.study.protocol, method.study.protocolHash);
  try {
    const colorizer = config.model ? await loadColorizer(await deps.manifestPathFor(config.model), { providers: deps.providers, log: (message) => logger.info(message) }) : null;
    const stimuli = await db.stimulusImage.findMany({ where: { studyId: job.studyId }, select: { id: true, sourceSha256: true }, orderBy: { name: "asc" } });
    const done = new Set((await db.candidate.findMany({ where: { methodId: method.id }, select: { stimulusId: true } })).map((c) => c.stimulusId));
    await db.job.update({ where: { id: job.id }, data: { total: stimuli.length, done: done.size } });
    for (const stimulus of stimuli) {
      if (done.has(stimulus.id)) continue;
      const lab = await produceLab(db, config, method.id, stimulus, stimuli, colorizer, deps);
      const rendered = await renderStimulusFromLab(lab.lab, lab.width, lab.height, { size: protocol.stimulusSize });
      const sha = await putBlob(db, rendered);
      await db.candidate.upsert({
        where: { methodId_stimulusId: { methodId: method.id, stimulusId: stimulus.id } },
        create: { methodId: method.id, stimulusId: stimulus.id, blobSha256: sha },
        update: {},
      });
      done.add(stimulus.id);
      await db.job.update({ where: { id: job.id }, data: { done: done.size, lockedAt: new Date() } });
    }
    const metrics = await computeStoredMetrics(db, method.id);
    await db.$transaction([
      db.method.update({ where: { id: method.id }, data: { status: "ready", metrics } }),
      db.job.update({ where: { id: job.id }, data: { status: "done", error: null } }),
    ]);
    return true;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    logger.error(`candidate generation failed for method ${method.id}`, error);
    await db.$transaction([
      db.method.update({ where: { id: method.id }, data: { status: "failed" } }),
      db.job.update({ where: { id: job.id }, data: { status: "failed", error: message.slice(0, 1000) } }),
    ]);
    return false;
  }
}

/**
 * The automatic metrics of a method against the ground truth, on the rendered stimuli (what
 * raters compare). JSON has no Infinity: a perfect PSNR (ground truth) is stored as null.
 */
export async function computeStoredMetrics(db: Db, methodId: string) {
  const candidates = await db.candidate.findMany({ where: { methodId }, select: { blobSha256: true, stimulus: { select: { name: true, realSha256: true } } } });
  if (candidates.length === 0) return undefined;
  async function* pairs() {
    for (const candidate of candidates) {
      const [real, fake] = await Promise.all([getBlob(db, candidate.stimulus.realSha256), getBlob(db, candidate.blobSha256)]);
      if (real && fake) yield { real: real.bytes, fake: fake.bytes, name: candidate.stimulus.name };
    }
  }
  const metrics = await computeMethodMetrics(pairs(), { resizeFakeToReal: true });
  return Object.fromEntries(Object.entries(metrics).map(([key, value]) => [key, Number.isFinite(value) ? value : null]));
}

/** Works through the queue until it is empty. */
export async function drainJobs(db: Db, deps: GenerationDeps): Promise<number> {
  let processed = 0;
  for (;;) {
    const job = await claimJob(db);
    if (!job) return processed;
    await runJob(db, job.id, deps);
    processed += 1;
  }
}
