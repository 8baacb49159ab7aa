// The serializable shape of a study's results: what the dashboard page hands to its client charts
// and what the JSON export writes. Plain numbers, strings and arrays only (no Dates, no typed
// arrays) so that React can pass them to client components and JSON can carry them.
// Every number is finite: d′ uses the 1/(2N) rule at 0% and 100% fooled (lib/stats/d-prime.ts).

import type { Protocol } from "@/lib/contract/protocol";
import type { DesignFigures } from "./design-figures";

/** Why a session's trials were left out of the analysis. */
export type SessionDisposition = "included" | "excluded" | "incomplete";

/** Exclusion reasons of lib/stats (`applyExclusionRules`) plus "incomplete" for sessions not completed. */
export type LeftOutReason = "vigilance" | "timing" | "pace" | "no-trials" | "incomplete";

/** The automatic metrics of a method (lib/metrics, stored in `Method.metrics`) when present. */
export interface MethodMetrics {
  auc: number | null;
  aucRebalanced: number | null;
  colourfulness: number | null;
  colourfulnessGroundTruth: number | null;
  psnr: number | null;
}

export interface IntervalFigure {
  lower: number;
  upper: number;
}

export interface LeftOutCount {
  /** "incomplete", or the exclusion reasons of a session joined with "+" (e.g. "vigilance+timing"). */
  reason: string;
  sessions: number;
  trials: number;
}

export interface MethodResult {
  id: string;
  name: string;
  kind: "model" | "upload" | "baseline";
  /** Compared in the study (Method.config.tested); the Random baseline usually is not. */
  tested: boolean;
  baseline: string | null;
  metrics: MethodMetrics | null;
  /** What the figures below were computed from: analysed sessions (raters), images, test trials. */
  used: { sessions: number; images: number; trials: number; fooled: number };
  /** Test trials of this method that were not analysed, per reason. */
  leftOut: { sessions: number; trials: number; byReason: LeftOutCount[] };
  /** Pooled fool rate of the analysed test trials; null without data. */
  foolRate: number | null;
  /**
   * Primary interval: two-way cluster-robust (raters and images) Wilson interval at the effective
   * sample size, Student t with min(raters, images) − 1 degrees of freedom (lib/stats
   * twoWayFoolRateInterval). Null without data or below the minimum of raters and images.
   */
  interval: (IntervalFigure & { standardError: number; degreesOfFreedom: number; effectiveTrials: number }) | null;
  /** Why no interval or test is reported for this method (too few raters or images); else null. */
  withheld: string | null;
  /** Two-way (pigeonhole) bootstrap, percentile: conservative (counts trial-level variance three times). */
  bootstrap: (IntervalFigure & { standardError: number; variant: "two-way" | "raters" }) | null;
  /** Zhang et al. (2016)'s bootstrap (raters, then each rater's trials): its standard error. */
  paper: (IntervalFigure & { standardError: number }) | null;
  /** Wilson score interval over pooled trials: a naive reference that ignores clustering. */
  wilson: IntervalFigure | null;
  /** d′ = √2·Φ⁻¹(1 − fool rate), 1/(2N) rule at 0 and 1; bounds from the primary interval, or null (also in single-image designs). */
  dPrime: { estimate: number; lower: number | null; upper: number | null } | null;
  /** d′ with the side bias removed and the bias itself (criterion c < 0: leaning to answer "left"). */
  sideBias: { dPrime: number; criterion: number; leftShare: number } | null;
}

export interface ComparisonResult {
  methodA: string;
  methodB: string;
  nameA: string;
  nameB: string;
  /** Fool rate of A minus fool rate of B. */
  difference: number;
  /** Two-way cluster-robust, raters and images identified across methods (pairing kept). */
  standardError: number;
  /** Simultaneous 95% interval over all pairs compared (Bonferroni). */
  lower: number;
  upper: number;
  pValue: number;
  /** Bonferroni-adjusted over all pairs compared; below 0.05 exactly when [lower, upper] excludes 0. */
  adjustedPValue: number;
}

export interface ImageResult {
  methodId: string;
  stimulusId: string;
  name: string;
  realSha256: string;
  candidateSha256: string | null;
  trials: number;
  fooled: number;
  foolRate: number;
}

export interface RaterResult {
  sessionId: string;
  recruiter: string;
  status: "active" | "completed" | "abandoned" | "screened_out";
  /** The screening's outcome; null when the session was not screened (or has not answered yet). */
  screening: "passed" | "flagged" | "screened_out" | null;
  /** Between design: the session's method; null in the within design. */
  methodId: string | null;
  startedAt: string;
  completedAt: string | null;
  testTrials: number;
  testFooled: number;
  vigilanceTrials: number;
  vigilanceFailures: number;
  /** Answered test and vigilance trials, the denominator of the timing share. */
  analysableTrials: number;
  timingFlagged: number;
  meanFrameIntervalMs: number | null;
  disposition: SessionDisposition;
  reasons: LeftOutReason[];
}

export interface SessionCounts {
  total: number;
  byStatus: { active: number; completed: number; abandoned: number; screened_out: number };
  /** Completed sessions analysed. */
  analysed: number;
  /** Completed sessions excluded by the protocol's rules. */
  excluded: number;
  excludedByReason: { vigilance: number; timing: number; pace: number; "no-trials": number };
  /** Active or abandoned sessions, never analysed (the paper analysed completed HITs only). */
  incomplete: number;
  /** Test trials analysed over all methods, and test trials left out. */
  analysedTrials: number;
  leftOutTrials: number;
}

export interface AnalysisSettings {
  /** Only completed sessions are analysed; see lib/results/study-results.ts. */
  incompleteSessions: "left-out";
  exclusion: Protocol["exclusion"];
  /** The primary interval's method and the minimum a method needs for intervals and tests. */
  interval: { method: "two-way-cluster-robust"; level: number; minimumRaters: number; minimumImages: number };
  bootstrap: { variant: "two-way" | "raters"; resamples: number; level: number; seed: string; jointRaters: boolean };
  paperBootstrap: { resamples: number; seed: string };
  correction: "bonferroni";
}

export interface StudyResults {
  studyId: string;
  studyName: string;
  status: "draft" | "open" | "paused" | "closed";
  design: "between" | "within";
  protocol: Protocol;
  protocolHash: string;
  /** When these numbers were computed (ISO 8601); the cache serves them until data change. */
  computedAt: string;
  computeMs: number;
  analysis: AnalysisSettings;
  sessions: SessionCounts;
  methods: MethodResult[];
  comparisons: ComparisonResult[];
  /** Per (method, image), sorted by method then by fool rate, highest first. */
  images: ImageResult[];
  /** Every session: excluded and incomplete ones first, then by start time. */
  raters: RaterResult[];
  /** Things a reader must know (a fallback bootstrap, a method without data). */
  notes: string[];
  /**
   * Single-image and adaptive-exposure designs: their own figures (HYPE∞ and its parts; the
   * exposure threshold). Their `methods` fool rates above count fake trials only (the fake error,
   * with the paired design's intervals). Null for the paired design.
   */
  designFigures: DesignFigures | null;
  /** Screening outcomes, when the protocol screens raters (docs/colour-vision-screening.md). */
  screening: ScreeningCounts | null;
  /**
   * The fool rates again with the flagged raters (failed the screening, kept by the protocol) left
   * out, beside the main figures that include them; null when no analysed rater is flagged.
   */
  withoutFlagged: { flaggedSessions: number; methods: MethodResult[] } | null;
}

/** Screening outcomes of a study's sessions: how many were screened, and failures per axis. */
export interface ScreeningCounts {
  /** Sessions whose screening was scored. */
  screened: number;
  passed: number;
  flagged: number;
  screenedOut: number;
  /** Sessions that failed each part (a session can fail several). */
  failed: { protan: number; deutan: number; tritan: number; control: number; display: number; window: number };
  /** Sessions that were shown each part (colour plates; display checks with the window). */
  tested: { colourVision: number; display: number };
}
