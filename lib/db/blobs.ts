import type { Db } from "./client";
import { sha256Hex } from "@/lib/crypto";

export interface BlobInput {
  bytes: Uint8Array;
  mimeType: string;
  width: number;
  height: number;
}

type Tx = Pick<Db, "$executeRaw">;

/**
 * Stores bytes under their SHA-256 and returns the hash. Idempotent: storing the same bytes
 * twice is a no-op, which is what makes the store content-addressed and safe to retry.
 */
export async function putBlob(db: Tx, blob: BlobInput): Promise<string> {
  const sha256 = sha256Hex(blob.bytes);
  await db.$executeRaw`
    INSERT INTO "Blob" ("sha256", "mimeType", "byteSize", "width", "height", "bytes")
    VALUES (${sha256}, ${blob.mimeType}, ${blob.bytes.byteLength}, ${blob.width}, ${blob.height}, ${Buffer.from(blob.bytes)})
    ON CONFLICT ("sha256") DO NOTHING`;
  return sha256;
}

export async function getBlob(db: Db, sha256: string) {
  return db.blob.findUnique({ where: { sha256 }, select: { sha256: true, mimeType: true, byteSize: true, bytes: true } });
}

/** Whether a blob belongs to a study of this team (as a stimulus or a candidate). */
export async function blobVisibleToTeam(db: Db, sha256: string, teamId: string): Promise<boolean> {
  const rows = await db.$queryRaw<{ visible: boolean }[]>`
    SELECT EXISTS (
      SELECT 1 FROM "StimulusImage" s JOIN "Study" st ON st."id" = s."studyId"
       WHERE st."teamId" = ${teamId} AND (s."sourceSha256" = ${sha256} OR s."realSha256" = ${sha256})
      UNION ALL
      SELECT 1 FROM "Candidate" c JOIN "Method" m ON m."id" = c."methodId" JOIN "Study" st ON st."id" = m."studyId"
       WHERE st."teamId" = ${teamId} AND c."blobSha256" = ${sha256}
    ) AS "visible"`;
  return rows[0]?.visible === true;
}
