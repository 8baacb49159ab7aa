import type { Db } from "@/lib/db/client";
import type { ResearcherView } from "@/lib/auth/accounts";
import { putBlob } from "@/lib/db/blobs";
import { ImageError } from "@/lib/images/errors";
import { normalizeUpload } from "@/lib/images/normalize-upload";
import { renderRealStimulus } from "@/lib/images/render-stimulus";
import type { ArchiveImage } from "@/lib/uploads/archive";
import { loadDraftStudy } from "./access";

export interface StimuliReport {
  added: { name: string; id: string }[];
  duplicates: { name: string; duplicateOf: string }[];
  rejected: { name: string; reason: string }[];
}

/**
 * Adds ground-truth photos to a draft study. Each is decoded (EXIF orientation applied,
 * metadata stripped) and stored content-addressed; its "real" stimulus is rendered from its own
 * L and ab through the same path as every fake. Duplicates (same bytes, already in the study or
 * twice in this upload) and names already used are reported, not stored twice; gray photos are
 * refused because a real photo without colour would give the answer away.
 */
export async function addStimuli(db: Db, researcher: ResearcherView, studyId: string, images: ArchiveImage[], pixelLimit: number): Promise<StimuliReport> {
  const { protocol } = await loadDraftStudy(db, researcher, studyId, "Stimuli can only be added while the study is a draft.");
  const existing = await db.stimulusImage.findMany({ where: { studyId }, select: { name: true, sourceSha256: true } });
  const byHash = new Map(existing.map((stimulus) => [stimulus.sourceSha256, stimulus.name]));
  const names = new Set(existing.map((stimulus) => stimulus.name));
  const report: StimuliReport = { added: [], duplicates: [], rejected: [] };

  for (const image of images) {
    let normalized;
    try {
      normalized = await normalizeUpload(image.bytes, { limitInputPixels: pixelLimit });
    } catch (error) {
      report.rejected.push({ name: image.name, reason: error instanceof ImageError ? error.message : "not a readable image" });
      continue;
    }
    const duplicateOf = byHash.get(normalized.sha256);
    if (duplicateOf) {
      report.duplicates.push({ name: image.name, duplicateOf });
      continue;
    }
    if (normalized.sourceIsGray) {
      report.rejected.push({ name: image.name, reason: "a grayscale photo cannot serve as the real colour image" });
      continue;
    }
    if (names.has(image.stem)) {
      report.rejected.push({ name: image.name, reason: `the study already has an image named ${image.stem}` });
      continue;
    }
    const real = await renderRealStimulus(normalized.bytes, { size: protocol.stimulusSize, limitInputPixels: pixelLimit });
    const stimulus = await db.$transaction(async (tx) => {
      const sourceSha256 = await putBlob(tx, normalized);
      const realSha256 = await putBlob(tx, real);
      return tx.stimulusImage.create({
        data: { studyId, name: image.stem, sourceSha256, realSha256, width: normalized.width, height: normalized.height },
        select: { id: true },
      });
    });
    byHash.set(normalized.sha256, image.stem);
    names.add(image.stem);
    report.added.push({ name: image.stem, id: stimulus.id });
  }
  return report;
}
