import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import type { DatabaseTarget } from "./connection";
import { readDirectoryLockOwner } from "./directory-lock";

/**
 * Backups of either database, each restorable into a fresh one:
 * - a server: `pg_dump --format=custom` (one consistent snapshot, taken while the app runs),
 *   restored with `pg_restore` into an empty database;
 * - the embedded PGlite: a gzipped tarball of its data directory, written by the process that
 *   holds the database between two transactions after a CHECKPOINT, restored by unpacking it into
 *   an empty directory. When the app holds the database the backup command asks it for the
 *   tarball (a request file beside the data directory, then SIGUSR2 to the lock's owner).
 */

export class BackupError extends Error {
  override name = "BackupError";
}

export type BackupKind = "postgres" | "pglite";

/** What a backup file holds, from its first bytes: pg_dump's custom format or a gzip. */
export function backupKindOf(file: string): BackupKind {
  const head = readFileSync(file).subarray(0, 5);
  if (head.toString("latin1") === "PGDMP") return "postgres";
  if (head[0] === 0x1f && head[1] === 0x8b) return "pglite";
  throw new BackupError(`${file} is neither a pg_dump archive nor an embedded-database backup`);
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", (error) =>
      reject(new BackupError(`${command} could not run (${error.message}); on Debian: apt-get install postgresql-client`)),
    );
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new BackupError(`${command} failed (${code}): ${stderr.trim()}`))));
  });
}

/** Writes through a temporary name and renames, so a backup file is complete or absent. */
async function writeAtomically(file: string, write: (temporary: string) => Promise<void>): Promise<void> {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const temporary = `${file}.partial-${randomBytes(4).toString("hex")}`;
  try {
    await write(temporary);
    renameSync(temporary, file);
  } finally {
    rmSync(temporary, { force: true });
  }
}

/** The URL the backup tools use: the server itself, never a transaction-mode pooler. */
function directUrl(target: Extract<DatabaseTarget, { kind: "postgres" }>): string {
  return target.directUrl ?? target.url;
}

export async function backupServer(target: Extract<DatabaseTarget, { kind: "postgres" }>, file: string): Promise<void> {
  // pg_dump reads everything in one repeatable-read snapshot: consistent while the app writes.
  await writeAtomically(file, (temporary) => run("pg_dump", ["--format=custom", "--no-owner", "--no-privileges", `--file=${temporary}`, `--dbname=${directUrl(target)}`]));
}

/** Restores a pg_dump archive into an empty database (refuses one that has tables). */
export async function restoreServer(file: string, target: Extract<DatabaseTarget, { kind: "postgres" }>): Promise<void> {
  const client = new pg.Client({ connectionString: directUrl(target) });
  await client.connect();
  try {
    const tables = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'`);
    if ((tables.rows[0]?.n ?? 0) > 0) throw new BackupError("the target database is not empty: restore into a freshly created database");
  } finally {
    await client.end();
  }
  await run("pg_restore", ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", `--dbname=${directUrl(target)}`, file]);
}

/**
 * A tarball of an open PGlite's data directory at a transaction boundary. A CHECKPOINT first
 * writes every committed row into the data files (whatever commits after it is in the WAL, which
 * the tarball holds too and a restore replays); then the tarball is made under PGlite's
 * transaction mutex, which every transaction (Prisma's included) holds from BEGIN to COMMIT and
 * every statement takes, so no transaction is open and no statement runs while it is made.
 */
export async function backupOpenPglite(pglite: PGlite, file: string): Promise<void> {
  await pglite.exec("CHECKPOINT");
  const tarball = await pglite._runExclusiveTransaction(() => pglite.dumpDataDir("gzip"));
  const bytes = new Uint8Array(await tarball.arrayBuffer());
  await writeAtomically(file, async (temporary) => writeFileSync(temporary, bytes));
}

/** Unpacks a PGlite backup into `dir`, which must not exist yet or be empty. */
export async function restorePglite(file: string, dir: string): Promise<void> {
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new BackupError(`${dir} is not empty: restore into a new directory`);
  mkdirSync(dir, { recursive: true });
  const restored = new PGlite({ dataDir: dir, loadDataDir: new Blob([readFileSync(file)]) });
  await restored.waitReady;
  // A first query proves the restored cluster opens and answers.
  await restored.query("SELECT count(*) FROM pg_class");
  await restored.close();
}

// ---- asking the running app for a PGlite backup ----

const REQUEST_SUFFIX = ".backup-request-";

function answererMarker(dir: string): string {
  return `${path.resolve(dir)}.backup-answerer`;
}

function requestPrefix(dir: string): string {
  return `${path.basename(path.resolve(dir))}${REQUEST_SUFFIX}`;
}

interface BackupRequest {
  file: string;
}

/**
 * In the process that holds the embedded database: answers backup requests (see
 * {@link requestPgliteBackupFromOwner}) on SIGUSR2. Each request file names where to write; the
 * process writes the tarball there, or an `.error` file beside it, and removes the request.
 */
export function answerPgliteBackupRequests(pglite: PGlite, dir: string): void {
  const folder = path.dirname(path.resolve(dir));
  const prefix = requestPrefix(dir);
  // Tells `npm run backup` that this process answers (SIGUSR2 would end one that does not).
  const marker = answererMarker(dir);
  writeFileSync(marker, String(process.pid));
  process.once("exit", () => {
    if (existsSync(marker) && readFileSync(marker, "utf8") === String(process.pid)) rmSync(marker, { force: true });
  });
  let busy: Promise<void> = Promise.resolve();
  process.on("SIGUSR2", () => {
    busy = busy.then(async () => {
      for (const name of readdirSync(folder).filter((entry) => entry.startsWith(prefix) && entry.endsWith(".json"))) {
        const requestFile = path.join(folder, name);
        let request: BackupRequest;
        try {
          request = JSON.parse(readFileSync(requestFile, "utf8")) as BackupRequest;
        } catch {
          continue; // Being written or already answered.
        }
        try {
          await backupOpenPglite(pglite, request.file);
        } catch (error) {
          writeFileSync(`${request.file}.error`, error instanceof Error ? error.message : String(error));
        } finally {
          rmSync(requestFile, { force: true });
        }
      }
    });
  });
}

/**
 * Asks the live process that holds the embedded database in `dir` to write a backup to `file`;
 * resolves true once it is written, false when no live process holds it (open it directly then).
 */
export async function requestPgliteBackupFromOwner(dir: string, file: string, timeoutMs = 120_000): Promise<boolean> {
  const absolute = path.resolve(dir);
  const owner = readDirectoryLockOwner(`${absolute}.lock`);
  if (owner === null) return false;
  const answerer = existsSync(answererMarker(dir)) ? Number.parseInt(readFileSync(answererMarker(dir), "utf8"), 10) : null;
  if (answerer !== owner) {
    throw new BackupError(`process ${owner} holds the embedded database and does not take backup requests (it is not the app): wait for it to finish`);
  }
  const target = path.resolve(file);
  rmSync(`${target}.error`, { force: true });
  const requestFile = path.join(path.dirname(absolute), `${requestPrefix(dir)}${randomBytes(6).toString("hex")}.json`);
  writeFileSync(requestFile, JSON.stringify({ file: target } satisfies BackupRequest));
  try {
    process.kill(owner, "SIGUSR2");
    const deadline = Date.now() + timeoutMs;
    while (existsSync(requestFile)) {
      if (Date.now() > deadline) throw new BackupError(`process ${owner} holds the embedded database but did not answer the backup request within ${timeoutMs / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    rmSync(requestFile, { force: true });
  }
  if (existsSync(`${target}.error`)) {
    const message = readFileSync(`${target}.error`, "utf8");
    rmSync(`${target}.error`, { force: true });
    throw new BackupError(`the running app could not write the backup: ${message}`);
  }
  if (!existsSync(target) || statSync(target).size === 0) throw new BackupError(`the running app wrote no backup to ${target}`);
  return true;
}
