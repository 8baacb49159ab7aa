import type { Db } from "@/lib/db/client";
import { putBlob } from "@/lib/db/blobs";
import { protocolSchema, type ProtocolInput } from "@/lib/contract/protocol";

/**
 * Seeds a study straight into a test database: a team and researcher, N stimuli, the given
 * methods with a candidate for every stimulus (tiny distinct blobs), and the Random baseline as
 * the vigilance foil. Image bytes are placeholders: assignment and answers never decode them.
 */
export async function seedStudy(
  db: Db,
  options: { stimuli: number; methods: string[]; protocol?: ProtocolInput; status?: "draft" | "open"; imageBytes?: (kind: string, index: number) => Promise<{ bytes: Uint8Array; mimeType: string; width: number; height: number }> },
) {
  const team = await db.team.create({ data: { name: "Lab" } });
  const researcher = await db.researcher.create({ data: { email: `r-${team.id}@example.org`, name: "Researcher", passwordHash: "x", teamId: team.id } });
  const protocol = protocolSchema.parse(options.protocol ?? {});
  const study = await db.study.create({
    data: { name: "Seeded study", ownerId: researcher.id, teamId: team.id, protocol, completionCode: "SEEDCODE42", participantSalt: "salt", status: options.status ?? "open", openedAt: new Date() },
  });
  const blob = async (kind: string, index: number) => {
    const image = options.imageBytes ? await options.imageBytes(kind, index) : { bytes: new TextEncoder().encode(`${kind}-${index}-${study.id}`), mimeType: "image/jpeg", width: 256, height: 256 };
    return putBlob(db, image);
  };
  const stimuli = [];
  for (let index = 0; index < options.stimuli; index++) {
    const sha = await blob("real", index);
    stimuli.push(await db.stimulusImage.create({ data: { studyId: study.id, name: `img${String(index).padStart(3, "0")}`, sourceSha256: sha, realSha256: sha, width: 256, height: 256 } }));
  }
  const methods = [];
  for (const [methodIndex, name] of [...options.methods, "Random"].entries()) {
    const isRandom = name === "Random";
    const method = await db.method.create({
      data: { studyId: study.id, name, kind: isRandom ? "baseline" : "model", status: "ready", config: isRandom ? { baseline: "random", tested: false } : { model: name } },
    });
    methods.push(method);
    for (const [index, stimulus] of stimuli.entries()) {
      await db.candidate.create({ data: { methodId: method.id, stimulusId: stimulus.id, blobSha256: await blob(`m${methodIndex}`, index) } });
    }
  }
  return { team, researcher, study, stimuli, methods, protocol };
}
