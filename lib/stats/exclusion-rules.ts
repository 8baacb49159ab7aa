import { z } from "zod";
import { StatsError } from "./stats-error";

/**
 * Exclusion rules, fixed before data arrive and stored with the study's protocol.
 * Defaults: exclude a session that failed more than one vigilance trial (protocol.md, "Exclusion
 * rules … for example: fail more than one vigilance trial") or whose timing was flagged on more
 * than 20% of its trials.
 */
export const exclusionRulesSchema = z
  .object({
    /** A session is excluded when its vigilance failures exceed this number. */
    maxVigilanceFailures: z.number().int().min(0).default(1),
    /** A session is excluded when its share of timing-flagged trials exceeds this share. */
    maxTimingFlaggedShare: z.number().min(0).max(1).default(0.2),
    /**
     * A session is excluded when more of its answers than this arrived sooner than the
     * presentation allows, by the server's clock (an impossible pace: no one saw those pairs).
     */
    maxTooFastAnswers: z.number().int().min(0).default(0),
  })
  .strict();

export type ExclusionRules = z.output<typeof exclusionRulesSchema>;

export const DEFAULT_EXCLUSION_RULES: ExclusionRules = exclusionRulesSchema.parse({});

/** What a session contributed, summarized by the study layer. */
export interface SessionSummary {
  readonly sessionId: string;
  /** Vigilance trials answered (real image against the Random baseline, protocol.md). */
  readonly vigilanceTrials: number;
  /** Vigilance trials answered wrongly (the Random baseline picked as real). */
  readonly vigilanceFailures: number;
  /** Trials whose presentation timing was checked (test and vigilance trials). */
  readonly trials: number;
  /** Of those, trials whose timing was flagged (late paint, dropped frames, tab hidden, …). */
  readonly timingFlaggedTrials: number;
  /** Answers of any kind (practice included) that arrived sooner than the presentation allows; absent counts as 0. */
  readonly tooFastAnswers?: number;
}

export type ExclusionReason = "vigilance" | "timing" | "pace" | "no-trials";

export interface SessionDecision {
  readonly sessionId: string;
  readonly kept: boolean;
  /** Every rule the session broke (empty when kept). */
  readonly reasons: readonly ExclusionReason[];
}

export interface ExclusionResult {
  readonly sessions: readonly SessionDecision[];
  readonly counts: {
    readonly sessions: number;
    readonly kept: number;
    readonly excluded: number;
    /** Sessions excluded for each reason; a session broken by two rules counts under both. */
    readonly byReason: Readonly<Record<ExclusionReason, number>>;
  };
}

function assertCount(session: SessionSummary, field: keyof SessionSummary): number {
  const value = session[field];
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw new StatsError(
      "invalid-argument",
      `session ${session.sessionId}: ${field} must be a non-negative integer, got ${String(value)}`,
    );
  }
  return value;
}

/**
 * Applies exclusion rules to session summaries.
 *
 * Definition: a session is excluded for `vigilance` when vigilanceFailures > maxVigilanceFailures,
 * for `timing` when timingFlaggedTrials / trials > maxTimingFlaggedShare, and for `no-trials` when
 * it has no trials (its timing share is undefined and it carries no data), and for `pace` when
 * tooFastAnswers > maxTooFastAnswers. Reasons accumulate.
 *
 * @param sessions one summary per session; session ids must be unique.
 * @param rules validated with {@link exclusionRulesSchema}; defaults to DEFAULT_EXCLUSION_RULES.
 * @returns per-session decisions in input order, and counts per reason.
 * @throws {StatsError} `invalid-argument` for invalid rules, negative or non-integer counts,
 *   failures above vigilance trials, flagged above trials, or duplicate session ids.
 * @example
 * applyExclusionRules([
 *   { sessionId: "a", vigilanceTrials: 4, vigilanceFailures: 2, trials: 44, timingFlaggedTrials: 0 },
 *   { sessionId: "b", vigilanceTrials: 4, vigilanceFailures: 1, trials: 44, timingFlaggedTrials: 9 },
 * ]).counts; // { sessions: 2, kept: 1, excluded: 1, byReason: { vigilance: 1, timing: 0, pace: 0, "no-trials": 0 } }
 */
export function applyExclusionRules(
  sessions: readonly SessionSummary[],
  rules: z.input<typeof exclusionRulesSchema> = DEFAULT_EXCLUSION_RULES,
): ExclusionResult {
  const parsed = exclusionRulesSchema.safeParse(rules);
  if (!parsed.success) {
    throw new StatsError("invalid-argument", `invalid exclusion rules: ${parsed.error.issues.map((i) => i.message).join("; ")}`);
  }
  const { maxVigilanceFailures, maxTimingFlaggedShare, maxTooFastAnswers } = parsed.data;
  const seen = new Set<string>();
  const byReason: Record<ExclusionReason, number> = { vigilance: 0, timing: 0, pace: 0, "no-trials": 0 };
  let kept = 0;
  const decisions = sessions.map((session): SessionDecision => {
    if (seen.has(session.sessionId)) {
      throw new StatsError("invalid-argument", `duplicate session id ${session.sessionId}`);
    }
    seen.add(session.sessionId);
    const vigilanceTrials = assertCount(session, "vigilanceTrials");
    const vigilanceFailures = assertCount(session, "vigilanceFailures");
    const trials = assertCount(session, "trials");
    const flagged = assertCount(session, "timingFlaggedTrials");
    const tooFast = session.tooFastAnswers === undefined ? 0 : assertCount(session, "tooFastAnswers");
    if (vigilanceFailures > vigilanceTrials) {
      throw new StatsError("invalid-argument", `session ${session.sessionId}: more vigilance failures than trials`);
    }
    if (flagged > trials) {
      throw new StatsError("invalid-argument", `session ${session.sessionId}: more flagged trials than trials`);
    }
    const reasons: ExclusionReason[] = [];
    if (vigilanceFailures > maxVigilanceFailures) reasons.push("vigilance");
    if (trials === 0) reasons.push("no-trials");
    else if (flagged / trials > maxTimingFlaggedShare) reasons.push("timing");
    if (tooFast > maxTooFastAnswers) reasons.push("pace");
    for (const reason of reasons) byReason[reason]++;
    if (reasons.length === 0) kept++;
    return { sessionId: session.sessionId, kept: reasons.length === 0, reasons };
  });
  return {
    sessions: decisions,
    counts: { sessions: sessions.length, kept, excluded: sessions.length - kept, byReason },
  };
}
