import { z } from "zod";
import { HYPE_TIME_RULE } from "@/lib/stats/exposure-staircase";

/**
 * A study's protocol: everything that decides what raters see and how responses are analysed.
 * Defaults are the paper's (Zhang, Isola, Efros 2016, §3.1 and the released AMT tool; see
 * docs/protocol.md). Frozen and hashed when the study opens (lib/study/protocol-hash.ts).
 * Browser-safe: the server validates with these schemas, the protocol editor is typed by them,
 * and the rater's page receives the part it may know ({@link RaterProtocol}).
 */
export const presentationSchema = z.discriminatedUnion("mode", [
  // The released tool: left image 1000 ms, 600 ms blank, right image 1000 ms, then the buttons.
  z.object({ mode: z.literal("sequential"), exposureMs: z.number().int().min(50).max(10_000).default(1000), blankMs: z.number().int().min(0).max(5_000).default(600) }),
  // The paper's text: both side by side for 1000 ms.
  z.object({ mode: z.literal("side-by-side"), exposureMs: z.number().int().min(50).max(10_000).default(1000) }),
  // Both images stay until the rater answers.
  z.object({ mode: z.literal("unlimited") }),
]);

export const exclusionRulesSchema = z.object({
  /** Exclude a session that failed more than this many vigilance trials. */
  maxVigilanceFailures: z.number().int().min(0).default(1),
  /** Exclude a session whose exposure timing was flagged on more than this share of its trials. */
  maxTimingFlaggedShare: z.number().min(0).max(1).default(0.2),
  /** Exclude a session with more than this many answers faster than the presentation allows (server clock). */
  maxTooFastAnswers: z.number().int().min(0).default(0),
});

/**
 * Optional screening before practice (docs/colour-vision-screening.md): colour-vision plates
 * generated from the session's seed, and display checks (dark and light steps, saturated colours,
 * window size). A rater who fails is either ended politely — thanked, recorded, and sent to the
 * recruiter's screened-out path — or kept and flagged, so that fool rates can be shown with and
 * without flagged raters.
 */
export const screeningSchema = z.object({
  colourVision: z.boolean().default(false),
  display: z.boolean().default(false),
  onFail: z.enum(["end", "flag"]).default("end"),
  /** Plates per dichromacy axis (protan, deutan, tritan), after one control plate. */
  platesPerAxis: z.number().int().min(1).max(6).default(3),
  /** Wrong answers forgiven per axis before the axis counts as failed. */
  maxMissesPerAxis: z.number().int().min(0).max(5).default(1),
  /** Where a screened-out Prolific participant goes (their screened-out completion link); null: a thank-you page. */
  screenedOutUrl: z.string().url().nullable().default(null),
});

/**
 * How a trial shows images (docs/study-designs.md). `paired`: the paper's real-vs-fake pair.
 * `single-image`: one image at a time, "real or fake?", no time limit (HYPE∞), real photos making
 * up `realShare` of the test trials. `adaptive-exposure`: single images shown for an exposure set
 * per rater by a staircase (HYPE-time); defaults are lib/stats' HYPE_TIME_RULE.
 */
export const trialFormatSchema = z
  .discriminatedUnion("kind", [
    z.object({ kind: z.literal("paired") }),
    z.object({ kind: z.literal("single-image"), realShare: z.number().min(0.1).max(0.9).default(0.5) }),
    z.object({
      kind: z.literal("adaptive-exposure"),
      realShare: z.number().min(0.1).max(0.9).default(0.5),
      exposuresMs: z.array(z.number().int().min(17).max(10_000)).min(2).max(100).default([...HYPE_TIME_RULE.exposuresMs]),
      startIndex: z.number().int().min(0).default(HYPE_TIME_RULE.startIndex),
      correctToShorten: z.number().int().min(1).max(5).default(HYPE_TIME_RULE.correctToShorten),
      wrongToLengthen: z.number().int().min(1).max(5).default(HYPE_TIME_RULE.wrongToLengthen),
    }),
  ])
  .superRefine((format, context) => {
    if (format.kind !== "adaptive-exposure") return;
    if (format.exposuresMs.some((value, index) => index > 0 && value <= (format.exposuresMs[index - 1] as number))) {
      context.addIssue({ code: "custom", path: ["exposuresMs"], message: "exposures must be strictly ascending" });
    }
    if (format.startIndex >= format.exposuresMs.length) {
      context.addIssue({ code: "custom", path: ["startIndex"], message: "startIndex must point into exposuresMs" });
    }
  });

/**
 * Recruiting to a precision instead of a fixed number of sessions (docs/study-designs.md): each
 * method recruits until its 95 % interval's half-width is at most `targetHalfWidth`, with at least
 * `minRaters` and at most `maxRaters` sessions; null keeps the fixed `targetSessionsPerMethod`.
 */
export const precisionTargetSchema = z
  .object({
    targetHalfWidth: z.number().min(0.005).max(0.25),
    minRaters: z.number().int().min(2).max(10_000).default(10),
    maxRaters: z.number().int().min(2).max(100_000).nullable().default(null),
  })
  .refine((target) => target.maxRaters === null || target.maxRaters >= target.minRaters, {
    message: "maxRaters must be at least minRaters",
    path: ["maxRaters"],
  });

export const protocolSchema = z.object({
  stimulusSize: z.number().int().min(64).max(1024).default(256),
  presentation: presentationSchema.default({ mode: "sequential", exposureMs: 1000, blankMs: 600 }),
  /** Response time is unlimited in the paper; a limit (ms) is optional. */
  responseTimeLimitMs: z.number().int().min(500).max(60_000).nullable().default(null),
  practiceTrials: z.number().int().min(0).max(50).default(10),
  /** Shown after each practice answer, as in the released tool (about 2.4 s). */
  practiceFeedbackMs: z.number().int().min(300).max(10_000).default(2400),
  testTrials: z.number().int().min(1).max(500).default(40),
  /** Share of the test trials that are vigilance trials (real vs the Random baseline). */
  vigilanceShare: z.number().min(0).max(0.5).default(0.1),
  design: z.enum(["between", "within"]).default("between"),
  targetSessionsPerMethod: z.number().int().min(1).max(100_000).default(40),
  instructions: z
    .string()
    .max(5_000)
    .default(
      "You will see pairs of photos. In each pair, one photo has its real colours and the other was colorized by a computer. Choose the photo you think has the REAL colours. The first trials are practice and tell you whether you were right.",
    ),
  consent: z
    .string()
    .max(10_000)
    .default(
      "This study is part of research on image colorization. It takes about 5 minutes. Please take part only if you have normal colour vision. Your answers are stored without your name; you may stop at any time.",
    ),
  exclusion: exclusionRulesSchema.default({ maxVigilanceFailures: 1, maxTimingFlaggedShare: 0.2, maxTooFastAnswers: 0 }),
  /** Recruiting: where Prolific participants go when done. */
  prolificCompletionUrl: z
    .url({ protocol: /^https?$/, error: "The completion URL must be an http(s) address." })
    .default("https://app.prolific.com/submissions/complete"),
  /** Keep raw recruiter ids (for payment); otherwise only their salted hash is stored. */
  keepRecruiterIds: z.boolean().default(true),
  screening: screeningSchema.default({ colourVision: false, display: false, onFail: "end", platesPerAxis: 3, maxMissesPerAxis: 1, screenedOutUrl: null }),
  trialFormat: trialFormatSchema.default({ kind: "paired" }),
  precisionTarget: precisionTargetSchema.nullable().default(null),
});

export type Protocol = z.infer<typeof protocolSchema>;
export type ProtocolInput = z.input<typeof protocolSchema>;

export function defaultProtocol(): Protocol {
  return protocolSchema.parse({});
}

/** Number of vigilance trials among the test trials (rounded, as the paper's 10% of 40 = 4). */
export function vigilanceTrialCount(protocol: Protocol): number {
  return Math.round(protocol.testTrials * protocol.vigilanceShare);
}

/**
 * Rules of a protocol that can never take effect, in words for the researcher (shown before the
 * study opens): an exclusion rule that cannot fire lets every inattentive rater into the analysis.
 */
export function protocolWarnings(protocol: Protocol): string[] {
  const warnings: string[] = [];
  const vigilance = vigilanceTrialCount(protocol);
  const allowed = protocol.exclusion.maxVigilanceFailures;
  if (vigilance === 0) {
    warnings.push("There are no vigilance trials (vigilance share × test trials rounds to 0), so no session can be excluded for inattention.");
  } else if (vigilance <= allowed) {
    warnings.push(
      `Sessions are excluded after more than ${allowed} failed vigilance ${allowed === 1 ? "trial" : "trials"}, but each session has only ${vigilance}: the rule can never exclude anyone. Add vigilance trials or allow fewer failures.`,
    );
  }
  if (protocol.trialFormat.kind !== "paired" && protocol.instructions === defaultProtocol().instructions) {
    warnings.push("The instructions are the default ones, which describe pairs of photos; this study shows one photo at a time (real or fake?). Rewrite them for raters.");
  }
  if (protocol.exclusion.maxTimingFlaggedShare >= 1) {
    warnings.push("Sessions are excluded when more than 100% of their trials have flagged timing: the rule can never exclude anyone.");
  }
  const { screening } = protocol;
  if ((screening.colourVision || screening.display) && screening.onFail === "end" && screening.screenedOutUrl === null) {
    warnings.push(
      "Raters who fail the screening are ended, but there is no screened-out link: Prolific participants will be asked to return their submission, unpaid for the checks. Add Prolific's screened-out completion link, or keep and flag them instead.",
    );
  }
  return warnings;
}

/**
 * What a rater may be told about the study before starting: how trials run and what to agree to,
 * nothing about methods or images (`getPublicStudy`, the rater's consent and instructions).
 */
export const raterProtocolSchema = protocolSchema
  .pick({
    presentation: true,
    practiceTrials: true,
    testTrials: true,
    practiceFeedbackMs: true,
    responseTimeLimitMs: true,
    instructions: true,
    consent: true,
    stimulusSize: true,
  })
  // The kind of trial only (pairs or one photo), not the share of real photos or the staircase.
  .extend({ trialKind: z.enum(["paired", "single-image", "adaptive-exposure"]) });
export type RaterProtocol = z.infer<typeof raterProtocolSchema>;

/** The rater's part of a protocol (only the fields of {@link raterProtocolSchema}). */
export function raterProtocol(protocol: Protocol): RaterProtocol {
  const { presentation, practiceTrials, testTrials, practiceFeedbackMs, responseTimeLimitMs, instructions, consent, stimulusSize } = protocol;
  return { presentation, practiceTrials, testTrials, practiceFeedbackMs, responseTimeLimitMs, instructions, consent, stimulusSize, trialKind: protocol.trialFormat.kind };
}
