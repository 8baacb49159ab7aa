// Seeds the demo study of `npm run demo`: the paper's ablation (full, class, l2 models) as a
// Turing test on crops of the bundled CC0/public-domain photos (demo/photos/LICENSES.md), with
// the Random baseline as vigilance foil. Idempotent: an existing demo study is left as it is.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import sharp from "sharp";
import { getConfig } from "@/lib/config";
import { databaseTargetFromConfig, openDatabase, type Db } from "@/lib/db/client";
import { hashPassword } from "@/lib/auth/password";
import { listAvailableModels } from "@/lib/methods/available-models";
import { drainJobs } from "@/lib/methods/generation";
import { addGeneratedMethod } from "@/lib/methods/create-method";
import type { ArchiveImage } from "@/lib/uploads/archive";
import { addStimuli } from "@/lib/study/stimuli";
import { protocolSchema } from "@/lib/contract/protocol";
import { changeStudyStatus, createStudy } from "@/lib/study/studies";
import { generationDepsFromConfig } from "@/lib/methods/generation-deps";

export const DEMO_EMAIL = "demo@example.org";
export const DEMO_PASSWORD = "demo-password";
const DEMO_STUDY = "Demo: the paper's ablation (full vs class vs L2)";

/** Four overlapping crops of each photo, so five photos make twenty distinct stimuli. */
/**
 * The paper's protocol, shortened so a visitor finishes in a minute or two: 2 practice and 12 test
 * trials, 3 of them vigilance trials; a session failing more than 1 of the 3 is excluded (with a
 * single vigilance trial the rule "more than 1 failure" could never fire).
 */
export const DEMO_PROTOCOL = protocolSchema.parse({
  practiceTrials: 2,
  testTrials: 12,
  vigilanceShare: 0.25,
  exclusion: { maxVigilanceFailures: 1, maxTimingFlaggedShare: 0.2 },
  targetSessionsPerMethod: 10,
});

async function demoStimuli(dir: string): Promise<ArchiveImage[]> {
  const images: ArchiveImage[] = [];
  for (const file of (await readdir(dir)).filter((name) => name.endsWith(".jpg")).sort()) {
    const bytes = await readFile(path.join(dir, file));
    const { width = 0, height = 0 } = await sharp(bytes).metadata();
    const side = Math.floor(Math.min(width, height) * 0.75);
    const corners = [[0, 0], [width - side, 0], [0, height - side], [width - side, height - side]] as const;
    for (const [index, [left, top]] of corners.entries()) {
      const crop = await sharp(bytes).extract({ left, top, width: side, height: side }).jpeg({ quality: 92 }).toBuffer();
      const stem = `${file.replace(/\.jpg$/, "")}-${index + 1}`;
      images.push({ name: `${stem}.jpg`, stem, bytes: crop, format: "jpeg", width: side, height: side });
    }
  }
  return images;
}

/** Seeds the demo study unless it exists; its id either way. */
async function seedInto(db: Db): Promise<string> {
  const seeded = await db.study.findFirst({ where: { name: DEMO_STUDY }, select: { id: true }, orderBy: { createdAt: "asc" } });
  if (seeded) return seeded.id;
  const existing = await db.researcher.findUnique({ where: { email: DEMO_EMAIL }, select: { id: true, email: true, name: true, teamId: true } });
  const researcher =
    existing ??
    (await db.$transaction(async (tx) => {
      const team = await tx.team.create({ data: { name: "Demo lab" } });
      return tx.researcher.create({
        data: { email: DEMO_EMAIL, name: "Demo researcher", passwordHash: await hashPassword(DEMO_PASSWORD), teamId: team.id },
        select: { id: true, email: true, name: true, teamId: true },
      });
    }));
  const study = await createStudy(db, researcher, {
    name: DEMO_STUDY,
    protocol: DEMO_PROTOCOL,
  });
  const config = getConfig();
  const report = await addStimuli(db, researcher, study.id, await demoStimuli(path.resolve("demo/photos")), config.IMAGE_PIXEL_LIMIT);
  console.log(`demo: ${report.added.length} stimuli`);
  const models = await listAvailableModels();
  const wanted = ["full", "class", "l2"].filter((name) => models.some((model) => model.name === name));
  for (const model of wanted) {
    await addGeneratedMethod(db, researcher, study.id, { kind: "model", model, name: `Ours (${model === "l2" ? "L2" : model})`, tested: true }, async () => true);
  }
  if (wanted.length === 0) {
    console.log("demo: no models in MODELS_DIR; testing the Gray baseline instead");
    await addGeneratedMethod(db, researcher, study.id, { kind: "baseline", baseline: "gray" }, async () => true);
  }
  await addGeneratedMethod(db, researcher, study.id, { kind: "baseline", baseline: "random" }, async () => true);
  console.log("demo: generating candidates…");
  await drainJobs(db, generationDepsFromConfig());
  await changeStudyStatus(db, researcher, study.id, "open");
  console.log("demo: study ready");
  return study.id;
}

/**
 * What `npm run demo` prints on every start, first or not: full URLs (a relative path is no use
 * in a terminal) and the sign-in.
 */
export function demoBanner(origin: string, studyId: string): string {
  return [
    "",
    `Colorization Turing Test: ${origin}`,
    `  Rater link (the demo study): ${origin}/s/${studyId}`,
    `  Researcher sign-in:          ${origin}/sign-in  (email ${DEMO_EMAIL}, password ${DEMO_PASSWORD})`,
    "",
  ].join("\n");
}

/** Opens the configured database, seeds the demo, and closes it again (PGlite is single-process). */
export async function seedDemo(): Promise<{ studyId: string }> {
  const opened = await openDatabase(databaseTargetFromConfig(getConfig()));
  try {
    return { studyId: await seedInto(opened.db) };
  } finally {
    await opened.close();
  }
}
