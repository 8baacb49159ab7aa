import { readSessionAggregates, type QueryClient } from "@/lib/results/study-aggregates";
import { decideSessions } from "@/lib/results/summarize-study";
import { DomainError } from "@/lib/errors";
import type { Protocol } from "@/lib/contract/protocol";

/** Sessions of one method (between design) or of the study (within): the target counts analysed ones. */
export interface RecruitmentCount {
  /** Completed and kept by the protocol's exclusion rules: these make up the target. */
  analysed: number;
  /** Completed but excluded (vigilance, timing): they do not count toward the target. */
  excluded: number;
  /** Started and not yet completed. */
  active: number;
}

const none = (): RecruitmentCount => ({ analysed: 0, excluded: 0, active: 0 });

export interface Recruitment {
  /** Per method (between design) or for the whole study (within design: key null). */
  counts: Map<string | null, RecruitmentCount>;
  /** The sessions the results analyse: what a precision target is measured on. */
  analysedSessionIds: Set<string>;
}

/**
 * Analysed, excluded and active sessions per method (between design) or for the whole study
 * (within design: key null), decided exactly as the results decide them (lib/results).
 */
export async function readRecruitment(db: QueryClient, studyId: string, protocol: Protocol): Promise<Recruitment> {
  const sessions = await readSessionAggregates(db, studyId);
  const { decisions } = decideSessions(sessions, protocol.exclusion);
  const counts = new Map<string | null, RecruitmentCount>();
  const analysedSessionIds = new Set<string>();
  for (const session of sessions) {
    const key = protocol.design === "within" ? null : session.methodId;
    const count = counts.get(key) ?? none();
    const disposition = decisions.get(session.sessionId)?.disposition;
    if (disposition === "included") {
      count.analysed++;
      analysedSessionIds.add(session.sessionId);
    } else if (disposition === "excluded") count.excluded++;
    else if (session.status === "active") count.active++;
    counts.set(key, count);
  }
  return { counts, analysedSessionIds };
}

export function countFor(counts: ReadonlyMap<string | null, RecruitmentCount>, methodId: string | null): RecruitmentCount {
  return counts.get(methodId) ?? none();
}

/** A new rater is refused once the analysed target is met everywhere (the recruiter's "study full"). */
export function studyFull(): DomainError {
  return new DomainError("study_full", "This study has all the participants it needs. Thank you for your interest.");
}
