import type { Db } from "@/lib/db/client";
import {
  ensureProductionBuild,
  freePort,
  launchProductionApp,
  openMigratedDatabase,
  productionAppEnv,
  seedDatabase,
  type AppProcess,
} from "@/scripts/support/app-server";
import { createEmptyTarget } from "./database";

// The reusable part (build, port, spawn, health wait) lives in scripts/support/app-server.ts so
// that benchmarks start the app the same way; re-exported here for existing tests.
export { ensureProductionBuild, freePort };

export interface RunningApp extends AppProcess {
  /** Stops the server and drops its database. */
  stop(): Promise<void>;
  /**
   * Stops the server, then runs `inspect` on its database (PGlite is single-process, so the
   * server must let go first). The database is dropped by `stop()` afterwards.
   */
  inspectAfterStop<T>(inspect: (db: Db) => Promise<T>): Promise<T>;
}

export interface StartAppOptions {
  /**
   * Seeds the fresh database after migration and before the server starts (for PGlite the
   * server then holds the database exclusively, so seeding cannot happen later).
   */
  seed?: (db: Db) => Promise<void>;
}

/**
 * Starts the real production server (`npm start`'s script: migrate, then `next start`) on a
 * free port with its own fresh database of the given kind.
 */
export async function startApp(kind: "pglite" | "postgres", extraEnv: Record<string, string> = {}, options: StartAppOptions = {}): Promise<RunningApp> {
  await ensureProductionBuild();
  const { target, drop } = await createEmptyTarget(kind);
  try {
    if (options.seed) await seedDatabase(target, options.seed);
    const app = await launchProductionApp(productionAppEnv(target, await freePort(), extraEnv));
    return {
      ...app,
      async stop() {
        await app.stop();
        await drop();
      },
      async inspectAfterStop(inspect) {
        await app.stop();
        const opened = await openMigratedDatabase(target);
        try {
          return await inspect(opened.db);
        } finally {
          await opened.close();
        }
      },
    };
  } catch (error) {
    await drop();
    throw error;
  }
}
