import "server-only";
import type { Db } from "@/lib/db/client";
import { notFound } from "@/lib/errors";
import { parseMethodConfig } from "@/lib/study/method-config";
import type { Protocol } from "@/lib/contract/protocol";
import { readStoredProtocol } from "@/lib/study/stored-protocol";
import { hashProtocol } from "@/lib/study/protocol-hash";
import type { StudyResults } from "./result-types";
import { sharedResultsPool } from "./results-workers";
import { screeningRequired } from "@/lib/study/screening-state";
import {
  readMethodAggregates,
  readResultsFingerprint,
  readScreeningCounts,
  readSessionAggregates,
  type MethodAggregate,
  type QueryClient,
  type SessionAggregate,
} from "./study-aggregates";
import { decideSessions, excludedSessionList, readMethodMetrics, type MethodInfo, type SessionDecisionRow } from "./summarize-study";
import { readDesignRows } from "./design-rows";
import type { DesignRow } from "./design-figures";

/** The long statements of a large study may take seconds; Prisma's 5 s default is too short. */
const TRANSACTION_TIMEOUT_MS = 120_000;

/**
 * Reads a study's aggregates and decides its sessions: per-session counts, the exclusion rules
 * applied to completed sessions (lib/stats), then the per-method cells, images and left-out
 * tallies of the analysed sessions; in a single-image design also their single-image rows
 * (design-rows.ts).
 *
 * The queries run in one REPEATABLE READ transaction so that the sessions the exclusion rules
 * judged are exactly those the per-method query numbers (no session can complete in between).
 */
export async function readStudyAggregates(db: Db, studyId: string, rules: Protocol["exclusion"], singleImage = false) {
  return db.$transaction(
    async (tx) => {
      await tx.$executeRaw`SET TRANSACTION ISOLATION LEVEL REPEATABLE READ`;
      // The joins hash a million trials in a large study; PostgreSQL's default 4 MB work_mem makes
      // them spill to disk in batches. Raised for this transaction only.
      await tx.$executeRaw`SET LOCAL work_mem = '64MB'`;
      const sessions = await readSessionAggregates(tx, studyId);
      const decided = decideSessions(sessions, rules);
      const aggregates = await readMethodAggregates(tx, studyId, excludedSessionList(decided.decisions));
      const withoutFlagged = await readWithoutFlagged(tx, studyId, rules, sessions, decided.decisions);
      const analysed = [...decided.decisions].filter(([, decision]) => decision.disposition === "included").map(([sessionId]) => sessionId);
      const designRows = singleImage ? await readDesignRows(tx, studyId, analysed) : [];
      return { sessions, decided, aggregates, withoutFlagged, screening: await readScreeningCounts(tx, studyId), designRows };
    },
    { timeout: TRANSACTION_TIMEOUT_MS, maxWait: 30_000 },
  );
}

/**
 * The same aggregates with the raters the screening flagged (failed, kept by the protocol) left
 * out, for the fool rates "without flagged raters"; null when no analysed session is flagged.
 * Flagged sessions go into the excluded list with the reason "screening", so the per-method query
 * leaves them out exactly as it leaves out sessions excluded by rule.
 */
async function readWithoutFlagged(
  tx: QueryClient,
  studyId: string,
  rules: Protocol["exclusion"],
  sessions: readonly SessionAggregate[],
  decisions: ReadonlyMap<string, SessionDecisionRow>,
) {
  const flagged = sessions.filter((session) => session.screening === "flagged");
  const flaggedAnalysed = flagged.filter((session) => decisions.get(session.sessionId)?.disposition === "included").length;
  if (flaggedAnalysed === 0) return null;
  const flaggedIds = new Set(flagged.map((session) => session.sessionId));
  const kept = sessions.filter((session) => !flaggedIds.has(session.sessionId));
  const decided = decideSessions(kept, rules);
  const excluded = excludedSessionList(decided.decisions);
  const aggregates = await readMethodAggregates(tx, studyId, {
    sessionIds: [...excluded.sessionIds, ...flaggedIds],
    reasons: [...excluded.reasons, ...flagged.map(() => "screening")],
  });
  return { flaggedSessions: flaggedAnalysed, sessions: kept, decided, aggregates };
}

/**
 * Computes a study's results from the database (no cache): SQL aggregates, the protocol's
 * exclusion rules, then the figures on the results worker threads (results-workers.ts).
 * Incomplete (active or abandoned) sessions are left out and counted, as the paper analysed
 * completed HITs only.
 *
 * @throws DomainError not_found when the study does not exist.
 */
export async function computeStudyResults(db: Db, studyId: string): Promise<StudyResults> {
  const started = performance.now();
  const study = await db.study.findUnique({
    where: { id: studyId },
    select: { id: true, name: true, status: true, protocol: true, protocolHash: true },
  });
  if (!study) throw notFound("Study");
  const protocol = readStoredProtocol(study.protocol, study.protocolHash);
  const [methodRows, stimuli, candidates] = await Promise.all([
    db.method.findMany({ where: { studyId }, select: { id: true, name: true, kind: true, config: true, metrics: true }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] }),
    db.stimulusImage.findMany({ where: { studyId }, select: { id: true, name: true, realSha256: true } }),
    db.candidate.findMany({ where: { method: { studyId } }, select: { methodId: true, stimulusId: true, blobSha256: true } }),
  ]);
  const methods: MethodInfo[] = methodRows.map((method) => {
    const config = parseMethodConfig(method.config);
    return { id: method.id, name: method.name, kind: method.kind, tested: config.tested, baseline: config.baseline ?? null, metrics: readMethodMetrics(method.metrics) };
  });

  const { sessions, decided, aggregates, withoutFlagged, screening, designRows } = await readStudyAggregates(db, studyId, protocol.exclusion, protocol.trialFormat.kind !== "paired");

  // The figures are computed on the results workers: seconds of CPU for a large study, which the
  // request thread must not spend (raters' answers arrive meanwhile).
  // A single-image design's own figures come with the main analysis only.
  const summarize = (part: { sessions: readonly SessionAggregate[]; decided: ReturnType<typeof decideSessions>; aggregates: MethodAggregate[] }, rows: readonly DesignRow[] = []) =>
    sharedResultsPool().summarize({
      study: { id: study.id, name: study.name, status: study.status, protocol, protocolHash: study.protocolHash ?? hashProtocol(protocol) },
      methods,
      sessions: part.sessions,
      decisions: part.decided.decisions,
      exclusionCounts: part.decided.counts,
      aggregates: part.aggregates,
      gallery: {
        stimuli: new Map(stimuli.map((stimulus) => [stimulus.id, { name: stimulus.name, realSha256: stimulus.realSha256 }])),
        candidates: new Map(candidates.map((candidate) => [`${candidate.methodId}:${candidate.stimulusId}`, candidate.blobSha256])),
      },
      now: new Date().toISOString(),
      designRows: rows,
    });
  // With flagged raters, the analysis without them runs beside the main one (its own worker).
  const [summary, withoutFlaggedSummary] = await Promise.all([summarize({ sessions, decided, aggregates }, designRows), withoutFlagged ? summarize(withoutFlagged) : null]);
  return {
    ...summary,
    screening: screeningRequired(protocol) || screening.screened > 0 ? screening : null,
    withoutFlagged: withoutFlagged && withoutFlaggedSummary ? { flaggedSessions: withoutFlagged.flaggedSessions, methods: withoutFlaggedSummary.methods } : null,
    computeMs: Math.round(performance.now() - started),
  };
}

interface CacheEntry {
  fingerprint: string;
  results: Promise<StudyResults>;
}

/** Studies whose results stay in memory (least recently used beyond this are dropped). */
const CACHE_LIMIT = 16;
const globalCache = globalThis as typeof globalThis & { __cttStudyResults?: Map<string, CacheEntry> };

/**
 * A study's results, computed once per state of its data: cached in this process, keyed by the
 * fingerprint of {@link readResultsFingerprint} (sessions per status, latest start and completion,
 * protocol, methods). A reload while nothing changed costs one small query; concurrent requests
 * share one computation. Each server process keeps its own cache.
 *
 * @throws DomainError not_found when the study does not exist.
 */
export async function getStudyResults(db: Db, studyId: string): Promise<StudyResults> {
  const fingerprint = await readResultsFingerprint(db, studyId);
  if (fingerprint === null) throw notFound("Study");
  const cache = (globalCache.__cttStudyResults ??= new Map());
  const cached = cache.get(studyId);
  if (cached && cached.fingerprint === fingerprint) {
    // Refresh its place in the LRU order.
    cache.delete(studyId);
    cache.set(studyId, cached);
    return cached.results;
  }
  const results = computeStudyResults(db, studyId);
  const entry = { fingerprint, results };
  cache.set(studyId, entry);
  while (cache.size > CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  results.catch(() => {
    if (cache.get(studyId) === entry) cache.delete(studyId);
  });
  return results;
}
