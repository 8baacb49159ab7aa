// Several app instances behind nginx (round robin, no sticky sessions) on one PostgreSQL
// database, and one instance killed with SIGKILL mid-study: simulated raters run whole sessions
// through the balancer; afterwards every acknowledged answer must be stored exactly once, every
// session must have gone on (and finished) on the instance that survived, and no rater may have
// been shown an error: API failures are retried by the rater client as the page does, and pages
// (GET) are retried by nginx on the other instance.
import pg from "pg";
import { ensureProductionBuild, freePort, launchProductionApp, openMigratedDatabase, productionAppEnv, seedDatabase, type AppProcess } from "./app-server";
import { createOwnDatabase, warmUp } from "./load-bench";
import type { DisruptionRunOptions } from "./load-faults";
import { findNginx, startNginxBalancer, type Balancer } from "./load-nginx";
import { ENDPOINTS, runCrowd } from "./load-raters";
import { LatencyRecorder } from "./load-stats";
import { auditDeliveries, seedLoadStudy, type DeliveryAudit } from "./load-study";

/** The first instance is killed once `strikeAtShare` of all answers has been acknowledged. */
export interface InstanceKillOptions extends DisruptionRunOptions {
  instances: number;
}

export const DEFAULT_INSTANCE_KILL_OPTIONS: Omit<InstanceKillOptions, "serverUrl" | "directServerUrl"> = {
  instances: 2,
  raters: 40,
  speed: 0.2,
  practiceTrials: 1,
  testTrials: 8,
  stimuli: 12,
  strikeAtShare: 0.35,
};

export interface InstanceKillResult {
  audit: DeliveryAudit;
  /** Requests each instance answered (by address; the last one tried), logged before and after the kill. */
  servedBefore: Record<string, number>;
  servedAfter: Record<string, number>;
  /** Sessions unfinished when the instance died that were completed afterwards. */
  sessionsOpenAtKill: number;
  sessionsFinishedAfterKill: number;
  /** Raters whose session start had been answered when the instance died (the rest started after, or across, the kill). */
  startedBeforeKill: number;
  /** Statuses the balancer answered with, over every request of the run (5xx would be errors shown). */
  balancerStatuses: Record<string, number>;
  /** Rater page loads (GET /s/<study>) during and after the kill, by status. */
  pageLoads: Record<string, number>;
  /** Requests the raters' clients had to retry (502 from the balancer for a POST cut off by the kill, …). */
  retriedErrors: Record<string, number>;
  /** What raters saw that a correct server never shows (refusals, wrong progress, giving up). */
  problems: string[];
  ok: boolean;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function countBy(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

/** Loads the rater page through the balancer every `intervalMs` until `done` settles. */
async function loadPagesWhile(done: Promise<unknown>, url: string, intervalMs: number): Promise<string[]> {
  let running = true;
  void done.finally(() => (running = false));
  const statuses: string[] = [];
  while (running) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(30_000) });
      await response.arrayBuffer();
      statuses.push(String(response.status));
    } catch {
      statuses.push("network");
    }
    await sleep(intervalMs);
  }
  return statuses;
}

export async function runInstanceKill(options: InstanceKillOptions): Promise<InstanceKillResult> {
  const log = options.log ?? (() => undefined);
  const nginxBinary = findNginx();
  if (!nginxBinary) throw new Error("nginx is not installed (Debian: apt-get install -y nginx)");
  await ensureProductionBuild();
  const own = await createOwnDatabase("postgres", options.serverUrl, options.directServerUrl);
  const apps: AppProcess[] = [];
  let balancer: Balancer | undefined;
  try {
    let studyId = "";
    await seedDatabase(own.target, async (db) => {
      studyId = (await seedLoadStudy(db, { stimuli: options.stimuli, protocol: { practiceTrials: options.practiceTrials, testTrials: options.testTrials, vigilanceShare: 0.125, practiceFeedbackMs: 300 } })).studyId;
    });
    // The instances start together, as a deployment does: each migrates (one at a time, under
    // the migrator's lock) and then serves.
    const envs = await Promise.all(Array.from({ length: options.instances }, async () => productionAppEnv(own.target, await freePort(), { GENERATE_IN_APP: "false" })));
    apps.push(...(await Promise.all(envs.map((env) => launchProductionApp(env)))));
    balancer = await startNginxBalancer(nginxBinary, apps.map((app) => app.url));
    // Every instance loads the rater routes before the raters come (round robin: rounds enough to reach each).
    await warmUp(balancer.url, studyId, 3 * options.instances);
    log(`${options.instances} instances behind ${balancer.url}; ${options.raters} raters`);

    const recorder = new LatencyRecorder();
    const totalAnswers = options.raters * (options.practiceTrials + options.testTrials);
    const crowd = runCrowd({
      baseUrl: balancer.url,
      studyId,
      runId: "instances",
      recorder,
      seed: 15,
      speed: options.speed,
      responseMedianMs: 900,
      resendShare: 0.1,
      doubleSendShare: 0.05,
      raters: options.raters,
      rampMs: 20_000,
      durationMs: 240_000,
    });
    // Mid-study, once a share of all answers is in, whether or not every rater has started yet:
    // a start cut off with the instance is retried with its start key and gets the session it
    // made (lib/study/start-session.ts), like an answer with its idempotency key.
    const strikeAt = Math.ceil(totalAnswers * options.strikeAtShare);
    let crowdDone = false;
    void crowd.finally(() => (crowdDone = true));
    while (!crowdDone && recorder.successes(ENDPOINTS.answer) < strikeAt) await sleep(50);
    const startedBeforeKill = recorder.successes(ENDPOINTS.start);
    if (crowdDone) throw new Error(`the raters stopped before the strike: ${JSON.stringify((await crowd).outcomes.flatMap((outcome) => outcome.problems).slice(0, 5))}`);

    const victim = apps[0] as AppProcess;
    const victimHost = new URL(victim.url).host;
    const database = new pg.Client({ connectionString: own.target.kind === "postgres" ? (own.target.directUrl ?? own.target.url) : "" });
    await database.connect();
    let openAtKill: string[];
    try {
      const open = await database.query<{ id: string }>(`SELECT "id" FROM "RaterSession" WHERE "studyId" = $1 AND "status" = 'active'`, [studyId]);
      openAtKill = open.rows.map((row) => row.id);
      log(`killing the instance on ${victimHost} after ${recorder.successes(ENDPOINTS.answer)} acknowledged deliveries; ${openAtKill.length} sessions open`);
      const exited = new Promise((resolve) => victim.process.once("exit", resolve));
      process.kill(-(victim.process.pid as number), "SIGKILL");
      await exited;
    } finally {
      await database.end();
    }
    // Requests the victim answered just before it died are logged as they complete: let them land on the "before" side.
    await sleep(1_000);
    const logBefore = balancer.accessLog().length;
    const pages = loadPagesWhile(crowd, `${balancer.url}/s/${studyId}`, 250);
    const { outcomes } = await crowd;
    const pageStatuses = await pages;
    // The raters' sessions only (the warm-up's probe session is left open on purpose).
    const ratersSessions = new Set(outcomes.map((outcome) => outcome.sessionId));
    openAtKill = openAtKill.filter((id) => ratersSessions.has(id));

    const lines = balancer.accessLog();
    const fields = (line: string) => line.split("|");
    // The instance that answered is the last one nginx tried; a 5xx it made up itself (502: none answered) counts for none.
    const served = (part: string[]) =>
      countBy(part.filter((line) => Number(fields(line)[2]) < 500).map((line) => (fields(line)[0] ?? "").split(",").at(-1)?.trim() ?? "?"));
    const balancerStatuses = countBy(lines.map((line) => fields(line)[2] ?? "?"));
    await Promise.all(apps.map((app) => app.stop()));
    const opened = await openMigratedDatabase(own.target);
    let audit: DeliveryAudit;
    let finishedAfterKill = 0;
    try {
      audit = await auditDeliveries(opened.db, studyId, outcomes, false);
      finishedAfterKill = await opened.db.raterSession.count({ where: { id: { in: openAtKill }, status: "completed" } });
    } finally {
      await opened.close();
    }
    const problems = outcomes.flatMap((outcome) => outcome.problems.map((problem) => `rater ${outcome.index}: ${problem}`));
    const retriedErrors: Record<string, number> = {};
    for (const summary of Object.values(recorder.summarizeAll(1))) {
      for (const [kind, count] of Object.entries(summary.errorKinds)) retriedErrors[kind] = (retriedErrors[kind] ?? 0) + count;
    }
    const pageLoads = countBy(pageStatuses);
    const result: InstanceKillResult = {
      audit,
      servedBefore: served(lines.slice(0, logBefore)),
      servedAfter: served(lines.slice(logBefore)),
      sessionsOpenAtKill: openAtKill.length,
      sessionsFinishedAfterKill: finishedAfterKill,
      startedBeforeKill,
      balancerStatuses,
      pageLoads,
      retriedErrors,
      problems: problems.slice(0, 50),
      ok: false,
    };
    result.ok =
      audit.ok &&
      audit.lost === 0 &&
      audit.duplicates === 0 &&
      audit.acknowledged === audit.sent &&
      audit.sessions.completedInDatabase === options.raters &&
      problems.length === 0 &&
      Object.keys(pageLoads).every((status) => status === "200") &&
      finishedAfterKill === openAtKill.length;
    return result;
  } finally {
    await balancer?.stop();
    await Promise.all(apps.map((app) => app.stop()));
    await own.drop();
  }
}
