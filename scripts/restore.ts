// `npm run restore -- FILE`: restores a backup of `npm run backup` into the configured database,
// which must be new: an empty server database (DATABASE_URL, or DIRECT_DATABASE_URL when set),
// or a PGLITE_DIR that does not exist yet. Prints what the restored database holds, to compare
// with the original (docs/operations.md, "Verifying a backup").
import { parseArgs } from "node:util";
import { getConfig } from "@/lib/config";
import { BackupError, backupKindOf, restorePglite, restoreServer } from "@/lib/db/backup";
import { databaseTargetFromConfig } from "@/lib/db/client";
import { openSqlConnection } from "@/lib/db/connection";
import { CliUsageError, runScript } from "./support/run-script";

runScript(async () => {
  const { positionals } = parseArgs({ allowPositionals: true });
  const file = positionals[0];
  if (!file || positionals.length !== 1) throw new CliUsageError("usage: npm run restore -- FILE");
  const target = databaseTargetFromConfig(getConfig());
  const kind = backupKindOf(file);
  if (kind !== target.kind) {
    throw new BackupError(
      `${file} is a backup of ${kind === "postgres" ? "a PostgreSQL server" : "the embedded database"} and restores into the same kind only; ` +
        "to move studies between the two, use `npm run study:export` and `npm run study:import`",
    );
  }
  if (target.kind === "postgres") await restoreServer(file, target);
  else await restorePglite(file, target.dir);
  const connection = await openSqlConnection(target);
  try {
    const [counts] = await connection.query<Record<string, number | string | null>>(
      `SELECT (SELECT count(*)::int FROM "Study") AS studies, (SELECT count(*)::int FROM "RaterSession") AS sessions,
              (SELECT count(*)::int FROM "Response") AS responses, (SELECT max("createdAt")::text FROM "Response") AS "lastResponseAt",
              (SELECT max(migration_name) FROM "_prisma_migrations") AS "lastMigration"`,
    );
    console.log(`restored ${file}: ${JSON.stringify(counts)}`);
  } finally {
    await connection.close();
  }
});
