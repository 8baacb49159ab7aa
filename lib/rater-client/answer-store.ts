import { z } from "zod";
import { answerSchema, type AnswerBody } from "@/lib/contract/rater-api";

/**
 * What the page keeps in the browser's storage between reloads, per study:
 * - the answer being sent, so that a reload or a closed tab during a network outage re-sends the
 *   same answer (same idempotency key) on the next visit instead of losing it;
 * - the trials whose images were already shown, so that a trial shown again after a reload is
 *   flagged (its rater saw the pair twice; the timing flag of docs/protocol.md).
 * Storage is best effort: a browser that refuses it (private mode, quota) loses only these extras.
 */

/** `localStorage`'s shape; tests pass a Map-backed one. */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export interface PendingAnswer {
  trialId: string;
  body: AnswerBody;
}

const pendingSchema = z.object({ trialId: z.string().min(1), body: answerSchema });

/** How many exposed trial ids are remembered: a reload can only repeat the latest trial. */
const EXPOSED_MEMORY = 8;

const pendingKey = (studyId: string) => `ctt:pending-answer:${studyId}`;
const exposedKey = (studyId: string) => `ctt:exposed-trials:${studyId}`;

function read(storage: KeyValueStorage, key: string): unknown {
  try {
    const text = storage.getItem(key);
    return text === null ? null : (JSON.parse(text) as unknown);
  } catch {
    return null;
  }
}

function write(storage: KeyValueStorage, key: string, value: unknown): void {
  try {
    storage.setItem(key, JSON.stringify(value));
  } catch {
    // Storage full or disabled: the answer is still being sent, only the reload safety net is lost.
  }
}

/** Remembers the answer now being sent (before the first attempt). */
export function savePendingAnswer(storage: KeyValueStorage, studyId: string, pending: PendingAnswer): void {
  write(storage, pendingKey(studyId), pending);
}

/** The answer a previous visit was still sending, or `null` (also for anything unreadable). */
export function loadPendingAnswer(storage: KeyValueStorage, studyId: string): PendingAnswer | null {
  const parsed = pendingSchema.safeParse(read(storage, pendingKey(studyId)));
  return parsed.success ? parsed.data : null;
}

/** Forgets the pending answer once the server has stored it (or definitively refused it). */
export function clearPendingAnswer(storage: KeyValueStorage, studyId: string): void {
  try {
    storage.removeItem(pendingKey(studyId));
  } catch {
    // Nothing to do: see write().
  }
}

function exposedTrials(storage: KeyValueStorage, studyId: string): string[] {
  const parsed = z.array(z.string()).safeParse(read(storage, exposedKey(studyId)));
  return parsed.success ? parsed.data : [];
}

/** Records that a trial's images have been on screen. */
export function markTrialExposed(storage: KeyValueStorage, studyId: string, trialId: string): void {
  const ids = exposedTrials(storage, studyId).filter((id) => id !== trialId);
  ids.push(trialId);
  write(storage, exposedKey(studyId), ids.slice(-EXPOSED_MEMORY));
}

/** Whether this browser already showed the trial's images (before a reload). */
export function wasTrialExposed(storage: KeyValueStorage, studyId: string, trialId: string): boolean {
  return exposedTrials(storage, studyId).includes(trialId);
}
