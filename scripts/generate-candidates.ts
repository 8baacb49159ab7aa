// `npm run generate-candidates`: a worker that drains the candidate-generation queue (all
// studies) and exits. Runs beside the app on a PostgreSQL server (several can share the queue);
// on the embedded database, run it while the app is stopped.
import { getConfig } from "@/lib/config";
import { databaseTargetFromConfig, openDatabase } from "@/lib/db/client";
import { drainJobs } from "@/lib/methods/generation";
import { generationDepsFromConfig } from "@/lib/methods/generation-deps";
import { runScript } from "./support/run-script";

runScript(async () => {
  const opened = await openDatabase(databaseTargetFromConfig(getConfig()));
  try {
    const started = Date.now();
    const jobs = await drainJobs(opened.db, generationDepsFromConfig());
    console.log(`processed ${jobs} job(s) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    await opened.close();
  }
});
