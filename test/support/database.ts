import { openDatabase, type OpenedDatabase } from "@/lib/db/client";
import { sqlConnectionFromPglite, openSqlConnection, type DatabaseTarget } from "@/lib/db/connection";
import { applyMigrations } from "@/lib/db/migrate";
import { createScratchDatabase } from "@/scripts/support/scratch-database";

/**
 * The database flavours tests run on: always the embedded PGlite; PostgreSQL too when
 * TEST_DATABASE_URL or DATABASE_URL names a server (CI sets it). Each test file gets its own
 * fresh database, so tests never see each other's rows.
 */
export function serverUrlForTests(): string | undefined {
  return process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || undefined;
}

/**
 * The server itself when the URL above names a pooler (CI runs the PostgreSQL phase through
 * PgBouncer in transaction mode): TEST_DIRECT_DATABASE_URL or DIRECT_DATABASE_URL. Databases are
 * created, dropped and migrated through it; everything else goes through the pooler.
 */
export function directServerUrlForTests(): string | undefined {
  return process.env.TEST_DIRECT_DATABASE_URL || process.env.DIRECT_DATABASE_URL || undefined;
}

export interface TestDatabase extends OpenedDatabase {
  name: string;
  drop(): Promise<void>;
}

export async function createEmptyTarget(kind: "pglite" | "postgres"): Promise<{ target: DatabaseTarget; drop: () => Promise<void>; name: string }> {
  const serverUrl = serverUrlForTests();
  if (kind === "postgres" && !serverUrl) throw new Error("no PostgreSQL server configured for tests");
  return createScratchDatabase(kind, { serverUrl, directServerUrl: directServerUrlForTests(), prefix: "ctt_test", poolMax: 20 });
}

/** A fresh, migrated database of the given kind with a Prisma client on it. */
export async function createTestDatabase(kind: "pglite" | "postgres"): Promise<TestDatabase> {
  const { target, drop, name } = await createEmptyTarget(kind);
  if (target.kind === "postgres") {
    const connection = await openSqlConnection(target);
    await applyMigrations(connection);
    await connection.close();
  }
  const opened = await openDatabase(target);
  if (opened.pglite) await applyMigrations(sqlConnectionFromPglite(target, opened.pglite));
  return {
    ...opened,
    name,
    async drop() {
      await opened.close();
      await drop();
    },
  };
}

/** The kinds to run database tests on in this environment. */
export function databaseKinds(): ("pglite" | "postgres")[] {
  return serverUrlForTests() ? ["pglite", "postgres"] : ["pglite"];
}

/** The kind the HTTP and browser tests run the app on: the server when one is configured. */
export function appDatabaseKind(): "pglite" | "postgres" {
  return serverUrlForTests() ? "postgres" : "pglite";
}
