import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ResearcherView } from "@/lib/auth/accounts";
import type { Db } from "@/lib/db/client";
import { protocolSchema } from "@/lib/contract/protocol";
import { DomainError } from "@/lib/errors";
import { loadDraftStudy, loadStudy } from "@/lib/study/access";
import { hashProtocol } from "@/lib/study/protocol-hash";
import { readStoredProtocol } from "@/lib/study/stored-protocol";
import { readinessProblems, studyProgress } from "@/lib/study/studies";
import { getStudyDetail } from "@/lib/study/study-detail";
import { createTestDatabase, databaseKinds, type TestDatabase } from "../support/database";
import { betweenStudySpec, seedStudy } from "../results/seed-study";

describe("readStoredProtocol", () => {
  it("parses an opened protocol once and shares it frozen; a draft's (no hash) is parsed on every read", () => {
    const stored = JSON.parse(JSON.stringify(protocolSchema.parse({ testTrials: 12 }))) as unknown;
    const hash = hashProtocol(protocolSchema.parse(stored));
    const first = readStoredProtocol(stored, hash);
    expect(first.testTrials).toBe(12);
    expect(readStoredProtocol(JSON.parse(JSON.stringify(stored)), hash)).toBe(first);
    expect(Object.isFrozen(first.presentation)).toBe(true);
    expect(() => {
      (first.exclusion as { maxVigilanceFailures: number }).maxVigilanceFailures = 5;
    }).toThrow(TypeError);
    const draft = readStoredProtocol(stored, null);
    expect(draft).toEqual(first);
    expect(draft).not.toBe(readStoredProtocol(stored, null));
    expect(Object.isFrozen(draft)).toBe(false);
  });

  it("refuses a stored protocol that does not match the schema", () => {
    expect(() => readStoredProtocol({ testTrials: 0 }, null)).toThrow();
  });
});

describe.each(databaseKinds())("the study loader on %s", (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await database?.drop();
  });

  const researcherOf = async (email: string): Promise<ResearcherView> =>
    database.db.researcher.findUniqueOrThrow({ where: { email }, select: { id: true, email: true, name: true, teamId: true } });
  const codeOf = (promise: Promise<unknown>) =>
    promise.then(
      () => "resolved",
      (error: unknown) => (error instanceof DomainError ? error.code : String(error)),
    );

  it("returns the parsed protocol to the study's team, 404 to another team, and refuses draft-only changes once opened", async () => {
    const seeded = await seedStudy(database.db, betweenStudySpec("loader"), "loader@example.org");
    await seedStudy(database.db, betweenStudySpec("other"), "other-team@example.org");
    const owner = await researcherOf("loader@example.org");
    const stranger = await researcherOf("other-team@example.org");

    const study = await loadStudy(database.db, owner, seeded.studyId);
    expect(study.protocol).toEqual(seeded.protocol);
    expect(await codeOf(loadStudy(database.db, stranger, seeded.studyId))).toBe("not_found");
    expect(await codeOf(loadDraftStudy(database.db, owner, seeded.studyId, "Only a draft."))).toBe("protocol_frozen");

    await database.db.study.update({ where: { id: seeded.studyId }, data: { status: "draft", protocolHash: null } });
    expect((await loadDraftStudy(database.db, owner, seeded.studyId, "Only a draft.")).protocol).toEqual(seeded.protocol);
  });

  it("getStudyDetail reads the study row once, methods with it, and agrees with the separate readers", async () => {
    const seeded = await seedStudy(database.db, betweenStudySpec("detail"), "detail@example.org");
    await database.db.study.update({ where: { id: seeded.studyId }, data: { status: "draft", protocolHash: null } });
    const owner = await researcherOf("detail@example.org");
    const reads = { study: 0, method: 0 };
    // The same client, counting the model reads it runs (raw SQL, the recruitment counts, is not counted).
    const counted = database.db.$extends({
      query: {
        study: { $allOperations: ({ args, query }) => ((reads.study += 1), query(args)) },
        method: { $allOperations: ({ args, query }) => ((reads.method += 1), query(args)) },
      },
    }) as unknown as Db;

    const detail = await getStudyDetail(counted, owner, seeded.studyId);
    expect(reads).toEqual({ study: 1, method: 0 });
    expect(detail.protocol).toEqual(seeded.protocol);
    expect(detail.progress).toEqual(await studyProgress(database.db, seeded.studyId));
    expect(detail.problems).toEqual(await readinessProblems(database.db, seeded.studyId, seeded.protocol));
    expect(detail.methods.map((method) => method.name).sort()).toEqual([...seeded.methodIds.keys()].sort());
    expect(await codeOf(getStudyDetail(database.db, await researcherOf("loader@example.org"), seeded.studyId))).toBe("not_found");
  });
});
