import "server-only";
import { getConfig } from "@/lib/config";
import { getDb } from "@/lib/db/client";
import { logger } from "@/lib/logger";
import { drainJobs } from "./generation";
import { generationDepsFromConfig } from "./generation-deps";

type WorkerState = { running: boolean; again: boolean };
const state = ((globalThis as { __colorTuringWorker?: WorkerState }).__colorTuringWorker ??= { running: false, again: false });

/**
 * Runs the job queue in this app process in the background: one loop per process; a kick while
 * it runs makes it look again when done. Restarted servers resume unfinished jobs (see
 * instrumentation.ts); a separate worker (`npm run generate-candidates`) can share the queue.
 */
export function kickWorker(): void {
  if (!getConfig().GENERATE_IN_APP) return;
  if (state.running) {
    state.again = true;
    return;
  }
  state.running = true;
  void (async () => {
    try {
      do {
        state.again = false;
        const processed = await drainJobs(await getDb(), generationDepsFromConfig());
        if (processed) logger.info(`candidate generation: ${processed} job(s) processed`);
      } while (state.again);
    } catch (error) {
      logger.error("candidate generation worker stopped", error);
    } finally {
      state.running = false;
    }
  })();
}
