import { createHash, randomUUID } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import type { SqlConnection } from "./connection";

/**
 * Applies the SQL migrations kept in Prisma's layout (`prisma/migrations/<timestamp>_<name>/migration.sql`)
 * and records them in Prisma's own `_prisma_migrations` table, so that `prisma migrate deploy` agrees
 * on a machine where Prisma's schema engine exists. We apply them ourselves because that engine
 * cannot be downloaded offline (see README, "Database").
 */

export interface Migration {
  name: string;
  sql: string;
  /** SHA-256 of the file, hex: the checksum Prisma records. */
  checksum: string;
}

export interface MigrationResult {
  applied: string[];
  alreadyApplied: string[];
}

export class MigrationError extends Error {
  override name = "MigrationError";
}

// An arbitrary constant shared by every process that migrates this database.
const MIGRATION_LOCK_KEY = 727_073_690;

// Prisma's own definition of its bookkeeping table (prisma-engines, schema-engine/connectors/sql-schema-connector).
const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

export const DEFAULT_MIGRATIONS_DIR = path.resolve(process.cwd(), "prisma/migrations");

export function readMigrations(dir: string = DEFAULT_MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((entry) => statSync(path.join(dir, entry)).isDirectory())
    .sort()
    .map((name) => {
      const bytes = readFileSync(path.join(dir, name, "migration.sql"));
      return { name, sql: bytes.toString("utf8"), checksum: createHash("sha256").update(bytes).digest("hex") };
    });
}

async function withMigrationLock<T>(connection: SqlConnection, work: () => Promise<T>): Promise<T> {
  // PGlite is single-process and its directory lock already serializes processes (connection.ts);
  // a server needs an advisory lock so that two app instances starting at once migrate one at a time.
  if (connection.target.kind !== "postgres") return work();
  await connection.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
  try {
    return await work();
  } finally {
    await connection.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]);
  }
}

/** Applies every migration not yet recorded, each in its own transaction. Safe to run twice. */
export async function applyMigrations(connection: SqlConnection, migrations: Migration[] = readMigrations()): Promise<MigrationResult> {
  return withMigrationLock(connection, async () => {
    await connection.exec(CREATE_MIGRATIONS_TABLE);
    const rows = await connection.query<{ migration_name: string; checksum: string; finished_at: Date | null; rolled_back_at: Date | null }>(
      `SELECT "migration_name", "checksum", "finished_at", "rolled_back_at" FROM "_prisma_migrations"`,
    );
    const failed = rows.find((row) => row.finished_at === null && row.rolled_back_at === null);
    if (failed) {
      throw new MigrationError(
        `Migration ${failed.migration_name} started but never finished; repair the database and mark it rolled back before migrating again.`,
      );
    }
    const recorded = new Map(rows.filter((row) => row.rolled_back_at === null).map((row) => [row.migration_name, row.checksum]));
    const result: MigrationResult = { applied: [], alreadyApplied: [] };
    for (const migration of migrations) {
      const checksum = recorded.get(migration.name);
      if (checksum !== undefined) {
        if (checksum !== migration.checksum) {
          throw new MigrationError(
            `Migration ${migration.name} was edited after it was applied (checksum differs); add a new migration instead.`,
          );
        }
        result.alreadyApplied.push(migration.name);
        continue;
      }
      try {
        await connection.exec("BEGIN");
        await connection.exec(migration.sql);
        await connection.query(
          `INSERT INTO "_prisma_migrations" ("id", "checksum", "migration_name", "started_at", "finished_at", "applied_steps_count")
           VALUES ($1, $2, $3, now(), now(), 1)`,
          [randomUUID(), migration.checksum, migration.name],
        );
        await connection.exec("COMMIT");
      } catch (error) {
        await connection.exec("ROLLBACK").catch(() => undefined);
        const reason = error instanceof Error ? error.message : String(error);
        throw new MigrationError(`Migration ${migration.name} failed and was rolled back: ${reason}`);
      }
      result.applied.push(migration.name);
    }
    return result;
  });
}
