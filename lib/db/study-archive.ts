import { createReadStream, createWriteStream } from "node:fs";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { finished } from "node:stream/promises";
import { createGunzip, createGzip } from "node:zlib";
import type { SqlConnection } from "./connection";

/**
 * One study as one file, to move it between installations (a pilot on the embedded database to a
 * server, one server to another) with its results unchanged: every row of the study's own tables,
 * copied column for column (to_jsonb on the way out, jsonb_populate_record on the way in), and the
 * image bytes it uses. Ids are UUIDs and stay as they are, so sessions, trials, tokens and
 * idempotency keys keep meaning what they meant; the importing researcher becomes the owner.
 *
 * Format: gzip of JSON lines; the first line is the header (format, source schema, row counts),
 * every other line one row: `{"table": …, "row": {…}}`.
 */

export const STUDY_ARCHIVE_FORMAT = "ctt-study-archive/1";

export class StudyArchiveError extends Error {
  override name = "StudyArchiveError";
}

/** The study's tables in insertion order, each with the rows of study `$1` (ordered by `key`, default "id"). */
const STUDY_TABLES: { table: string; where: string; key?: string }[] = [
  { table: "Study", where: `t."id" = $1` },
  { table: "StimulusImage", where: `t."studyId" = $1` },
  { table: "Method", where: `t."studyId" = $1` },
  { table: "Candidate", where: `t."methodId" IN (SELECT "id" FROM "Method" WHERE "studyId" = $1)` },
  { table: "RaterSession", where: `t."studyId" = $1` },
  { table: "RaterScreening", where: `t."sessionId" IN (SELECT "id" FROM "RaterSession" WHERE "studyId" = $1)`, key: "sessionId" },
  { table: "Trial", where: `t."sessionId" IN (SELECT "id" FROM "RaterSession" WHERE "studyId" = $1)` },
  { table: "Response", where: `t."trialId" IN (SELECT tr."id" FROM "Trial" tr JOIN "RaterSession" s ON s."id" = tr."sessionId" WHERE s."studyId" = $1)` },
];

/**
 * Tables that hang off a study but are not moved: generation jobs are this installation's work
 * queue (a moved method keeps its status and candidates; nothing is left to generate).
 */
const NOT_MOVED = new Set(["Job"]);

/** The image bytes the study uses (stimuli, rendered reals, candidates), by content hash. */
const BLOB_HASHES = `SELECT "sourceSha256" AS sha FROM "StimulusImage" WHERE "studyId" = $1
  UNION SELECT "realSha256" FROM "StimulusImage" WHERE "studyId" = $1
  UNION SELECT c."blobSha256" FROM "Candidate" c JOIN "Method" m ON m."id" = c."methodId" WHERE m."studyId" = $1`;

export interface StudyArchiveHeader {
  format: typeof STUDY_ARCHIVE_FORMAT;
  exportedAt: string;
  studyId: string;
  studyName: string;
  /** Migrations applied to the source: the importing installation must have exactly these. */
  migrations: string[];
  rows: Record<string, number>;
}

async function appliedMigrations(connection: SqlConnection): Promise<string[]> {
  const rows = await connection.query<{ name: string }>(
    `SELECT "migration_name" AS name FROM "_prisma_migrations" WHERE "finished_at" IS NOT NULL AND "rolled_back_at" IS NULL ORDER BY "migration_name"`,
  );
  return rows.map((row) => row.name);
}

/**
 * Tables whose rows belong to a study (a chain of foreign keys leads to "Study") but that the
 * archive neither moves nor deliberately leaves: a schema change the archive must learn about
 * before it can move studies without losing rows.
 */
export async function unknownStudyTables(connection: SqlConnection): Promise<string[]> {
  const edges = await connection.query<{ child: string; parent: string }>(
    `SELECT c.relname AS child, p.relname AS parent FROM pg_constraint k
       JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class p ON p.oid = k.confrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE k.contype = 'f' AND n.nspname = current_schema()`,
  );
  const belonging = new Set(["Study"]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const { child, parent } of edges) {
      if (belonging.has(parent) && !belonging.has(child)) {
        belonging.add(child);
        grew = true;
      }
    }
  }
  const known = new Set([...STUDY_TABLES.map((entry) => entry.table), ...NOT_MOVED]);
  return [...belonging].filter((table) => !known.has(table)).sort();
}

function writeLine(stream: NodeJS.WritableStream, value: unknown): Promise<void> | void {
  if (!stream.write(`${JSON.stringify(value)}\n`)) return once(stream, "drain").then(() => undefined);
}

/** Writes study `studyId` to `file`; returns the header (with row counts). */
export async function exportStudyArchive(connection: SqlConnection, studyId: string, file: string): Promise<StudyArchiveHeader> {
  const unknown = await unknownStudyTables(connection);
  if (unknown.length) throw new StudyArchiveError(`the study archive does not know the tables ${unknown.join(", ")}: teach lib/db/study-archive.ts about them first`);
  // One snapshot for every table (a server keeps collecting meanwhile).
  await connection.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  try {
    const [study] = await connection.query<{ name: string }>(`SELECT "name" FROM "Study" WHERE "id" = $1`, [studyId]);
    if (!study) throw new StudyArchiveError(`no study ${studyId}`);
    const rowsByTable = new Map<string, Record<string, unknown>[]>();
    for (const { table, where, key = "id" } of STUDY_TABLES) {
      const rows = await connection.query<{ row: Record<string, unknown> }>(`SELECT to_jsonb(t) AS row FROM "${table}" t WHERE ${where} ORDER BY t."${key}"`, [studyId]);
      rowsByTable.set(table, rows.map((entry) => entry.row));
    }
    const hashes = (await connection.query<{ sha: string }>(`${BLOB_HASHES} ORDER BY 1`, [studyId])).map((row) => row.sha);
    const header: StudyArchiveHeader = {
      format: STUDY_ARCHIVE_FORMAT,
      exportedAt: new Date().toISOString(),
      studyId,
      studyName: study.name,
      migrations: await appliedMigrations(connection),
      rows: { Blob: hashes.length, ...Object.fromEntries([...rowsByTable].map(([table, rows]) => [table, rows.length])) },
    };
    const gzip = createGzip();
    const output = createWriteStream(file);
    gzip.pipe(output);
    await writeLine(gzip, header);
    // Blobs first (rows refer to them by hash), one at a time: they are the bulk of the archive.
    for (const sha of hashes) {
      const [blob] = await connection.query<{ row: Record<string, unknown> }>(`SELECT to_jsonb(t) AS row FROM "Blob" t WHERE t."sha256" = $1`, [sha]);
      if (!blob) throw new StudyArchiveError(`the study refers to image ${sha}, which the database does not hold`);
      await writeLine(gzip, { table: "Blob", row: blob.row });
    }
    for (const [table, rows] of rowsByTable) for (const row of rows) await writeLine(gzip, { table, row });
    gzip.end();
    await finished(output);
    return header;
  } finally {
    await connection.exec("COMMIT");
  }
}

async function* readArchive(file: string): AsyncGenerator<unknown> {
  const lines = createInterface({ input: createReadStream(file).pipe(createGunzip()), crlfDelay: Infinity });
  for await (const line of lines) if (line) yield JSON.parse(line) as unknown;
}

export interface ImportedStudy {
  studyId: string;
  rows: Record<string, number>;
}

/**
 * Imports an archive into this installation as a study of `ownerId` (a researcher here) in one
 * transaction: all of it or nothing. Refuses an archive from another schema version and a study
 * that is already here; image bytes already here (same hash) are shared.
 */
export async function importStudyArchive(connection: SqlConnection, file: string, ownerId: string): Promise<ImportedStudy> {
  const lines = readArchive(file);
  const first = await lines.next();
  const header = first.value as StudyArchiveHeader | undefined;
  if (first.done || header?.format !== STUDY_ARCHIVE_FORMAT) throw new StudyArchiveError(`${file} is not a study archive (${STUDY_ARCHIVE_FORMAT})`);
  const here = await appliedMigrations(connection);
  if (here.join("\n") !== header.migrations.join("\n")) {
    throw new StudyArchiveError(
      `the archive comes from a database with migrations up to ${header.migrations.at(-1)}, this one has ${here.at(-1) ?? "none"}: ` +
        "run both installations at the same version (npm run db:migrate) before moving a study",
    );
  }
  const [owner] = await connection.query<{ teamId: string }>(`SELECT "teamId" FROM "Researcher" WHERE "id" = $1`, [ownerId]);
  if (!owner) throw new StudyArchiveError(`no researcher ${ownerId} here`);
  const [existing] = await connection.query<{ id: string }>(`SELECT "id" FROM "Study" WHERE "id" = $1`, [header.studyId]);
  if (existing) throw new StudyArchiveError(`study ${header.studyId} is already in this installation`);
  // Every table of the header, so that an empty one (no screenings, say) is reported as 0 rows.
  const counts: Record<string, number> = Object.fromEntries(Object.keys(header.rows).map((table) => [table, 0]));
  await connection.exec("BEGIN");
  try {
    for await (const value of lines) {
      const { table, row } = value as { table: string; row: Record<string, unknown> };
      if (table !== "Blob" && !STUDY_TABLES.some((entry) => entry.table === table)) throw new StudyArchiveError(`unexpected table ${table} in the archive`);
      const values = table === "Study" ? { ...row, ownerId, teamId: owner.teamId } : row;
      const conflict = table === "Blob" ? ` ON CONFLICT ("sha256") DO NOTHING` : "";
      await connection.query(`INSERT INTO "${table}" SELECT * FROM jsonb_populate_record(NULL::"${table}", $1::jsonb)${conflict}`, [JSON.stringify(values)]);
      counts[table] = (counts[table] ?? 0) + 1;
    }
    for (const [table, expected] of Object.entries(header.rows)) {
      if ((counts[table] ?? 0) !== expected) throw new StudyArchiveError(`the archive is incomplete: ${counts[table] ?? 0} of ${expected} ${table} rows`);
    }
    await connection.exec("COMMIT");
  } catch (error) {
    await connection.exec("ROLLBACK");
    throw error;
  }
  return { studyId: header.studyId, rows: counts };
}
