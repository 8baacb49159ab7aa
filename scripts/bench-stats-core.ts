// `npx tsx scripts/bench-stats-core.ts [--json] [--workers N] [--resamples B] [--raters R]
//   [--trials T] [--images I] [--methods M]`
//
// Times the statistics behind the results dashboard on a synthetic study of 1,000,000 responses
// (default 5 methods × 5,000 raters × 40 trials over 200 images): aggregation of the trial columns
// into counts, the joint 10,000-resample two-way cluster bootstrap of the five fool rates, all
// pairwise differences with Holm-adjusted p-values, d′ with intervals, and the two-way cluster-robust
// intervals. The bootstrap runs in chunks spread over the server's results worker pool
// (lib/results/results-workers.ts); chunks use their own random streams, so the numbers do not
// depend on the number of workers (`replicateChecksum` lets you check). Synthesizing the data and starting and warming up
// the workers (a small study, so the JIT has compiled the kernels) are timed separately: a server
// keeps warm workers. Prints one JSON object last with --json.
// `benchStatsCore(opts)` is what `npm run bench:stats` calls.
import os from "node:os";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createResultsPool, defaultResultsPoolSize, type ResultsPool } from "../lib/results/results-workers";
import {
  twoWayFoolRateInterval,
  compareFoolRates,
  countTrials,
  dPrimeFromFoolRate,
  logitNormalCentre,
  planBootstrap,
  runBootstrapChunk,
  sampleStandardNormal,
  SeededRandom,
  summarizeBootstrap,
  type BootstrapPlan,
  type TrialColumns,
} from "../lib/stats";

export interface BenchStatsCoreOptions {
  readonly methods?: number;
  readonly ratersPerMethod?: number;
  readonly trialsPerRater?: number;
  readonly images?: number;
  readonly resamples?: number;
  /** Worker threads for the bootstrap; 0 runs it in the calling thread. Default: available cores. */
  readonly workers?: number;
  readonly seed?: number;
}

export interface BenchStatsCoreResult {
  readonly responses: number;
  readonly methods: number;
  readonly ratersPerMethod: number;
  readonly trialsPerRater: number;
  readonly images: number;
  readonly resamples: number;
  readonly variant: "two-way";
  readonly workers: number;
  readonly cpu: string;
  readonly cores: number;
  readonly loadAverage1m: number;
  /** Not part of the dashboard work: building the synthetic trial columns. */
  readonly synthesizeSeconds: number;
  /**
   * Not part of the dashboard work: starting the worker threads and warming them up (JIT) on a
   * small study — a server keeps warm workers.
   */
  readonly workerStartSeconds: number;
  /** Trial columns → per-rater and per-cell counts, all methods. */
  readonly aggregateSeconds: number;
  /** Joint two-way bootstrap of all methods (plan + chunks + summaries). */
  readonly bootstrapSeconds: number;
  /** CPU time of the bootstrap, all threads (user + system): wall ≈ this / workers on idle cores. */
  readonly bootstrapCpuSeconds: number;
  /** Pairwise differences, bootstrap p-values, Holm. */
  readonly comparisonSeconds: number;
  /** d′ intervals and the two-way cluster-robust intervals. */
  readonly derivedSeconds: number;
  /** aggregate + bootstrap + comparisons + derived: the dashboard numbers with warm workers. */
  readonly totalSeconds: number;
  /** Σ of all replicates: equal for every worker count. */
  readonly replicateChecksum: number;
  readonly foolRates: readonly {
    readonly method: number;
    /** Population fool rate of the generating model (the study's 200 images are one draw). */
    readonly trueFoolRate: number;
    readonly estimate: number;
    readonly standardError: number;
    readonly lower: number;
    readonly upper: number;
    readonly intervalLower: number;
    readonly intervalUpper: number;
    readonly dPrime: number;
  }[];
  readonly comparisons: number;
  readonly significantAfterHolm: number;
}

// Fool rates reported by Zhang et al. (2016) for Ours (full), Larsson, Dahl, Ours (class), Ours (L2).
const TRUE_FOOL_RATES = [0.323, 0.272, 0.183, 0.252, 0.212];
const RATER_LOGIT_SD = 0.5;
const IMAGE_LOGIT_SD = 0.7;

function seconds(since: number): number {
  return (performance.now() - since) / 1000;
}

/**
 * A synthetic study: logit(P(fooled)) = centre_m + a_r + b_i with image difficulties b_i shared by
 * all methods (images are crossed with methods) and rater effects a_r per method (between-subjects
 * design); each rater sees distinct images.
 */
function synthesize(
  methods: number,
  raters: number,
  trials: number,
  images: number,
  seed: number,
): { columns: TrialColumns[]; truth: number[] } {
  const rng = new SeededRandom(seed);
  const imageEffect = Float64Array.from({ length: images }, () => IMAGE_LOGIT_SD * sampleStandardNormal(rng));
  const columns: TrialColumns[] = [];
  const truth: number[] = [];
  for (let m = 0; m < methods; m++) {
    const rate = TRUE_FOOL_RATES[m % TRUE_FOOL_RATES.length] as number;
    truth.push(rate);
    // Centre the logit so that the population mean over raters and images is the paper's rate.
    const centre = logitNormalCentre(rate, Math.hypot(RATER_LOGIT_SD, IMAGE_LOGIT_SD));
    const rater = new Int32Array(raters * trials);
    const image = new Int32Array(raters * trials);
    const fooled = new Uint8Array(raters * trials);
    const order = Int32Array.from({ length: images }, (_, i) => i);
    for (let r = 0; r < raters; r++) {
      const raterEffect = RATER_LOGIT_SD * sampleStandardNormal(rng);
      for (let t = 0; t < trials; t++) {
        const j = t + rng.nextBelow(images - t);
        const chosen = order[j] as number;
        order[j] = order[t] as number;
        order[t] = chosen;
        const k = r * trials + t;
        rater[k] = r;
        image[k] = chosen;
        const eta = centre + raterEffect + (imageEffect[chosen] as number);
        fooled[k] = rng.nextFloat() < 1 / (1 + Math.exp(-eta)) ? 1 : 0;
      }
    }
    columns.push({ rater, image, fooled });
  }
  return { columns, truth };
}

/**
 * Builds the synthetic study and times the dashboard statistics on it.
 *
 * @param opts sizes, resamples, workers (default: available cores; 0 = calling thread), seed.
 * @returns timings in seconds and the computed numbers.
 */
export async function benchStatsCore(opts: BenchStatsCoreOptions = {}): Promise<BenchStatsCoreResult> {
  const methods = opts.methods ?? 5;
  const ratersPerMethod = opts.ratersPerMethod ?? 5000;
  const trialsPerRater = opts.trialsPerRater ?? 40;
  const images = opts.images ?? 200;
  const resamples = opts.resamples ?? 10_000;
  const workerCount = opts.workers ?? defaultResultsPoolSize();
  const seed = opts.seed ?? 2016;
  if (trialsPerRater > images) throw new Error("each rater sees distinct images: trialsPerRater must be ≤ images");

  let t = performance.now();
  const { columns, truth } = synthesize(methods, ratersPerMethod, trialsPerRater, images, seed);
  const synthesizeSeconds = seconds(t);

  t = performance.now();
  // The server's pool (lib/results/results-workers.ts); 0 workers computes in this thread.
  const pool: ResultsPool | null = workerCount > 0 ? createResultsPool({ size: workerCount }) : null;
  const runChunks = (plan: BootstrapPlan) =>
    pool ? pool.runChunks(plan) : Promise.resolve(Array.from({ length: plan.chunks }, (_, c) => runBootstrapChunk(plan, c)));
  const warmUp = synthesize(methods, 200, trialsPerRater, images, seed + 1).columns.map((c) => countTrials(c));
  const warmUpPlan = planBootstrap(warmUp, { seed, variant: "two-way", resamples: 250 * 2 * Math.max(1, workerCount) });
  summarizeBootstrap(warmUpPlan, await runChunks(warmUpPlan));
  const workerStartSeconds = seconds(t);

  try {
    t = performance.now();
    const counts = columns.map((c) => countTrials(c));
    const aggregateSeconds = seconds(t);

    t = performance.now();
    const cpu = process.cpuUsage();
    const plan = planBootstrap(counts, { seed, variant: "two-way", resamples });
    const chunks = await runChunks(plan);
    const set = summarizeBootstrap(plan, chunks);
    const bootstrapSeconds = seconds(t);
    const cpuUsed = process.cpuUsage(cpu);
    const bootstrapCpuSeconds = (cpuUsed.user + cpuUsed.system) / 1e6;

    t = performance.now();
    const comparison = compareFoolRates(set, { correction: "holm" });
    const comparisonSeconds = seconds(t);

    t = performance.now();
    const foolRates = set.methods.map((result, m) => {
      const interval = twoWayFoolRateInterval(counts[m] as (typeof counts)[number]);
      return {
        method: m,
        trueFoolRate: truth[m] as number,
        estimate: result.estimate,
        standardError: result.standardError,
        lower: result.lower,
        upper: result.upper,
        intervalLower: interval.lower,
        intervalUpper: interval.upper,
        dPrime: dPrimeFromFoolRate(interval, result.counts.trials).estimate,
      };
    });
    const derivedSeconds = seconds(t);

    let replicateChecksum = 0;
    for (const replicates of set.replicates) for (const value of replicates) replicateChecksum += value;

    return {
      responses: methods * ratersPerMethod * trialsPerRater,
      methods,
      ratersPerMethod,
      trialsPerRater,
      images,
      resamples,
      variant: "two-way",
      workers: workerCount,
      cpu: os.cpus()[0]?.model ?? "unknown",
      cores: os.availableParallelism(),
      loadAverage1m: os.loadavg()[0] ?? 0,
      synthesizeSeconds,
      workerStartSeconds,
      aggregateSeconds,
      bootstrapSeconds,
      bootstrapCpuSeconds,
      comparisonSeconds,
      derivedSeconds,
      totalSeconds: aggregateSeconds + bootstrapSeconds + comparisonSeconds + derivedSeconds,
      replicateChecksum,
      foolRates,
      comparisons: comparison.comparisons.length,
      significantAfterHolm: comparison.comparisons.filter((c) => c.adjustedPValue <= 0.05).length,
    };
  } finally {
    await pool?.close();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      json: { type: "boolean", default: false },
      workers: { type: "string" },
      resamples: { type: "string" },
      raters: { type: "string" },
      trials: { type: "string" },
      images: { type: "string" },
      methods: { type: "string" },
    },
  });
  const integer = (name: string, value: string | undefined): number | undefined => {
    if (value === undefined) return undefined;
    const parsed = Number(value);
    if (!Number.isSafeInteger(parsed) || parsed < 0) throw new Error(`--${name} must be a non-negative integer`);
    return parsed;
  };
  const result = await benchStatsCore({
    workers: integer("workers", values.workers),
    resamples: integer("resamples", values.resamples),
    ratersPerMethod: integer("raters", values.raters),
    trialsPerRater: integer("trials", values.trials),
    images: integer("images", values.images),
    methods: integer("methods", values.methods),
  });
  if (!values.json) {
    console.log(
      `${result.responses.toLocaleString("en")} responses, ${result.methods} methods, ${result.resamples} two-way resamples, ` +
        `${result.workers} worker(s) on ${result.cores} core(s) (${result.cpu}, load ${result.loadAverage1m.toFixed(2)})`,
    );
    console.log(
      `aggregate ${result.aggregateSeconds.toFixed(3)} s, bootstrap ${result.bootstrapSeconds.toFixed(3)} s ` +
        `(${result.bootstrapCpuSeconds.toFixed(3)} CPU-s), ` +
        `comparisons ${result.comparisonSeconds.toFixed(3)} s, d′ + calibration ${result.derivedSeconds.toFixed(3)} s → ` +
        `total ${result.totalSeconds.toFixed(3)} s (worker start and warm-up ${result.workerStartSeconds.toFixed(3)} s not included)`,
    );
    for (const f of result.foolRates) {
      console.log(
        `method ${f.method}: true ${f.trueFoolRate.toFixed(3)}, fool rate ${f.estimate.toFixed(4)} ± ${f.standardError.toFixed(4)} ` +
          `[${f.lower.toFixed(4)}, ${f.upper.toFixed(4)}], two-way cluster-robust [${f.intervalLower.toFixed(4)}, ${f.intervalUpper.toFixed(4)}], d′ ${f.dPrime.toFixed(3)}`,
      );
    }
  }
  console.log(JSON.stringify(result));
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
