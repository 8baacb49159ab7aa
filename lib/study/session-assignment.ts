import { randomInt } from "node:crypto";
import type { Tx } from "@/lib/db/client";
import { DomainError } from "@/lib/errors";
import { parseMethodConfig } from "./method-config";
import { vigilanceTrialCount, type Protocol } from "@/lib/contract/protocol";
import { chooseMethodForRater } from "@/lib/stats";
import { readMethodPrecisions } from "./precision-recruitment";
import { countFor, readRecruitment, studyFull } from "./recruitment";
import { planTrials, PlanError, type PlannedTrial } from "./trial-plan";

// A uniform number in [0, 1) from the CSPRNG (randomInt allows ranges below 2^48).
const cryptoRandom = () => randomInt(0, 2 ** 47) / 2 ** 47;

export interface SessionAssignment {
  /** The method a between-subjects session tests; null within subjects (every method). */
  sessionMethodId: string | null;
  trials: PlannedTrial[];
  /** The candidate of each method and stimulus, keyed `methodId:stimulusId`. */
  candidateIds: Map<string, string>;
}

/**
 * Assigns a new session its method and trials, under the study's lock: between subjects the open
 * method with the fewest analysed and active sessions (or, recruiting to a precision target, the
 * open method whose interval is widest), then the trials from the least-shown images of the
 * methods used. Refuses a full study, and one whose methods cannot fill a session.
 */
export async function assignSession(tx: Tx, studyId: string, protocol: Protocol): Promise<SessionAssignment> {
  const methods = await tx.method.findMany({ where: { studyId, status: "ready" }, select: { id: true, config: true } });
  const tested = methods.filter((method) => parseMethodConfig(method.config).tested);
  const vigilanceMethod = methods.find((method) => parseMethodConfig(method.config).baseline === "random") ?? null;
  const vigilanceTrials = vigilanceTrialCount(protocol);

  let sessionMethodId: string | null = null;
  let testMethodIds = tested.map((method) => method.id);
  // Recruiting runs until the *analysed* target is met: excluded sessions do not count, and once
  // every method (or, within, the study) has its target, new raters are refused as "study full".
  const recruitment = await readRecruitment(tx, studyId, protocol);
  const { counts } = recruitment;
  const target = protocol.targetSessionsPerMethod;
  if (protocol.precisionTarget && testMethodIds.length > 0) {
    // Recruiting to a precision: a method is full once its interval is as narrow as the target
    // (with its minimum of raters), and the next rater goes to the method that needs raters most.
    const precisions = await readMethodPrecisions(tx, studyId, testMethodIds, recruitment, protocol.precisionTarget);
    const states = testMethodIds.map((id) => {
      const precision = precisions.get(id)!;
      // Raters still rating count as raters (without answers), so simultaneous arrivals spread out.
      const inProgress = protocol.design === "between" ? countFor(counts, id).active : countFor(counts, null).active;
      return { ...precision, raters: precision.raters + inProgress };
    });
    const chosen = chooseMethodForRater(states, protocol.precisionTarget);
    if (chosen === null) throw studyFull();
    if (protocol.design === "between") {
      sessionMethodId = testMethodIds[chosen] ?? null;
      testMethodIds = sessionMethodId ? [sessionMethodId] : [];
    }
  } else if (protocol.design === "between") {
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
