import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/lib/db/client";
import { openSqlConnection, sqlConnectionFromPglite, type SqlConnection } from "@/lib/db/connection";
import { exportStudyArchive, importStudyArchive, unknownStudyTables } from "@/lib/db/study-archive";
import { buildStudyExport, exportStudy } from "@/lib/results/study-export";
import { computeStudyResults } from "@/lib/results/study-results";
import { createTestDatabase, databaseKinds, type TestDatabase } from "../support/database";
import { betweenStudySpec, seedResearcher, seedStudy, type SeededStudy } from "../results/seed-study";

// A study moves between installations as one archive (for example a pilot on the embedded
// database to a server): every pairing of the database kinds available here, and the researcher's
// figures (the JSON export behind the dashboard, the CSV export) are the same after the move.

/** A plain SQL connection on a test database (PGlite: the one its Prisma client already holds). */
async function sqlOn(database: TestDatabase): Promise<{ connection: SqlConnection; close: () => Promise<void> }> {
  if (database.pglite) return { connection: sqlConnectionFromPglite(database.target, database.pglite), close: async () => {} };
  const connection = await openSqlConnection(database.target);
  return { connection, close: () => connection.close() };
}

/** The figures as a researcher downloads them, computed afresh (the in-process results cache is keyed by study id). */
async function figures(db: Db, studyId: string): Promise<{ results: string; csv: string }> {
  (globalThis as { __cttStudyResults?: Map<string, unknown> }).__cttStudyResults?.clear();
  const { generatedAt: _generatedAt, summary, ...rest } = buildStudyExport(await computeStudyResults(db, studyId));
  const { computedAt: _computedAt, ...figuresOnly } = summary;
  (globalThis as { __cttStudyResults?: Map<string, unknown> }).__cttStudyResults?.clear();
  const csv = await (await exportStudy(db, studyId, "csv")).text();
  return { results: JSON.stringify({ ...rest, summary: figuresOnly }), csv };
}

describe.each(databaseKinds())("a study moves from %s", (from) => {
  let source: TestDatabase;
  let study: SeededStudy;
  let before: { results: string; csv: string };
  let header: Awaited<ReturnType<typeof exportStudyArchive>>;
  const folder = mkdtempSync(path.join(os.tmpdir(), "ctt-study-move-"));
  const file = path.join(folder, "study.ctt-study.gz");

  beforeAll(async () => {
    source = await createTestDatabase(from);
    study = await seedStudy(source.db, betweenStudySpec("Pilot, moved"));
    before = await figures(source.db, study.studyId);
    const sourceSql = await sqlOn(source);
    try {
      expect(await unknownStudyTables(sourceSql.connection)).toEqual([]);
      header = await exportStudyArchive(sourceSql.connection, study.studyId, file);
    } finally {
      await sourceSql.close();
    }
  }, 600_000);
  afterAll(async () => {
    await source?.drop();
    rmSync(folder, { recursive: true, force: true });
  });

  it.each(databaseKinds())(
    "to %s: one archive, imported with the same figures, CSV and images, owned by the importer",
    async (to) => {
      expect(header.rows).toMatchObject({ Study: 1, RaterSession: 8, Trial: 56 });
      expect(header.rows.Response).toBeGreaterThan(40);
      const target = await createTestDatabase(to);
      try {
        const importer = await seedResearcher(target.db, "grace@example.org", "Grace Importer");
        const targetSql = await sqlOn(target);
        try {
          const imported = await importStudyArchive(targetSql.connection, file, importer.id);
          expect(imported.rows).toEqual(header.rows);
          // A second import of the same study is refused and changes nothing.
          await expect(importStudyArchive(targetSql.connection, file, importer.id)).rejects.toThrow(/already in this installation/);
        } finally {
          await targetSql.close();
        }

        const after = await figures(target.db, study.studyId);
        expect(after.csv).toBe(before.csv);
        expect(after.results).toBe(before.results);
        const moved = await target.db.study.findUniqueOrThrow({ where: { id: study.studyId }, select: { ownerId: true, teamId: true } });
        expect(moved).toMatchObject({ ownerId: importer.id, teamId: importer.teamId });
        // Image bytes came along, byte for byte.
        const blobs = async (db: Db) =>
          (await db.blob.findMany({ orderBy: { sha256: "asc" }, select: { sha256: true, bytes: true } })).map((blob) => `${blob.sha256}:${Buffer.from(blob.bytes).toString("base64")}`);
        expect(await blobs(target.db)).toEqual(await blobs(source.db));
        expect(await target.db.response.count()).toBe(header.rows.Response);
      } finally {
        await target.drop();
      }
    },
    600_000,
  );
});
