// `npm start`: migrate the configured database, then serve the production build (`npm run build` first).
import { existsSync } from "node:fs";
import { migrateConfiguredDatabase, startProductionServer } from "./support/app-process";
import { CliUsageError, runScript } from "./support/run-script";

runScript(async () => {
  if (!existsSync(".next/BUILD_ID")) throw new CliUsageError("No production build found: run `npm run build` first.");
  await migrateConfiguredDatabase();
  process.exitCode = await startProductionServer();
});
