import { randomInt } from "node:crypto";
import type { Db } from "@/lib/db/client";
import { randomToken, sha256Hex } from "@/lib/crypto";
import { DomainError, notFound } from "@/lib/errors";
import { parseMethodConfig } from "./method-config";
import { protocolSchema, vigilanceTrialCount, type Protocol } from "./protocol";
import { planTrials, PlanError } from "./trial-plan";
import { countFor, recruitmentCounts, studyFull } from "./recruitment";

export type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

export type RecruiterName = "prolific" | "mturk" | "link";

export interface RecruiterIdentity {
  recruiter: RecruiterName;
  /** The recruiter's participant id (PROLIFIC_PID, workerId), if any. */
  participantId: string | null;
  /** What the researcher needs for payment and the recruiter for submission. */
  ids: Record<string, string>;
}

const MTURK_SUBMIT_HOSTS = new Set(["www.mturk.com", "workersandbox.mturk.com"]);

/**
 * The form of a recruiter's participant id that the once-per-participant check compares:
 * Unicode-compatible characters folded (NFKC), surrounding spaces dropped, letters lower-cased.
 * Prolific ids are lower-case hex and MTurk worker ids upper-case alphanumerics, so no two real
 * ids collide, while `5F00…`, ` 5f00…` and `5f00… ` all name the same participant.
 */
export function normalizeParticipantId(id: string): string {
  return id.normalize("NFKC").trim().toLowerCase();
}

/** MTurk's submit endpoint, over HTTPS only: anything else must not reach the submit form. */
export function isMturkSubmitUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === "https:" && MTURK_SUBMIT_HOSTS.has(url.host) && !url.username && !url.password;
  } catch {
    return false;
  }
}

/** Reads recruiter parameters (Prolific, MTurk, or none) from a study link's query string. */
export function identifyRecruiter(params: Record<string, string>): RecruiterIdentity {
  const pick = (...keys: string[]) => Object.fromEntries(keys.filter((key) => params[key]?.trim()).map((key) => [key, (params[key] as string).trim().slice(0, 200)]));
  if (params.PROLIFIC_PID?.trim()) {
    return { recruiter: "prolific", participantId: normalizeParticipantId(params.PROLIFIC_PID), ids: pick("PROLIFIC_PID", "STUDY_ID", "SESSION_ID") };
  }
  if (params.workerId?.trim()) {
    const ids = pick("workerId", "assignmentId", "hitId", "turkSubmitTo");
    // Only MTurk's own hosts: the submit form must not become an open redirect.
    if (ids.turkSubmitTo && !isMturkSubmitUrl(ids.turkSubmitTo)) delete ids.turkSubmitTo;
    return { recruiter: "mturk", participantId: normalizeParticipantId(params.workerId), ids };
  }
  return { recruiter: "link", participantId: null, ids: {} };
}

export function isMturkPreview(params: Record<string, string>): boolean {
  return params.assignmentId === "ASSIGNMENT_ID_NOT_AVAILABLE";
}

export function participantHash(salt: string, recruiter: RecruiterName, participantId: string): string {
  return sha256Hex(`${salt}:${recruiter}:${participantId}`);
}

export function raterCookieName(studyId: string): string {
  return `ctt_rater_${studyId.replace(/-/g, "")}`;
}

// A uniform number in [0, 1) from the CSPRNG (randomInt allows ranges below 2^48).
const cryptoRandom = () => randomInt(0, 2 ** 47) / 2 ** 47;

// Session starts of one study queue here, in this process, before they take the study's
// advisory lock: a start that waits then holds no pooled connection. Without this a burst of
// raters arriving together parks every connection of the pool (DATABASE_POOL_MAX) on the lock
// and stalls the answers of everyone already running (measured with scripts/bench-serve.ts).
// Several processes still serialize through the advisory lock itself.
const startQueues = new Map<string, Promise<unknown>>();

function oneStartAtATime<T>(studyId: string, start: () => Promise<T>): Promise<T> {
  const run = (startQueues.get(studyId) ?? Promise.resolve()).then(start, start);
  const settled = run.then(
    () => undefined,
    () => undefined,
  );
  startQueues.set(studyId, settled);
  void settled.then(() => {
    if (startQueues.get(studyId) === settled) startQueues.delete(studyId);
  });
  return run;
}

/**
 * Limits on starting sessions. Each start writes a session and its trial rows and counts toward
 * the balance of methods and images, so anonymous starts are limited per client address and per
 * study, and a session idle for `idleMinutes` is marked abandoned and leaves the balance.
 */
export interface StartLimits {
  perAddressPerHour: number;
  perStudyPerMinute: number;
  idleMinutes: number;
}

export const DEFAULT_START_LIMITS: StartLimits = { perAddressPerHour: 10, perStudyPerMinute: 120, idleMinutes: 60 };

interface StartInput {
  studyId: string;
  params: Record<string, string>;
  existingToken: string | undefined;
  userAgent: string | null;
  screen: { width: number; height: number; devicePixelRatio: number } | null;
  /** The client's address (lib/http/forwarded.ts); null when unknown (scripts, tests). */
  clientAddress?: string | null;
  limits?: StartLimits;
}

function tooManyStarts(message: string, retryAfterSeconds: number): DomainError {
  return new DomainError("too_many_sessions", message, { retryAfterSeconds });
}

/**
 * Starts a rater session, or resumes the one this browser already holds. Assignment is atomic:
 * one transaction per study at a time (an advisory transaction lock) counts sessions per method,
 * picks the method with the fewest, plans the trials from the least-shown images and stores it
 * all, so two raters starting at the same instant never see an inconsistent state.
 */
export async function startOrResumeSession(db: Db, input: StartInput): Promise<{ token: string; sessionId: string; resumed: boolean }> {
  if (input.existingToken) {
    const existing = await db.raterSession.findUnique({ where: { tokenHash: sha256Hex(input.existingToken) }, select: { id: true, studyId: true } });
    if (existing && existing.studyId === input.studyId) return { token: input.existingToken, sessionId: existing.id, resumed: true };
  }
  if (isMturkPreview(input.params)) throw new DomainError("mturk_preview", "Accept the HIT on MTurk before starting.");
  const identity = identifyRecruiter(input.params);
  const limits = input.limits ?? DEFAULT_START_LIMITS;
  const token = randomToken();
  const sessionId = await oneStartAtATime(input.studyId, () => db.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${input.studyId}))`;
      const study = await tx.study.findUnique({ where: { id: input.studyId }, select: { id: true, status: true, protocol: true, participantSalt: true } });
      if (!study) throw notFound("Study");
      if (study.status !== "open") throw new DomainError("study_not_open", study.status === "paused" ? "This study is paused. Please try again later." : "This study is not taking participants.");
      const protocol = protocolSchema.parse(study.protocol);
      const hash = identity.participantId ? participantHash(study.participantSalt, identity.recruiter, identity.participantId) : null;
      if (hash && (await tx.raterSession.count({ where: { studyId: study.id, participantHash: hash } })) > 0) {
        throw new DomainError("already_participated", "You have already taken part in this study (each participant may take it once).");
      }
      // Counted under the study's lock, so a burst cannot slip past the limits. The address is
      // stored only as a hash salted like participant ids.
      const clientHash = input.clientAddress ? sha256Hex(`${study.participantSalt}:client:${input.clientAddress}`) : null;
      const now = Date.now();
      if ((await tx.raterSession.count({ where: { studyId: study.id, createdAt: { gt: new Date(now - 60_000) } } })) >= limits.perStudyPerMinute) {
        throw tooManyStarts("Many people are starting this study right now. Please try again in a minute.", 60);
      }
      if (clientHash && (await tx.raterSession.count({ where: { studyId: study.id, clientHash, createdAt: { gt: new Date(now - 3_600_000) } } })) >= limits.perAddressPerHour) {
        throw tooManyStarts("Too many sessions were started from your network. Please try again later.", 3600);
      }
      await abandonIdleSessions(tx, study.id, new Date(now - limits.idleMinutes * 60_000));
      const plan = await planSession(tx, study.id, protocol);
      const session = await tx.raterSession.create({
        data: {
          studyId: study.id,
          methodId: plan.sessionMethodId,
          recruiter: identity.recruiter,
          participantHash: hash,
          recruiterIds: Object.keys(identity.ids).length ? recruiterIdsToKeep(identity, protocol) : undefined,
          tokenHash: sha256Hex(token),
          userAgent: input.userAgent?.slice(0, 500) ?? null,
          clientHash,
          screen: input.screen ?? undefined,
        },
        select: { id: true },
      });
      await tx.trial.createMany({
        data: plan.trials.map((trial) => ({
          sessionId: session.id,
          position: trial.position,
          kind: trial.kind,
          methodId: trial.methodId,
          stimulusId: trial.stimulusId,
          candidateId: plan.candidateIds.get(`${trial.methodId}:${trial.stimulusId}`) as string,
          realOnLeft: trial.realOnLeft,
          leftToken: randomToken(18),
          rightToken: randomToken(18),
        })),
      });
      return session.id;
    },
    { timeout: 30_000, maxWait: 30_000 },
  ));
  return { token, sessionId, resumed: false };
}

function recruiterIdsToKeep(identity: RecruiterIdentity, protocol: Protocol): Record<string, string> {
  if (protocol.keepRecruiterIds) return identity.ids;
  // Without consent to keep ids, only what MTurk's submission needs stays (not personal data).
  const { assignmentId, turkSubmitTo } = identity.ids;
  return Object.fromEntries(Object.entries({ assignmentId, turkSubmitTo }).filter(([, value]) => value)) as Record<string, string>;
}

/**
 * Marks abandoned the study's active sessions whose last answer (or start, without answers) is
 * older than `idleBefore`: they no longer count toward the balance of methods and images. A rater
 * who comes back can still finish; the last answer marks the session completed as usual.
 */
async function abandonIdleSessions(tx: Tx, studyId: string, idleBefore: Date): Promise<void> {
  await tx.$executeRaw`
    UPDATE "RaterSession" r SET "status" = 'abandoned'
     WHERE r."studyId" = ${studyId} AND r."status" = 'active' AND r."createdAt" < ${idleBefore}
       AND NOT EXISTS (
         SELECT 1 FROM "Trial" t JOIN "Response" a ON a."trialId" = t."id"
          WHERE t."sessionId" = r."id" AND a."createdAt" >= ${idleBefore})`;
}

async function planSession(tx: Tx, studyId: string, protocol: Protocol) {
  const methods = await tx.method.findMany({ where: { studyId, status: "ready" }, select: { id: true, config: true } });
  const tested = methods.filter((method) => parseMethodConfig(method.config).tested);
  const vigilanceMethod = methods.find((method) => parseMethodConfig(method.config).baseline === "random") ?? null;
  const vigilanceTrials = vigilanceTrialCount(protocol);

  let sessionMethodId: string | null = null;
  let testMethodIds = tested.map((method) => method.id);
  // Recruiting runs until the *analysed* target is met: excluded sessions do not count, and once
  // every method (or, within, the study) has its target, new raters are refused as "study full".
  const counts = await recruitmentCounts(tx, studyId, protocol);
  const target = protocol.targetSessionsPerMethod;
  if (protocol.design === "between") {
    const open = testMethodIds.filter((id) => countFor(counts, id).analysed < target);
    if (testMethodIds.length > 0 && open.length === 0) throw studyFull();
    // Sessions in progress may still complete: balance on analysed + active.
    const load = (id: string) => countFor(counts, id).analysed + countFor(counts, id).active;
    const fewest = Math.min(...open.map(load));
    const candidates = open.filter((id) => load(id) === fewest);
    sessionMethodId = candidates[randomInt(0, candidates.length)] ?? null;
    testMethodIds = sessionMethodId ? [sessionMethodId] : [];
  } else if (countFor(counts, null).analysed >= target) {
    throw studyFull();
  }
  const usedMethodIds = [...testMethodIds, ...(vigilanceTrials > 0 && vigilanceMethod ? [vigilanceMethod.id] : [])];
  const candidates = await tx.candidate.findMany({ where: { methodId: { in: usedMethodIds } }, select: { id: true, methodId: true, stimulusId: true } });
  const candidateIds = new Map(candidates.map((candidate) => [`${candidate.methodId}:${candidate.stimulusId}`, candidate.id]));
  const perStimulus = new Map<string, number>();
  for (const candidate of candidates) perStimulus.set(candidate.stimulusId, (perStimulus.get(candidate.stimulusId) ?? 0) + 1);
  const stimulusIds = [...perStimulus].filter(([, count]) => count === usedMethodIds.length).map(([id]) => id).sort();

  // Analysed trials only: practice images are never analysed, so they must not skew the balance.
  const shownRows = await tx.trial.groupBy({
    by: ["methodId", "stimulusId"],
    where: { methodId: { in: usedMethodIds }, kind: { not: "practice" }, session: { status: { not: "abandoned" } } },
    _count: { _all: true },
  });
  const timesShown = new Map<string, Map<string, number>>();
  for (const row of shownRows) {
    const byStimulus = timesShown.get(row.methodId) ?? new Map<string, number>();
    byStimulus.set(row.stimulusId, row._count._all);
    timesShown.set(row.methodId, byStimulus);
  }
  try {
    const trials = planTrials({
      practiceTrials: protocol.practiceTrials,
      testTrials: protocol.testTrials,
      vigilanceTrials,
      testMethodIds,
      vigilanceMethodId: vigilanceMethod?.id ?? null,
      stimulusIds,
      timesShown,
      random: cryptoRandom,
    });
    return { sessionMethodId, trials, candidateIds };
  } catch (error) {
    if (error instanceof PlanError) throw new DomainError("study_not_ready", error.message);
    throw error;
  }
}
