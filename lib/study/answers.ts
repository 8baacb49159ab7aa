import type { Db } from "@/lib/db/client";
import { Prisma } from "@/lib/db/generated/client";
import { DomainError, notFound } from "@/lib/errors";
import { newCompletionCode } from "./completion-code";
import { minimumAnswerDelayMs } from "./presentation-pace";
import type { Protocol } from "@/lib/contract/protocol";
import { readStoredProtocol } from "./stored-protocol";
import type { AnswerInput, AnswerResult, Side } from "@/lib/contract/rater-api";
import { FALLBACK_FRAME_INTERVAL_MS, missesTarget } from "@/lib/contract/timing-rule";
import { buildSessionState } from "./session-state";
import { assignNextExposure } from "./adaptive-exposure";
import { judgedCorrectly, MASK_MS } from "./trial-format";
import { screeningStateOf } from "./screening-state";

/**
 * The server's own check of the exposure the browser measured: a timed exposure that missed its
 * duration by more than one frame is flagged (docs/protocol.md, "Timing"), whatever the client said.
 */
export function exposureMissed(protocol: Protocol, timing: AnswerInput["timing"], single: { exposureMs: number | null } | null = null): boolean {
  if (single) {
    // One photo: timed by the staircase's exposure for this trial (the server's, not the page's), or untimed.
    if (single.exposureMs === null) return false;
    const frameIntervalMs = timing.frameIntervalMs ?? FALLBACK_FRAME_INTERVAL_MS;
    return timing.exposureLeftMs === null || missesTarget(single.exposureMs, timing.exposureLeftMs, frameIntervalMs);
  }
  const presentation = protocol.presentation;
  if (presentation.mode === "unlimited") return false;
  const frameIntervalMs = timing.frameIntervalMs ?? FALLBACK_FRAME_INTERVAL_MS;
  const measured = [timing.exposureLeftMs, timing.exposureRightMs];
  // The browser's own rule (lib/contract/timing-rule.ts), so both sides flag the same trials.
  return measured.some((value) => value === null || missesTarget(presentation.exposureMs, value, frameIntervalMs));
}

/** What an answer stored: a side for a pair, a judgement for a single photo. */
interface StoredAnswer {
  idempotencyKey: string;
  chosenSide: string | null;
  judgedReal: boolean | null;
  correct: boolean;
}

/**
 * Stores one answer exactly once. A retry with the same idempotency key returns the stored
 * result; answering a trial not yours (404), out of order, twice, or after the study closed (409)
 * stores nothing.
 */
export async function answerTrial(db: Db, session: { id: string; studyId: string }, trialId: string, input: AnswerInput): Promise<AnswerResult> {
  // The arrival time, before any wait for locks: the pace check must not count the server's delays.
  const receivedAt = new Date();
  // The trial with its answer, if any, in one query (this is the hottest write path).
  const [row] = await db.$queryRaw<{ id: string; sessionId: string; position: number; kind: string; realOnLeft: boolean; showsReal: boolean | null; exposureMs: number | null; idempotencyKey: string | null; chosenSide: string | null; judgedReal: boolean | null; correct: boolean | null }[]>`
    SELECT t."id", t."sessionId", t."position", t."kind"::text AS "kind", t."realOnLeft", t."showsReal", t."exposureMs",
           a."idempotencyKey", a."chosenSide"::text AS "chosenSide", a."judgedReal", a."correct"
      FROM "Trial" t LEFT JOIN "Response" a ON a."trialId" = t."id"
     WHERE t."id" = ${trialId}`;
  // Another session's trial answers exactly like a missing one: nothing to learn by probing.
  if (!row || row.sessionId !== session.id) throw notFound("Trial");
  const trial = {
    ...row,
    response: row.idempotencyKey !== null ? { idempotencyKey: row.idempotencyKey, chosenSide: row.chosenSide, judgedReal: row.judgedReal, correct: row.correct === true } : null,
  };
  const realSide: Side = trial.realOnLeft ? "left" : "right";
  const showsReal = trial.showsReal;
  const feedbackFor = (correct: boolean): AnswerResult["feedback"] =>
    trial.kind !== "practice" ? null : showsReal === null ? { correct, realSide } : { correct, imageWasReal: showsReal };

  // A pair is answered with a side, a single photo with a judgement: the other is not an answer to it.
  if ((showsReal === null) !== (input.chosenSide !== undefined)) {
    throw new DomainError("wrong_answer_kind", showsReal === null ? "This trial is a pair: answer with the side of the real photo." : "This trial is one photo: answer real or fake.");
  }
  if (trial.response) return replayOrConflict(db, session.id, trial.response, input, feedbackFor);

  const judgedReal = input.judgement === undefined ? null : input.judgement === "real";
  const correct = showsReal === null ? input.chosenSide === realSide : judgedCorrectly(showsReal, judgedReal === true);
  // The fool rate counts fakes taken for real: in a pair the fake chosen, for one photo a fake judged real.
  const fooled = showsReal === null ? !correct : !showsReal && judgedReal === true;
  const select = { idempotencyKey: true, chosenSide: true, judgedReal: true, correct: true } as const;
  let replay: StoredAnswer | null = null;
  try {
    await db.$transaction(async (tx) => {
      // One answer at a time per session: the row lock orders concurrent deliveries, so the
      // order check below sees every earlier answer. The study's status and protocol come along.
      const [study] = await tx.$queryRaw<{ status: string; protocol: unknown; protocolHash: string | null; sessionStartedAt: Date; screeningOutcome: string | null }[]>`
        SELECT s."status"::text AS "status", s."protocol", s."protocolHash", r."createdAt" AS "sessionStartedAt",
               (SELECT sc."outcome"::text FROM "RaterScreening" sc WHERE sc."sessionId" = r."id") AS "screeningOutcome"
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
        replay = await tx.response.findUnique({ where: { trialId: trial.id }, select });
        if (replay) return;
      }
      if (study.status === "closed") throw new DomainError("study_closed", "This study has closed; answers are no longer accepted.");
      if (!firstOpen || firstOpen.id !== trial.id) throw new DomainError("out_of_order", "Answer the trials in order: this is not the current trial.");
      const protocol = readStoredProtocol(study.protocol, study.protocolHash);
      // The screening comes before practice; the server, not the page, holds the rater to it.
      if (screeningStateOf(protocol, study.screeningOutcome) === "pending") {
        throw new DomainError("screening_pending", "Finish the colour and screen checks first.");
      }
      const single = showsReal === null ? null : { exposureMs: trial.exposureMs, maskMs: trial.exposureMs === null ? 0 : MASK_MS };
      const pace = await answerPace(tx, session.id, trial.position, study.sessionStartedAt, receivedAt, protocol, single);
      await tx.response.create({
        data: {
          trialId: trial.id,
          idempotencyKey: input.idempotencyKey,
          chosenSide: input.chosenSide ?? null,
          judgedReal,
          correct,
          fooled,
          responseTimeMs: input.responseTimeMs,
          exposureLeftMs: input.timing.exposureLeftMs,
          exposureRightMs: input.timing.exposureRightMs,
          frameIntervalMs: input.timing.frameIntervalMs,
          timingFlagged: input.timing.flagged || pace.tooFast || exposureMissed(protocol, input.timing, single),
          serverElapsedMs: pace.elapsedMs,
          tooFast: pace.tooFast,
          timing: input.timing,
          createdAt: receivedAt,
        },
      });
      if (firstOpen.unanswered === 1) {
        await tx.raterSession.update({ where: { id: session.id }, data: { status: "completed", completedAt: new Date(), completionCode: newCompletionCode() } });
      } else if (protocol.trialFormat.kind === "adaptive-exposure") {
        // The next trial's exposure follows from the answers stored, this one included.
        await assignNextExposure(tx, session.id, protocol.trialFormat);
      }
    });
  } catch (error) {
    // Two deliveries of the same answer racing: the loser sees the winner's row and replays it.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      const stored = await db.response.findUnique({ where: { trialId: trial.id }, select });
      if (stored) return replayOrConflict(db, session.id, stored, input, feedbackFor);
      throw new DomainError("already_answered", "This trial has already been answered.");
    }
    throw error;
  }
  if (replay) return replayOrConflict(db, session.id, replay, input, feedbackFor);
  return { stored: true, replayed: false, feedback: feedbackFor(correct), session: await buildSessionState(db, session.id) };
}

type AnswerTx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

/**
 * The server's own check of the rater's pace. A trial is handed out with the response that
 * stored the answer before it (or with the session's start, for the first trial), so its answer
 * cannot honestly arrive sooner than that moment plus the protocol's presentation
 * ({@link minimumAnswerDelayMs}); whatever timing the browser reports, such an answer is flagged.
 */
async function answerPace(
  tx: AnswerTx,
  sessionId: string,
  position: number,
  sessionStartedAt: Date,
  receivedAt: Date,
  protocol: Protocol,
  single: { exposureMs: number | null; maskMs: number } | null,
) {
  const [previous] = position === 0 ? [] : await tx.$queryRaw<{ kind: string; answeredAt: Date }[]>`
    SELECT t."kind"::text AS "kind", a."createdAt" AS "answeredAt"
      FROM "Trial" t JOIN "Response" a ON a."trialId" = t."id"
     WHERE t."sessionId" = ${sessionId} AND t."position" = ${position - 1}`;
  const handedOutAt = previous?.answeredAt ?? sessionStartedAt;
  const elapsedMs = receivedAt.getTime() - handedOutAt.getTime();
  const minimumMs = minimumAnswerDelayMs(protocol, { afterPractice: previous?.kind === "practice", single });
  return { elapsedMs, tooFast: elapsedMs < minimumMs };
}

/** A retry of the stored answer (same key and side or judgement) gets the stored result; anything else is a 409. */
async function replayOrConflict(
  db: Db,
  sessionId: string,
  stored: StoredAnswer,
  input: AnswerInput,
  feedbackFor: (correct: boolean) => AnswerResult["feedback"],
): Promise<AnswerResult> {
  const sameAnswer = input.judgement === undefined ? stored.chosenSide === input.chosenSide : stored.judgedReal === (input.judgement === "real");
  if (stored.idempotencyKey !== input.idempotencyKey || !sameAnswer) {
    throw new DomainError("already_answered", "This trial has already been answered.");
  }
  return { stored: true, replayed: true, feedback: feedbackFor(stored.correct), session: await buildSessionState(db, sessionId) };
}
