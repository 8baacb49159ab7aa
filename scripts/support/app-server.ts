// Starting the real production app from a script or a test: build once, pick a free port, spawn
// `scripts/start.ts` (migrate, then `next start`), wait for /api/health. Shared by
// test/support/app-server.ts (HTTP and browser tests) and scripts/bench-stats.ts (timings).
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import path from "node:path";
import { openDatabase, type Db, type OpenedDatabase } from "@/lib/db/client";
import { openSqlConnection, sqlConnectionFromPglite, type DatabaseTarget } from "@/lib/db/connection";
import { acquireDirectoryLock } from "@/lib/db/directory-lock";
import { applyMigrations } from "@/lib/db/migrate";
import { productionBuildIsCurrent, runNext } from "./app-process";

/** Builds the production app once for all callers (a lock serializes parallel workers). */
export async function ensureProductionBuild(): Promise<void> {
  const lock = await acquireDirectoryLock(path.resolve(".next-build.lock"), 600_000);
  try {
    if (!productionBuildIsCurrent()) {
      const code = await runNext(["build"]);
      if (code !== 0) throw new Error(`next build failed (${code})`);
    }
  } finally {
    lock.release();
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/**
 * Migrates a fresh database and opens a Prisma client on it, so that a caller can seed rows
 * before the app starts (PGlite admits one process at a time: the server must not be running).
 */
export async function openMigratedDatabase(target: DatabaseTarget): Promise<OpenedDatabase> {
  if (target.kind === "postgres") {
    const connection = await openSqlConnection(target);
    try {
      await applyMigrations(connection);
    } finally {
      await connection.close();
    }
    return openDatabase(target);
  }
  const opened = await openDatabase(target);
  if (opened.pglite) await applyMigrations(sqlConnectionFromPglite(target, opened.pglite));
  return opened;
}

/** Runs `seed` on the freshly migrated target, then releases the database. */
export async function seedDatabase(target: DatabaseTarget, seed: (db: Db) => Promise<void>): Promise<void> {
  const opened = await openMigratedDatabase(target);
  try {
    await seed(opened.db);
  } finally {
    await opened.close();
  }
}

export interface AppProcess {
  url: string;
  env: Record<string, string>;
  process: ChildProcess;
  output: () => string;
  /** Stops the server (SIGTERM to its process group, SIGKILL after 5 s). */
  stop(): Promise<void>;
}

/** The environment of a production server on `port` for `target` (plain HTTP, quiet logs). */
export function productionAppEnv(target: DatabaseTarget, port: number, extraEnv: Record<string, string> = {}): Record<string, string> {
  return {
    ...(process.env as Record<string, string>),
    NODE_ENV: "production",
    PORT: String(port),
    LISTEN_HOST: "127.0.0.1",
    COOKIE_SECURE: "false",
    NEXT_TELEMETRY_DISABLED: "1",
    LOG_LEVEL: "warn",
    // Every client of a test or benchmark comes from 127.0.0.1: the per-address and per-study
    // limits on rater sessions would stop them. Tests of those limits pass their own values.
    RATER_STARTS_PER_ADDRESS_PER_HOUR: "1000000",
    RATER_STARTS_PER_STUDY_PER_MINUTE: "1000000",
    ...(target.kind === "postgres"
      ? { DATABASE_URL: target.url, DIRECT_DATABASE_URL: target.directUrl ?? "" }
      : { PGLITE_DIR: target.dir, DATABASE_URL: "", DIRECT_DATABASE_URL: "" }),
    ...extraEnv,
  };
}

/**
 * Spawns `script` (`npm start`'s `scripts/start.ts`, or `npm run demo`'s `scripts/demo.ts`) with
 * `env` (see {@link productionAppEnv}) and resolves once `/api/health` answers 200; throws with
 * the server's output if it exits or takes over `timeoutMs`.
 */
export async function launchProductionApp(env: Record<string, string>, timeoutMs = 120_000, script = "scripts/start.ts"): Promise<AppProcess> {
  let log = "";
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", script], {
    env: env as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  child.stdout?.on("data", (chunk: Buffer) => (log += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (log += chunk.toString()));
  // A child killed by a signal keeps exitCode null (signalCode is set): both mean "still running"
  // only when null, so a second stop() after a SIGKILL does not signal a vanished group (ESRCH).
  const running = () => child.exitCode === null && child.signalCode === null;
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, signal);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error; // Already gone.
    }
  };
  const stop = async () => {
    if (running() && child.pid) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      signalGroup("SIGTERM");
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
      if (running()) signalGroup("SIGKILL");
    }
  };
  const url = `http://127.0.0.1:${env.PORT}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!running()) throw new Error(`app exited early (${child.exitCode ?? child.signalCode}):\n${log}`);
    try {
      const response = await fetch(`${url}/api/health`);
      if (response.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`app did not start in time:\n${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return { url, env, process: child, output: () => log, stop };
}
