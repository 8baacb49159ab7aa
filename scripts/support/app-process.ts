import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { getConfig } from "@/lib/config";
import { databaseTargetFromConfig } from "@/lib/db/client";
import { openSqlConnection, redactUrl } from "@/lib/db/connection";
import { applyMigrations } from "@/lib/db/migrate";
import { PEER_ADDRESS_HEADER } from "@/lib/http/forwarded";
import next from "next";

const nextBin = path.resolve("node_modules/.bin/next");

/**
 * Applies pending migrations, then releases the database (PGlite allows one process at a time).
 * On a server it connects to DIRECT_DATABASE_URL when set (see openSqlConnection).
 */
export async function migrateConfiguredDatabase(): Promise<void> {
  const target = databaseTargetFromConfig(getConfig());
  const connection = await openSqlConnection(target);
  try {
    const result = await applyMigrations(connection);
    const where = target.kind === "postgres" ? redactUrl(target.directUrl ?? target.url) : `embedded PGlite (${target.dir})`;
    console.log(`database: ${where}; ${result.applied.length} migration(s) applied now, ${result.alreadyApplied.length} earlier`);
  } finally {
    await connection.close();
  }
}

function newestSourceTime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules" || entry.name.startsWith(".") || entry.name === "generated") continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceTime(full));
    else if (/\.(tsx?|css|js|mjs)$/.test(entry.name)) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

/** Whether `.next` holds a production build newer than every source file of the app. */
export function productionBuildIsCurrent(): boolean {
  const buildId = path.resolve(".next/BUILD_ID");
  if (!existsSync(buildId)) return false;
  const built = statSync(buildId).mtimeMs;
  return ["app", "lib"].every((dir) => newestSourceTime(path.resolve(dir)) < built);
}

export function runNext(args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(nextBin, args, { stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on("SIGINT", forward);
    process.on("SIGTERM", forward);
    child.on("error", reject);
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

/**
 * Serves the production build on the configured host and port, in this process, through Next's
 * request handler (what `next start` runs); resolves with 0 when SIGINT or SIGTERM has closed it.
 * One thing is added: the TCP peer's address goes into PEER_ADDRESS_HEADER, overwriting any
 * client's, because Next keeps a client-sent X-Forwarded-For and drops the peer's address then;
 * lib/http/forwarded.ts needs the peer to decide whether forwarding headers are believed.
 */
export async function startProductionServer(): Promise<number> {
  const config = getConfig();
  process.env.NEXT_TELEMETRY_DISABLED = "1";
  const app = next({ dev: false, dir: process.cwd(), hostname: config.LISTEN_HOST, port: config.PORT });
  const handle = app.getRequestHandler();
  await app.prepare();
  const server = createServer((request, response) => {
    request.headers[PEER_ADDRESS_HEADER] = request.socket.remoteAddress ?? "";
    void handle(request, response);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.PORT, config.LISTEN_HOST, () => resolve());
  });
  console.log(`ready on http://${config.LISTEN_HOST}:${config.PORT}`);
  return new Promise<number>((resolve) => {
    const stop = () => {
      server.close(() => resolve(0));
      server.closeAllConnections();
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
}
