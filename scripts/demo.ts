// `npm run demo`: the embedded default end to end — migrate PGlite, seed the demo study, build
// the app if needed and serve it on PORT (default 3000). No database server, no GPU.
import { getConfig } from "@/lib/config";
import { migrateConfiguredDatabase, productionBuildIsCurrent, runNext, startProductionServer } from "./support/app-process";
import { runScript } from "./support/run-script";
import { demoBanner, seedDemo } from "./support/seed-demo";

runScript(async () => {
  await migrateConfiguredDatabase();
  const { studyId } = await seedDemo();
  if (!productionBuildIsCurrent()) {
    console.log("Building the app (first run only; about two minutes)…");
    const code = await runNext(["build"]);
    if (code !== 0) throw new Error(`next build failed with exit code ${code}`);
  }
  const config = getConfig();
  // A wildcard or loopback listen address is reached as localhost from this machine.
  const host = ["0.0.0.0", "::", "127.0.0.1", "::1"].includes(config.LISTEN_HOST) ? "localhost" : config.LISTEN_HOST;
  console.log(demoBanner(`http://${host}:${config.PORT}`, studyId));
  process.exitCode = await startProductionServer();
});
