// `npm run demo`: the embedded default end to end — migrate PGlite, seed the demo study, build
// the app if needed and serve it on PORT (default 3000). No database server, no GPU.
import { getConfig } from "@/lib/config";
import { migrateConfiguredDatabase, productionBuildIsCurrent, runNext, startProductionServer } from "./support/app-process";
import { runScript } from "./support/run-script";
import { seedDemo } from "./support/seed-demo";

runScript(async () => {
  await migrateConfiguredDatabase();
  await seedDemo();
  if (!productionBuildIsCurrent()) {
    console.log("Building the app (first run only; about two minutes)…");
    const code = await runNext(["build"]);
    if (code !== 0) throw new Error(`next build failed with exit code ${code}`);
  }
  const config = getConfig();
  console.log(`\nColorization Turing Test: http://localhost:${config.PORT}\n`);
  process.exitCode = await startProductionServer();
});
