// `npm run db:migrate`: applies prisma/migrations to DATABASE_URL, or to the embedded database.
import { migrateConfiguredDatabase } from "./support/app-process";
import { runScript } from "./support/run-script";

runScript(migrateConfiguredDatabase);
