// Turns the SQL aggregates of a study into its reported figures, with lib/stats. Pure: no database,
// no Next; the server module study-results.ts reads the aggregates and calls these functions.
import { createHash } from "node:crypto";
import { z } from "zod";
import {
  MIN_IMAGES_PER_METHOD,
  MIN_RATERS_PER_METHOD,
  StatsError,
  applyExclusionRules,
  clusterShortfall,
  compareFoolRatesTwoWay,
  countCells,
  dPrimeFromFoolRate,
  dPrimeWithBias,
  planBootstrap,
  runBootstrapChunk,
  summarizeBootstrap,
  twoWayFoolRateInterval,
  wilsonInterval,
  type BootstrapOptions,
  type FoolRateBootstrapSet,
  type TrialCounts,
} from "@/lib/stats";
import type { Protocol } from "@/lib/contract/protocol";
import type { MethodAggregate, SessionAggregate } from "./study-aggregates";
import { summarizeDesignFigures, type DesignRow } from "./design-figures";
import type {
  ComparisonResult,
  ImageResult,
  LeftOutReason,
  MethodMetrics,
  MethodResult,
  RaterResult,
  SessionCounts,
  StudyResults,
} from "./result-types";

/** Resamples of both bootstraps: the paper's later version and HYPE use 10,000 (docs/protocol.md, "The figures"). */
export const RESULT_RESAMPLES = 10_000;
/**
 * Resamples of the paper-variant bootstrap, a secondary figure kept to compare with published
 * numbers. The paper used 1,000 (later 10,000); 2,000 puts the Monte Carlo error of its SE near
 * 1.6% (≈ 1/√(2(B − 1)), Efron & Tibshirani 1993, §6.4) at a fifth of the cost: this kernel costs
 * as much per resample as the two-way one, and the server computes both.
 */
export const PAPER_RESAMPLES = 2_000;
/** Interval level of every reported interval. */
export const RESULT_LEVEL = 0.95;

/**
 * The bootstrap seed of a study: the first 64 bits of SHA-256("ctt-results:" + study id), so that
 * a reload (or another server) shows the same numbers for the same data.
 *
 * @example
 * studySeed("3f1c…") === studySeed("3f1c…"); // true, a bigint below 2^64
 */
export function studySeed(studyId: string): bigint {
  return BigInt(`0x${createHash("sha256").update(`ctt-results:${studyId}`).digest("hex").slice(0, 16)}`);
}

export interface SessionDecisionRow {
  disposition: RaterResult["disposition"];
  reasons: LeftOutReason[];
}

/**
 * Decides which sessions are analysed: completed sessions that pass the protocol's exclusion rules
 * (lib/stats `applyExclusionRules`). Sessions not completed (active or abandoned) are left out as
 * "incomplete": the paper analysed completed HITs only, and a half-done session biases toward
 * raters who quit.
 *
 * @returns a decision per session id, and the rule result's counts per reason.
 */
export function decideSessions(sessions: readonly SessionAggregate[], rules: Protocol["exclusion"]) {
  const completed = sessions.filter((session) => session.status === "completed");
  const result = applyExclusionRules(
    completed.map((session) => ({
      sessionId: session.sessionId,
      vigilanceTrials: session.vigilanceTrials,
      vigilanceFailures: session.vigilanceFailures,
      trials: session.analysableTrials,
      timingFlaggedTrials: session.timingFlagged,
      tooFastAnswers: session.tooFastAnswers,
    })),
    rules,
  );
  const decisions = new Map<string, SessionDecisionRow>();
  for (const session of sessions) decisions.set(session.sessionId, { disposition: "incomplete", reasons: ["incomplete"] });
  for (const decision of result.sessions) {
    decisions.set(decision.sessionId, {
      disposition: decision.kept ? "included" : "excluded",
      reasons: [...decision.reasons],
    });
  }
  return { decisions, counts: result.counts };
}

/** The sessions excluded by rule, as the parallel arrays readMethodAggregates takes. */
export function excludedSessionList(decisions: ReadonlyMap<string, SessionDecisionRow>) {
  const sessionIds: string[] = [];
  const reasons: string[] = [];
  for (const [sessionId, decision] of decisions) {
    if (decision.disposition !== "excluded") continue;
    sessionIds.push(sessionId);
    reasons.push(decision.reasons.join("+"));
  }
  return { sessionIds, reasons };
}

const metricsSchema = z.object({
  auc: z.number().nullable().optional(),
  aucRebalanced: z.number().nullable().optional(),
  colourfulness: z.number().nullable().optional(),
  colourfulnessGroundTruth: z.number().nullable().optional(),
  psnr: z.number().nullable().optional(),
});

/** Reads `Method.metrics` (written by lib/metrics); anything unreadable counts as absent. */
export function readMethodMetrics(value: unknown): MethodMetrics | null {
  if (value === null || value === undefined) return null;
  const parsed = metricsSchema.safeParse(value);
  if (!parsed.success) return null;
  const { auc, aucRebalanced, colourfulness, colourfulnessGroundTruth, psnr } = parsed.data;
  const metrics = {
    auc: auc ?? null,
    aucRebalanced: aucRebalanced ?? null,
    colourfulness: colourfulness ?? null,
    colourfulnessGroundTruth: colourfulnessGroundTruth ?? null,
    psnr: psnr ?? null,
  };
  return Object.values(metrics).some((item) => item !== null) ? metrics : null;
}

export interface MethodInfo {
  id: string;
  name: string;
  kind: MethodResult["kind"];
  tested: boolean;
  baseline: string | null;
  metrics: MethodMetrics | null;
}

export interface StudyInfo {
  id: string;
  name: string;
  status: StudyResults["status"];
  protocol: Protocol;
  protocolHash: string;
}

export interface GalleryLookup {
  stimuli: ReadonlyMap<string, { name: string; realSha256: string }>;
  /** key `${methodId}:${stimulusId}` → candidate blob. */
  candidates: ReadonlyMap<string, string>;
}

interface Bootstraps {
  twoWay: FoolRateBootstrapSet | null;
  paper: FoolRateBootstrapSet | null;
  notes: string[];
}

/**
 * A bootstrap computed chunk by chunk, yielding to the event loop between chunks: in a server, a
 * million-response study takes seconds of CPU, and raters' answers must not wait behind it.
 * Same replicates as `bootstrapFoolRates` (chunks depend only on the plan and their index).
 */
export async function bootstrapFoolRatesYielding(counts: readonly TrialCounts[], options: BootstrapOptions): Promise<FoolRateBootstrapSet> {
  const plan = planBootstrap(counts, options);
  const chunks: Float64Array[] = [];
  for (let chunk = 0; chunk < plan.chunks; chunk++) {
    chunks.push(runBootstrapChunk(plan, chunk));
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return summarizeBootstrap(plan, chunks);
}

/**
 * Computes a bootstrap: {@link bootstrapFoolRatesYielding} in the calling thread, or the worker
 * pool's chunk fan-out (results-workers.ts). Every runner gives the same replicates for a seed.
 */
export type BootstrapRunner = (counts: readonly TrialCounts[], options: BootstrapOptions) => Promise<FoolRateBootstrapSet>;

/** Runs the primary (two-way, falling back to raters) and the paper bootstrap over methods with data. */
async function runBootstraps(counts: readonly TrialCounts[], seed: bigint, bootstrap: BootstrapRunner): Promise<Bootstraps> {
  if (counts.length === 0) return { twoWay: null, paper: null, notes: [] };
  const notes: string[] = [];
  const options = { seed, resamples: RESULT_RESAMPLES, level: RESULT_LEVEL };
  let twoWay: FoolRateBootstrapSet;
  try {
    twoWay = await bootstrap(counts, { ...options, variant: "two-way" });
  } catch (error) {
    if (!(error instanceof StatsError) || error.code !== "too-sparse") throw error;
    // Raters and images share too few trials for the crossed resampling: resample raters only.
    notes.push("The two-way bootstrap found too few shared trials between resampled raters and images; intervals resample raters only.");
    twoWay = await bootstrap(counts, { ...options, variant: "raters" });
  }
  const paper = await bootstrap(counts, { ...options, resamples: PAPER_RESAMPLES, variant: "paper" });
  return { twoWay, paper, notes };
}

/** What {@link summarizeStudy} computes from: plain data (structured-cloneable, so a worker can take it). */
export interface SummarizeInput {
  study: StudyInfo;
  methods: readonly MethodInfo[];
  sessions: readonly SessionAggregate[];
  decisions: ReadonlyMap<string, SessionDecisionRow>;
  exclusionCounts: ReturnType<typeof decideSessions>["counts"];
  aggregates: readonly MethodAggregate[];
  gallery: GalleryLookup;
  now: string;
  /** Single-image designs: the analysed sessions' rows of design-rows.ts (absent or empty for pairs). */
  designRows?: readonly DesignRow[];
}

/** A method's figures, or only its counts when it has no analysed data or too few raters or images (with a note why). */
function methodResult(
  method: MethodInfo,
  aggregate: MethodAggregate | undefined,
  counts: TrialCounts | undefined,
  bootstrap: FoolRateBootstrapSet["methods"][number] | undefined,
  paper: FoolRateBootstrapSet["methods"][number] | undefined,
): { result: MethodResult; note: string | null } {
  const leftOut = aggregate?.leftOut ?? [];
  const base: MethodResult = {
    id: method.id,
    name: method.name,
    kind: method.kind,
    tested: method.tested,
    baseline: method.baseline,
    metrics: method.metrics,
    used: { sessions: 0, images: 0, trials: 0, fooled: 0 },
    leftOut: {
      sessions: leftOut.reduce((sum, item) => sum + item.sessions, 0),
      trials: leftOut.reduce((sum, item) => sum + item.trials, 0),
      byReason: leftOut.map((item) => ({ ...item })),
    },
    foolRate: null,
    interval: null,
    withheld: null,
    bootstrap: null,
    paper: null,
    wilson: null,
    dPrime: null,
    sideBias: null,
  };
  if (!aggregate || !counts) return { result: base, note: `${method.name}: no analysed test trials yet.` };
  if (!bootstrap || !paper) return { result: base, note: null };
  const used = { sessions: counts.raters, images: counts.images, trials: counts.trials, fooled: counts.fooled };
  const foolRate = counts.fooled / counts.trials;
  const sides = aggregate.sides;
  const bias = sides.realLeftTrials > 0 && sides.realRightTrials > 0 ? dPrimeWithBias(sides) : null;
  const sideBias = bias ? { dPrime: bias.dPrime, criterion: bias.criterion, leftShare: bias.leftShare } : null;
  const shortfall = clusterShortfall(counts);
  if (shortfall !== null) {
    // Below the minimum no interval covers reliably (the coverage grid starts at 10 raters), so
    // none is shown — only the estimate and its counts.
    const dPrime = dPrimeFromFoolRate({ estimate: foolRate, lower: foolRate, upper: foolRate, level: RESULT_LEVEL }, counts.trials);
    return {
      result: { ...base, used, foolRate, withheld: shortfall, dPrime: { estimate: dPrime.estimate, lower: null, upper: null }, sideBias },
      note: `${method.name}: no interval or test, ${shortfall}.`,
    };
  }
  const primary = twoWayFoolRateInterval(counts, RESULT_LEVEL);
  const wilson = wilsonInterval(counts.fooled, counts.trials, RESULT_LEVEL);
  const dPrime = dPrimeFromFoolRate(primary, counts.trials);
  return {
    result: {
      ...base,
      used,
      foolRate,
      interval: {
        lower: primary.lower,
        upper: primary.upper,
        standardError: primary.standardError,
        degreesOfFreedom: primary.degreesOfFreedom,
        effectiveTrials: primary.effectiveTrials,
      },
      bootstrap: { lower: bootstrap.lower, upper: bootstrap.upper, standardError: bootstrap.standardError, variant: bootstrap.variant === "two-way" ? "two-way" : "raters" },
      paper: { lower: paper.lower, upper: paper.upper, standardError: paper.standardError },
      wilson: { lower: wilson.lower, upper: wilson.upper },
      dPrime: { estimate: dPrime.estimate, lower: dPrime.lower, upper: dPrime.upper },
      sideBias,
    },
    note: null,
  };
}

/**
 * Pairwise differences between tested methods with enough raters and images: simultaneous
 * intervals and Bonferroni-adjusted p-values, one family (lib/stats compareFoolRatesTwoWay).
 * `withData[i]` has the counts `counts[i]`.
 */
function compareTestedMethods(withData: readonly MethodInfo[], counts: readonly TrialCounts[]): ComparisonResult[] {
  const testedIndices = withData.flatMap((method, index) => (method.tested && clusterShortfall(counts[index] as TrialCounts) === null ? [index] : []));
  if (testedIndices.length < 2) return [];
  const pairs: [number, number][] = [];
  for (let i = 0; i < testedIndices.length; i++) {
    for (let j = i + 1; j < testedIndices.length; j++) pairs.push([testedIndices[i] as number, testedIndices[j] as number]);
  }
  return compareFoolRatesTwoWay(counts, { pairs, level: RESULT_LEVEL }).comparisons.map((item) => {
    const a = withData[item.a] as MethodInfo;
    const b = withData[item.b] as MethodInfo;
    return {
      methodA: a.id,
      methodB: b.id,
      nameA: a.name,
      nameB: b.name,
      difference: item.difference,
      standardError: item.standardError,
      lower: item.lower,
      upper: item.upper,
      pValue: item.pValue,
      adjustedPValue: item.adjustedPValue,
    };
  });
}

/** Per method shown, its images by fool rate (highest first), with the photos for the gallery. */
function imageResults(shown: readonly MethodInfo[], byMethod: ReadonlyMap<string, MethodAggregate>, gallery: GalleryLookup): ImageResult[] {
  return shown.flatMap((method) => {
    const rows = (byMethod.get(method.id)?.images ?? []).map((image): ImageResult => {
      const stimulus = gallery.stimuli.get(image.stimulusId);
      return {
        methodId: method.id,
        stimulusId: image.stimulusId,
        name: stimulus?.name ?? image.stimulusId,
        realSha256: stimulus?.realSha256 ?? "",
        candidateSha256: gallery.candidates.get(`${method.id}:${image.stimulusId}`) ?? null,
        trials: image.trials,
        fooled: image.fooled,
        foolRate: image.fooled / image.trials,
      };
    });
    return rows.sort((x, y) => y.foolRate - x.foolRate || y.trials - x.trials || x.name.localeCompare(y.name));
  });
}

/** Every session with its disposition: excluded first, then incomplete, then included, each by start. */
function raterResults(sessions: readonly SessionAggregate[], decisions: ReadonlyMap<string, SessionDecisionRow>, design: Protocol["design"]): RaterResult[] {
  const raters = sessions.map((session): RaterResult => {
    const decision = decisions.get(session.sessionId) ?? { disposition: "incomplete" as const, reasons: ["incomplete" as const] };
    return {
      sessionId: session.sessionId,
      recruiter: session.recruiter,
      status: session.status,
      methodId: design === "between" ? session.methodId : null,
      startedAt: session.createdAt.toISOString(),
      completedAt: session.completedAt?.toISOString() ?? null,
      testTrials: session.testTrials,
      testFooled: session.testFooled,
      vigilanceTrials: session.vigilanceTrials,
      vigilanceFailures: session.vigilanceFailures,
      analysableTrials: session.analysableTrials,
      timingFlagged: session.timingFlagged,
      meanFrameIntervalMs: session.meanFrameIntervalMs,
      disposition: decision.disposition,
      reasons: decision.reasons,
      screening: session.screening,
    };
  });
  const dispositionOrder = { excluded: 0, incomplete: 1, included: 2 } as const;
  return raters.sort((x, y) => dispositionOrder[x.disposition] - dispositionOrder[y.disposition] || x.startedAt.localeCompare(y.startedAt));
}

/** Sessions by status and by the exclusion decision, and the trials analysed and left out. */
function countSessions(sessions: readonly SessionAggregate[], exclusionCounts: ReturnType<typeof decideSessions>["counts"], methodResults: readonly MethodResult[]): SessionCounts {
  const byStatus = { active: 0, completed: 0, abandoned: 0, screened_out: 0 };
  for (const session of sessions) byStatus[session.status]++;
  return {
    total: sessions.length,
    byStatus,
    analysed: exclusionCounts.kept,
    excluded: exclusionCounts.excluded,
    excludedByReason: { ...exclusionCounts.byReason },
    incomplete: byStatus.active + byStatus.abandoned,
    analysedTrials: methodResults.reduce((sum, method) => sum + method.used.trials, 0),
    leftOutTrials: methodResults.reduce((sum, method) => sum + method.leftOut.trials, 0),
  };
}

/** How the figures were computed, recorded with them: exclusion rules, interval, bootstraps and their seed. */
function analysisSettings(protocol: Protocol, seed: bigint, bootstraps: Bootstraps): StudyResults["analysis"] {
  return {
    incompleteSessions: "left-out",
    exclusion: protocol.exclusion,
    interval: { method: "two-way-cluster-robust", level: RESULT_LEVEL, minimumRaters: MIN_RATERS_PER_METHOD, minimumImages: MIN_IMAGES_PER_METHOD },
    bootstrap: {
      variant: bootstraps.twoWay?.variant === "raters" ? "raters" : "two-way",
      resamples: RESULT_RESAMPLES,
      level: RESULT_LEVEL,
      seed: seed.toString(),
      jointRaters: bootstraps.twoWay?.jointRaters ?? false,
    },
    paperBootstrap: { resamples: PAPER_RESAMPLES, seed: seed.toString() },
    correction: "bonferroni",
  };
}

/**
 * Assembles a study's figures from its SQL aggregates: per method the fool rate with the two-way
 * cluster-robust interval (primary), the two-way bootstrap interval (seeded by the study id), the
 * paper-variant standard error, the Wilson interval, d′ and the side bias; pairwise differences of
 * tested methods with simultaneous intervals and Bonferroni-adjusted p-values; per-image fool
 * rates; raters with their disposition. Methods below the minimum of raters or images get no
 * interval and no test, and a note says why.
 *
 * @param input the aggregates; `now` is the timestamp to record (ISO 8601).
 * @param bootstrap how bootstraps are computed (default: in this thread, yielding between chunks).
 * @returns the results without `computeMs`, which the caller measures around the whole computation.
 */
export async function summarizeStudy(
  input: SummarizeInput,
  bootstrap: BootstrapRunner = bootstrapFoolRatesYielding,
): Promise<Omit<StudyResults, "computeMs" | "screening" | "withoutFlagged">> {
  const { study, methods, sessions, decisions, aggregates, gallery } = input;
  const seed = studySeed(study.id);
  const byMethod = new Map(aggregates.map((aggregate) => [aggregate.methodId, aggregate]));

  // Methods in display order: tested first (in creation order), then others with data.
  const shown = methods.filter((method) => method.tested || byMethod.get(method.id)?.cells);
  const withData = shown.filter((method) => byMethod.get(method.id)?.cells);
  const counts = withData.map((method) => countCells(byMethod.get(method.id)?.cells as NonNullable<MethodAggregate["cells"]>));
  const bootstraps = await runBootstraps(counts, seed, bootstrap);
  const notes = [...bootstraps.notes];

  const methodResults = shown.map((method) => {
    const index = withData.indexOf(method);
    const analysed = index >= 0 && bootstraps.twoWay && bootstraps.paper;
    const { result, note } = analysed
      ? methodResult(method, byMethod.get(method.id), counts[index], bootstraps.twoWay?.methods[index], bootstraps.paper?.methods[index])
      : methodResult(method, byMethod.get(method.id), undefined, undefined, undefined);
    if (note) notes.push(note);
    // d′ here is the 2AFC formula's; single-image judgements are yes/no, and have no sides.
    return study.protocol.trialFormat.kind === "paired" ? result : { ...result, dPrime: null, sideBias: null };
  });

  return {
    studyId: study.id,
    studyName: study.name,
    status: study.status,
    design: study.protocol.design,
    protocol: study.protocol,
    protocolHash: study.protocolHash,
    computedAt: input.now,
    analysis: analysisSettings(study.protocol, seed, bootstraps),
    sessions: countSessions(sessions, input.exclusionCounts, methodResults),
    methods: methodResults,
    comparisons: compareTestedMethods(withData, counts),
    images: imageResults(shown, byMethod, gallery),
    raters: raterResults(sessions, decisions, study.protocol.design),
    notes,
    designFigures: summarizeDesignFigures(study.protocol.trialFormat, methods, input.designRows ?? [], { seed, resamples: RESULT_RESAMPLES, level: RESULT_LEVEL }),
  };
}
