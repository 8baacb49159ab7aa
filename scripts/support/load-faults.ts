// Fault runs: simulated raters run whole sessions against the production build on its
// own PostgreSQL database while one fault is injected mid-study — the app process killed with
// SIGKILL and restarted, the PostgreSQL server restarted, or the app's connection pool filled by
// a lock that stalls every answer. The raters' clients retry as the page does; afterwards every
// acknowledged response must be stored exactly once and every session must resume.
import { startKeyFor } from "@/lib/rater-client/idempotency-key";
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import pg from "pg";
import { createSession, fetchCurrentSession } from "@/lib/rater-client/rater-api";
import { ensureProductionBuild, freePort, launchProductionApp, openMigratedDatabase, productionAppEnv, seedDatabase, type AppProcess } from "./app-server";
import { createOwnDatabase } from "./load-bench";
import { ENDPOINTS, runCrowd, type RaterOutcome } from "./load-raters";
import { LatencyRecorder, type EndpointSummary } from "./load-stats";
import { auditDeliveries, seedLoadStudy, type DeliveryAudit } from "./load-study";

export type FaultKind = "kill-app" | "restart-postgres" | "fill-pool";

/** What every disruption run (a fault, an instance killed) sets: the crowd, its study, the moment to strike. */
export interface DisruptionRunOptions {
  serverUrl: string;
  /** The server itself when `serverUrl` names a pooler (PgBouncer). */
  directServerUrl?: string;
  raters: number;
  /** Pace multiplier of the simulated raters (smaller: faster sessions). */
  speed: number;
  practiceTrials: number;
  testTrials: number;
  stimuli: number;
  /** The disruption strikes once this share of all answers has been acknowledged. */
  strikeAtShare: number;
  log?: (message: string) => void;
}

export interface FaultRunOptions extends DisruptionRunOptions {
  fault: FaultKind;
  /** fill-pool: the app's pool size and how long the stalling lock is held. */
  poolMax: number;
  holdMs: number;
}

export const DEFAULT_FAULT_OPTIONS: Omit<FaultRunOptions, "fault" | "serverUrl" | "directServerUrl"> = {
  raters: 8,
  speed: 0.15,
  practiceTrials: 1,
  testTrials: 8,
  stimuli: 12,
  strikeAtShare: 0.3,
  poolMax: 2,
  holdMs: 8_000,
};

export interface ResumeCheck {
  sessions: number;
  /** Sessions whose `GET /api/rater/sessions/current` and restart (`POST /api/rater/sessions`) agree with the database. */
  resumed: number;
  problems: string[];
}

export interface FaultRunResult {
  fault: FaultKind;
  /** How long the fault lasted as the raters saw it (kill → healthy again; restart; lock held). */
  faultMs: number;
  /** What a request to /api/health got while the fault lasted (fill-pool: the pool was full). */
  healthDuringFault: { status: number | "network"; ms: number; retryAfter: string | null } | null;
  audit: DeliveryAudit;
  resume: ResumeCheck;
  /** Attempts per endpoint, with the errors the fault caused (the clients retried them). */
  endpoints: Record<string, EndpointSummary>;
  wallS: number;
  ok: boolean;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** `pg_ctlcluster … restart` of the local cluster (Debian's layout: /etc/postgresql/<version>/main). */
export function restartLocalPostgres(): void {
  const versions = readdirSync("/etc/postgresql");
  const version = versions[0];
  if (versions.length !== 1 || !version) throw new Error(`expected one PostgreSQL version in /etc/postgresql, found ${versions.join(", ") || "none"}`);
  const result = spawnSync("pg_ctlcluster", ["--skip-systemctl-redirect", version, "main", "restart"], { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`pg_ctlcluster restart failed: ${result.stderr || result.stdout}`);
}

/** Client connections to other databases than `ownDatabase` (other people's work on the server). */
export async function otherClientConnections(serverUrl: string, ownDatabase: string): Promise<number> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const result = await client.query<{ count: string }>(
      `SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid() AND datname IS DISTINCT FROM $1`,
      [ownDatabase],
    );
    return Number(result.rows[0]?.count ?? 0);
  } finally {
    await client.end();
  }
}

async function timedHealth(url: string): Promise<NonNullable<FaultRunResult["healthDuringFault"]>> {
  const started = performance.now();
  try {
    const response = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(30_000) });
    await response.arrayBuffer();
    return { status: response.status, ms: Math.round(performance.now() - started), retryAfter: response.headers.get("retry-after") };
  } catch {
    return { status: "network", ms: Math.round(performance.now() - started), retryAfter: null };
  }
}

/** Every session, asked again with its cookie, is where the database says it is. */
async function checkResume(studyId: string, outcomes: readonly RaterOutcome[], answeredBySession: Map<string, number>): Promise<ResumeCheck> {
  const check: ResumeCheck = { sessions: 0, resumed: 0, problems: [] };
  for (const outcome of outcomes) {
    if (!outcome.sessionId) continue;
    check.sessions += 1;
    const fetchFn = outcome.browser.fetchAs("resume");
    const stored = answeredBySession.get(outcome.sessionId) ?? 0;
    let problem: string | null = null;
    try {
      const current = await fetchCurrentSession(fetchFn, studyId);
      // A reload that presses "start" again must get the same session back, not a new one.
      const again = await createSession(fetchFn, { studyId, params: {}, screen: { width: 1920, height: 1080, devicePixelRatio: 1 }, startKey: startKeyFor(null, studyId, globalThis.crypto) });
      const done = stored === again.progress.total;
      if (!current) problem = "the cookie no longer names a session";
      else if (current.id !== outcome.sessionId || again.id !== outcome.sessionId) problem = "a different session came back";
      else if (current.progress.answered !== stored || again.progress.answered !== stored) problem = `progress ${current.progress.answered}/${again.progress.answered}, database ${stored}`;
      else if (done !== (current.status === "completed")) problem = `status ${current.status} with ${stored}/${current.progress.total} answered`;
      else if (!done && current.next?.position !== stored) problem = `next trial at position ${current.next?.position}, expected ${stored}`;
    } catch (error) {
      problem = String(error);
    }
    if (problem) check.problems.push(`session of rater ${outcome.index}: ${problem}`);
    else check.resumed += 1;
  }
  return check;
}

/**
 * Runs one fault scenario on its own database and app and reports the audit. The app is always
 * stopped and the database dropped. restart-postgres restarts the whole local server: run it by
 * hand only (scripts/fault-tests.ts), never from `npm test`.
 */
export async function runFault(options: FaultRunOptions): Promise<FaultRunResult> {
  const log = options.log ?? (() => undefined);
  await ensureProductionBuild();
  const own = await createOwnDatabase("postgres", options.serverUrl, options.directServerUrl);
  let app: AppProcess | undefined;
  const started = performance.now();
  try {
    let studyId = "";
    await seedDatabase(own.target, async (db) => {
      studyId = (await seedLoadStudy(db, { stimuli: options.stimuli, protocol: { practiceTrials: options.practiceTrials, testTrials: options.testTrials, vigilanceShare: 0.125, practiceFeedbackMs: 300 } })).studyId;
    });
    const env = productionAppEnv(own.target, await freePort(), options.fault === "fill-pool" ? { DATABASE_POOL_MAX: String(options.poolMax) } : {});
    app = await launchProductionApp(env);
    log(`${options.fault}: app on ${app.url}, ${options.raters} raters`);

    const recorder = new LatencyRecorder();
    const totalAnswers = options.raters * (options.practiceTrials + options.testTrials);
    const crowd = runCrowd({
      baseUrl: app.url,
      studyId,
      runId: options.fault,
      recorder,
      seed: 8,
      speed: options.speed,
      responseMedianMs: 900,
      resendShare: 0.1,
      doubleSendShare: 0.05,
      raters: options.raters,
      rampMs: 1_000,
      durationMs: 150_000,
    });
    const strikeAt = Math.ceil(totalAnswers * options.strikeAtShare);
    while (recorder.successes(ENDPOINTS.answer) < strikeAt) await sleep(50);

    log(`${options.fault}: striking after ${recorder.successes(ENDPOINTS.answer)} acknowledged deliveries`);
    const faultStarted = performance.now();
    let healthDuringFault: FaultRunResult["healthDuringFault"] = null;
    if (options.fault === "kill-app") {
      const pid = app.process.pid;
      if (!pid) throw new Error("the app has no pid");
      const exited = new Promise((resolve) => app?.process.once("exit", resolve));
      process.kill(-pid, "SIGKILL");
      await exited;
      healthDuringFault = await timedHealth(app.url);
      app = await launchProductionApp(env);
    } else if (options.fault === "restart-postgres") {
      restartLocalPostgres();
      healthDuringFault = await timedHealth(app.url);
    } else {
      // Every answer inserts into "Response": a SHARE lock lets reads through and stalls each
      // answer's transaction on its connection until the pool is full.
      const locker = new pg.Client({ connectionString: own.target.kind === "postgres" ? own.target.url : "" });
      await locker.connect();
      try {
        await locker.query("BEGIN");
        await locker.query(`LOCK TABLE "Response" IN SHARE MODE`);
        await sleep(Math.min(2_000, options.holdMs / 2));
        healthDuringFault = await timedHealth(app.url);
        await sleep(Math.max(0, options.holdMs - (performance.now() - faultStarted)));
        await locker.query("COMMIT");
      } finally {
        await locker.end();
      }
    }
    const faultMs = Math.round(performance.now() - faultStarted);
    log(`${options.fault}: fault over after ${faultMs} ms; waiting for the raters`);
    const { outcomes } = await crowd;

    const database = await openMigratedDatabase(own.target);
    let answeredBySession: Map<string, number>;
    try {
      const rows = await database.db.trial.groupBy({ by: ["sessionId"], where: { session: { studyId }, response: { isNot: null } }, _count: { _all: true } });
      answeredBySession = new Map(rows.map((row) => [row.sessionId, row._count._all]));
    } finally {
      await database.close();
    }
    const resume = await checkResume(studyId, outcomes, answeredBySession);
    await app.stop();
    const opened = await openMigratedDatabase(own.target);
    let audit: DeliveryAudit;
    try {
      audit = await auditDeliveries(opened.db, studyId, outcomes, false);
    } finally {
      await opened.close();
    }
    const problems = outcomes.flatMap((outcome) => outcome.problems);
    if (problems.length) log(`${options.fault}: rater problems: ${problems.slice(0, 5).join("; ")}`);
    return {
      fault: options.fault,
      faultMs,
      healthDuringFault,
      audit,
      resume,
      endpoints: recorder.summarizeAll(performance.now() - started),
      wallS: Math.round((performance.now() - started) / 100) / 10,
      ok: audit.ok && audit.sessions.completedByClient === options.raters && resume.problems.length === 0 && resume.resumed === resume.sessions,
    };
  } finally {
    await app?.stop();
    await own.drop();
  }
}
