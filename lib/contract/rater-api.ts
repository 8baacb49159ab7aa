import { z } from "zod";

/**
 * The rater API's contract, browser-safe (zod only): the requests the page sends and the answers
 * the server gives, each written once. The server builds its replies with these types
 * (lib/study/session-state.ts, answers.ts) and validates the answer body with `answerSchema`; the
 * page parses every reply with the schemas before trusting it, so a proxy's HTML page or an old
 * server cannot crash the trial loop half-way through a session.
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

const trialViewBase = {
  trialId: z.string().min(1),
  position: z.number().int().min(0),
  phase: z.enum(["practice", "test"]),
  index: z.number().int().min(1),
  phaseTotal: z.number().int().min(1),
  responseTimeLimitMs: durationMs.nullable(),
  practiceFeedbackMs: durationMs,
};

/** A pair: the real photo and a colorization, "which is real?" (the paper's design). */
export const pairedTrialViewSchema = z.object({
  ...trialViewBase,
  format: z.literal("paired"),
  leftUrl: z.string().min(1),
  rightUrl: z.string().min(1),
  presentation: raterPresentationSchema,
});
export type PairedTrialView = z.infer<typeof pairedTrialViewSchema>;

/**
 * One photo, "real or fake?" (single-image and adaptive-exposure designs, docs/study-designs.md):
 * shown for `exposureMs` and then masked for `maskMs`, or until the answer when `exposureMs` is
 * null. The exposure is the server's (its staircase); the page only shows it.
 */
export const singleTrialViewSchema = z.object({
  ...trialViewBase,
  format: z.literal("single"),
  imageUrl: z.string().min(1),
  exposureMs: durationMs.nullable(),
  maskMs: durationMs,
});
export type SingleTrialView = z.infer<typeof singleTrialViewSchema>;

export const trialViewSchema = z.discriminatedUnion("format", [pairedTrialViewSchema, singleTrialViewSchema]);
export type TrialView = z.infer<typeof trialViewSchema>;

export const completionSchema = z.object({
  code: z.string().min(1),
  redirectUrl: z.string().nullable(),
  recruiter: z.enum(["prolific", "mturk", "link"]),
  mturkSubmit: z.object({ action: z.string().min(1), assignmentId: z.string().min(1) }).optional(),
});
export type Completion = z.infer<typeof completionSchema>;

/**
 * Where a session that the screening ended goes (docs/colour-vision-screening.md): Prolific's
 * screened-out completion link when the protocol names one, MTurk's submit form, or nothing (a
 * thank-you page).
 */
export const screenedOutSchema = z.object({
  redirectUrl: z.string().nullable(),
  recruiter: z.enum(["prolific", "mturk", "link"]),
  mturkSubmit: z.object({ action: z.string().min(1), assignmentId: z.string().min(1) }).optional(),
});
export type ScreenedOut = z.infer<typeof screenedOutSchema>;

export const sessionStateSchema = z.object({
  id: z.string().min(1),
  status: z.enum(["active", "completed", "screened_out"]),
  /**
   * The screening before practice: null when the protocol screens nobody; `pending` until answered.
   * Absent from a server older than the screening: read as none.
   */
  screening: z.enum(["pending", "passed", "flagged", "screened_out"]).nullable().default(null),
  progress: z.object({ answered: z.number().int().min(0), total: z.number().int().min(0), practiceTotal: z.number().int().min(0) }),
  next: trialViewSchema.nullable(),
  completion: completionSchema.nullable(),
  screenedOut: screenedOutSchema.nullable().default(null),
});
export type SessionState = z.infer<typeof sessionStateSchema>;

export const sessionEnvelopeSchema = z.object({ session: sessionStateSchema });

/** The body of `POST /api/rater/sessions`: what the page sends to start (or resume) its session. */
export const sessionStartSchema = z.object({
  studyId: z.uuid(),
  /** The recruiter's query parameters, as lib/rater-client/recruiter-params.ts picked them. */
  params: z.record(z.string().max(64), z.string().max(500)).default({}),
  /** The page's key for this start, the same for every retry of it (lib/study/start-session.ts). */
  startKey: z.string().regex(/^[A-Za-z0-9_-]{22,64}$/).nullable().default(null),
  screen: z.object({ width: z.number().finite().min(0).max(100_000), height: z.number().finite().min(0).max(100_000), devicePixelRatio: z.number().finite().min(0).max(20) }).nullable().default(null),
});
export type SessionStartBody = z.input<typeof sessionStartSchema>;

export const answerResultSchema = z.object({
  stored: z.literal(true),
  /** True when this was a retry of an answer already stored (same idempotency key). */
  replayed: z.boolean(),
  /** Practice only: for a pair, the real photo's side; for a single photo, whether it was real. */
  feedback: z.union([z.object({ correct: z.boolean(), realSide: sideSchema }), z.object({ correct: z.boolean(), imageWasReal: z.boolean() })]).nullable(),
  session: sessionStateSchema,
});
export type AnswerResult = z.infer<typeof answerResultSchema>;
export type PairedFeedback = Extract<NonNullable<AnswerResult["feedback"]>, { realSide: Side }>;
export type SingleFeedback = Extract<NonNullable<AnswerResult["feedback"]>, { imageWasReal: boolean }>;

/** The problem+json body every API error carries (RFC 9457, lib/http/errors.ts). */
export const problemSchema = z.object({
  status: z.number().int(),
  code: z.string(),
  detail: z.string(),
});

// Up to a day: a rater who leaves a tab open still gets the answer stored (flagged), not a 422.
const finiteMs = z.number().finite().min(0).max(86_400_000);

/**
 * The body of `POST /api/rater/trials/{trialId}/answer`: what the page sends and what the server
 * accepts, one schema for both (lib/rater-client builds it, lib/study/answers.ts stores it).
 */
export const answerSchema = z
  .object({
    /** Client-generated, reused on every retry of the same answer so it is stored once. */
    idempotencyKey: z.string().min(8).max(100).regex(/^[A-Za-z0-9_-]+$/),
    /** A pair: the side the rater thinks holds the REAL photo. */
    chosenSide: sideSchema.optional(),
    /** A single photo: the rater's judgement of it. */
    judgement: z.enum(["real", "fake"]).optional(),
    responseTimeMs: finiteMs,
    /** What the page measured about the trial's presentation (presentation-schedule.ts). */
    timing: z
      .object({
        frameIntervalMs: z.number().finite().min(0.5).max(10_000).nullable(),
        exposureLeftMs: finiteMs.nullable(),
        exposureRightMs: finiteMs.nullable(),
        /** Milliseconds from the trial's first frame (its fixation onset). */
        onsets: z.object({ left: finiteMs.optional(), right: finiteMs.optional() }).default({}),
        offsets: z.object({ left: finiteMs.optional(), right: finiteMs.optional() }).default({}),
        flagged: z.boolean(),
        refreshHz: z.number().finite().min(1).max(1000).optional(),
      })
      .strict(),
  })
  .strict()
  .refine((answer) => (answer.chosenSide === undefined) !== (answer.judgement === undefined), {
    message: "An answer is either a side (pairs) or a judgement (single photos).",
    path: ["chosenSide"],
  });

/** The answer as the page builds it. */
export type AnswerBody = z.input<typeof answerSchema>;
/** The answer as the server reads it (defaults applied). */
export type AnswerInput = z.infer<typeof answerSchema>;
/** What the page measured about one trial's presentation (it always sends onsets and offsets). */
export type AnswerTiming = AnswerInput["timing"];
