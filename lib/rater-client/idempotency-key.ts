import type { KeyValueStorage } from "./answer-store";

/** The part of Web Crypto the key needs; `globalThis.crypto` in the page and in Node. */
export interface RandomSource {
  getRandomValues<T extends ArrayBufferView | null>(array: T): T;
  randomUUID?: () => string;
}

/**
 * A fresh idempotency key for one answer: a random (version 4) UUID. `crypto.randomUUID` exists
 * only in secure contexts (https, localhost), so a study served over plain http on a lab network
 * builds the same UUID from `getRandomValues`, which has no such restriction (RFC 9562 §5.4:
 * 122 random bits, version nibble 4, variant bits 10).
 */
export function createIdempotencyKey(source: RandomSource): string {
  if (typeof source.randomUUID === "function") return source.randomUUID();
  const bytes = source.getRandomValues(new Uint8Array(16));
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const START_KEY_PREFIX = "rater-start-key:";

/**
 * The key of this page's start of a study's session: 128 random bits, base64url. Kept in the
 * page's storage (answer-store.ts) until a start succeeds, so retries and a reload after a lost reply send the
 * same key, and the server answers with the session the first attempt made
 * (lib/study/start-session.ts) instead of a second session or a refusal as a repeat participant.
 */
export function startKeyFor(storage: KeyValueStorage | null, studyId: string, source: RandomSource): string {
  const kept = storage?.getItem(START_KEY_PREFIX + studyId);
  if (kept && /^[A-Za-z0-9_-]{22,64}$/.test(kept)) return kept;
  const bytes = source.getRandomValues(new Uint8Array(16));
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  const key = btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  storage?.setItem(START_KEY_PREFIX + studyId, key);
  return key;
}

/** Forgets the start key once its start has been answered (the session cookie takes over). */
export function forgetStartKey(storage: KeyValueStorage | null, studyId: string): void {
  storage?.removeItem(START_KEY_PREFIX + studyId);
}
