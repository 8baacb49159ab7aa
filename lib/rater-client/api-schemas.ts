import { z } from "zod";

/**
 * The rater API's answers as the browser reads them (the server's own types
 * are in lib/study/session-state.ts, which the browser cannot import because lib/study touches
 * the database). Every response body is parsed here before the page trusts it: a proxy's HTML
 * page or an old server must not crash the trial loop half-way through a session.
 */

const durationMs = z.number().finite().min(0);

export const raterPresentationSchema = z.discriminatedUnion("mode", [
  z.object({ mode: z.literal("sequential"), exposureMs: durationMs, blankMs: durationMs }),
  z.object({ mode: z.literal("side-by-side"), exposureMs: durationMs }),
  z.object({ mode: z.literal("unlimited") }),
]);
export type RaterPresentation = z.infer<typeof raterPresentationSchema>;

export const sideSchema = z.enum(["left", "right"]);
export type Side = z.infer<typeof sideSchema>;

export const trialViewSchema = z.object({
  trialId: z.string().min(1),
  position: z.number().int().min(0),
  phase: z.enum(["practice", "test"]),
  index: z.number().int().min(1),
  phaseTotal: z.number().int().min(1),
  leftUrl: z.string().min(1),
  rightUrl: z.string().min(1),
  presentation: raterPresentationSchema,
  responseTimeLimitMs: durationMs.nullable(),
  practiceFeedbackMs: durationMs,
});
export type TrialView = z.infer<typeof trialViewSchema>;

export const completionSchema = z.object({
  code: z.string().min(1),
  redirectUrl: z.string().nullable(),
  recruiter: z.enum(["prolific", "mturk", "link"]),
  mturkSubmit: z.object({ action: z.string().min(1), assignmentId: z.string().min(1) }).optional(),
});
export type Completion = z.infer<typeof completionSchema>;

export const sessionStateSchema = z.object({
  id: z.string().min(1),
  status: z.enum(["active", "completed"]),
  progress: z.object({ answered: z.number().int().min(0), total: z.number().int().min(0), practiceTotal: z.number().int().min(0) }),
  next: trialViewSchema.nullable(),
  completion: completionSchema.nullable(),
});
export type SessionState = z.infer<typeof sessionStateSchema>;

export const sessionEnvelopeSchema = z.object({ session: sessionStateSchema });

export const answerResultSchema = z.object({
  stored: z.literal(true),
  feedback: z.object({ correct: z.boolean(), realSide: sideSchema }).nullable(),
  session: sessionStateSchema,
});
export type AnswerResult = z.infer<typeof answerResultSchema>;

/** The problem+json body every API error carries (RFC 9457, lib/http/errors.ts). */
export const problemSchema = z.object({
  status: z.number().int(),
  code: z.string(),
  detail: z.string(),
});

/** What the page measured about one trial's presentation; the server's `answerSchema.timing`. */
export interface AnswerTiming {
  frameIntervalMs: number | null;
  exposureLeftMs: number | null;
  exposureRightMs: number | null;
  /** Milliseconds from the trial's first frame (its fixation onset), see presentation-schedule.ts. */
  onsets: { left?: number; right?: number };
  offsets: { left?: number; right?: number };
  flagged: boolean;
  refreshHz?: number;
}

/** The body of `POST /api/rater/trials/{trialId}/answer`. */
export interface AnswerBody {
  /** Client-generated, reused on every retry of the same answer so it is stored once. */
  idempotencyKey: string;
  /** The side the rater thinks holds the REAL photo. */
  chosenSide: Side;
  responseTimeMs: number;
  timing: AnswerTiming;
}

export const answerBodySchema = z.object({
  idempotencyKey: z.string().min(8).max(100),
  chosenSide: sideSchema,
  responseTimeMs: durationMs,
  timing: z.object({
    frameIntervalMs: z.number().finite().nullable(),
    exposureLeftMs: durationMs.nullable(),
    exposureRightMs: durationMs.nullable(),
    onsets: z.object({ left: durationMs.optional(), right: durationMs.optional() }),
    offsets: z.object({ left: durationMs.optional(), right: durationMs.optional() }),
    flagged: z.boolean(),
    refreshHz: z.number().finite().optional(),
  }),
}) satisfies z.ZodType<AnswerBody>;
