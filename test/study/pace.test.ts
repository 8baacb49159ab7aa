import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { computeStudyResults } from "@/lib/results/study-results";
import type { AnswerInput } from "@/lib/contract/rater-api";
import { answerTrial } from "@/lib/study/answers";
import { minimumAnswerDelayMs } from "@/lib/study/presentation-pace";
import { defaultProtocol, protocolSchema } from "@/lib/contract/protocol";
import { startOrResumeSession } from "@/lib/study/start-session";
import { createTestDatabase, databaseKinds, type TestDatabase } from "../support/database";
import { seedStudy } from "../support/seed-study";

// The server's own pace check: a trial is handed out when the answer before it is stored (or the
// session starts), so its answer cannot arrive sooner than the protocol's presentation allows.
// Whatever timing the browser claims (here the claims are perfect), a session posted faster is
// flagged on every answer and excluded by the protocol's pace rule.

// Sequential 1000 ms, 500 ms blank, 1000 ms: at least 950 + 450 + 950 = 2350 ms per trial, plus
// the 300 ms practice feedback after the practice trial. Long enough that even a slow machine
// answers the rushed session within it (the bound starts when the previous answer arrived, so a
// slow server only makes the check more lenient).
const MINIMUM_MS = 2350;
const PROTOCOL = {
  practiceTrials: 1,
  testTrials: 4,
  vigilanceShare: 0.25,
  practiceFeedbackMs: 300,
  presentation: { mode: "sequential", exposureMs: 1000, blankMs: 500 },
} as const;

const perfectTiming = { frameIntervalMs: 16.7, exposureLeftMs: 1000, exposureRightMs: 1000, onsets: {}, offsets: {}, flagged: false };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("minimumAnswerDelayMs", () => {
  it("is the presentation's timed steps less 50 ms each, plus the practice feedback after a practice trial", () => {
    expect(minimumAnswerDelayMs(defaultProtocol(), { afterPractice: false })).toBe(2450); // 950 + 550 + 950
    expect(minimumAnswerDelayMs(defaultProtocol(), { afterPractice: true })).toBe(2450 + 2400);
    const protocol = protocolSchema.parse(PROTOCOL);
    expect(minimumAnswerDelayMs(protocol, { afterPractice: false })).toBe(MINIMUM_MS);
    expect(minimumAnswerDelayMs(protocolSchema.parse({ presentation: { mode: "side-by-side", exposureMs: 1000 } }), { afterPractice: false })).toBe(950);
    expect(minimumAnswerDelayMs(protocolSchema.parse({ presentation: { mode: "unlimited" } }), { afterPractice: false })).toBe(0);
  });
});

describe.each(databaseKinds())("the server's pace check on %s", (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await database?.drop();
  });

  it("flags every answer of a session posted faster than the presentation allows and excludes it; an honest pace passes", async () => {
    const db = database.db;
    const seeded = await seedStudy(db, { stimuli: 8, methods: ["full"], protocol: PROTOCOL });
    const runSession = async (pid: string, waitBeforeAnswer: (previousKind: string | null) => number) => {
      const started = await startOrResumeSession(db, { studyId: seeded.study.id, params: { PROLIFIC_PID: pid }, existingToken: undefined, userAgent: null, screen: null });
      const session = { id: started.sessionId, studyId: seeded.study.id };
      const trials = await db.trial.findMany({ where: { sessionId: started.sessionId }, orderBy: { position: "asc" } });
      let previousKind: string | null = null;
      for (const trial of trials) {
        await sleep(waitBeforeAnswer(previousKind));
        // Always the real photo: no vigilance failure, so only the pace can exclude.
        const input: AnswerInput = { idempotencyKey: `${pid}-${trial.position}-key`, chosenSide: trial.realOnLeft ? "left" : "right", responseTimeMs: 600, timing: perfectTiming };
        await answerTrial(db, session, trial.id, input);
        previousKind = trial.kind;
      }
      return started.sessionId;
    };

    const rushedId = await runSession("rushed0000000000000000000", () => 0);
    // 2400 ms a trial, 2700 after the practice trial (its 300 ms feedback comes first).
    const honestId = await runSession("honest0000000000000000000", (previousKind) => (previousKind === "practice" ? 2700 : 2400));

    const rushed = await db.response.findMany({ where: { trial: { sessionId: rushedId } } });
    expect(rushed).toHaveLength(5);
    expect(rushed.every((response) => response.tooFast && response.timingFlagged)).toBe(true);
    expect(rushed.every((response) => response.serverElapsedMs !== null && response.serverElapsedMs < MINIMUM_MS)).toBe(true);
    const honest = await db.response.findMany({ where: { trial: { sessionId: honestId } } });
    expect(honest.map((response) => [response.tooFast, response.timingFlagged])).toEqual(Array.from({ length: 5 }, () => [false, false]));
    expect(honest.every((response) => (response.serverElapsedMs ?? 0) >= MINIMUM_MS)).toBe(true);

    const results = await computeStudyResults(db, seeded.study.id);
    const decision = (id: string) => results.raters.find((rater) => rater.sessionId === id);
    expect(decision(rushedId)).toMatchObject({ status: "completed", disposition: "excluded" });
    expect(decision(rushedId)?.reasons).toContain("pace");
    expect(decision(honestId)).toMatchObject({ status: "completed", disposition: "included", reasons: [] });
    expect(results.sessions.excludedByReason.pace).toBe(1);
  });
});
