// `npm run study:import -- FILE --owner EMAIL`: imports a study archive of `npm run study:export`
// into the configured database as a study of the researcher EMAIL (who must exist here), all or
// nothing. Both installations must be at the same migration.
import { parseArgs } from "node:util";
import { getConfig } from "@/lib/config";
import { databaseTargetFromConfig } from "@/lib/db/client";
import { openSqlConnection } from "@/lib/db/connection";
import { importStudyArchive, StudyArchiveError } from "@/lib/db/study-archive";
import { CliUsageError, runScript } from "./support/run-script";

runScript(async () => {
  const { values, positionals } = parseArgs({ options: { owner: { type: "string" } }, allowPositionals: true });
  const file = positionals[0];
  if (!file || positionals.length !== 1 || !values.owner) throw new CliUsageError("usage: npm run study:import -- FILE --owner EMAIL");
  const connection = await openSqlConnection(databaseTargetFromConfig(getConfig()));
  try {
    const [owner] = await connection.query<{ id: string }>(`SELECT "id" FROM "Researcher" WHERE lower("email") = lower($1)`, [values.owner]);
    if (!owner) throw new StudyArchiveError(`no researcher ${values.owner} in this installation: sign up or invite them first`);
    const imported = await importStudyArchive(connection, file, owner.id);
    console.log(`imported study ${imported.studyId}: ${JSON.stringify(imported.rows)}`);
  } finally {
    await connection.close();
  }
});
