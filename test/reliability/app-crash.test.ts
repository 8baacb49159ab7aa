import { describe, expect, it } from "vitest";
import { DEFAULT_FAULT_OPTIONS, runFault } from "@/scripts/support/load-faults";
import { directServerUrlForTests, serverUrlForTests } from "../support/database";

// Fault 1: the app process is killed with SIGKILL mid-study (no shutdown of any kind)
// and started again on the same port and database. The raters' clients retry as the page does
// (lib/rater-client/retry.ts); afterwards every acknowledged answer is stored exactly once and
// every session resumes where the database says it stands.
const serverUrl = serverUrlForTests();

describe("app killed mid-study", () => {
  if (!serverUrl) it.skip("needs a PostgreSQL server (TEST_DATABASE_URL or DATABASE_URL): skipped", () => undefined);

  it.skipIf(!serverUrl)(
    "SIGKILL and restart: no acknowledged answer lost or duplicated, every session resumes",
    async () => {
      const result = await runFault({ ...DEFAULT_FAULT_OPTIONS, fault: "kill-app", serverUrl: serverUrl as string, directServerUrl: directServerUrlForTests() });
      // The kill really cut requests off: some attempts failed at the network level and were retried.
      const networkFailures = Object.values(result.endpoints).reduce((sum, summary) => sum + (summary.errorKinds.network ?? 0), 0);
      expect(networkFailures).toBeGreaterThan(0);
      expect(result.healthDuringFault?.status).toBe("network");
      const { audit } = result;
      expect(audit).toMatchObject({ lost: 0, duplicates: 0, mismatched: 0, unknown: 0 });
      // All answers got through in the end, each stored once (one may have been stored by the
      // killed process after its reply was lost: then the retry was acknowledged as a replay).
      expect(audit.acknowledged).toBe(audit.sent);
      expect(audit.stored).toBe(audit.sent);
      expect(audit.sessions.completedByClient).toBe(DEFAULT_FAULT_OPTIONS.raters);
      expect(audit.sessions.completedInDatabase).toBe(DEFAULT_FAULT_OPTIONS.raters);
      expect(result.resume.problems).toEqual([]);
      expect(result.resume.resumed).toBe(DEFAULT_FAULT_OPTIONS.raters);
      expect(result.ok).toBe(true);
    },
    180_000,
  );
});
