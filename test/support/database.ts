import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { openDatabase, type OpenedDatabase } from "@/lib/db/client";
import { sqlConnectionFromPglite, openSqlConnection, type DatabaseTarget } from "@/lib/db/connection";
import { applyMigrations } from "@/lib/db/migrate";
import { randomToken } from "@/lib/crypto";

/**
 * The database flavours tests run on: always the embedded PGlite; PostgreSQL too when
 * TEST_DATABASE_URL or DATABASE_URL names a server (CI sets it). Each test file gets its own
 * fresh database, so tests never see each other's rows.
 */
export function serverUrlForTests(): string | undefined {
  return process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || undefined;
}

export interface TestDatabase extends OpenedDatabase {
  name: string;
  drop(): Promise<void>;
}

export async function createEmptyTarget(kind: "pglite" | "postgres"): Promise<{ target: DatabaseTarget; drop: () => Promise<void>; name: string }> {
  if (kind === "pglite") {
    const dir = mkdtempSync(path.join(tmpdir(), "ctt-pglite-"));
    return { target: { kind: "pglite", dir: path.join(dir, "db") }, name: dir, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const serverUrl = serverUrlForTests();
  if (!serverUrl) throw new Error("no PostgreSQL server configured for tests");
  const name = `ctt_test_${randomToken(6).toLowerCase().replace(/[^a-z0-9]/g, "x")}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    target: { kind: "postgres", url: url.toString(), poolMax: 20 },
    name,
    drop: async () => {
      const dropper = new pg.Client({ connectionString: serverUrl });
      await dropper.connect();
      await dropper.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await dropper.end();
    },
  };
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
