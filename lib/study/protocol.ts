import { createHash } from "node:crypto";
import { z } from "zod";

/**
 * A study's protocol: everything that decides what raters see and how responses are analysed.
 * Defaults are the paper's (Zhang, Isola, Efros 2016, §3.1 and the released AMT tool; see
 * docs/protocol.md). Frozen and hashed when the study opens.
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

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** SHA-256 of the protocol's canonical JSON (keys sorted): the same protocol always hashes alike. */
export function hashProtocol(protocol: Protocol): string {
  return createHash("sha256").update(canonicalJson(protocol)).digest("hex");
}
