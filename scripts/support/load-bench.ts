// The serving benchmark behind `npm run bench:serve` (scripts/bench-serve.ts) and the CI smoke
// test (test/reliability/load-smoke.test.ts): a production build on its own fresh database,
// simulated raters running whole sessions over loopback HTTP, reference figures for a trivial
// route and for nginx serving one image, and an audit of the stored responses.
import { startKeyFor } from "@/lib/rater-client/idempotency-key";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import os from "node:os";
import type { DatabaseTarget } from "@/lib/db/connection";
import { createScratchDatabase } from "./scratch-database";
import { ensureProductionBuild, freePort, launchProductionApp, openMigratedDatabase, productionAppEnv, seedDatabase, type AppProcess } from "./app-server";
import { assertLoopback, SimulatedBrowser } from "./load-client";
import { runClosedLoop } from "./load-fixed";
import { findNginx, startNginx, startNginxBalancer, type Balancer, type StaticServer } from "./load-nginx";
import { ENDPOINTS, runCrowd, type RaterOutcome } from "./load-raters";
import { compareEndpoints, LatencyRecorder, type EndpointSummary } from "./load-stats";
import { auditDeliveries, seedLoadStudy, type DeliveryAudit } from "./load-study";
import { createSession } from "@/lib/rater-client/rater-api";

export const DEFAULT_SERVER_URL = "postgres://postgres@127.0.0.1:5432/postgres";
/** The serving goals: answers stored within 50 ms (p99); images within 3× nginx (docs/benchmarks.md). */
export const GOALS = { answerP99Ms: 50, imageVsNginx: 3 } as const;

export interface ServeBenchmarkOptions {
  database: "postgres" | "pglite";
  /** A PostgreSQL server to create the benchmark's own database on (loopback only). */
  serverUrl: string;
  /** The server itself when `serverUrl` names a pooler (PgBouncer): databases are created and migrated through it. */
  directServerUrl?: string;
  raters: number;
  /** Raters arrive evenly over this many seconds. */
  rampS: number;
  /** Time bound of the rater phase: no trial starts after it. */
  durationS: number;
  /** Pace multiplier for every wait of the simulated raters (1 = a real rater). */
  speed: number;
  practiceTrials: number;
  testTrials: number;
  stimuli: number;
  responseMedianMs: number;
  resendShare: number;
  doubleSendShare: number;
  /**
   * App instances on the one database. More than one, or `balancer`, puts nginx in front
   * (round robin, README "Several instances") and the raters talk to it.
   */
  instances: number;
  balancer: boolean;
  /** DATABASE_POOL_MAX for the app (undefined: the app's default). */
  poolMax?: number;
  /**
   * Measure the references: /api/health and nginx probed during the rater phase (same load), then
   * each of /api/health, the image route and nginx in a closed loop (peak throughput).
   */
  compare: boolean;
  /** Probes per second for each reference during the rater phase. */
  probeRatePerS: number;
  compareConcurrency: number;
  compareSeconds: number;
  seed: number;
  log?: (message: string) => void;
}

export const DEFAULT_OPTIONS: ServeBenchmarkOptions = {
  database: "postgres",
  serverUrl: DEFAULT_SERVER_URL,
  raters: 200,
  rampS: 20,
  durationS: 240,
  speed: 1,
  practiceTrials: 2,
  testTrials: 20,
  stimuli: 40,
  responseMedianMs: 900,
  resendShare: 0.1,
  doubleSendShare: 0.03,
  instances: 1,
  balancer: false,
  compare: true,
  probeRatePerS: 5,
  compareConcurrency: 32,
  compareSeconds: 5,
  seed: 8,
};

export interface ServeBenchmarkResult {
  benchmark: "serve";
  startedAt: string;
  machine: { cpus: number; model: string; node: string; loadAverageBefore: number[]; loadAverageAfter: number[] };
  database: { kind: "postgres" | "pglite"; poolMax: number | "default" };
  /** How the app ran: instances, and nginx in front when it balanced them. */
  serving: { instances: number; balancer: string | null };
  settings: Omit<ServeBenchmarkOptions, "log" | "serverUrl" | "directServerUrl">;
  responses: Omit<DeliveryAudit, "sessions" | "ok">;
  sessions: DeliveryAudit["sessions"];
  raterPhase: {
    wallS: number;
    answersPerS: number;
    requestsPerS: number;
    /** The app's CPU time over the phase (all its processes, every instance), per request and in cores. */
    appCpu: { totalS: number; msPerRequest: number; cores: number } | null;
    /** The balancing nginx's CPU time (master and worker), when there is one. */
    balancerCpu: { totalS: number; msPerRequest: number; cores: number } | null;
    /** The PostgreSQL backends' CPU for this database (a lower bound), per request and in cores. */
    postgresCpu: { totalS: number; msPerRequest: number; cores: number } | null;
    /** Share of the machine's CPU (all cores) busy during the phase, whoever used it. */
    machineBusyShare: number | null;
    endpoints: Record<string, EndpointSummary>;
    /** The same after the last rater arrived (no session starts any more): the steady load. */
    steady: { wallS: number; endpoints: Record<string, EndpointSummary> } | null;
  };
  reference: {
    nginx: string | null;
    imageBytes: number | null;
    /** Probed at probeRatePerS during the rater phase: the same machine load as the raters'. */
    underLoad: { health: EndpointSummary | null; nginxImage: EndpointSummary | null };
    /** compareConcurrency clients back to back for compareSeconds each, one target at a time. */
    closedLoop: { health: EndpointSummary | null; appImage: EndpointSummary | null; nginxImage: EndpointSummary | null };
  };
  ratios: {
    /** Latency ratios under the raters' load: an endpoint against /api/health or nginx probed meanwhile. */
    underLoad: {
      answerVsHealth: LatencyRatio;
      trialVsHealth: LatencyRatio;
      imageVsNginx: LatencyRatio;
      healthVsNginx: LatencyRatio;
    };
    /** Closed-loop latency and peak-throughput ratios (reference req/s ÷ subject req/s). */
    closedLoop: { appImageVsNginx: ReturnType<typeof compareEndpoints> | null; healthVsNginx: ReturnType<typeof compareEndpoints> | null };
  };
  goals: { noLossNoDuplicates: boolean; answerP99UnderMs: boolean | null; imageWithinNginxFactor: boolean | null };
  problems: string[];
  ok: boolean;
}

type LatencyRatio = { p50: number | null; p99: number | null };

interface OwnDatabase {
  target: DatabaseTarget;
  drop(): Promise<void>;
}

/** A fresh database for this run: its own database on the server, or a temp PGlite directory. */
export async function createOwnDatabase(kind: "postgres" | "pglite", serverUrl: string, directServerUrl?: string): Promise<OwnDatabase> {
  if (kind === "postgres") {
    assertLoopback(serverUrl);
    if (directServerUrl) assertLoopback(directServerUrl);
  }
  return createScratchDatabase(kind, { serverUrl, directServerUrl, prefix: "ctt_bench" });
}

let clockTicks: number | undefined;

/**
 * CPU time (user + system, ms) used so far by every live process of a process group, from
 * /proc (Linux). The app runs as its own group (launchProductionApp spawns it detached), so this
 * is the server's CPU: a cost per request that, unlike latency, does not depend on what else
 * the machine is doing. Null where /proc is not available.
 */
export function processGroupCpuMs(groupId: number): number | null {
  return processesCpuMs((fields) => Number(fields[2]) === groupId);
}

/**
 * CPU time (ms) used so far by the PostgreSQL backends serving `database` on this machine
 * (their process titles name the database). Backends that exited meanwhile are not counted, so
 * this is a lower bound; the app's pool keeps its connections open under steady load.
 */
export function postgresBackendsCpuMs(database: string): number | null {
  return processesCpuMs((_fields, pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(` ${database} `);
    } catch {
      return false;
    }
  });
}

/** CPU time (ms) of one process and its direct children (nginx: the master and its worker). */
export function processTreeCpuMs(pid: number): number | null {
  return processesCpuMs((fields, entry) => Number(entry) === pid || Number(fields[1]) === pid);
}

function processesCpuMs(select: (fields: string[], pid: string) => boolean): number | null {
  try {
    clockTicks ??= Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim()) || 100;
    let ticks = 0;
    for (const entry of readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      let stat: string;
      try {
        stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      } catch {
        continue; // Exited meanwhile.
      }
      // Fields after the command name (which may contain spaces) start at state: pgrp is the
      // 3rd of them, utime the 12th and stime the 13th (proc(5)).
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (!select(fields, entry)) continue;
      ticks += Number(fields[11]) + Number(fields[12]);
    }
    return (ticks * 1000) / clockTicks;
  } catch {
    return null;
  }
}

/** Busy and total CPU time of the whole machine so far (ms, all cores), from /proc/stat. */
export function machineCpuMs(): { busy: number; total: number } | null {
  try {
    clockTicks ??= Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim()) || 100;
    const line = readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "";
    const values = line.trim().split(/\s+/).slice(1).map(Number);
    const total = values.reduce((sum, value) => sum + value, 0);
    const idle = (values[3] ?? 0) + (values[4] ?? 0); // idle + iowait
    return { busy: ((total - idle) * 1000) / clockTicks, total: (total * 1000) / clockTicks };
  } catch {
    return null;
  }
}

/** A first request to each rater route, so that module loading is not timed as serving. */
export async function warmUp(frontUrl: string, studyId: string, rounds: number): Promise<{ imageUrl: string; cookie: string }> {
  const recorder = new LatencyRecorder();
  const probe = new SimulatedBrowser(frontUrl, recorder);
  const state = await createSession(probe.fetchAs("warm"), { studyId, params: { PROLIFIC_PID: `probe-${randomBytes(4).toString("hex")}` }, screen: { width: 1920, height: 1080, devicePixelRatio: 1 }, startKey: startKeyFor(null, studyId, globalThis.crypto) });
  const next = state.next;
  if (!next) throw new Error("the probe session has no trial");
  const fetchWarm = probe.fetchAs("warm");
  for (let round = 0; round < rounds; round++) {
    await (await fetchWarm(`/api/rater/sessions/current?studyId=${studyId}`)).arrayBuffer();
    await (await fetchWarm(next.leftUrl)).arrayBuffer();
    await (await fetchWarm("/api/health")).arrayBuffer();
    // An answer to a trial that does not exist: loads the answer route, stores nothing.
    await (await fetchWarm(`/api/rater/trials/00000000-0000-4000-8000-000000000000/answer`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" })).arrayBuffer();
  }
  return { imageUrl: `${frontUrl}${next.leftUrl}`, cookie: probe.cookieHeader() };
}

/**
 * Open-loop probes: every 1/rate seconds one request to each target, not waiting for the last,
 * until `done` settles. Light (a few requests per second), so they measure the load rather than
 * add to it.
 */
async function probeWhile(done: Promise<unknown>, targets: { name: string; url: string }[], ratePerS: number, recorder: LatencyRecorder): Promise<void> {
  let running = true;
  void done.finally(() => (running = false));
  const inFlight: Promise<void>[] = [];
  while (running) {
    for (const target of targets) {
      const started = performance.now();
      inFlight.push(
        fetch(target.url)
          .then(async (response) => {
            await response.arrayBuffer();
            recorder.record(target.name, performance.now() - started, response.status);
          })
          .catch(() => recorder.record(target.name, performance.now() - started, "network")),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 1000 / ratePerS));
  }
  await Promise.all(inFlight);
}

/**
 * Runs the whole benchmark and returns its figures. The app, nginx and the database are always
 * stopped and dropped, also when a phase fails.
 */
export async function runServeBenchmark(options: ServeBenchmarkOptions): Promise<ServeBenchmarkResult> {
  const log = options.log ?? (() => undefined);
  if (!(options.raters >= 1 && options.raters <= 2_000)) throw new RangeError("raters must be between 1 and 2000");
  if (!(options.durationS > 0 && options.durationS <= 3_600)) throw new RangeError("the time bound must be between 0 and 3600 s");
  const startedAt = new Date().toISOString();
  const loadAverageBefore = os.loadavg().map((value) => Math.round(value * 100) / 100);

  await ensureProductionBuild();
  const own = await createOwnDatabase(options.database, options.serverUrl, options.directServerUrl);
  const apps: AppProcess[] = [];
  let balancer: Balancer | undefined;
  let nginx: StaticServer | undefined;
  try {
    log(`seeding ${options.stimuli} stimuli on ${options.database}…`);
    let studyId = "";
    await seedDatabase(own.target, async (db) => {
      studyId = (await seedLoadStudy(db, { stimuli: options.stimuli, protocol: { practiceTrials: options.practiceTrials, testTrials: options.testTrials, vigilanceShare: 0.1, targetSessionsPerMethod: Math.max(1, options.raters) } })).studyId;
    });
    const extraEnv: Record<string, string> = options.poolMax ? { DATABASE_POOL_MAX: String(options.poolMax) } : {};
    const envs = await Promise.all(Array.from({ length: options.instances }, async () => productionAppEnv(own.target, await freePort(), extraEnv)));
    apps.push(...(await Promise.all(envs.map((env) => launchProductionApp(env)))));
    const nginxBinary = options.compare || options.instances > 1 || options.balancer ? findNginx() : null;
    if (options.instances > 1 || options.balancer) {
      if (!nginxBinary) throw new Error("several instances need nginx as their balancer (Debian: apt-get install -y nginx)");
      balancer = await startNginxBalancer(nginxBinary, apps.map((app) => app.url));
    }
    const frontUrl = balancer?.url ?? (apps[0] as AppProcess).url;
    log(`${apps.length} instance(s) ${apps.map((app) => app.url).join(", ")}${balancer ? ` behind ${balancer.url}` : ""}; warming up`);
    // Round robin: enough rounds that every instance has loaded every rater route.
    const probe = await warmUp(frontUrl, studyId, 3 * apps.length);
    const imageBytes = new Uint8Array(await (await fetch(probe.imageUrl, { headers: { cookie: probe.cookie } })).arrayBuffer());
    if (options.compare && !nginxBinary) log("nginx not found (Debian: apt-get install -y nginx): no static-file reference");
    nginx = options.compare && nginxBinary ? await startNginx(nginxBinary, imageBytes) : undefined;

    log(`${options.raters} raters, ${options.practiceTrials}+${options.testTrials} trials each, arriving over ${options.rampS} s, bound ${options.durationS} s`);
    const recorder = new LatencyRecorder();
    const runId = randomBytes(4).toString("hex");
    const appsCpuMs = () => {
      const each = apps.map((app) => processGroupCpuMs(app.process.pid ?? 0));
      return each.some((value) => value === null) ? null : each.reduce<number>((sum, value) => sum + (value ?? 0), 0);
    };
    const cpuBefore = appsCpuMs();
    const balancerBefore = balancer ? processTreeCpuMs(balancer.pid) : null;
    const databaseName = own.target.kind === "postgres" ? new URL(own.target.url).pathname.slice(1) : null;
    const postgresBefore = databaseName ? postgresBackendsCpuMs(databaseName) : null;
    const machineBefore = machineCpuMs();
    const probes = new LatencyRecorder();
    const crowdRun = runCrowd({
      baseUrl: frontUrl,
      studyId,
      runId,
      recorder,
      seed: options.seed,
      speed: options.speed,
      responseMedianMs: options.responseMedianMs,
      resendShare: options.resendShare,
      doubleSendShare: options.doubleSendShare,
      raters: options.raters,
      rampMs: options.rampS * 1000,
      durationMs: options.durationS * 1000,
    });
    const probing = options.compare
      ? probeWhile(crowdRun, [{ name: "health", url: `${frontUrl}/api/health` }, ...(nginx ? [{ name: "nginxImage", url: nginx.url }] : [])], options.probeRatePerS, probes)
      : Promise.resolve();
    const crowd = await crowdRun;
    await probing;
    const cpuAfter = appsCpuMs();
    const balancerAfter = balancer ? processTreeCpuMs(balancer.pid) : null;
    const balancerCpuMs = balancerBefore !== null && balancerAfter !== null ? balancerAfter - balancerBefore : null;
    const appCpuMs = cpuBefore !== null && cpuAfter !== null ? cpuAfter - cpuBefore : null;
    const postgresAfter = databaseName ? postgresBackendsCpuMs(databaseName) : null;
    const postgresCpuMs = postgresBefore !== null && postgresAfter !== null ? postgresAfter - postgresBefore : null;
    const machineAfter = machineCpuMs();
    // Share of all cores busy (anyone's work: app, PostgreSQL, this load generator, others).
    const machineBusy = machineBefore && machineAfter ? Math.round(((machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total)) * 100) / 100 : null;
    const endpoints = recorder.summarizeAll(crowd.wallMs);
    const steady = recorder.summarizePhase();
    log(`rater phase done in ${(crowd.wallMs / 1000).toFixed(1)} s`);

    const probeSummary = (name: string) => (probes.endpoints().includes(name) ? probes.summarize(name, crowd.wallMs) : null);
    const reference: ServeBenchmarkResult["reference"] = {
      nginx: nginx?.version ?? null,
      imageBytes: imageBytes.byteLength,
      underLoad: { health: probeSummary("health"), nginxImage: probeSummary("nginxImage") },
      closedLoop: { health: null, appImage: null, nginxImage: null },
    };
    if (options.compare) {
      const closed = { concurrency: options.compareConcurrency, durationMs: options.compareSeconds * 1000 };
      log(`reference: /api/health, the image route and nginx, ${closed.concurrency} clients × ${options.compareSeconds} s each`);
      reference.closedLoop.health = await runClosedLoop({ url: `${frontUrl}/api/health`, ...closed });
      reference.closedLoop.appImage = await runClosedLoop({ url: probe.imageUrl, headers: { cookie: probe.cookie }, expectBytes: imageBytes.byteLength, ...closed });
      if (nginx) reference.closedLoop.nginxImage = await runClosedLoop({ url: nginx.url, expectBytes: imageBytes.byteLength, ...closed });
    }

    await Promise.all(apps.map((app) => app.stop()));
    const opened = await openMigratedDatabase(own.target);
    let audit: DeliveryAudit;
    try {
      audit = await auditDeliveries(opened.db, studyId, crowd.outcomes, true);
    } finally {
      await opened.close();
    }
    return assemble(options, { startedAt, loadAverageBefore, audit, crowdWallMs: crowd.wallMs, appCpuMs, balancerCpuMs, balancer: balancer?.version ?? null, postgresCpuMs, machineBusy, endpoints, steady, reference, outcomes: crowd.outcomes });
  } finally {
    await nginx?.stop();
    await balancer?.stop();
    await Promise.all(apps.map((app) => app.stop()));
    await own.drop();
  }
}

function cpuFigures(cpuMs: number | null, requests: number, wallMs: number) {
  if (cpuMs === null || requests === 0) return null;
  return { totalS: Math.round(cpuMs / 100) / 10, msPerRequest: Math.round((cpuMs / requests) * 100) / 100, cores: Math.round((cpuMs / wallMs) * 100) / 100 };
}

function assemble(
  options: ServeBenchmarkOptions,
  run: {
    startedAt: string;
    loadAverageBefore: number[];
    audit: DeliveryAudit;
    crowdWallMs: number;
    appCpuMs: number | null;
    balancerCpuMs: number | null;
    balancer: string | null;
    postgresCpuMs: number | null;
    machineBusy: number | null;
    endpoints: Record<string, EndpointSummary>;
    steady: ReturnType<LatencyRecorder["summarizePhase"]>;
    reference: ServeBenchmarkResult["reference"];
    outcomes: RaterOutcome[];
  },
): ServeBenchmarkResult {
  const { audit, endpoints, reference } = run;
  const { sessions, ok: auditOk, ...responses } = audit;
  const answer = endpoints[ENDPOINTS.answer];
  const trial = endpoints[ENDPOINTS.trial];
  const latencyRatio = (subject: EndpointSummary | null | undefined, against: EndpointSummary | null | undefined): LatencyRatio => {
    if (!subject || !against) return { p50: null, p99: null };
    const { p50, p99 } = compareEndpoints(subject, against);
    return { p50, p99 };
  };
  const { underLoad, closedLoop } = reference;
  const imageVsNginx = latencyRatio(endpoints[ENDPOINTS.image], underLoad.nginxImage);
  const appImageVsNginx = closedLoop.appImage && closedLoop.nginxImage ? compareEndpoints(closedLoop.appImage, closedLoop.nginxImage) : null;
  const problems = run.outcomes.flatMap((outcome) => outcome.problems.map((problem) => `rater ${outcome.index}: ${problem}`));
  const requests = Object.values(endpoints).reduce((sum, summary) => sum + summary.requests, 0);
  const errors = Object.values(endpoints).reduce((sum, summary) => sum + summary.errors, 0);
  const goals = {
    noLossNoDuplicates: auditOk,
    answerP99UnderMs: answer?.p99Ms != null ? answer.p99Ms < GOALS.answerP99Ms : null,
    // Within 3×: neither the latency under the raters' load (p50) nor the peak throughput is
    // more than three times nginx's.
    imageWithinNginxFactor:
      imageVsNginx.p50 !== null && appImageVsNginx?.throughput != null ? imageVsNginx.p50 <= GOALS.imageVsNginx && appImageVsNginx.throughput <= GOALS.imageVsNginx : null,
  };
  const { log: _log, serverUrl: _serverUrl, directServerUrl: _directServerUrl, ...settings } = options;
  return {
    benchmark: "serve",
    startedAt: run.startedAt,
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? "unknown", node: process.version, loadAverageBefore: run.loadAverageBefore, loadAverageAfter: os.loadavg().map((value) => Math.round(value * 100) / 100) },
    database: { kind: options.database, poolMax: options.poolMax ?? "default" },
    serving: { instances: options.instances, balancer: run.balancer },
    settings,
    responses,
    sessions,
    raterPhase: {
      wallS: Math.round(run.crowdWallMs / 100) / 10,
      answersPerS: Math.round((audit.stored * 10_000) / run.crowdWallMs) / 10,
      requestsPerS: Math.round((requests * 10_000) / run.crowdWallMs) / 10,
      appCpu: cpuFigures(run.appCpuMs, requests, run.crowdWallMs),
      balancerCpu: cpuFigures(run.balancerCpuMs, requests, run.crowdWallMs),
      postgresCpu: cpuFigures(run.postgresCpuMs, requests, run.crowdWallMs),
      machineBusyShare: run.machineBusy,
      endpoints,
      steady: run.steady ? { wallS: Math.round(run.steady.wallMs / 100) / 10, endpoints: run.steady.endpoints } : null,
    },
    reference,
    ratios: {
      underLoad: {
        answerVsHealth: latencyRatio(answer, underLoad.health),
        trialVsHealth: latencyRatio(trial, underLoad.health),
        imageVsNginx,
        healthVsNginx: latencyRatio(underLoad.health, underLoad.nginxImage),
      },
      closedLoop: {
        appImageVsNginx,
        healthVsNginx: closedLoop.health && closedLoop.nginxImage ? compareEndpoints(closedLoop.health, closedLoop.nginxImage) : null,
      },
    },
    goals,
    problems: problems.slice(0, 50),
    ok: auditOk && errors === 0 && problems.length === 0,
  };
}
