import { describe, expect, it } from "vitest";
import { DEFAULT_OPTIONS, runServeBenchmark } from "@/scripts/support/load-bench";
import { directServerUrlForTests, serverUrlForTests } from "../support/database";

// The serving benchmark (npm run bench:serve) at CI size: 10 raters running whole sessions at
// twenty times a real rater's pace against the production build on its own PostgreSQL database.
// Every answer sent must be acknowledged and stored exactly once. Timings are not asserted here:
// they are the benchmark's to report (docs/benchmarks.md), not a test's to guess.
const serverUrl = serverUrlForTests();

describe("load harness smoke run", () => {
  if (!serverUrl) it.skip("needs a PostgreSQL server (TEST_DATABASE_URL or DATABASE_URL): skipped", () => undefined);

  it.skipIf(!serverUrl)(
    "10 raters: sent = acknowledged = stored, no duplicates, every session completed",
    async () => {
      const result = await runServeBenchmark({
        ...DEFAULT_OPTIONS,
        serverUrl: serverUrl as string, directServerUrl: directServerUrlForTests(),
        raters: 10,
        rampS: 1,
        durationS: 60,
        speed: 0.05,
        practiceTrials: 2,
        testTrials: 6,
        stimuli: 12,
        compare: false,
      });
      const { responses, sessions } = result;
      expect(responses.sent).toBe(10 * 8);
      expect(responses.acknowledged).toBe(responses.sent);
      expect(responses.stored).toBe(responses.sent);
      expect(responses).toMatchObject({ lost: 0, duplicates: 0, mismatched: 0, unknown: 0, storedUnacknowledged: 0 });
      // Some answers were delivered more than once, so idempotency was exercised.
      expect(responses.redeliveries).toBeGreaterThan(0);
      expect(sessions).toMatchObject({ started: 10, completedByClient: 10, completedInDatabase: 10 });
      expect(result.problems).toEqual([]);
      expect(result.raterPhase.endpoints.answer?.errors).toBe(0);
      expect(result.goals.noLossNoDuplicates).toBe(true);
    },
    180_000,
  );
});
