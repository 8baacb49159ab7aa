/**
 * A small pool of worker threads for the results computation, so that the server's request thread
 * stays free while a study's figures are computed (a million responses take seconds of CPU).
 *
 * Two kinds of work run on the pool:
 * - `summarize`: a whole {@link summarizeStudy} (counts, intervals, comparisons, d′, gallery) in one
 *   worker. Its bootstraps do not run there alone: the worker sends each bootstrap plan back to the
 *   pool, which spreads the plan's chunks over every worker (that worker included: it waits
 *   asynchronously meanwhile), and the worker assembles the chunks.
 * - `bootstrap`: the chunks of one plan, spread the same way (the statistics benchmark uses it).
 *
 * A chunk depends only on (plan, chunk index) — lib/stats/cluster-bootstrap.ts draws each from
 * its own random streams — so the results are those of the calling thread for the same seed,
 * whatever the pool size and whichever worker ran which chunk.
 *
 * The workers start on first use and are reused; they do not keep a process alive while idle, and
 * stop after {@link RESULTS_WORKERS_IDLE_MS} without work.
 * They run this file's source through tsx: a worker thread inherits no loader hooks, and in the
 * Next.js server this module is part of a bundle, which a worker cannot load. Each worker starts
 * from a tiny ES module that finds tsx from this file's own location (Turbopack gives server code
 * the source file's absolute `import.meta.url`), registers it and imports this file — as
 * lib/model/worker-colorizer.ts does. The file therefore imports nothing marked `server-only`.
 */
import os from "node:os";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import {
  planBootstrap,
  runBootstrapChunk,
  StatsError,
  summarizeBootstrap,
  type BootstrapOptions,
  type BootstrapPlan,
  type StatsErrorCode,
  type TrialCounts,
} from "@/lib/stats";
import type { StudyResults } from "./result-types";
import { summarizeStudy, type SummarizeInput } from "./summarize-study";

const WORKER_ROLE = "results-worker";
/** The most workers a pool starts: beyond this the server's other work would starve. */
export const MAX_RESULTS_WORKERS = 4;
/**
 * Idle time after which a pool stops its workers (about 50 MB each); the next computation starts
 * them again, which costs about a second (compiling the modules) against the seconds it runs.
 */
export const RESULTS_WORKERS_IDLE_MS = 5 * 60_000;

type Summary = Omit<StudyResults, "computeMs" | "screening" | "withoutFlagged">;

/** An error as it crosses a thread: StatsError keeps its code (the caller's fallbacks test it). */
interface ErrorData {
  name: string;
  message: string;
  code?: StatsErrorCode;
}

type ToWorker =
  | { kind: "plan"; planId: number; plan: BootstrapPlan }
  | { kind: "drop"; planId: number }
  | { kind: "chunk"; planId: number; chunk: number }
  | { kind: "summarize"; id: number; input: SummarizeInput }
  | { kind: "chunks"; requestId: number; chunks: Float64Array[] }
  | { kind: "chunks-failed"; requestId: number; error: ErrorData };

type FromWorker =
  | { kind: "loaded" }
  | { kind: "chunk-done"; planId: number; chunk: number; replicates: Float64Array }
  | { kind: "chunk-failed"; planId: number; chunk: number; error: ErrorData }
  | { kind: "summary"; id: number; summary: Summary }
  | { kind: "summary-failed"; id: number; error: ErrorData }
  | { kind: "bootstrap"; requestId: number; plan: BootstrapPlan };

function describeError(error: unknown): ErrorData {
  if (error instanceof StatsError) return { name: error.name, message: error.message, code: error.code };
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: "Error", message: String(error) };
}

function rebuildError(data: ErrorData): Error {
  if (data.name === "StatsError" && data.code !== undefined) return new StatsError(data.code, data.message);
  const error = new Error(data.message);
  error.name = data.name;
  return error;
}

/** A pool of results workers. */
export interface ResultsPool {
  /** Number of worker threads (started on first use). */
  readonly size: number;
  /** Worker threads running now: `size` while in use, 0 before first use and after an idle stop. */
  readonly running: number;
  /** {@link summarizeStudy} on the pool: the same results as in the calling thread. */
  summarize(input: SummarizeInput): Promise<Summary>;
  /** Every chunk of the plan on the pool, in chunk order (what `summarizeBootstrap` takes). */
  runChunks(plan: BootstrapPlan): Promise<Float64Array[]>;
  /** Stops the workers; pending work rejects. A later call starts new ones. */
  close(): Promise<void>;
}

interface PoolWorker {
  readonly worker: Worker;
  /** Plans this worker holds. */
  readonly plans: Set<number>;
  /** The chunk task it is computing, if any (one at a time, so chunks go to whoever is free). */
  busy: boolean;
  /** Summaries it is computing. */
  summaries: number;
}

interface PlanJob {
  readonly plan: BootstrapPlan;
  readonly chunks: Float64Array[];
  remaining: number;
  readonly resolve: (chunks: Float64Array[]) => void;
  readonly reject: (error: Error) => void;
}

/** The default size: one worker per core, at most {@link MAX_RESULTS_WORKERS}. */
export function defaultResultsPoolSize(): number {
  return Math.max(1, Math.min(MAX_RESULTS_WORKERS, os.availableParallelism()));
}

function workerEntry(): URL {
  // Runs in the new thread, outside any bundle: tsx is found from this source file's folder, and
  // its ES-module API is taken from its package exports (the CommonJS build of that API cannot
  // register the hooks).
  const source = import.meta.url;
  const bootstrap = [
    `import { createRequire } from "node:module";`,
    `const require = createRequire(${JSON.stringify(source)});`,
    `const manifest = require.resolve("tsx/package.json");`,
    `const api = new URL(require(manifest).exports["./esm/api"].import.default, "file://" + manifest);`,
    `(await import(api.href)).register();`,
    `await import(${JSON.stringify(source)});`,
  ].join("\n");
  return new URL(`data:text/javascript,${encodeURIComponent(bootstrap)}`);
}

/**
 * Starts a pool of `size` result workers (default {@link defaultResultsPoolSize}); the threads
 * start on first use. A server uses {@link sharedResultsPool}.
 *
 * @example
 * const pool = createResultsPool({ size: 2 });
 * const chunks = await pool.runChunks(planBootstrap(counts, { seed: 1, variant: "two-way" }));
 * summarizeBootstrap(plan, chunks); // equal to bootstrapFoolRates(counts, same options)
 * await pool.close();
 */
export function createResultsPool(options: { size?: number; idleMs?: number } = {}): ResultsPool {
  const size = options.size ?? defaultResultsPoolSize();
  const idleMs = options.idleMs ?? RESULTS_WORKERS_IDLE_MS;
  if (!Number.isInteger(size) || size < 1) throw new Error(`a results pool needs at least one worker, got ${size}`);
  let workers: PoolWorker[] = [];
  let idleTimer: ReturnType<typeof setTimeout> | null = null;
  let starting: Promise<PoolWorker[]> | null = null;
  let nextId = 0;
  const queue: { planId: number; chunk: number }[] = [];
  const jobs = new Map<number, PlanJob>();
  const summaries = new Map<number, { resolve: (summary: Summary) => void; reject: (error: Error) => void }>();

  // Idle workers are unreferenced so that they never hold a process open; while work is pending
  // they are referenced, or a script awaiting a result could exit under it.
  // Workers left idle for `idleMs` are stopped (the timer itself holds nothing open).
  const updateRefs = () => {
    const pending = jobs.size + summaries.size > 0;
    for (const { worker } of workers) {
      if (pending) worker.ref();
      else worker.unref();
    }
    if (idleTimer !== null) clearTimeout(idleTimer);
    idleTimer = null;
    if (!pending && workers.length > 0) {
      idleTimer = setTimeout(() => {
        idleTimer = null;
        if (jobs.size + summaries.size > 0) return;
        const idle = workers;
        workers = [];
        for (const { worker } of idle) void worker.terminate();
      }, idleMs);
      idleTimer.unref();
    }
  };

  const failAll = (error: Error) => {
    const failedJobs = [...jobs.values()];
    const failedSummaries = [...summaries.values()];
    jobs.clear();
    summaries.clear();
    queue.length = 0;
    for (const job of failedJobs) job.reject(error);
    for (const summary of failedSummaries) summary.reject(error);
  };

  const finishJob = (planId: number) => {
    jobs.delete(planId);
    for (const member of workers) {
      if (member.plans.delete(planId)) member.worker.postMessage({ kind: "drop", planId } satisfies ToWorker);
    }
    updateRefs();
  };

  const pump = () => {
    for (const member of workers) {
      while (!member.busy && queue.length > 0) {
        const task = queue.shift() as { planId: number; chunk: number };
        const job = jobs.get(task.planId);
        if (!job) continue;
        if (!member.plans.has(task.planId)) {
          member.worker.postMessage({ kind: "plan", planId: task.planId, plan: job.plan } satisfies ToWorker);
          member.plans.add(task.planId);
        }
        member.busy = true;
        member.worker.postMessage({ kind: "chunk", planId: task.planId, chunk: task.chunk } satisfies ToWorker);
      }
    }
  };

  const startJob = (plan: BootstrapPlan): Promise<Float64Array[]> =>
    new Promise((resolve, reject) => {
      const planId = nextId++;
      jobs.set(planId, { plan, chunks: new Array<Float64Array>(plan.chunks), remaining: plan.chunks, resolve, reject });
      for (let chunk = 0; chunk < plan.chunks; chunk++) queue.push({ planId, chunk });
      updateRefs();
      pump();
    });

  const onMessage = (member: PoolWorker, message: FromWorker) => {
    switch (message.kind) {
      case "chunk-done":
      case "chunk-failed": {
        member.busy = false;
        const job = jobs.get(message.planId);
        if (job && message.kind === "chunk-failed") {
          finishJob(message.planId);
          job.reject(rebuildError(message.error));
        } else if (job && message.kind === "chunk-done") {
          job.chunks[message.chunk] = message.replicates;
          if (--job.remaining === 0) {
            finishJob(message.planId);
            job.resolve(job.chunks);
          }
        }
        pump();
        break;
      }
      case "bootstrap": {
        // A summarizing worker's bootstrap: fan its chunks out, then hand them back to it.
        const requestId = message.requestId;
        startJob(message.plan).then(
          (chunks) => member.worker.postMessage({ kind: "chunks", requestId, chunks } satisfies ToWorker, chunks.map((c) => c.buffer as ArrayBuffer)),
          (error: unknown) => member.worker.postMessage({ kind: "chunks-failed", requestId, error: describeError(error) } satisfies ToWorker),
        );
        break;
      }
      case "summary":
      case "summary-failed": {
        member.summaries--;
        const pending = summaries.get(message.id);
        summaries.delete(message.id);
        updateRefs();
        if (message.kind === "summary") pending?.resolve(message.summary);
        else pending?.reject(rebuildError(message.error));
        break;
      }
      case "loaded":
        break;
    }
  };

  const start = (): Promise<PoolWorker[]> => {
    if (workers.length > 0) return Promise.resolve(workers);
    starting ??= (async () => {
      const entry = workerEntry();
      const started = Array.from({ length: size }, (): PoolWorker => ({
        worker: new Worker(entry, { workerData: { role: WORKER_ROLE } }),
        plans: new Set(),
        busy: false,
        summaries: 0,
      }));
      try {
        await Promise.all(
          started.map(
            ({ worker }) =>
              new Promise<void>((loaded, fail) => {
                worker.once("message", (message: FromWorker) => {
                  worker.off("error", fail);
                  worker.off("exit", fail);
                  if (message.kind === "loaded") loaded();
                  else fail(new Error(`results worker: unexpected first message ${message.kind}`));
                });
                worker.once("error", fail);
                worker.once("exit", (code) => fail(new Error(`results worker exited while starting (code ${code})`)));
              }),
          ),
        );
      } catch (error) {
        await Promise.all(started.map(({ worker }) => worker.terminate()));
        throw error;
      } finally {
        starting = null;
      }
      for (const member of started) {
        member.worker.on("message", (message: FromWorker) => onMessage(member, message));
        // A worker that fails takes the pool down: everything pending rejects and the next call
        // starts fresh workers.
        const crash = (error: Error) => {
          if (!workers.includes(member)) return;
          const old = workers;
          workers = [];
          failAll(error);
          for (const other of old) if (other !== member) void other.worker.terminate();
        };
        member.worker.on("error", crash);
        member.worker.on("exit", (code) => crash(new Error(`results worker exited (code ${code})`)));
      }
      workers = started;
      updateRefs();
      return workers;
    })();
    return starting;
  };

  return {
    size,
    get running() {
      return workers.length;
    },
    async summarize(input) {
      const started = await start();
      return new Promise<Summary>((resolve, reject) => {
        const id = nextId++;
        summaries.set(id, { resolve, reject });
        updateRefs();
        // The worker with the fewest summaries takes it; chunks go to whoever is free.
        const member = started.reduce((best, candidate) => (candidate.summaries < best.summaries ? candidate : best));
        member.summaries++;
        member.worker.postMessage({ kind: "summarize", id, input } satisfies ToWorker);
      });
    },
    async runChunks(plan) {
      await start();
      return startJob(plan);
    },
    async close() {
      if (idleTimer !== null) clearTimeout(idleTimer);
      idleTimer = null;
      const old = workers;
      workers = [];
      failAll(new Error("the results pool was closed"));
      await Promise.all(old.map(({ worker }) => worker.terminate()));
    },
  };
}

const globalPool = globalThis as typeof globalThis & { __cttResultsPool?: ResultsPool };

/** The process's results pool (one per server process; kept on globalThis across dev reloads). */
export function sharedResultsPool(): ResultsPool {
  return (globalPool.__cttResultsPool ??= createResultsPool());
}

/** Worker side: holds plans, computes chunks, and runs summaries whose bootstraps go back to the pool. */
function serveResults(): void {
  const port = parentPort;
  if (port === null) return;
  const plans = new Map<number, BootstrapPlan>();
  const requests = new Map<number, { resolve: (chunks: Float64Array[]) => void; reject: (error: Error) => void }>();
  let nextRequest = 0;
  const send = (message: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

  const remoteBootstrap = async (counts: readonly TrialCounts[], options: BootstrapOptions) => {
    const plan = planBootstrap(counts, options);
    const requestId = nextRequest++;
    const chunks = await new Promise<Float64Array[]>((resolve, reject) => {
      requests.set(requestId, { resolve, reject });
      send({ kind: "bootstrap", requestId, plan });
    });
    return summarizeBootstrap(plan, chunks);
  };

  port.on("message", (message: ToWorker) => {
    switch (message.kind) {
      case "plan":
        plans.set(message.planId, message.plan);
        break;
      case "drop":
        plans.delete(message.planId);
        break;
      case "chunk": {
        const plan = plans.get(message.planId);
        try {
          if (!plan) throw new Error(`results worker: no plan ${message.planId}`);
          const replicates = runBootstrapChunk(plan, message.chunk);
          send({ kind: "chunk-done", planId: message.planId, chunk: message.chunk, replicates }, [replicates.buffer as ArrayBuffer]);
        } catch (error) {
          send({ kind: "chunk-failed", planId: message.planId, chunk: message.chunk, error: describeError(error) });
        }
        break;
      }
      case "summarize":
        summarizeStudy(message.input, remoteBootstrap).then(
          (summary) => send({ kind: "summary", id: message.id, summary }),
          (error: unknown) => send({ kind: "summary-failed", id: message.id, error: describeError(error) }),
        );
        break;
      case "chunks":
      case "chunks-failed": {
        const request = requests.get(message.requestId);
        requests.delete(message.requestId);
        if (message.kind === "chunks") request?.resolve(message.chunks);
        else request?.reject(rebuildError(message.error));
        break;
      }
    }
  });
  send({ kind: "loaded" });
}

if (!isMainThread && (workerData as { role?: string } | null)?.role === WORKER_ROLE) {
  serveResults();
}
