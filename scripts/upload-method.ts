// `npm run upload-method -- --study ID --name NAME <folder or zip> [--accept-partial]`:
// adds a competitor's outputs to a draft study with the same checks as the researcher UI.
import { readFile, stat } from "node:fs/promises";
import { parseArgs } from "node:util";
import { getConfig } from "@/lib/config";
import { databaseTargetFromConfig, openDatabase } from "@/lib/db/client";
import { readImageFolder } from "@/lib/uploads/archive";
import { collectUploadedImages } from "@/lib/uploads/uploaded-files";
import { uploadMethod } from "@/lib/methods/upload-method";
import { CliUsageError, runScript } from "./support/run-script";

const usage = "usage: npm run upload-method -- --study STUDY_ID --name NAME <folder or zip> [--accept-partial]";

runScript(async () => {
  const { values, positionals } = parseArgs({
    options: { study: { type: "string" }, name: { type: "string" }, "accept-partial": { type: "boolean", default: false } },
    allowPositionals: true,
  });
  const input = positionals[0];
  if (!values.study || !values.name || !input || positionals.length !== 1) throw new CliUsageError(usage);
  const config = getConfig();
  const limits = { maxPixels: config.IMAGE_PIXEL_LIMIT };
  const images = (await stat(input)).isDirectory()
    ? await readImageFolder(input, limits)
    : await collectUploadedImages([{ name: input, bytes: await readFile(input) }], limits);
  const opened = await openDatabase(databaseTargetFromConfig(getConfig()));
  try {
    const study = await opened.db.study.findUnique({ where: { id: values.study }, select: { owner: { select: { id: true, email: true, name: true, teamId: true } } } });
    if (!study) throw new CliUsageError(`no study ${values.study}`);
    // The command line acts as the study's owner (it has the database already).
    const report = await uploadMethod(opened.db, study.owner, values.study, { name: values.name, acceptPartial: values["accept-partial"] ?? false }, images, limits);
    console.log(`${report.stored ? "stored" : "NOT stored"}: matched ${report.matched.length}, missing ${report.missing.length}, extra ${report.extra.length}, rejected ${report.rejected.length}`);
    for (const item of report.rejected) console.log(`  rejected ${item.name}: ${item.code}: ${item.message}`);
    for (const name of report.missing) console.log(`  missing ${name}`);
    for (const name of report.extra) console.log(`  extra ${name}`);
    for (const item of report.notes) console.log(`  note ${item.name}: ${item.note}`);
    console.log(JSON.stringify(report));
    if (!report.stored) process.exitCode = 2;
  } finally {
    await opened.close();
  }
});
