// `npm run study:export -- --study ID --out FILE`: one study (protocol, stimuli, methods,
// candidates, sessions, responses and their images) as one archive, to import into another
// installation with `npm run study:import` (docs/operations.md). Works on the configured database;
// the embedded one must not be held by a running app.
import { parseArgs } from "node:util";
import { statSync } from "node:fs";
import { getConfig } from "@/lib/config";
import { databaseTargetFromConfig } from "@/lib/db/client";
import { openSqlConnection } from "@/lib/db/connection";
import { exportStudyArchive } from "@/lib/db/study-archive";
import { CliUsageError, runScript } from "./support/run-script";

runScript(async () => {
  const { values } = parseArgs({ options: { study: { type: "string" }, out: { type: "string" } } });
  if (!values.study) throw new CliUsageError("usage: npm run study:export -- --study STUDY_ID [--out FILE]");
  const file = values.out ?? `study-${values.study}.ctt-study.gz`;
  const connection = await openSqlConnection(databaseTargetFromConfig(getConfig()));
  try {
    const header = await exportStudyArchive(connection, values.study, file);
    console.log(`exported "${header.studyName}" to ${file} (${statSync(file).size} bytes): ${JSON.stringify(header.rows)}`);
  } finally {
    await connection.close();
  }
});
