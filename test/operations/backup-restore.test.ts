import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { backupKindOf } from "@/lib/db/backup";
import { freePort, launchProductionApp, productionAppEnv, type AppProcess } from "@/scripts/support/app-server";
import { startApp, type RunningApp } from "../support/app-server";
import { createEmptyTarget, databaseKinds } from "../support/database";
import { answerNext, readFigures, runCli, seedOpenStudy, signInAt, startHttpRater, type SeededOpenStudy } from "./operations-fixtures";

// `npm run backup` taken from a running app mid-collection, `npm run restore` into a fresh
// database, and a second app on the restored database: the researcher's figures (the dashboard's
// JSON export and the CSV export) are byte-identical to the original's at the moment of the
// backup, while the original, which kept collecting, has moved on.
describe.each(databaseKinds())("backup and restore on %s", (kind) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });

  it(
    "a backup of the running app restores into a fresh database with the figures of its moment",
    async () => {
      let seeded: SeededOpenStudy | undefined;
      const original: RunningApp = await startApp(kind, {}, { seed: async (db) => void (seeded = await seedOpenStudy(db)) });
      cleanups.push(() => original.stop());
      const { studyId, email } = seeded as SeededOpenStudy;
      const researcher = await signInAt(original.url, email);

      // Mid-collection: four raters have answered three of their five trials each.
      const raters = [];
      for (let index = 0; index < 4; index++) raters.push(await startHttpRater(original.url, studyId));
      for (const rater of raters) await answerNext(rater, 3);
      const atBackup = await readFigures(researcher, studyId);

      const folder = mkdtempSync(path.join(os.tmpdir(), "ctt-backup-test-"));
      cleanups.push(async () => rmSync(folder, { recursive: true, force: true }));
      const file = path.join(folder, kind === "postgres" ? "study.pgdump" : "study.tar.gz");
      const backupOutput = await runCli("backup", ["--out", file], original.env);
      expect(backupOutput).toMatch(kind === "postgres" ? /pg_dump of/ : /written by the running app/);
      expect(backupKindOf(file)).toBe(kind);

      // Collection goes on after the backup: the original's figures change.
      for (const rater of raters) await answerNext(rater, 2);
      const later = await readFigures(researcher, studyId);
      expect(later.csv).not.toBe(atBackup.csv);
      expect(later.results).not.toEqual(atBackup.results);

      const fresh = await createEmptyTarget(kind);
      cleanups.push(fresh.drop);
      const restoreEnv = productionAppEnv(fresh.target, await freePort());
      const restoreOutput = await runCli("restore", [file], restoreEnv);
      expect(restoreOutput).toMatch(/"responses":12/);
      // Restoring over a database that has data is refused.
      await expect(runCli("restore", [file], restoreEnv)).rejects.toThrow(/not empty/);

      const restored: AppProcess = await launchProductionApp(restoreEnv);
      cleanups.push(() => restored.stop());
      const restoredFigures = await readFigures(await signInAt(restored.url, email), studyId);
      expect(restoredFigures.csv).toBe(atBackup.csv);
      expect(JSON.stringify(restoredFigures.results)).toBe(JSON.stringify(atBackup.results));
    },
    600_000,
  );
});
