// `npm run bench:serve -- --json [--raters 200] [--db postgres|pglite] [--duration 240] [--ramp 20]
//   [--speed 1] [--practice 2] [--trials 20] [--stimuli 40] [--pool-max N] [--no-compare]
//   [--compare-concurrency 32] [--compare-seconds 5] [--probe-rate 5] [--server-url postgres://postgres@127.0.0.1:5432/postgres]
//   [--instances N] [--balancer]`
//
// --instances N runs N app processes on the one database behind nginx (round robin, no sticky
// sessions; `--balancer` puts nginx in front of a single instance too); the figures are the
// same, the app's CPU summed over its instances and nginx's reported beside it.
//
// Serving under load: builds the app if needed, creates its own database (a fresh one
// on the PostgreSQL server, or a temp PGlite directory; dropped afterwards), seeds an open study
// through the platform's own functions, starts the production server on a free loopback port and
// lets N simulated raters run whole sessions over HTTP (trial, both images, answer with retries
// and some repeated deliveries; lib/rater-client's own code). In the same run, the same figures
// for /api/health and for nginx serving one of the study's images: probed a few times a second
// while the raters run (latency under the same load), then each in a closed loop beside the
// image route (peak throughput); their ratios; the app's and PostgreSQL's CPU per request; and
// an audit of the stored responses. Prints one JSON object last on stdout (docs/benchmarks.md).
// Loopback only; bounded by --raters (≤ 2000) and --duration (≤ 3600 s).
import { parseArgs } from "node:util";
import { DEFAULT_OPTIONS, GOALS, runServeBenchmark, type ServeBenchmarkOptions, type ServeBenchmarkResult } from "./support/load-bench";
import { CliUsageError, runScript } from "./support/run-script";

const { values: opts } = parseArgs({
  options: {
    json: { type: "boolean", default: false },
    db: { type: "string", default: DEFAULT_OPTIONS.database },
    "server-url": { type: "string", default: DEFAULT_OPTIONS.serverUrl },
    raters: { type: "string", default: String(DEFAULT_OPTIONS.raters) },
    ramp: { type: "string", default: String(DEFAULT_OPTIONS.rampS) },
    duration: { type: "string", default: String(DEFAULT_OPTIONS.durationS) },
    speed: { type: "string", default: String(DEFAULT_OPTIONS.speed) },
    practice: { type: "string", default: String(DEFAULT_OPTIONS.practiceTrials) },
    trials: { type: "string", default: String(DEFAULT_OPTIONS.testTrials) },
    stimuli: { type: "string", default: String(DEFAULT_OPTIONS.stimuli) },
    "pool-max": { type: "string" },
    instances: { type: "string", default: String(DEFAULT_OPTIONS.instances) },
    balancer: { type: "boolean", default: false },
    "no-compare": { type: "boolean", default: false },
    "compare-concurrency": { type: "string", default: String(DEFAULT_OPTIONS.compareConcurrency) },
    "compare-seconds": { type: "string", default: String(DEFAULT_OPTIONS.compareSeconds) },
    "probe-rate": { type: "string", default: String(DEFAULT_OPTIONS.probeRatePerS) },
    seed: { type: "string", default: String(DEFAULT_OPTIONS.seed) },
  },
});

function numberOption(name: string, value: string, { min, max, integer }: { min: number; max: number; integer?: boolean }): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < min || parsed > max || (integer && !Number.isInteger(parsed))) {
    throw new CliUsageError(`--${name} must be ${integer ? "an integer" : "a number"} between ${min} and ${max} (got ${value})`);
  }
  return parsed;
}

function summaryLines(result: ServeBenchmarkResult): string[] {
  const row = (name: string, summary: { p50Ms: number | null; p95Ms: number | null; p99Ms: number | null; throughputPerS: number; errors: number } | null | undefined) =>
    summary ? `  ${name.padEnd(14)} p50 ${summary.p50Ms} ms · p95 ${summary.p95Ms} ms · p99 ${summary.p99Ms} ms · ${summary.throughputPerS}/s · ${summary.errors} errors` : `  ${name.padEnd(14)} (not measured)`;
  const { responses } = result;
  return [
    `responses: sent ${responses.sent}, acknowledged ${responses.acknowledged}, stored ${responses.stored}; lost ${responses.lost}, duplicates ${responses.duplicates}, redeliveries ${responses.redeliveries}`,
    `sessions: ${result.sessions.completedByClient}/${result.sessions.started} completed (${JSON.stringify(result.sessions.stoppedBy)})`,
    `serving: ${result.serving.instances} instance(s)${result.serving.balancer ? ` behind ${result.serving.balancer}` : ""}; load average before ${result.machine.loadAverageBefore.join(" ")}, after ${result.machine.loadAverageAfter.join(" ")}`,
    `rater phase (${result.raterPhase.wallS} s, ${result.raterPhase.requestsPerS} requests/s; CPU per request: app ${result.raterPhase.appCpu?.msPerRequest ?? "—"} ms, nginx ${result.raterPhase.balancerCpu?.msPerRequest ?? "—"} ms, PostgreSQL ${result.raterPhase.postgresCpu?.msPerRequest ?? "—"} ms; machine ${result.raterPhase.machineBusyShare ?? "—"} busy):`,
    ...Object.entries(result.raterPhase.endpoints).map(([name, summary]) => row(name, summary)),
    ...(result.raterPhase.steady
      ? [`steady load, after the last arrival (${result.raterPhase.steady.wallS} s):`, ...Object.entries(result.raterPhase.steady.endpoints).map(([name, summary]) => row(name, summary))]
      : []),
    `references probed during the rater phase (${result.settings.probeRatePerS}/s each):`,
    row("/api/health", result.reference.underLoad.health),
    row("nginx image", result.reference.underLoad.nginxImage),
    `references in a closed loop (${result.settings.compareConcurrency} clients, ${result.settings.compareSeconds} s each):`,
    row("/api/health", result.reference.closedLoop.health),
    row("image route", result.reference.closedLoop.appImage),
    row("nginx image", result.reference.closedLoop.nginxImage),
    `ratios under the raters' load: answer/health p50 ${result.ratios.underLoad.answerVsHealth.p50} p99 ${result.ratios.underLoad.answerVsHealth.p99}; image route/nginx p50 ${result.ratios.underLoad.imageVsNginx.p50} p99 ${result.ratios.underLoad.imageVsNginx.p99}`,
    `closed loop: image route/nginx p50 ${result.ratios.closedLoop.appImageVsNginx?.p50 ?? "—"}, nginx's throughput ${result.ratios.closedLoop.appImageVsNginx?.throughput ?? "—"}× the image route's`,
    `goals: no loss/duplicates ${result.goals.noLossNoDuplicates}; answer p99 < ${GOALS.answerP99Ms} ms ${result.goals.answerP99UnderMs}; image within ${GOALS.imageVsNginx}× nginx ${result.goals.imageWithinNginxFactor}`,
  ];
}

runScript(async () => {
  if (opts.db !== "postgres" && opts.db !== "pglite") throw new CliUsageError("--db must be postgres or pglite");
  const options: ServeBenchmarkOptions = {
    ...DEFAULT_OPTIONS,
    database: opts.db,
    serverUrl: opts["server-url"],
    raters: numberOption("raters", opts.raters, { min: 1, max: 2000, integer: true }),
    rampS: numberOption("ramp", opts.ramp, { min: 0, max: 600 }),
    durationS: numberOption("duration", opts.duration, { min: 1, max: 3600 }),
    speed: numberOption("speed", opts.speed, { min: 0, max: 10 }),
    practiceTrials: numberOption("practice", opts.practice, { min: 0, max: 50, integer: true }),
    testTrials: numberOption("trials", opts.trials, { min: 1, max: 500, integer: true }),
    stimuli: numberOption("stimuli", opts.stimuli, { min: 2, max: 1000, integer: true }),
    instances: numberOption("instances", opts.instances, { min: 1, max: 16, integer: true }),
    balancer: opts.balancer,
    poolMax: opts["pool-max"] === undefined ? undefined : numberOption("pool-max", opts["pool-max"], { min: 1, max: 500, integer: true }),
    compare: !opts["no-compare"],
    compareConcurrency: numberOption("compare-concurrency", opts["compare-concurrency"], { min: 1, max: 1000, integer: true }),
    compareSeconds: numberOption("compare-seconds", opts["compare-seconds"], { min: 1, max: 120 }),
    probeRatePerS: numberOption("probe-rate", opts["probe-rate"], { min: 0.1, max: 100 }),
    seed: numberOption("seed", opts.seed, { min: 0, max: 2 ** 31, integer: true }),
    log: (message) => process.stderr.write(`bench:serve ${message}\n`),
  };
  const result = await runServeBenchmark(options);
  if (!opts.json) for (const line of summaryLines(result)) console.log(line);
  console.log(JSON.stringify(result, null, opts.json ? 2 : undefined));
  if (!result.goals.noLossNoDuplicates) process.exitCode = 1;
});
