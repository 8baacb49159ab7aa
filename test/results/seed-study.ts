// Seeds small studies with known outcomes directly through the Prisma client (never a public route),
// for the results tests and the dashboard's browser test. The expected figures in the tests are
// hand-computed from the tables below.
import sharp from "sharp";
import type { Db } from "@/lib/db/client";
import { putBlob } from "@/lib/db/blobs";
import { hashPassword } from "@/lib/auth/password";
import { randomToken } from "@/lib/crypto";
import { protocolSchema, type Protocol } from "@/lib/contract/protocol";
import { hashProtocol } from "@/lib/study/protocol-hash";

export const SEEDED_PASSWORD = "correct horse battery";

/** One planned trial of a seeded session: which method and image, and the answer (if any). */
export interface SeedTrial {
  kind: "practice" | "test" | "vigilance";
  method: string;
  image: string;
  /** 1 = the rater picked the fake as real; undefined = not answered. */
  fooled?: 0 | 1;
  timingFlagged?: boolean;
  frameIntervalMs?: number;
}

export interface SeedSession {
  key: string;
  status: "active" | "completed" | "abandoned";
  recruiter?: "prolific" | "mturk" | "link";
  /** Between design: the session's method name. */
  method?: string;
  trials: SeedTrial[];
}

export interface SeedStudy {
  name: string;
  design: "between" | "within";
  methods: { name: string; kind: "model" | "upload" | "baseline"; tested: boolean; baseline?: "random"; metrics?: Record<string, number> }[];
  images: string[];
  sessions: SeedSession[];
  protocol?: Partial<Protocol>;
}

export interface SeededStudy {
  studyId: string;
  teamId: string;
  researcherEmail: string;
  protocol: Protocol;
  methodIds: Map<string, string>;
  sessionIds: Map<string, string>;
  stimulusIds: Map<string, string>;
}

/** A tiny PNG of one colour (distinct per name), so that gallery images load in the browser. */
async function tinyPng(seed: number): Promise<Uint8Array> {
  return new Uint8Array(
    await sharp({ create: { width: 16, height: 16, channels: 3, background: { r: (seed * 53) % 256, g: (seed * 97) % 256, b: (seed * 29) % 256 } } })
      .png()
      .toBuffer(),
  );
}

/** Creates a team and a researcher (password {@link SEEDED_PASSWORD}) unless the email exists. */
export async function seedResearcher(db: Db, email: string, name = "Ada Researcher") {
  const existing = await db.researcher.findUnique({ where: { email }, select: { id: true, teamId: true } });
  if (existing) return existing;
  const team = await db.team.create({ data: { name: `${name}'s team` } });
  return db.researcher.create({
    data: { email, name, passwordHash: await hashPassword(SEEDED_PASSWORD), teamId: team.id },
    select: { id: true, teamId: true },
  });
}

/** Seeds a study with the given sessions; times increase with the session order. */
export async function seedStudy(db: Db, spec: SeedStudy, researcherEmail = "ada@example.org"): Promise<SeededStudy> {
  const researcher = await seedResearcher(db, researcherEmail);
  const protocol = protocolSchema.parse({ ...spec.protocol, design: spec.design });
  const study = await db.study.create({
    data: {
      name: spec.name,
      ownerId: researcher.id,
      teamId: researcher.teamId,
      status: "closed",
      protocol,
      protocolHash: hashProtocol(protocol),
      completionCode: "DONE123456",
      participantSalt: randomToken(),
      openedAt: new Date("2026-01-01T10:00:00Z"),
      closedAt: new Date("2026-01-02T10:00:00Z"),
    },
    select: { id: true },
  });
  let colour = 1;
  const stimulusIds = new Map<string, string>();
  for (const name of spec.images) {
    const sha = await putBlob(db, { bytes: await tinyPng(colour++), mimeType: "image/png", width: 16, height: 16 });
    const stimulus = await db.stimulusImage.create({
      data: { studyId: study.id, name, sourceSha256: sha, realSha256: sha, width: 16, height: 16 },
      select: { id: true },
    });
    stimulusIds.set(name, stimulus.id);
  }
  const methodIds = new Map<string, string>();
  const candidateIds = new Map<string, string>();
  for (const method of spec.methods) {
    const created = await db.method.create({
      data: {
        studyId: study.id,
        name: method.name,
        kind: method.kind,
        status: "ready",
        config: { tested: method.tested, ...(method.baseline ? { baseline: method.baseline } : {}) },
        metrics: method.metrics ?? undefined,
      },
      select: { id: true },
    });
    methodIds.set(method.name, created.id);
    for (const image of spec.images) {
      const sha = await putBlob(db, { bytes: await tinyPng(colour++), mimeType: "image/png", width: 16, height: 16 });
      const candidate = await db.candidate.create({
        data: { methodId: created.id, stimulusId: stimulusIds.get(image) as string, blobSha256: sha },
        select: { id: true },
      });
      candidateIds.set(`${method.name}:${image}`, candidate.id);
    }
  }
  const sessionIds = new Map<string, string>();
  let clock = Date.parse("2026-01-01T12:00:00Z");
  for (const session of spec.sessions) {
    const createdAt = new Date((clock += 60_000));
    const created = await db.raterSession.create({
      data: {
        studyId: study.id,
        methodId: spec.design === "between" && session.method ? (methodIds.get(session.method) as string) : null,
        recruiter: session.recruiter ?? "prolific",
        participantHash: randomToken(12),
        tokenHash: randomToken(),
        status: session.status,
        createdAt,
        completedAt: session.status === "completed" ? new Date(clock + 30_000) : null,
      },
      select: { id: true },
    });
    sessionIds.set(session.key, created.id);
    for (const [position, trial] of session.trials.entries()) {
      const realOnLeft = position % 2 === 0;
      const createdTrial = await db.trial.create({
        data: {
          sessionId: created.id,
          position,
          kind: trial.kind,
          methodId: methodIds.get(trial.method) as string,
          stimulusId: stimulusIds.get(trial.image) as string,
          candidateId: candidateIds.get(`${trial.method}:${trial.image}`) as string,
          realOnLeft,
          leftToken: randomToken(12),
          rightToken: randomToken(12),
          createdAt,
        },
        select: { id: true },
      });
      if (trial.fooled === undefined) continue;
      const fooled = trial.fooled === 1;
      const realSide = realOnLeft ? "left" : "right";
      const fakeSide = realOnLeft ? "right" : "left";
      await db.response.create({
        data: {
          trialId: createdTrial.id,
          idempotencyKey: randomToken(12),
          chosenSide: fooled ? fakeSide : realSide,
          correct: !fooled,
          fooled,
          responseTimeMs: 900 + position * 10,
          exposureLeftMs: 1000,
          exposureRightMs: 1000,
          frameIntervalMs: trial.frameIntervalMs ?? 16.7,
          timingFlagged: trial.timingFlagged ?? false,
          createdAt: new Date(createdAt.getTime() + (position + 1) * 1000),
        },
      });
    }
  }
  return { studyId: study.id, teamId: researcher.teamId, researcherEmail, protocol, methodIds, sessionIds, stimulusIds };
}

/** Test trials on the given images with the given outcomes (1 = fooled). */
function tests(method: string, images: string[], fooled: (0 | 1 | undefined)[]): SeedTrial[] {
  return images.map((image, index) => ({ kind: "test" as const, method, image, fooled: fooled[index] }));
}

function vigilance(images: string[], fooled: (0 | 1 | undefined)[], flagged: boolean[] = []): SeedTrial[] {
  return images.map((image, index) => ({ kind: "vigilance" as const, method: "Random", image, fooled: fooled[index], timingFlagged: flagged[index] ?? false }));
}

/**
 * The between-design study the tests check by hand. Per session: 1 practice, 4 test and
 * 2 vigilance trials (protocol: 1 practice, 6 test trials of which round(6·0.34) = 2 vigilance).
 *
 * | session | method | status    | test fooled | vigilance failed | timing flagged | outcome              |
 * |---------|--------|-----------|-------------|------------------|----------------|----------------------|
 * | a1      | Ours   | completed | 1 0 1 0     | 0 of 2           | 0 of 6         | analysed             |
 * | a2      | Ours   | completed | 1 1 0 0     | 1 of 2           | 0 of 6         | analysed (1 ≤ 1)     |
 * | a3      | Ours   | completed | 1 1 1 1     | 2 of 2           | 0 of 6         | excluded: vigilance  |
 * | a4      | Ours   | active    | 1 0 – –     | –                | –              | incomplete           |
 * | b1      | Dahl   | completed | 0 0 0 1     | 0 of 2           | 2 of 6 (> 20%) | excluded: timing     |
 * | b2      | Dahl   | completed | 0 1 0 0     | 1 of 2           | 1 of 6 (≤ 20%) | analysed             |
 * | b3      | Dahl   | completed | 0 0 1 1     | 0 of 2           | 0 of 6         | analysed             |
 * | b4      | Dahl   | abandoned | 1 – – –     | –                | –              | incomplete           |
 *
 * Practice trials are all "fooled" so that counting them by mistake would show.
 */
export function betweenStudySpec(name = 'Colour, "quoted" study'): SeedStudy {
  const practice = (method: string, image: string): SeedTrial => ({ kind: "practice", method, image, fooled: 1 });
  return {
    name,
    design: "between",
    protocol: { practiceTrials: 1, testTrials: 6, vigilanceShare: 0.34, targetSessionsPerMethod: 3 },
    methods: [
      { name: "Ours", kind: "model", tested: true, metrics: { auc: 0.894, aucRebalanced: 0.671, colourfulness: 31.2, colourfulnessGroundTruth: 40.1, psnr: 22.4 } },
      { name: "Dahl", kind: "upload", tested: true },
      { name: "Random", kind: "baseline", tested: false, baseline: "random" },
    ],
    images: ["s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8"],
    sessions: [
      { key: "a1", status: "completed", method: "Ours", trials: [practice("Ours", "s8"), ...tests("Ours", ["s1", "s2", "s3", "s4"], [1, 0, 1, 0]), ...vigilance(["s6", "s7"], [0, 0])] },
      { key: "a2", status: "completed", method: "Ours", trials: [practice("Ours", "s8"), ...tests("Ours", ["s1", "s2", "s5", "s6"], [1, 1, 0, 0]), ...vigilance(["s3", "s7"], [1, 0])] },
      { key: "a3", status: "completed", method: "Ours", trials: [practice("Ours", "s8"), ...tests("Ours", ["s1", "s2", "s3", "s4"], [1, 1, 1, 1]), ...vigilance(["s6", "s7"], [1, 1])] },
      { key: "a4", status: "active", method: "Ours", trials: [practice("Ours", "s8"), ...tests("Ours", ["s1", "s2", "s3", "s4"], [1, 0, undefined, undefined]), ...vigilance(["s6", "s7"], [undefined, undefined])] },
      {
        key: "b1",
        status: "completed",
        method: "Dahl",
        recruiter: "mturk",
        trials: [practice("Dahl", "s8"), ...tests("Dahl", ["s1", "s2", "s3", "s4"], [0, 0, 0, 1]), ...vigilance(["s6", "s7"], [0, 0], [true, true])],
      },
      {
        key: "b2",
        status: "completed",
        method: "Dahl",
        recruiter: "link",
        trials: [practice("Dahl", "s8"), ...tests("Dahl", ["s1", "s2", "s3", "s4"], [0, 1, 0, 0]), ...vigilance(["s6", "s7"], [0, 1], [true, false])],
      },
      { key: "b3", status: "completed", method: "Dahl", trials: [practice("Dahl", "s8"), ...tests("Dahl", ["s1", "s5", "s3", "s4"], [0, 0, 1, 1]), ...vigilance(["s6", "s7"], [0, 0])] },
      { key: "b4", status: "abandoned", method: "Dahl", trials: [practice("Dahl", "s8"), ...tests("Dahl", ["s1", "s2", "s3", "s4"], [1, undefined, undefined, undefined]), ...vigilance(["s6", "s7"], [undefined, undefined])] },
    ],
  };
}

/**
 * A within-design study: each session sees both methods (trial methodId decides).
 *
 * | session | Ours test fooled | Dahl test fooled | vigilance failed | outcome             |
 * |---------|------------------|------------------|------------------|---------------------|
 * | w1      | s1:1 s2:0        | s3:1 s4:1        | 0 of 2           | analysed            |
 * | w2      | s3:1 s4:1        | s1:0 s2:0        | 2 of 2           | excluded: vigilance |
 * | w3      | s2:0 s4:0        | s1:1 s3:0        | 0 of 2           | analysed            |
 */
export function withinStudySpec(): SeedStudy {
  return {
    name: "Within study",
    design: "within",
    protocol: { practiceTrials: 0, testTrials: 6, vigilanceShare: 0.34, targetSessionsPerMethod: 3 },
    methods: [
      { name: "Ours", kind: "model", tested: true },
      { name: "Dahl", kind: "upload", tested: true },
      { name: "Random", kind: "baseline", tested: false, baseline: "random" },
    ],
    images: ["s1", "s2", "s3", "s4", "s5", "s6"],
    sessions: [
      { key: "w1", status: "completed", trials: [...tests("Ours", ["s1", "s2"], [1, 0]), ...tests("Dahl", ["s3", "s4"], [1, 1]), ...vigilance(["s5", "s6"], [0, 0])] },
      { key: "w2", status: "completed", trials: [...tests("Ours", ["s3", "s4"], [1, 1]), ...tests("Dahl", ["s1", "s2"], [0, 0]), ...vigilance(["s5", "s6"], [1, 1])] },
      { key: "w3", status: "completed", trials: [...tests("Ours", ["s2", "s4"], [0, 0]), ...tests("Dahl", ["s1", "s3"], [1, 0]), ...vigilance(["s5", "s6"], [0, 0])] },
    ],
  };
}
