import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, databaseKinds, type TestDatabase } from "../support/database";
import { putBlob, getBlob } from "@/lib/db/blobs";
import { sha256Hex } from "@/lib/crypto";

// One row of every model, written and read back through the Prisma client on each database kind.
describe.each(databaseKinds())("every model round-trips on %s", (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await database?.drop();
  });

  it("writes and reads a row of every model", async () => {
    const db = database.db;
    const team = await db.team.create({ data: { name: "Vision lab" } });
    const researcher = await db.researcher.create({ data: { email: "r@example.org", name: "R", passwordHash: "x", teamId: team.id } });
    const invitation = await db.invitation.create({
      data: { teamId: team.id, email: "new@example.org", tokenHash: "h1", invitedById: researcher.id, expiresAt: new Date(Date.now() + 1000) },
    });
    const authSession = await db.authSession.create({ data: { tokenHash: "t1", researcherId: researcher.id, expiresAt: new Date() } });
    const throttle = await db.signInThrottle.create({ data: { key: "email:x", failures: 2, windowStart: new Date() } });
    const bytes = new Uint8Array([1, 2, 3, 250]);
    const sha = await putBlob(db, { bytes, mimeType: "image/png", width: 1, height: 1 });
    expect(sha).toBe(sha256Hex(bytes));
    await putBlob(db, { bytes, mimeType: "image/png", width: 1, height: 1 }); // idempotent
    const blob = await getBlob(db, sha);
    expect(Array.from(blob!.bytes)).toEqual([1, 2, 3, 250]);
    const study = await db.study.create({
      data: { name: "S", ownerId: researcher.id, teamId: team.id, protocol: { trials: 40 }, completionCode: "C0DE", participantSalt: "salt" },
    });
    const stimulus = await db.stimulusImage.create({ data: { studyId: study.id, name: "img1", sourceSha256: sha, realSha256: sha, width: 4, height: 3 } });
    const method = await db.method.create({ data: { studyId: study.id, name: "Ours (full)", kind: "model", config: { temperature: 0.38 } } });
    const candidate = await db.candidate.create({ data: { methodId: method.id, stimulusId: stimulus.id, blobSha256: sha } });
    const job = await db.job.create({ data: { kind: "generate-candidates", studyId: study.id, methodId: method.id, total: 1 } });
    const session = await db.raterSession.create({
      data: { studyId: study.id, methodId: method.id, recruiter: "prolific", participantHash: "p", recruiterIds: { PROLIFIC_PID: "abc" }, tokenHash: "rt" },
    });
    const trial = await db.trial.create({
      data: { sessionId: session.id, position: 0, kind: "test", methodId: method.id, stimulusId: stimulus.id, candidateId: candidate.id, realOnLeft: true, leftToken: "l", rightToken: "r" },
    });
    const response = await db.response.create({
      data: { trialId: trial.id, idempotencyKey: "k", chosenSide: "right", correct: false, fooled: true, responseTimeMs: 812.5, exposureLeftMs: 1001.2, timing: { frames: 60 } },
    });

    const read = await db.response.findUniqueOrThrow({
      where: { id: response.id },
      include: { trial: { include: { session: { include: { study: { include: { owner: { include: { team: true } } } } } }, candidate: true, stimulus: true, method: true } } },
    });
    expect(read.fooled).toBe(true);
    expect(read.responseTimeMs).toBe(812.5);
    expect(read.timing).toEqual({ frames: 60 });
    expect(read.trial.session.recruiterIds).toEqual({ PROLIFIC_PID: "abc" });
    expect(read.trial.session.study.owner.team.name).toBe("Vision lab");
    expect(read.trial.candidate.blobSha256).toBe(sha);
    expect(read.trial.stimulus.name).toBe("img1");
    expect(read.trial.method.config).toEqual({ temperature: 0.38 });
    expect((await db.invitation.findUniqueOrThrow({ where: { id: invitation.id } })).email).toBe("new@example.org");
    expect((await db.authSession.findUniqueOrThrow({ where: { id: authSession.id } })).tokenHash).toBe("t1");
    expect((await db.signInThrottle.findUniqueOrThrow({ where: { key: throttle.key } })).failures).toBe(2);
    expect((await db.job.findUniqueOrThrow({ where: { id: job.id } })).status).toBe("queued");
    await db.raterScreening.create({ data: { sessionId: session.id, seed: 2_147_483_646, colourVision: true, display: false, outcome: "flagged", protanFailed: true, answers: { plates: ["3", "none"] } } });
    const screening = await db.raterScreening.findUniqueOrThrow({ where: { sessionId: session.id }, include: { session: true } });
    expect(screening).toMatchObject({ seed: 2_147_483_646, outcome: "flagged", protanFailed: true, deutanFailed: false, windowFits: null, answers: { plates: ["3", "none"] } });
    expect(screening.session.id).toBe(session.id);
    expect((await db.study.findUniqueOrThrow({ where: { id: study.id } })).status).toBe("draft");
  });

  it("rejects a duplicate unique value with Prisma's P2002", async () => {
    const db = database.db;
    const team = await db.team.create({ data: { name: "T" } });
    await db.researcher.create({ data: { email: "dup@example.org", name: "A", passwordHash: "x", teamId: team.id } });
    await expect(db.researcher.create({ data: { email: "dup@example.org", name: "B", passwordHash: "x", teamId: team.id } })).rejects.toMatchObject({ code: "P2002" });
  });
});
