import type { Tx } from "@/lib/db/client";
import { DomainError } from "@/lib/errors";

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

function tooManyStarts(message: string, retryAfterSeconds: number): DomainError {
  return new DomainError("too_many_sessions", message, { retryAfterSeconds });
}

/**
 * Refuses a start past the study's per-minute limit or the client's per-hour limit. Runs under the
 * study's lock, so a burst cannot slip past the limits; `clientHash` is null when the address is
 * unknown (scripts, tests), and then only the study's limit applies.
 */
export async function enforceStartLimits(tx: Tx, studyId: string, clientHash: string | null, limits: StartLimits, now: number): Promise<void> {
  if ((await tx.raterSession.count({ where: { studyId, createdAt: { gt: new Date(now - 60_000) } } })) >= limits.perStudyPerMinute) {
    throw tooManyStarts("Many people are starting this study right now. Please try again in a minute.", 60);
  }
  if (clientHash && (await tx.raterSession.count({ where: { studyId, clientHash, createdAt: { gt: new Date(now - 3_600_000) } } })) >= limits.perAddressPerHour) {
    throw tooManyStarts("Too many sessions were started from your network. Please try again later.", 3600);
  }
}

// Session starts of one study queue here, in this process, before they take the study's
// advisory lock: a start that waits then holds no pooled connection. Without this a burst of
// raters arriving together parks every connection of the pool (DATABASE_POOL_MAX) on the lock
// and stalls the answers of everyone already running (measured with scripts/bench-serve.ts).
// Several processes still serialize through the advisory lock itself.
const startQueues = new Map<string, Promise<unknown>>();

/** Runs `start` after every earlier start of the same study in this process has settled. */
export function oneStartAtATime<T>(studyId: string, start: () => Promise<T>): Promise<T> {
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
