// `npm run bench:stats -- [--json] [--requests N] [--sessions S] [--export] [--workers W]
//   [--keep] [--database NAME] [--skip-core]`
//
// Times the results dashboard on a synthetic study of 1,000,000 responses:
// 1. the pure statistics (scripts/bench-stats-core.ts: aggregation of counts, the joint 10,000-
//    resample two-way bootstrap on the server's results worker pool, comparisons, d′);
// 2. on a real PostgreSQL database (DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres;
//    the script creates and drops its own database), a synthetic study inserted with
//    INSERT … SELECT generate_series — 5 tested methods and the Random baseline, 4,000 sessions per
//    method, 50 trials a session (10 practice, 36 test, 4 vigilance) over 500 images — then the SQL
//    aggregation of lib/results and the whole in-process computation the server runs;
// 3. the production app on that database: sign in over HTTP, GET the dashboard page (first = cold,
//    computes and caches; then N warm) and /api/health N times, interleaved; medians and their ratio.
// Prints a readable summary, then (with --json) one JSON object last. --export also times the CSV
// export of every trial; --keep keeps the database and --database NAME measures a kept one again
// (no insert); --skip-core skips step 1. The last three are for iterating on the SQL and the page.
//
// lib/results marks its database modules `server-only`; outside React Server Components that
// marker resolves only under the "react-server" export condition, so the script re-runs itself
// with `--conditions=react-server` (nothing else it loads changes under that condition).
import { spawnSync } from "node:child_process";
import os from "node:os";
import { parseArgs } from "node:util";
import type { DatabaseTarget } from "@/lib/db/connection";
import type { ScratchDatabase } from "./support/scratch-database";

if (!process.execArgv.some((arg) => arg.includes("react-server"))) {
  const child = spawnSync(process.execPath, ["--conditions=react-server", "--import", "tsx", ...process.argv.slice(1)], { stdio: "inherit" });
  process.exit(child.status ?? 1);
}

const { randomUUID } = await import("node:crypto");
const { getConfig } = await import("@/lib/config");
const { hashPassword } = await import("@/lib/auth/password");
const { openSqlConnection } = await import("@/lib/db/connection");
const { computeStudyResults, readStudyAggregates } = await import("@/lib/results/study-results");
const { protocolSchema } = await import("@/lib/contract/protocol");
const { hashProtocol } = await import("@/lib/study/protocol-hash");
const { benchStatsCore } = await import("./bench-stats-core");
const { ensureProductionBuild, freePort, launchProductionApp, openMigratedDatabase, productionAppEnv } = await import("./support/app-server");
const { CliUsageError, runScript } = await import("./support/run-script");
const { createScratchDatabase } = await import("./support/scratch-database");

const DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/postgres";
const BENCH_EMAIL = "bench@example.org";
const BENCH_PASSWORD = "bench password 2016";
const SYNTHETIC_STUDY = "Synthetic 1M study";
/** Fool rates reported by Zhang et al. (2016) for Ours (full), Larsson, Dahl, Ours (class), Ours (L2). */
const METHODS = [
  { name: "Ours (full)", foolRate: 0.323 },
  { name: "Larsson", foolRate: 0.272 },
  { name: "Dahl", foolRate: 0.183 },
  { name: "Ours (class)", foolRate: 0.252 },
  { name: "Ours (L2)", foolRate: 0.212 },
];
const IMAGES = 500;
const PRACTICE = 10;
const TRIALS_PER_SESSION = 50;
/** Positions of the 4 vigilance trials among the 40 test trials (10% of them, as in the paper). */
const VIGILANCE_POSITIONS = [17, 28, 39, 46];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

const logit = (p: number) => Math.log(p / (1 - p));
const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}

/**
 * Inserts the synthetic study with set-based SQL. Fooled ~ Bernoulli(logistic(centre_m + a_r + b_i))
 * with rater effects a_r ~ N(0, 0.5²) and image effects b_i ~ N(0, 0.7²) (Box–Muller on PostgreSQL's
 * seeded random()); vigilance trials fool 13% of the time (the paper's raters called the Random
 * baseline fake 87% of the time); 2% of responses have flagged timing.
 */
async function insertSyntheticStudy(url: string, studyId: string, methodIds: string[], randomId: string, sessionsPerMethod: number) {
  const connection = await openSqlConnection({ kind: "postgres", url, poolMax: 1 });
  const sessions = sessionsPerMethod * METHODS.length;
  const allMethods = [...methodIds, randomId];
  const centres = METHODS.map((method) => logit(method.foolRate));
  try {
    await connection.query("SELECT setseed(0.2016)");
    await connection.query(
      `INSERT INTO "StimulusImage" (id, "studyId", name, "sourceSha256", "realSha256", width, height)
       SELECT md5('stim' || i)::uuid::text, $1, 'img' || lpad(i::text, 4, '0'),
              md5('src' || i) || md5('src2' || i), md5('real' || i) || md5('real2' || i), 256, 256
       FROM generate_series(0, $2 - 1) i`,
      [studyId, IMAGES],
    );
    await connection.query(
      `INSERT INTO "Candidate" (id, "methodId", "stimulusId", "blobSha256")
       SELECT md5('cand' || m.ord || ':' || i)::uuid::text, m.id, md5('stim' || i)::uuid::text,
              md5('blob' || m.ord || ':' || i) || md5('blob2' || m.ord || ':' || i)
       FROM unnest($1::text[]) WITH ORDINALITY m(id, ord), generate_series(0, $2 - 1) i`,
      [allMethods, IMAGES],
    );
    await connection.exec(`
      CREATE TEMP TABLE bench_image AS
        SELECT i, md5('stim' || i)::uuid::text AS id, 0.7 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()) AS effect
        FROM generate_series(0, ${IMAGES - 1}) i;
      CREATE TEMP TABLE bench_session AS
        SELECT g, md5('sess' || g)::uuid::text AS id, g % ${METHODS.length} AS m,
               0.5 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()) AS effect
        FROM generate_series(0, ${sessions - 1}) g;
      CREATE INDEX ON bench_session (id);
      CREATE INDEX ON bench_image (id);`);
    await connection.query(
      `INSERT INTO "RaterSession" (id, "studyId", "methodId", recruiter, "participantHash", "tokenHash", status, "createdAt", "completedAt")
       SELECT s.id, $1, ($2::text[])[s.m + 1], 'prolific', md5('p' || s.g), md5('t' || s.g), 'completed',
              timestamp '2026-01-01' + s.g * interval '10 seconds', timestamp '2026-01-01' + s.g * interval '10 seconds' + interval '5 minutes'
       FROM bench_session s`,
      [studyId, methodIds],
    );
    await connection.query(
      `INSERT INTO "Trial" (id, "sessionId", position, kind, "methodId", "stimulusId", "candidateId", "realOnLeft", "leftToken", "rightToken", "createdAt")
       SELECT md5('trial' || s.g || ':' || p)::uuid::text, s.id, p,
              (CASE WHEN p < ${PRACTICE} THEN 'practice' WHEN x.vigilance THEN 'vigilance' ELSE 'test' END)::"TrialKind",
              CASE WHEN x.vigilance THEN $1 ELSE ($2::text[])[s.m + 1] END,
              md5('stim' || x.image)::uuid::text,
              md5('cand' || (CASE WHEN x.vigilance THEN ${allMethods.length} ELSE s.m + 1 END) || ':' || x.image)::uuid::text,
              random() < 0.5, md5('l' || s.g || ':' || p), md5('r' || s.g || ':' || p),
              timestamp '2026-01-01' + s.g * interval '10 seconds'
       FROM bench_session s
       CROSS JOIN generate_series(0, ${TRIALS_PER_SESSION - 1}) p
       CROSS JOIN LATERAL (SELECT (s.g * 37 + p * 7) % ${IMAGES} AS image, p = ANY($3::int[]) AS vigilance) x`,
      [randomId, methodIds, VIGILANCE_POSITIONS],
    );
    await connection.query(
      `INSERT INTO "Response" (id, "trialId", "idempotencyKey", "chosenSide", correct, fooled, "responseTimeMs",
                               "exposureLeftMs", "exposureRightMs", "frameIntervalMs", "timingFlagged", "createdAt")
       SELECT md5('resp' || t.id)::uuid::text, t.id, md5('idem' || t.id),
              (CASE WHEN t."realOnLeft" <> f.fooled THEN 'left' ELSE 'right' END)::"Side",
              NOT f.fooled, f.fooled, 600 + random() * 1400, 1000, 1000, 16.7, random() < 0.02,
              t."createdAt" + (t.position + 1) * interval '5 seconds'
       FROM "Trial" t
       JOIN bench_session s ON s.id = t."sessionId"
       JOIN bench_image im ON im.id = t."stimulusId"
       CROSS JOIN LATERAL (
         SELECT random() < CASE WHEN t.kind = 'vigilance' THEN 0.13
                                ELSE 1 / (1 + exp(-(($1::float8[])[s.m + 1] + s.effect + im.effect))) END AS fooled
       ) f`,
      [centres],
    );
    await connection.exec(`ANALYZE`);
    const [row] = await connection.query<{ responses: string }>(`SELECT count(*)::text AS responses FROM "Response"`);
    return Number(row?.responses ?? 0);
  } finally {
    await connection.close();
  }
}

async function signIn(baseUrl: string): Promise<string> {
  const response = await fetch(`${baseUrl}/api/auth/sign-in`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: BENCH_EMAIL, password: BENCH_PASSWORD }),
  });
  if (!response.ok) throw new Error(`sign-in failed: ${response.status} ${await response.text()}`);
  const cookie = response.headers.getSetCookie().map((line) => line.split(";")[0]).find((pair) => pair?.startsWith("ctt_session="));
  if (!cookie) throw new Error("sign-in set no session cookie");
  return cookie;
}

let lastBodyBytes = 0;

/** Time to the last byte of a GET (the server's whole response, streaming included); throws unless 200. */
async function timeGet(url: string, cookie: string, expect: string | null): Promise<number> {
  const started = performance.now();
  const response = await fetch(url, { headers: { cookie }, redirect: "manual" });
  const body = await response.text();
  const ms = performance.now() - started;
  lastBodyBytes = Buffer.byteLength(body);
  if (response.status !== 200) throw new Error(`GET ${url}: ${response.status}`);
  if (expect && !body.includes(expect)) throw new Error(`GET ${url}: the page lacks ${JSON.stringify(expect)}`);
  return ms;
}

runScript(async () => {
  const { values } = parseArgs({
    options: {
      json: { type: "boolean", default: false },
      requests: { type: "string", default: "30" },
      sessions: { type: "string", default: "4000" },
      workers: { type: "string" },
      export: { type: "boolean", default: false },
      keep: { type: "boolean", default: false },
      "skip-core": { type: "boolean", default: false },
      database: { type: "string" },
    },
  });
  const positive = (name: string, value: string | undefined) => {
    const parsed = Number(value);
    if (!Number.isSafeInteger(parsed) || parsed < 1) throw new CliUsageError(`--${name} must be a positive integer`);
    return parsed;
  };
  const requests = positive("requests", values.requests);
  const sessionsPerMethod = positive("sessions", values.sessions);
  const workers = values.workers === undefined ? undefined : Number(values.workers);
  const log = (line: string) => console.error(line);

  const core = values["skip-core"] ? null : await (async () => {
    log("1/3 pure statistics (scripts/bench-stats-core.ts) …");
    const result = await benchStatsCore({ workers });
    log(
      `    two-way bootstrap of ${result.responses.toLocaleString("en-US")} responses: ${result.bootstrapSeconds.toFixed(2)} s on ${result.workers} workers ` +
        `(CPU ${result.bootstrapCpuSeconds.toFixed(2)} s); all numbers ${result.totalSeconds.toFixed(2)} s; load average ${os.loadavg().map((x) => x.toFixed(2)).join(" ")}`,
    );
    return result;
  })();

  const serverUrl = getConfig().DATABASE_URL ?? DEFAULT_SERVER;
  const reused = values.database;
  let scratch: ScratchDatabase | undefined;
  let target: Extract<DatabaseTarget, { kind: "postgres" }>;
  if (reused) {
    const url = new URL(serverUrl);
    url.pathname = `/${reused}`;
    target = { kind: "postgres", url: url.toString(), poolMax: 10 };
  } else {
    const created = await createScratchDatabase("postgres", { serverUrl, prefix: "ctt_bench" });
    if (created.target.kind !== "postgres") throw new Error("expected a PostgreSQL scratch database");
    scratch = created;
    target = created.target;
  }
  const name = reused ?? scratch?.name ?? "";
  let app: Awaited<ReturnType<typeof launchProductionApp>> | undefined;
  try {
    log(`2/3 synthetic study on PostgreSQL (${name}) …`);
    const opened = await openMigratedDatabase(target);
    const db = opened.db;
    let studyId: string;
    let insert: { value: number; ms: number };
    if (reused) {
      // A database kept by an earlier --keep run: measure again without inserting.
      studyId = (await db.study.findFirstOrThrow({ where: { name: SYNTHETIC_STUDY }, select: { id: true } })).id;
      insert = { value: await db.response.count(), ms: Number.NaN };
    } else {
      const team = await db.team.create({ data: { name: "Bench team" } });
      const researcher = await db.researcher.create({ data: { email: BENCH_EMAIL, name: "Bench", passwordHash: await hashPassword(BENCH_PASSWORD), teamId: team.id } });
      const protocol = protocolSchema.parse({ targetSessionsPerMethod: sessionsPerMethod });
      studyId = randomUUID();
      await db.study.create({
        data: { id: studyId, name: SYNTHETIC_STUDY, ownerId: researcher.id, teamId: team.id, status: "closed", protocol, protocolHash: hashProtocol(protocol), completionCode: "BENCH00000", participantSalt: "bench" },
      });
      const methodIds: string[] = [];
      for (const method of METHODS) {
        const created = await db.method.create({ data: { studyId, name: method.name, kind: "model", status: "ready", config: { tested: true } }, select: { id: true } });
        methodIds.push(created.id);
      }
      const random = await db.method.create({ data: { studyId, name: "Random", kind: "baseline", status: "ready", config: { tested: false, baseline: "random" } }, select: { id: true } });
      insert = await timed(() => insertSyntheticStudy(target.url, studyId, methodIds, random.id, sessionsPerMethod));
      log(`    inserted ${insert.value.toLocaleString("en-US")} responses in ${(insert.ms / 1000).toFixed(1)} s`);
    }
    const protocol = protocolSchema.parse((await db.study.findUniqueOrThrow({ where: { id: studyId }, select: { protocol: true } })).protocol);

    // The SQL aggregation of lib/results (the server's transaction), twice: cold, then with the
    // pages cached by PostgreSQL.
    const sqlRuns: number[] = [];
    for (let run = 0; run < 2; run++) sqlRuns.push((await timed(() => readStudyAggregates(db, studyId, protocol.exclusion))).ms);
    const full = await timed(() => computeStudyResults(db, studyId));
    const sessionCount = await db.raterSession.count({ where: { studyId } });
    await opened.close();
    const sqlMs = sqlRuns[1] as number;
    log(`    SQL aggregation (sessions, exclusions, per-method cells): ${sqlMs.toFixed(0)} ms (cold run ${(sqlRuns[0] as number).toFixed(0)} ms)`);
    log(`    whole computation as the server runs it (SQL, then the figures on the results workers): ${(full.ms / 1000).toFixed(2)} s`);

    log("3/3 production app …");
    await ensureProductionBuild();
    app = await launchProductionApp(productionAppEnv(target, await freePort()));
    const cookie = await signIn(app.url);
    const dashboardUrl = `${app.url}/studies/${studyId}/dashboard`;
    const cold = await timeGet(dashboardUrl, cookie, 'data-testid="fool-rate-chart"');
    const dashboardBytes = lastBodyBytes;
    const dashboard: number[] = [];
    const health: number[] = [];
    const studies: number[] = [];
    for (let i = 0; i < 3; i++) {
      await timeGet(dashboardUrl, cookie, null);
      await timeGet(`${app.url}/api/health`, cookie, null);
      await timeGet(`${app.url}/studies`, cookie, null).catch(() => Number.NaN);
    }
    for (let i = 0; i < requests; i++) {
      dashboard.push(await timeGet(dashboardUrl, cookie, 'data-testid="fool-rate-chart"'));
      health.push(await timeGet(`${app.url}/api/health`, cookie, null));
      // Another researcher page, for reference only: it belongs to other work, so a failure there
      // does not stop this benchmark (the median is then reported as null).
      studies.push(await timeGet(`${app.url}/studies`, cookie, null).catch(() => Number.NaN));
    }
    let csvExport: { seconds: number; bytes: number; rows: number } | null = null;
    if (values.export) {
      const started = performance.now();
      const response = await fetch(`${app.url}/api/studies/${studyId}/export?format=csv`, { headers: { cookie } });
      let bytes = 0;
      let rows = 0;
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        bytes += chunk.byteLength;
        for (const byte of chunk) if (byte === 10) rows++;
      }
      csvExport = { seconds: (performance.now() - started) / 1000, bytes, rows: rows - 1 };
    }

    const result = {
      responses: insert.value,
      methods: METHODS.length,
      sessions: sessionCount,
      images: IMAGES,
      trialsPerSession: { practice: PRACTICE, test: TRIALS_PER_SESSION - PRACTICE - VIGILANCE_POSITIONS.length, vigilance: VIGILANCE_POSITIONS.length },
      machine: { cpu: os.cpus()[0]?.model ?? "unknown", cores: os.availableParallelism(), loadAverage1m: round(os.loadavg()[0] ?? 0, 2) },
      statsCore: core && {
        responses: core.responses,
        workers: core.workers,
        bootstrapSeconds: round(core.bootstrapSeconds, 3),
        bootstrapCpuSeconds: round(core.bootstrapCpuSeconds, 3),
        totalSeconds: round(core.totalSeconds, 3),
      },
      insertSeconds: Number.isNaN(insert.ms) ? null : round(insert.ms / 1000, 1),
      sqlAggregation: { ms: round(sqlMs), coldMs: round(sqlRuns[0] as number) },
      inProcessComputeSeconds: round(full.ms / 1000, 2),
      dashboardNumbersSeconds: core && round(core.totalSeconds + sqlMs / 1000, 2),
      page: {
        requests,
        dashboardColdMs: round(cold),
        dashboardBytes,
        dashboardMedianMs: round(median(dashboard)),
        healthMedianMs: round(median(health)),
        studiesPageMedianMs: studies.some(Number.isNaN) ? null : round(median(studies)),
        ratioToHealth: round(median(dashboard) / median(health), 2),
        ratioToStudiesPage: studies.some(Number.isNaN) ? null : round(median(dashboard) / median(studies), 2),
      },
      csvExport,
      goals: {
        bootstrapUnder2s: core && core.bootstrapSeconds < 2,
        dashboardUnder3xTrivial: median(dashboard) < 3 * median(health),
      },
    };
    log(
      `    dashboard: cold ${cold.toFixed(0)} ms, warm median ${median(dashboard).toFixed(1)} ms; /api/health ${median(health).toFixed(1)} ms; /studies ${median(studies).toFixed(1)} ms; ratio to health ${result.page.ratioToHealth}`,
    );
    if (csvExport) log(`    CSV export: ${csvExport.rows.toLocaleString("en-US")} rows, ${(csvExport.bytes / 1e6).toFixed(1)} MB in ${csvExport.seconds.toFixed(1)} s`);
    if (values.json) console.log(JSON.stringify(result));
  } finally {
    await app?.stop();
    if (!values.keep && scratch) await scratch.drop();
    else log(`kept database ${name}`);
  }
});
