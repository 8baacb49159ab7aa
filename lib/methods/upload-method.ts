import type { Db } from "@/lib/db/client";
import type { ResearcherView } from "@/lib/auth/accounts";
import { getBlob, putBlob } from "@/lib/db/blobs";
import { DomainError } from "@/lib/errors";
import { renderStimulusFromLab, type Stimulus } from "@/lib/images/render-stimulus";
import { loadDraftStudy } from "@/lib/study/access";
import type { ArchiveImage } from "@/lib/uploads/archive";
import { checkUploadedImage, type UploadCheckOptions } from "./checks";
import { computeStoredMetrics } from "./generation";

export interface UploadReport {
  method: { id: string | null; name: string };
  stored: boolean;
  matched: string[];
  missing: string[];
  extra: string[];
  rejected: { name: string; code: string; message: string }[];
  notes: { name: string; note: string }[];
}

/**
 * Adds a competitor's outputs as a method: files are matched to the study's stimuli by file name
 * stem, every image is checked against its stimulus (decodes, size, same luminance, has colour,
 * no transparency) and rendered through the same stimulus path as generated candidates. All or
 * nothing: one missing or rejected image stores nothing, unless the researcher accepts a partial
 * set, in which case the good images are stored and the rest reported.
 */
export async function uploadMethod(
  db: Db,
  researcher: ResearcherView,
  studyId: string,
  input: { name: string; acceptPartial: boolean },
  images: ArchiveImage[],
  checkOptions: Partial<UploadCheckOptions> = {},
): Promise<UploadReport> {
  const { protocol } = await loadDraftStudy(db, researcher, studyId, "Methods can only be added while the study is a draft.");
  if (await db.method.findUnique({ where: { studyId_name: { studyId, name: input.name } } })) {
    throw new DomainError("method_exists", `The study already has a method named "${input.name}".`);
  }
  const stimuli = await db.stimulusImage.findMany({ where: { studyId }, select: { id: true, name: true, sourceSha256: true }, orderBy: { name: "asc" } });
  const byStem = new Map(images.map((image) => [image.stem, image]));
  const report: UploadReport = {
    method: { id: null, name: input.name },
    stored: false,
    matched: [],
    missing: stimuli.filter((stimulus) => !byStem.has(stimulus.name)).map((stimulus) => stimulus.name),
    extra: images.filter((image) => !stimuli.some((stimulus) => stimulus.name === image.stem)).map((image) => image.name),
    rejected: [],
    notes: [],
  };
  const accepted: { stimulusId: string; rendered: Stimulus }[] = [];
  for (const stimulus of stimuli) {
    const image = byStem.get(stimulus.name);
    if (!image) continue;
    const source = await getBlob(db, stimulus.sourceSha256);
    if (!source) throw new Error(`stimulus ${stimulus.name} has lost its image`);
    const checked = await checkUploadedImage(source.bytes, image.bytes, checkOptions);
    if (!checked.ok) {
      report.rejected.push({ name: image.name, code: checked.reason, message: checked.message });
      continue;
    }
    for (const note of checked.notes) report.notes.push({ name: image.name, note });
    report.matched.push(image.name);
    accepted.push({ stimulusId: stimulus.id, rendered: await renderStimulusFromLab(checked.lab, checked.width, checked.height, { size: protocol.stimulusSize }) });
  }
  const complete = report.rejected.length === 0 && report.missing.length === 0;
  if (accepted.length === 0 || (!complete && !input.acceptPartial)) return report;

  const method = await db.$transaction(
    async (tx) => {
      const created = await tx.method.create({
        data: {
          studyId,
          name: input.name,
          kind: "upload",
          status: "ready",
          config: { tested: true, upload: { matched: report.matched.length, missing: report.missing, extra: report.extra, rejected: report.rejected, partial: !complete } },
        },
        select: { id: true },
      });
      for (const item of accepted) {
        const sha = await putBlob(tx, item.rendered);
        await tx.candidate.create({ data: { methodId: created.id, stimulusId: item.stimulusId, blobSha256: sha } });
      }
      return created;
    },
    { timeout: 120_000 },
  );
  const metrics = await computeStoredMetrics(db, method.id);
  await db.method.update({ where: { id: method.id }, data: { metrics } });
  return { ...report, method: { id: method.id, name: input.name }, stored: true };
}
