import { z } from "zod";
import type { Db } from "@/lib/db/client";
import { Prisma } from "@/lib/db/generated/client";
import { AppError, notFound } from "@/lib/http/errors";
import { missesTarget } from "@/lib/rater-client/presentation-schedule";
import { protocolSchema, type Protocol } from "./protocol";
import { buildSessionState, type SessionState, type Side } from "./session-state";

// Up to a day: a rater who leaves a tab open still gets the answer stored (flagged), not a 422.
const finiteMs = z.number().finite().min(0).max(86_400_000);

export const answerSchema = z.object({
  idempotencyKey: z.string().min(8).max(100).regex(/^[A-Za-z0-9_-]+$/),
  chosenSide: z.enum(["left", "right"]),
  responseTimeMs: finiteMs,
  timing: z
    .object({
      frameIntervalMs: z.number().finite().min(0.5).max(10_000).nullable(),
      exposureLeftMs: finiteMs.nullable(),
      exposureRightMs: finiteMs.nullable(),
      onsets: z.object({ left: finiteMs.optional(), right: finiteMs.optional() }).default({}),
      offsets: z.object({ left: finiteMs.optional(), right: finiteMs.optional() }).default({}),
      flagged: z.boolean(),
      refreshHz: z.number().finite().min(1).max(1000).optional(),
      /** Optional detail the browser records: frames per step, the measured blank, why flagged. */
      frames: z.record(z.string().max(20), z.number().int().min(0).max(1_000_000)).optional(),
      blankMs: finiteMs.nullable().optional(),
      flagReasons: z.array(z.string().max(60)).max(10).optional(),
    })
    .strict(),
}).strict();

export type AnswerInput = z.infer<typeof answerSchema>;

export interface AnswerResult {
  stored: true;
  replayed: boolean;
  feedback: { correct: boolean; realSide: Side } | null;
  session: SessionState;
}

/**
 * The server's own check of the exposure the browser measured: a timed exposure that missed its
 * duration by more than one frame is flagged (docs/protocol.md, "Timing"), whatever the client said.
 */
export function exposureMissed(protocol: Protocol, timing: AnswerInput["timing"]): boolean {
  const presentation = protocol.presentation;
  if (presentation.mode === "unlimited") return false;
  const frameIntervalMs = timing.frameIntervalMs ?? 1000 / 60;
  const measured = [timing.exposureLeftMs, timing.exposureRightMs];
  // The browser's own rule (lib/rater-client), so both sides flag the same trials.
  return measured.some((value) => value === null || missesTarget(presentation.exposureMs, value, frameIntervalMs));
}

/**
 * Stores one answer exactly once. A retry with the same idempotency key returns the stored
 * result; answering a trial not yours (404), out of order, twice, or after the study closed (409)
 * stores nothing.
 */
export async function answerTrial(db: Db, session: { id: string; studyId: string }, trialId: string, input: AnswerInput): Promise<AnswerResult> {
  // The trial with its answer, if any, in one query (this is the hottest write path).
  const [row] = await db.$queryRaw<{ id: string; sessionId: string; kind: string; realOnLeft: boolean; idempotencyKey: string | null; chosenSide: string | null; correct: boolean | null }[]>`
    SELECT t."id", t."sessionId", t."kind"::text AS "kind", t."realOnLeft", a."idempotencyKey", a."chosenSide"::text AS "chosenSide", a."correct"
      FROM "Trial" t LEFT JOIN "Response" a ON a."trialId" = t."id"
     WHERE t."id" = ${trialId}`;
  // Another session's trial answers exactly like a missing one: nothing to learn by probing.
  if (!row || row.sessionId !== session.id) throw notFound("Trial");
  const trial = {
    ...row,
    response: row.idempotencyKey !== null ? { idempotencyKey: row.idempotencyKey, chosenSide: row.chosenSide ?? "", correct: row.correct === true } : null,
  };
  const realSide: Side = trial.realOnLeft ? "left" : "right";
  const feedbackFor = (correct: boolean) => (trial.kind === "practice" ? { correct, realSide } : null);

  if (trial.response) return replayOrConflict(db, session.id, trial.response, input, feedbackFor);

  const correct = input.chosenSide === realSide;
  let replay: { idempotencyKey: string; chosenSide: string; correct: boolean } | null = null;
  try {
    await db.$transaction(async (tx) => {
      // One answer at a time per session: the row lock orders concurrent deliveries, so the
      // order check below sees every earlier answer. The study's status and protocol come along.
      const [study] = await tx.$queryRaw<{ status: string; protocol: unknown }[]>`
        SELECT s."status"::text AS "status", s."protocol"
          FROM "RaterSession" r JOIN "Study" s ON s."id" = r."studyId"
         WHERE r."id" = ${session.id}
           FOR UPDATE OF r`;
      if (!study) throw notFound("Trial");
      // The first unanswered trial, and how many are unanswered (a window over all of them,
      // evaluated before the LIMIT).
      const [firstOpen] = await tx.$queryRaw<{ id: string; unanswered: number }[]>`
        SELECT t."id", (count(*) OVER ())::int AS "unanswered"
          FROM "Trial" t
         WHERE t."sessionId" = ${session.id} AND NOT EXISTS (SELECT 1 FROM "Response" a WHERE a."trialId" = t."id")
         ORDER BY t."position"
         LIMIT 1`;
      if (firstOpen?.id !== trial.id) {
        // Not the current trial: a concurrent delivery of this very answer may have stored it.
        replay = await tx.response.findUnique({ where: { trialId: trial.id }, select: { idempotencyKey: true, chosenSide: true, correct: true } });
        if (replay) return;
      }
      if (study.status === "closed") throw new AppError(409, "study_closed", "This study has closed; answers are no longer accepted.");
      if (!firstOpen || firstOpen.id !== trial.id) throw new AppError(409, "out_of_order", "Answer the trials in order: this is not the current trial.");
      const protocol = protocolSchema.parse(study.protocol);
      await tx.response.create({
        data: {
          trialId: trial.id,
          idempotencyKey: input.idempotencyKey,
          chosenSide: input.chosenSide,
          correct,
          fooled: !correct,
          responseTimeMs: input.responseTimeMs,
          exposureLeftMs: input.timing.exposureLeftMs,
          exposureRightMs: input.timing.exposureRightMs,
          frameIntervalMs: input.timing.frameIntervalMs,
          timingFlagged: input.timing.flagged || exposureMissed(protocol, input.timing),
          timing: input.timing,
        },
      });
      if (firstOpen.unanswered === 1) {
        await tx.raterSession.update({ where: { id: session.id }, data: { status: "completed", completedAt: new Date() } });
      }
    });
  } catch (error) {
    // Two deliveries of the same answer racing: the loser sees the winner's row and replays it.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      const stored = await db.response.findUnique({ where: { trialId: trial.id }, select: { idempotencyKey: true, chosenSide: true, correct: true } });
      if (stored) return replayOrConflict(db, session.id, stored, input, feedbackFor);
      throw new AppError(409, "already_answered", "This trial has already been answered.");
    }
    throw error;
  }
  if (replay) return replayOrConflict(db, session.id, replay, input, feedbackFor);
  return { stored: true, replayed: false, feedback: feedbackFor(correct), session: await buildSessionState(db, session.id) };
}

/** A retry of the stored answer (same key and side) gets the stored result; anything else is a 409. */
async function replayOrConflict(
  db: Db,
  sessionId: string,
  stored: { idempotencyKey: string; chosenSide: string; correct: boolean },
  input: AnswerInput,
  feedbackFor: (correct: boolean) => AnswerResult["feedback"],
): Promise<AnswerResult> {
  if (stored.idempotencyKey !== input.idempotencyKey || stored.chosenSide !== input.chosenSide) {
    throw new AppError(409, "already_answered", "This trial has already been answered.");
  }
  return { stored: true, replayed: true, feedback: feedbackFor(stored.correct), session: await buildSessionState(db, sessionId) };
}

// Blobs are content-addressed (the key is the SHA-256 of the bytes), so a cached copy is never
// stale. Rater images are small (a 256×256 JPEG is about 15 KB) and each stimulus is shown to
// many raters: keeping up to 64 MB of them in memory (least recently used out first) saves the
// image route its largest read (docs/benchmarks.md, "Serving").
const BLOB_CACHE_BYTES = 64 * 1024 * 1024;
const blobCache = new Map<string, { bytes: Uint8Array; mimeType: string }>();
let blobCacheBytes = 0;

async function readBlobCached(db: Db, sha256: string): Promise<{ bytes: Uint8Array; mimeType: string } | null> {
  const hit = blobCache.get(sha256);
  if (hit) {
    blobCache.delete(sha256);
    blobCache.set(sha256, hit);
    return hit;
  }
  const blob = await db.blob.findUnique({ where: { sha256 }, select: { bytes: true, mimeType: true } });
  if (!blob) return null;
  blobCache.set(sha256, blob);
  blobCacheBytes += blob.bytes.byteLength;
  for (const [key, value] of blobCache) {
    if (blobCacheBytes <= BLOB_CACHE_BYTES) break;
    blobCache.delete(key);
    blobCacheBytes -= value.bytes.byteLength;
  }
  return blob;
}

/** The image behind an opaque per-trial token, for the session that owns the trial only. */
export async function resolveRaterImage(db: Db, sessionId: string, token: string) {
  // Which image the token stands for, decided in SQL: the real photo when the token's side is
  // the real side, else the trial's candidate.
  const [trial] = await db.$queryRaw<{ sessionId: string; sha256: string }[]>`
    SELECT t."sessionId", CASE WHEN (t."leftToken" = ${token}) = t."realOnLeft" THEN s."realSha256" ELSE c."blobSha256" END AS "sha256"
      FROM "Trial" t
      JOIN "StimulusImage" s ON s."id" = t."stimulusId"
      JOIN "Candidate" c ON c."id" = t."candidateId"
     WHERE t."leftToken" = ${token} OR t."rightToken" = ${token}`;
  if (!trial || trial.sessionId !== sessionId) throw notFound("Image");
  const blob = await readBlobCached(db, trial.sha256);
  if (!blob) throw notFound("Image");
  return blob;
}
