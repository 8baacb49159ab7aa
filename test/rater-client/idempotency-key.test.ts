import { describe, expect, it } from "vitest";
import { createIdempotencyKey, forgetStartKey, startKeyFor, type RandomSource } from "@/lib/rater-client/idempotency-key";

// The server's rule for keys (answerSchema, lib/contract/rater-api.ts).
const serverKeyRule = /^[A-Za-z0-9_-]{8,100}$/;

describe("createIdempotencyKey", () => {
  it("builds a version-4 UUID from random bytes where randomUUID is missing (plain http)", () => {
    // Bytes 00…0f: byte 6 becomes (0x06 & 0x0f) | 0x40 = 0x46, byte 8 (0x08 & 0x3f) | 0x80 = 0x88 (RFC 9562 §5.4).
    const counting: RandomSource = {
      getRandomValues<T extends ArrayBufferView | null>(array: T): T {
        if (array instanceof Uint8Array) array.forEach((_, i) => (array[i] = i));
        return array;
      },
    };
    const key = createIdempotencyKey(counting);
    expect(key).toBe("00010203-0405-4607-8809-0a0b0c0d0e0f");
    expect(key).toMatch(serverKeyRule);
  });

  it("uses crypto.randomUUID where present; keys do not repeat", () => {
    const keys = new Set(Array.from({ length: 1000 }, () => createIdempotencyKey(globalThis.crypto)));
    expect(keys.size).toBe(1000);
    for (const key of keys) expect(key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const fallback = { getRandomValues: globalThis.crypto.getRandomValues.bind(globalThis.crypto) };
    expect(createIdempotencyKey(fallback)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe("startKeyFor", () => {
  it("keeps one key per study until its start is answered, then makes a new one", () => {
    const kept = new Map<string, string>();
    const storage = { getItem: (key: string) => kept.get(key) ?? null, setItem: (key: string, value: string) => void kept.set(key, value), removeItem: (key: string) => void kept.delete(key) };
    const first = startKeyFor(storage, "study-1", globalThis.crypto);
    expect(first).toMatch(/^[A-Za-z0-9_-]{22}$/); // the session route's rule: 22 to 64 of these
    expect(startKeyFor(storage, "study-1", globalThis.crypto)).toBe(first); // a retry or a reload
    expect(startKeyFor(storage, "study-2", globalThis.crypto)).not.toBe(first);
    forgetStartKey(storage, "study-1");
    expect(startKeyFor(storage, "study-1", globalThis.crypto)).not.toBe(first);
    // Without storage (a script), every call is a new start.
    expect(startKeyFor(null, "study-1", globalThis.crypto)).not.toBe(startKeyFor(null, "study-1", globalThis.crypto));
  });
});
