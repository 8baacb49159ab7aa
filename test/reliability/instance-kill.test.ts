import { describe, expect, it } from "vitest";
import { findNginx } from "@/scripts/support/load-nginx";
import { DEFAULT_INSTANCE_KILL_OPTIONS, runInstanceKill } from "@/scripts/support/load-instances";
import { directServerUrlForTests, serverUrlForTests } from "../support/database";

// Two app instances behind nginx (round robin, no sticky sessions) on one PostgreSQL database;
// 40 raters run whole sessions through the balancer and one instance is killed with SIGKILL
// mid-study. Every acknowledged answer is stored exactly once, every session open at the kill
// goes on to the end on the other instance, and no rater is shown an error (nginx passes page
// loads to the live instance; the rater client retries an answer whose connection was cut).
const serverUrl = serverUrlForTests();
const nginx = findNginx();
const why = !serverUrl ? "needs a PostgreSQL server (TEST_DATABASE_URL or DATABASE_URL)" : !nginx ? "needs nginx (Debian: apt-get install nginx)" : null;

describe("two instances behind nginx, one killed mid-study", () => {
  if (why) it.skip(`${why}: skipped`, () => undefined);

  it.skipIf(why !== null)(
    "SIGKILL of one instance: answers stored once, sessions continue on the other, no error shown",
    async () => {
      const result = await runInstanceKill({ ...DEFAULT_INSTANCE_KILL_OPTIONS, serverUrl: serverUrl as string, directServerUrl: directServerUrlForTests() });
      const summary = JSON.stringify({ ...result, audit: { ...result.audit } }, null, 1);
      console.log(
        `instance kill: ${result.startedBeforeKill}/${DEFAULT_INSTANCE_KILL_OPTIONS.raters} raters had started when it died; ` +
          `${result.sessionsOpenAtKill} sessions open, ${result.sessionsFinishedAfterKill} finished after; retried errors ${JSON.stringify(result.retriedErrors)}`,
      );
      // Both instances served raters before the kill (round robin), only the survivor after it.
      const before = Object.values(result.servedBefore);
      expect(before.length, summary).toBe(2);
      expect(Math.min(...before), summary).toBeGreaterThan(20);
      expect(Object.keys(result.servedAfter).filter((address) => (result.servedAfter[address] ?? 0) > 5).length, summary).toBe(1);
      // Sessions were in progress when it died, and every one of them finished on the other.
      expect(result.sessionsOpenAtKill, summary).toBeGreaterThanOrEqual(5);
      expect(result.sessionsFinishedAfterKill, summary).toBe(result.sessionsOpenAtKill);
      const { audit } = result;
      expect(audit, summary).toMatchObject({ lost: 0, duplicates: 0, mismatched: 0, unknown: 0 });
      expect(audit.acknowledged, summary).toBe(audit.sent);
      expect(audit.stored, summary).toBe(audit.sent);
      expect(audit.sessions.completedByClient, summary).toBe(DEFAULT_INSTANCE_KILL_OPTIONS.raters);
      expect(audit.sessions.completedInDatabase, summary).toBe(DEFAULT_INSTANCE_KILL_OPTIONS.raters);
      // No rater saw an error: nothing the client could not retry, and every page load was a 200.
      expect(result.problems, summary).toEqual([]);
      expect(Object.keys(result.pageLoads), summary).toEqual(["200"]);
      expect(result.ok, summary).toBe(true);
    },
    600_000,
  );
});
