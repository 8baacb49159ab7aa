import { z } from "zod";
import type { Db } from "@/lib/db/client";
import type { ResearcherView } from "@/lib/auth/accounts";
import { randomToken } from "@/lib/crypto";
import { DomainError } from "@/lib/errors";
import { assertDraft, assertStudyAccess } from "./access";
import { newCompletionCode } from "./completion-code";
import { parseMethodConfig } from "./method-config";
import { defaultProtocol, protocolSchema, vigilanceTrialCount, type Protocol } from "@/lib/contract/protocol";
import { hashProtocol } from "./protocol-hash";
import { readMethodPrecisions } from "./precision-recruitment";
import { countFor, readRecruitment } from "./recruitment";
import { readStoredProtocol } from "./stored-protocol";

export const createStudySchema = z.object({
  name: z.string().trim().min(1).max(200),
  protocol: protocolSchema.optional(),
});

export const updateStudySchema = z.object({
  name: z.string().trim().min(1).max(200).optional(),
  protocol: protocolSchema.optional(),
});

export const statusActionSchema = z.object({ action: z.enum(["open", "pause", "resume", "close"]) });

export async function createStudy(db: Db, researcher: ResearcherView, input: z.infer<typeof createStudySchema>) {
  return db.study.create({
    data: {
      name: input.name,
      ownerId: researcher.id,
      teamId: researcher.teamId,
      protocol: input.protocol ?? defaultProtocol(),
      completionCode: newCompletionCode(),
      participantSalt: randomToken(),
    },
    select: { id: true, name: true, status: true },
  });
}

/** A draft's name and protocol can change; once opened, the protocol is frozen. */
export async function updateStudy(db: Db, researcher: ResearcherView, studyId: string, input: z.infer<typeof updateStudySchema>) {
  const study = await assertStudyAccess(db, researcher, studyId);
  if (input.protocol) assertDraft(study, "The protocol is frozen once the study has opened.");
  return db.study.update({
    where: { id: studyId },
    data: { name: input.name, protocol: input.protocol },
    select: { id: true, name: true, status: true, protocol: true },
  });
}

/** What readiness and progress need of a method. */
export interface MethodSummary {
  id: string;
  name: string;
  kind: string;
  status: string;
  config: unknown;
}

/** Why a study cannot open yet, as sentences for the researcher; empty when it can. */
export async function readinessProblems(db: Db, studyId: string, protocol: Protocol): Promise<string[]> {
  const [stimuli, methods] = await Promise.all([
    db.stimulusImage.count({ where: { studyId } }),
    db.method.findMany({ where: { studyId }, select: { id: true, name: true, kind: true, status: true, config: true } }),
  ]);
  return readinessProblemsOf(protocol, stimuli, methods);
}

/** {@link readinessProblems} from what the caller has already read: the stimulus count and the methods. */
export function readinessProblemsOf(protocol: Protocol, stimuli: number, methods: readonly MethodSummary[]): string[] {
  const problems: string[] = [];
  const needed = protocol.practiceTrials + protocol.testTrials;
  if (stimuli < needed) problems.push(`Each session shows ${needed} different images; the study has ${stimuli}.`);
  const tested = methods.filter((method) => parseMethodConfig(method.config).tested);
  if (tested.length === 0) problems.push("Add at least one method to test.");
  for (const method of tested) if (method.status !== "ready") problems.push(`Method "${method.name}" is ${method.status}, not ready.`);
  if (vigilanceTrialCount(protocol) > 0) {
    const random = methods.find((method) => parseMethodConfig(method.config).baseline === "random");
    if (!random) problems.push("Vigilance trials need the Random baseline: add it, or set the vigilance share to 0.");
    else if (random.status !== "ready") problems.push(`The Random baseline is ${random.status}, not ready.`);
  }
  // The protocol can describe these designs, but the rater page runs paired trials only so far.
  if (protocol.trialFormat.kind !== "paired") {
    problems.push(`The ${protocol.trialFormat.kind === "single-image" ? "single-image" : "adaptive-exposure"} design cannot be run by the rater page yet; choose paired trials.`);
  }
  return problems;
}

/**
 * Moves a study through draft → open ⇄ paused → closed. Opening checks readiness and freezes the
 * protocol with its hash; paused studies take no new sessions but let started ones finish;
 * closed studies take no answers at all.
 */
export async function changeStudyStatus(db: Db, researcher: ResearcherView, studyId: string, action: z.infer<typeof statusActionSchema>["action"]) {
  await assertStudyAccess(db, researcher, studyId);
  return db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${studyId}))`;
    const study = await tx.study.findUniqueOrThrow({ where: { id: studyId }, select: { status: true, protocol: true, protocolHash: true } });
    const allowed: Record<typeof action, string[]> = { open: ["draft"], pause: ["open"], resume: ["paused"], close: ["open", "paused", "draft"] };
    if (!allowed[action].includes(study.status)) {
      throw new DomainError("invalid_transition", `A ${study.status} study cannot ${action}.`);
    }
    if (action === "open") {
      const protocol = readStoredProtocol(study.protocol, study.protocolHash);
      const problems = await readinessProblems(tx as unknown as Db, studyId, protocol);
      if (problems.length) throw new DomainError("study_not_ready", problems.join(" "), { problems });
      return tx.study.update({
        where: { id: studyId },
        data: { status: "open", openedAt: new Date(), protocol, protocolHash: hashProtocol(protocol) },
        select: { id: true, status: true, protocolHash: true },
      });
    }
    const status = action === "pause" ? "paused" : action === "resume" ? "open" : "closed";
    return tx.study.update({
      where: { id: studyId },
      data: { status, closedAt: action === "close" ? new Date() : undefined },
      select: { id: true, status: true, protocolHash: true },
    });
  });
}

/**
 * Sessions per method against the target, for live progress: analysed (completed and kept by the
 * exclusion rules; these make up the target), excluded, and in progress. `full` once every tested
 * method has its analysed target: new raters are then refused ("study full").
 */
export async function studyProgress(db: Db, studyId: string) {
  const [study, methods] = await Promise.all([
    db.study.findUniqueOrThrow({ where: { id: studyId }, select: { id: true, protocol: true, protocolHash: true, status: true } }),
    db.method.findMany({ where: { studyId }, select: { id: true, name: true, kind: true, status: true, config: true }, orderBy: { createdAt: "asc" } }),
  ]);
  return progressOf(db, { ...study, protocol: readStoredProtocol(study.protocol, study.protocolHash) }, methods);
}

/** {@link studyProgress} for a study and its methods (in creation order) that the caller has already read. */
export async function progressOf(db: Db, study: { id: string; status: string; protocol: Protocol }, methods: readonly MethodSummary[]) {
  const { protocol } = study;
  const recruitment = await readRecruitment(db, study.id, protocol);
  const { counts } = recruitment;
  const testedIds = methods.filter((method) => parseMethodConfig(method.config).tested).map((method) => method.id);
  const precisions = protocol.precisionTarget ? await readMethodPrecisions(db, study.id, testedIds, recruitment, protocol.precisionTarget) : null;
  const within = protocol.design === "within";
  const target = protocol.targetSessionsPerMethod;
  const rows = methods.map((method) => {
    const count = countFor(counts, within ? null : method.id);
    const precision = precisions?.get(method.id) ?? null;
    return {
      id: method.id,
      name: method.name,
      kind: method.kind,
      status: method.status,
      tested: parseMethodConfig(method.config).tested,
      analysed: count.analysed,
      excluded: count.excluded,
      /** Completed sessions, analysed or excluded. */
      completed: count.analysed + count.excluded,
      active: count.active,
      /** Analysed sessions past the target (sessions in progress when it was met, then completed). */
      beyondTarget: precisions ? 0 : Math.max(0, count.analysed - target),
      /** Recruiting to a precision: the method's current interval half-width (null below two raters) and whether it is met. */
      precision: precision ? { halfWidth: Number.isFinite(precision.halfWidth) ? precision.halfWidth : null, full: precision.full } : null,
    };
  });
  const tested = rows.filter((row) => row.tested);
  return {
    status: study.status,
    design: protocol.design,
    target,
    /** The precision target, when the study recruits to one instead of to `target` sessions. */
    precisionTarget: protocol.precisionTarget,
    full: tested.length > 0 && tested.every((row) => (row.precision ? row.precision.full : row.analysed >= target)),
    methods: rows,
  };
}

/** Recruiting links for Prolific, MTurk and a plain anonymous link. */
export function recruitingLinks(origin: string, studyId: string) {
  const base = `${origin}/s/${studyId}`;
  return {
    link: base,
    prolific: `${base}?PROLIFIC_PID={{%PROLIFIC_PID%}}&STUDY_ID={{%STUDY_ID%}}&SESSION_ID={{%SESSION_ID%}}`,
    mturk: base,
  };
}
