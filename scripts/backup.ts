// `npm run backup -- [--out FILE]`: a consistent backup of the configured database, also while
// the app runs (docs/operations.md). A server (DATABASE_URL, through DIRECT_DATABASE_URL when
// set): pg_dump's custom format. The embedded database: a tarball of its data directory, written
// by the app process when it holds the database, else by this command.
import { parseArgs } from "node:util";
import { statSync } from "node:fs";
import { getConfig } from "@/lib/config";
import { backupOpenPglite, backupServer, requestPgliteBackupFromOwner } from "@/lib/db/backup";
import { databaseTargetFromConfig } from "@/lib/db/client";
import { openPglite, redactUrl } from "@/lib/db/connection";
import { CliUsageError, runScript } from "./support/run-script";

runScript(async () => {
  const { values, positionals } = parseArgs({ options: { out: { type: "string" } }, allowPositionals: true });
  if (positionals.length > 0) throw new CliUsageError("usage: npm run backup -- [--out FILE]");
  const target = databaseTargetFromConfig(getConfig());
  const stamp = new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  const file = values.out ?? `backups/${target.kind}-${stamp}.${target.kind === "postgres" ? "pgdump" : "tar.gz"}`;
  const started = performance.now();
  let how: string;
  if (target.kind === "postgres") {
    await backupServer(target, file);
    how = `pg_dump of ${redactUrl(target.directUrl ?? target.url)}`;
  } else if (await requestPgliteBackupFromOwner(target.dir, file)) {
    how = `embedded database ${target.dir}, written by the running app`;
  } else {
    const { db, lock } = await openPglite(target.dir);
    try {
      await backupOpenPglite(db, file);
    } finally {
      await db.close();
      lock.release();
    }
    how = `embedded database ${target.dir}`;
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`backup: ${file} (${statSync(file).size} bytes, ${seconds} s; ${how})`);
});
