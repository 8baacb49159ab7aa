import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import type { DatabaseTarget } from "@/lib/db/connection";

export interface ScratchDatabase {
  target: DatabaseTarget;
  /** The server database's name, or the PGlite folder. */
  name: string;
  drop(): Promise<void>;
}

async function onServer(serverUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function withDatabase(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * A fresh, empty database for one test file or benchmark run: its own database on the server
 * (created here, dropped with FORCE by `drop`), or a temporary PGlite folder. With a
 * `directServerUrl` (the server itself) beside a `serverUrl` that names a pooler such as
 * PgBouncer, the database is created and dropped directly, the target's `url` goes through the
 * pooler and its `directUrl` (the migrator's) does not.
 */
export async function createScratchDatabase(
  kind: "postgres" | "pglite",
  options: { serverUrl?: string; directServerUrl?: string; prefix: string; poolMax?: number },
): Promise<ScratchDatabase> {
  if (kind === "pglite") {
    const dir = mkdtempSync(path.join(os.tmpdir(), `${options.prefix.replace(/_/g, "-")}-pglite-`));
    return { target: { kind: "pglite", dir: path.join(dir, "db") }, name: dir, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  if (!options.serverUrl) throw new Error("no PostgreSQL server URL for a scratch database");
  const adminUrl = options.directServerUrl ?? options.serverUrl;
  const name = `${options.prefix}_${randomBytes(6).toString("hex")}`;
  await onServer(adminUrl, `CREATE DATABASE "${name}"`);
  return {
    target: {
      kind: "postgres",
      url: withDatabase(options.serverUrl, name),
      ...(options.directServerUrl ? { directUrl: withDatabase(options.directServerUrl, name) } : {}),
      poolMax: options.poolMax ?? 10,
    },
    name,
    drop: () => onServer(adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}
