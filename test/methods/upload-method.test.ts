import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, databaseKinds, type TestDatabase } from "../support/database";
import { recolour, shifted, syntheticPhoto } from "../support/test-images";
import { writeZip, unixAttributes, UNIX_MODE } from "../support/zip-writer";
import { getBlob } from "@/lib/db/blobs";
import { collectUploadedImages } from "@/lib/uploads/uploaded-files";
import { uploadMethod } from "@/lib/methods/upload-method";
import { ArchiveError, type ArchiveImage } from "@/lib/uploads/archive";
import { addStimuli } from "@/lib/study/stimuli";
import { createStudy } from "@/lib/study/studies";
import type { Db } from "@/lib/db/client";

async function counts(db: Db) {
  return { blobs: await db.blob.count(), methods: await db.method.count(), candidates: await db.candidate.count() };
}

describe.each(databaseKinds())("uploaded competitor outputs on %s", (kind) => {
  let database: TestDatabase;
  let studyId: string;
  let researcher: { id: string; email: string; name: string; teamId: string };
  const originals: Buffer[] = [];

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    const db = database.db;
    const team = await db.team.create({ data: { name: "T" } });
    researcher = await db.researcher.create({ data: { email: "u@example.org", name: "U", passwordHash: "x", teamId: team.id }, select: { id: true, email: true, name: true, teamId: true } });
    studyId = (await createStudy(db, researcher, { name: "Uploads" })).id;
    const images: ArchiveImage[] = [];
    for (let seed = 0; seed < 3; seed++) {
      const bytes = await syntheticPhoto(96, 64, seed);
      originals.push(bytes);
      images.push({ name: `photo${seed}.png`, stem: `photo${seed}`, bytes, format: "png", width: 96, height: 64 });
    }
    // A duplicate of photo0 under another name is found, not stored twice.
    images.push({ name: "again.png", stem: "again", bytes: originals[0]!, format: "png", width: 96, height: 64 });
    const report = await addStimuli(db, researcher, studyId, images, 1e7);
    expect(report.added.map((a) => a.name)).toEqual(["photo0", "photo1", "photo2"]);
    expect(report.duplicates).toEqual([{ name: "again.png", duplicateOf: "photo0" }]);
  });
  afterAll(async () => {
    await database?.drop();
  });

  it("renders the real stimulus through the stimulus path (256×256 JPEG, no metadata)", async () => {
    const stimulus = await database.db.stimulusImage.findFirstOrThrow({ where: { studyId, name: "photo0" } });
    const real = await getBlob(database.db, stimulus.realSha256);
    expect(real?.mimeType).toBe("image/jpeg");
    const sharp = (await import("sharp")).default;
    const meta = await sharp(real!.bytes).metadata();
    expect([meta.width, meta.height]).toEqual([256, 256]);
    expect(meta.exif).toBeUndefined();
  });

  it("refuses a set with a shifted image and stores nothing; stores a good set with metrics", async () => {
    const db = database.db;
    const before = await counts(db);
    const good = await Promise.all(originals.map((bytes) => recolour(bytes)));
    const bad: ArchiveImage[] = [
      { name: "photo0.png", stem: "photo0", bytes: good[0]!, format: "png", width: 96, height: 64 },
      { name: "photo1.png", stem: "photo1", bytes: await shifted(good[1]!), format: "png", width: 96, height: 64 },
      { name: "photo2.png", stem: "photo2", bytes: good[2]!, format: "png", width: 96, height: 64 },
      { name: "stray.png", stem: "stray", bytes: good[2]!, format: "png", width: 96, height: 64 },
    ];
    const refused = await uploadMethod(db, researcher, studyId, { name: "Competitor", acceptPartial: false }, bad);
    expect(refused.stored).toBe(false);
    expect(refused.rejected.map((r) => [r.name, r.code])).toEqual([["photo1.png", "luminance_mismatch"]]);
    expect(refused.extra).toEqual(["stray.png"]);
    expect(await counts(db)).toEqual(before);

    const partial = await uploadMethod(db, researcher, studyId, { name: "Competitor (partial)", acceptPartial: true }, bad);
    expect(partial.stored).toBe(true);
    expect(partial.matched).toEqual(["photo0.png", "photo2.png"]);

    const accepted = await uploadMethod(db, researcher, studyId, { name: "Competitor", acceptPartial: false }, good.map((bytes, seed) => ({ name: `photo${seed}.png`, stem: `photo${seed}`, bytes, format: "png" as const, width: 96, height: 64 })));
    expect(accepted.stored).toBe(true);
    const method = await db.method.findUniqueOrThrow({ where: { id: accepted.method.id! }, include: { _count: { select: { candidates: true } } } });
    expect(method.status).toBe("ready");
    expect(method._count.candidates).toBe(3);
    const metrics = method.metrics as Record<string, number>;
    expect(metrics.auc).toBeGreaterThan(0);
    expect(metrics.auc).toBeLessThan(100);
  });

  it("a hostile archive is rejected with a clear error and nothing is stored", async () => {
    const db = database.db;
    const before = await counts(db);
    const png = await syntheticPhoto(8, 8, 1);
    const hostile = [
      writeZip([{ name: "../photo0.png", data: png }]),
      writeZip([{ name: "photo0.png", data: "/etc/passwd", externalAttributes: unixAttributes(UNIX_MODE.symlink ?? 0o120777) }]),
      writeZip([{ name: "inner.zip", data: writeZip([{ name: "photo0.png", data: png }]) }]),
      writeZip([{ name: "notes.txt", data: "hello" }]),
    ];
    for (const zip of hostile) {
      await expect(collectUploadedImages([{ name: "outputs.zip", bytes: zip }])).rejects.toBeInstanceOf(ArchiveError);
    }
    await expect(collectUploadedImages([{ name: "x.tar.gz", bytes: Buffer.from([0x1f, 0x8b, 8, 0, 0, 0]) }])).rejects.toMatchObject({ code: "nested_archive" });
    expect(await counts(db)).toEqual(before);
  });
});
