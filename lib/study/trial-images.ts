import { createHash } from "node:crypto";
import type { Db } from "@/lib/db/client";
import { DomainError, notFound } from "@/lib/errors";
import { renderServedPair, SERVED_IMAGE_TYPE, type ServedPair } from "@/lib/images/trial-pair";

// Blobs are content-addressed (the key is the SHA-256 of the bytes), so a cached copy is never
// stale. Stored stimuli are small (a 256×256 JPEG is about 15 KB) and each is shown to many
// raters: keeping up to 64 MB of them in memory (least recently used out first) saves the image
// route its largest read (docs/benchmarks.md, "Serving").
const BLOB_CACHE_BYTES = 64 * 1024 * 1024;
const blobCache = new Map<string, Uint8Array>();
let blobCacheBytes = 0;

async function readBlobCached(db: Db, sha256: string): Promise<Uint8Array> {
  const hit = blobCache.get(sha256);
  if (hit) {
    blobCache.delete(sha256);
    blobCache.set(sha256, hit);
    return hit;
  }
  const blob = await db.blob.findUnique({ where: { sha256 }, select: { bytes: true } });
  if (!blob) throw notFound("Image");
  blobCache.set(sha256, blob.bytes);
  blobCacheBytes += blob.bytes.byteLength;
  for (const [key, value] of blobCache) {
    if (blobCacheBytes <= BLOB_CACHE_BYTES) break;
    blobCache.delete(key);
    blobCacheBytes -= value.byteLength;
  }
  return blob.bytes;
}

// A trial's pair is rendered once, when the first of its two images is asked for; the page asks
// for both at once, so the second request waits on the same rendering. Served files are
// uncompressed (about 197 KB each at 256 px), so the pairs kept are bounded by their bytes: the
// oldest go first, and a pair asked for again after that is rendered again, from the same seed.
const SERVED_PAIR_CACHE_BYTES = 96 * 1024 * 1024;
const servedPairs = new Map<string, { pair: Promise<ServedPair>; bytes: number }>();
let servedPairBytes = 0;

function rememberPair(trialId: string, pair: Promise<ServedPair>): void {
  const entry = { pair, bytes: 0 };
  servedPairs.set(trialId, entry);
  pair.then(
    ({ left, right }) => {
      if (servedPairs.get(trialId) !== entry) return;
      entry.bytes = left.length + right.length;
      servedPairBytes += entry.bytes;
      for (const [key, kept] of servedPairs) {
        if (servedPairBytes <= SERVED_PAIR_CACHE_BYTES) break;
        forgetServedPair(key);
        if (kept === entry) break;
      }
    },
    () => {
      if (servedPairs.get(trialId) === entry) servedPairs.delete(trialId);
    },
  );
}

/** Forgets an answered trial's rendered pair (its URLs now answer 410). */
export function forgetServedPair(trialId: string): void {
  const entry = servedPairs.get(trialId);
  if (!entry) return;
  servedPairs.delete(trialId);
  servedPairBytes -= entry.bytes;
}

/**
 * The noise seed of a trial's pair: secret (the study's participant salt never leaves the server)
 * and different for every trial, so no two sessions receive the same bytes for the same photo.
 */
function pairSeed(secret: string, trialId: string): bigint {
  return createHash("sha256").update(`served-pair\0${secret}\0${trialId}`).digest().readBigUInt64BE(0);
}

/**
 * The image behind an opaque per-trial token, for the session that owns the trial only: both
 * photos of the trial go through one rendering path and have one length (lib/images/trial-pair).
 * Once the trial is answered its images are gone (410): nothing of them outlives the trial.
 */
export async function resolveRaterImage(db: Db, sessionId: string, token: string): Promise<{ bytes: Buffer; mimeType: typeof SERVED_IMAGE_TYPE }> {
  const [trial] = await db.$queryRaw<{ id: string; sessionId: string; isLeft: boolean; realOnLeft: boolean; realSha256: string; fakeSha256: string; secret: string; answered: boolean }[]>`
    SELECT t."id", t."sessionId", (t."leftToken" = ${token}) AS "isLeft", t."realOnLeft",
           s."realSha256", c."blobSha256" AS "fakeSha256", st."participantSalt" AS "secret",
           EXISTS (SELECT 1 FROM "Response" a WHERE a."trialId" = t."id") AS "answered"
      FROM "Trial" t
      JOIN "StimulusImage" s ON s."id" = t."stimulusId"
      JOIN "Candidate" c ON c."id" = t."candidateId"
      JOIN "Study" st ON st."id" = s."studyId"
     WHERE t."leftToken" = ${token} OR t."rightToken" = ${token}`;
  if (!trial || trial.sessionId !== sessionId) throw notFound("Image");
  if (trial.answered) {
    forgetServedPair(trial.id);
    throw new DomainError("image_gone", "This trial has been answered; its photos are no longer available.");
  }
  let pair = servedPairs.get(trial.id)?.pair;
  if (!pair) {
    const [leftSha, rightSha] = trial.realOnLeft ? [trial.realSha256, trial.fakeSha256] : [trial.fakeSha256, trial.realSha256];
    pair = Promise.all([readBlobCached(db, leftSha), readBlobCached(db, rightSha)]).then(([left, right]) =>
      renderServedPair(left, right, pairSeed(trial.secret, trial.id)),
    );
    rememberPair(trial.id, pair);
  }
  const { left, right } = await pair;
  return { bytes: trial.isLeft ? left : right, mimeType: SERVED_IMAGE_TYPE };
}
