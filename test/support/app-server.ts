import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import path from "node:path";
import { acquireDirectoryLock } from "@/lib/db/directory-lock";
import { productionBuildIsCurrent, runNext } from "@/scripts/support/app-process";
import { createEmptyTarget } from "./database";

/** Builds the production app once for all test files (a lock serializes parallel workers). */
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

export interface RunningApp {
  url: string;
  env: Record<string, string>;
  process: ChildProcess;
  output: () => string;
  stop(): Promise<void>;
}

/**
 * Starts the real production server (`npm start`'s script: migrate, then `next start`) on a
 * free port with its own fresh database of the given kind.
 */
export async function startApp(kind: "pglite" | "postgres", extraEnv: Record<string, string> = {}): Promise<RunningApp> {
  await ensureProductionBuild();
  const { target, drop } = await createEmptyTarget(kind);
  const port = await freePort();
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    NODE_ENV: "production",
    PORT: String(port),
    LISTEN_HOST: "127.0.0.1",
    COOKIE_SECURE: "false",
    NEXT_TELEMETRY_DISABLED: "1",
    LOG_LEVEL: "warn",
    ...(target.kind === "postgres" ? { DATABASE_URL: target.url } : { PGLITE_DIR: target.dir, DATABASE_URL: "" }),
    ...extraEnv,
  };
  let log = "";
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], { env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  child.stdout?.on("data", (chunk: Buffer) => (log += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (log += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`app exited early (${child.exitCode}):\n${log}`);
    try {
      const response = await fetch(`${url}/api/health`);
      if (response.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`app did not start in time:\n${log}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return {
    url,
    env,
    process: child,
    output: () => log,
    async stop() {
      if (child.exitCode === null && child.pid) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        process.kill(-child.pid, "SIGTERM");
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
        if (child.exitCode === null) process.kill(-child.pid, "SIGKILL");
      }
      await drop();
    },
  };
}
