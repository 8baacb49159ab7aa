// `npm run db:migrate`: applies prisma/migrations to DATABASE_URL, or to the embedded database.
import { getConfig } from "@/lib/config";
import { databaseTargetFromConfig } from "@/lib/db/client";
import { openSqlConnection, redactUrl } from "@/lib/db/connection";
import { applyMigrations } from "@/lib/db/migrate";
import { runScript } from "./support/run-script";

runScript(async () => {
  const target = databaseTargetFromConfig(getConfig());
  const where = target.kind === "postgres" ? `PostgreSQL ${redactUrl(target.url)}` : `embedded PGlite in ${target.dir}`;
  const connection = await openSqlConnection(target);
  try {
    const result = await applyMigrations(connection);
    console.log(
      result.applied.length
        ? `Applied ${result.applied.length} migration(s) to ${where}: ${result.applied.join(", ")}`
        : `${where} is up to date (${result.alreadyApplied.length} migration(s) applied earlier).`,
    );
  } finally {
    await connection.close();
  }
});
