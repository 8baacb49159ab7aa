import { mkdirSync } from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { acquireDirectoryLock, type DirectoryLock } from "./directory-lock";

/**
 * The database the platform talks to: a PostgreSQL server (`DATABASE_URL`) or the embedded PGlite
 * default. Both the Prisma client and the migrator are built on one of these.
 */
export type DatabaseTarget =
  | {
      kind: "postgres";
      /** What the app's pool connects to: the server, or a pooler (PgBouncer) in front of it. */
      url: string;
      /** The server itself when `url` is a pooler; dedicated connections (the migrator) use it. */
      directUrl?: string;
      poolMax: number;
    }
  | { kind: "pglite"; dir: string };

/** Minimal SQL access shared by the migrator, benchmarks and tests. */
export interface SqlConnection {
  readonly target: DatabaseTarget;
  /** Runs one or more statements (simple query protocol); no parameters. */
  exec(sql: string): Promise<void>;
  /** Runs one parameterized statement and returns its rows. */
  query<Row extends Record<string, unknown>>(sql: string, params?: unknown[]): Promise<Row[]>;
  close(): Promise<void>;
}

export class DatabaseUnavailableError extends Error {
  override name = "DatabaseUnavailableError";
}

/** A message that names the variable to fix instead of a driver stack trace. */
export function describeConnectionFailure(target: DatabaseTarget, cause: unknown, variable = "DATABASE_URL"): string {
  const reason = cause instanceof Error ? cause.message || cause.name : String(cause);
  if (target.kind === "postgres") {
    return `Cannot reach the PostgreSQL server given by ${variable} (${redactUrl(target.url)}): ${reason}. ` +
      `Check that the server is running and ${variable} is right, or unset DATABASE_URL to use the embedded database.`;
  }
  return `Cannot open the embedded database in PGLITE_DIR (${target.dir}): ${reason}`;
}

export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, "//$1:***@");
}

/**
 * Whether `error` is the pool's "no connection became free within connectionTimeoutMillis"
 * (node-postgres's pg-pool throws a plain Error with this message, which the Prisma adapter
 * passes through unchanged): the server is healthy but busy, so the request may be retried.
 */
export function isPoolTimeout(error: unknown): boolean {
  return error instanceof Error && error.message === "timeout exceeded when trying to connect";
}

export function openPool(target: Extract<DatabaseTarget, { kind: "postgres" }>): pg.Pool {
  return new pg.Pool({ connectionString: target.url, max: target.poolMax, connectionTimeoutMillis: 5_000 });
}

/**
 * Opens PGlite in `dir`, holding a lock file so that two processes never open the same data
 * directory (PGlite is single-process; two writers would corrupt it).
 */
export async function openPglite(dir: string, lockWaitMs = 30_000): Promise<{ db: PGlite; lock: DirectoryLock }> {
  const absolute = path.resolve(dir);
  mkdirSync(path.dirname(absolute), { recursive: true });
  const lock = await acquireDirectoryLock(`${absolute}.lock`, lockWaitMs);
  try {
    const db = new PGlite(absolute);
    await db.waitReady;
    return { db, lock };
  } catch (error) {
    lock.release();
    throw error;
  }
}

/** Opens a plain SQL connection to the target (used by the migrator and tests). */
export async function openSqlConnection(target: DatabaseTarget): Promise<SqlConnection> {
  if (target.kind === "postgres") {
    // One dedicated connection, not a pool: session-level state (advisory locks, transactions)
    // must stay on the same connection, so it bypasses a transaction-mode pooler.
    const url = target.directUrl ?? target.url;
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => undefined);
      const variable = target.directUrl ? "DIRECT_DATABASE_URL" : "DATABASE_URL";
      throw new DatabaseUnavailableError(describeConnectionFailure({ ...target, url }, error, variable));
    }
    return {
      target,
      async exec(sql) {
        await client.query(sql);
      },
      async query(sql, params = []) {
        const result = await client.query(sql, params);
        return result.rows;
      },
      async close() {
        await client.end();
      },
    };
  }
  let opened: Awaited<ReturnType<typeof openPglite>>;
  try {
    opened = await openPglite(target.dir);
  } catch (error) {
    throw new DatabaseUnavailableError(describeConnectionFailure(target, error));
  }
  const { db, lock } = opened;
  return sqlConnectionFromPglite(target, db, async () => {
    await db.close();
    lock.release();
  });
}

/** Wraps an already open PGlite (for example the one a Prisma client uses) as a SqlConnection. */
export function sqlConnectionFromPglite(target: DatabaseTarget, db: PGlite, close: () => Promise<void> = async () => {}): SqlConnection {
  return {
    target,
    async exec(sql) {
      await db.exec(sql);
    },
    async query(sql, params = []) {
      const result = await db.query(sql, params);
      return result.rows as never;
    },
    close,
  };
}
