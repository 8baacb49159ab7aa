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
 * duration by more than one frame is flagged (issue 5), whatever the client said.
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
  const trial = await db.trial.findUnique({
    where: { id: trialId },
    select: { id: true, sessionId: true, position: true, kind: true, realOnLeft: true, response: { select: { idempotencyKey: true, chosenSide: true, correct: true } } },
  });
  // Another session's trial answers exactly like a missing one: nothing to learn by probing.
  if (!trial || trial.sessionId !== session.id) throw notFound("Trial");
  const realSide: Side = trial.realOnLeft ? "left" : "right";
  const feedbackFor = (correct: boolean) => (trial.kind === "practice" ? { correct, realSide } : null);

  if (trial.response) return replayOrConflict(db, session.id, trial.response, input, feedbackFor);

  const correct = input.chosenSide === realSide;
  let replay: { idempotencyKey: string; chosenSide: string; correct: boolean } | null = null;
  try {
    await db.$transaction(async (tx) => {
      // One answer at a time per session: the row lock orders concurrent deliveries, so the
      // order check below sees every earlier answer.
      await tx.$executeRaw`SELECT 1 FROM "RaterSession" WHERE "id" = ${session.id} FOR UPDATE`;
      replay = await tx.response.findUnique({ where: { trialId: trial.id }, select: { idempotencyKey: true, chosenSide: true, correct: true } });
      if (replay) return;
      const study = await tx.study.findUniqueOrThrow({ where: { id: session.studyId }, select: { status: true, protocol: true } });
      if (study.status === "closed") throw new AppError(409, "study_closed", "This study has closed; answers are no longer accepted.");
      const protocol = protocolSchema.parse(study.protocol);
      const firstOpen = await tx.trial.findFirst({
        where: { sessionId: session.id, response: null },
        orderBy: { position: "asc" },
        select: { id: true },
      });
      if (firstOpen?.id !== trial.id) throw new AppError(409, "out_of_order", "Answer the trials in order: this is not the current trial.");
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
      const remaining = await tx.trial.count({ where: { sessionId: session.id, response: null } });
      if (remaining === 0) {
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

/** The image behind an opaque per-trial token, for the session that owns the trial only. */
export async function resolveRaterImage(db: Db, sessionId: string, token: string) {
  const trial = await db.trial.findFirst({
    where: { OR: [{ leftToken: token }, { rightToken: token }] },
    select: { sessionId: true, leftToken: true, realOnLeft: true, stimulus: { select: { realSha256: true } }, candidate: { select: { blobSha256: true } } },
  });
  if (!trial || trial.sessionId !== sessionId) throw notFound("Image");
  const isLeft = trial.leftToken === token;
  const isReal = isLeft === trial.realOnLeft;
  const sha256 = isReal ? trial.stimulus.realSha256 : trial.candidate.blobSha256;
  const blob = await db.blob.findUnique({ where: { sha256 }, select: { bytes: true, mimeType: true } });
  if (!blob) throw notFound("Image");
  return blob;
}
