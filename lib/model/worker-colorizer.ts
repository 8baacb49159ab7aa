/**
 * A colorizer whose network runs on a worker thread.
 *
 * onnxruntime-node's `session.run` holds the calling thread until the network is done, so on the
 * main thread nothing else (decoding the next images, converting and encoding the last ones) can
 * happen meanwhile. `startWorkerColorizer` loads the model in a worker thread instead and returns
 * an object with the {@link Colorizer} interface: `predictAb` posts the L planes there (their
 * buffers are transferred, not copied) and resolves with the ab planes the worker transfers back —
 * network and annealed mean both run in the worker. The main thread stays free, so a pipeline
 * (lib/images/colorize-pipeline.ts) overlaps decoding and encoding with inference.
 *
 * The worker starts from a tiny ES module that registers tsx and imports this file (a worker
 * thread does not inherit tsx's loader hooks), so it serves the tsx-run CLI and benchmark. Errors
 * thrown in the worker come back as the same ModelError (code and message).
 */
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { ModelError, type ModelErrorCode } from "./errors";
import { loadManifest, type ResolvedManifest } from "./manifest";
import { closeColorizers, loadColorizer, type Colorizer, type ColorizerOptions, type PredictOptions, type PredictTimings } from "./session";

const WORKER_ROLE = "colorizer-worker";

/** Options that can cross a thread boundary (no `log` function: the worker's log lines are relayed). */
/** How long `close` waits for the worker to release its session before stopping it regardless. */
const CLOSE_TIMEOUT_MS = 5_000;

export type WorkerColorizerOptions = Omit<ColorizerOptions, "log"> & { log?: (message: string) => void };

type Request = { kind: "predict"; id: number; planes: Float32Array[]; options: PredictOptions } | { kind: "close" };
type Reply =
  | { kind: "closed" }
  | { kind: "ready"; provider: string; providerFailures: { provider: string; reason: string }[]; maxBatch: number }
  | { kind: "log"; message: string }
  | { kind: "result"; id: number; ab: Float32Array[]; timings: PredictTimings }
  | { kind: "error"; id: number | null; message: string; code?: ModelErrorCode };

export interface WorkerColorizer extends Colorizer {
  /** Stops the worker (pending predictions reject). */
  close(): Promise<void>;
}

function toError(reply: Extract<Reply, { kind: "error" }>): Error {
  return reply.code ? new ModelError(reply.code, reply.message) : new Error(reply.message);
}

/**
 * Load the model of `manifestPath` in a new worker thread.
 * @throws ModelError as {@link loadColorizer} does (the manifest is also checked on this thread)
 */
export async function startWorkerColorizer(manifestPath: string, options: WorkerColorizerOptions = {}): Promise<WorkerColorizer> {
  const manifest: ResolvedManifest = await loadManifest(manifestPath);
  const { log, ...sessionOptions } = options;
  const bootstrap =
    `import { register } from ${JSON.stringify(import.meta.resolve("tsx/esm/api"))}; register(); ` +
    `await import(${JSON.stringify(import.meta.url)});`;
  const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(bootstrap)}`), {
    workerData: { role: WORKER_ROLE, manifestPath, options: sessionOptions },
  });
  const pending = new Map<number, { resolve: (r: Extract<Reply, { kind: "result" }>) => void; reject: (e: Error) => void }>();
  let failure: Error | null = null;
  const failAll = (error: Error) => {
    failure ??= error;
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };

  const ready = await new Promise<Extract<Reply, { kind: "ready" }>>((resolve, reject) => {
    worker.on("message", (reply: Reply) => {
      if (reply.kind === "log") (log ?? ((m: string) => console.error(m)))(reply.message);
      else if (reply.kind === "closed") return;
      else if (reply.kind === "ready") resolve(reply);
      else if (reply.kind === "result") {
        pending.get(reply.id)?.resolve(reply);
        pending.delete(reply.id);
      } else if (reply.id === null) reject(toError(reply));
      else {
        pending.get(reply.id)?.reject(toError(reply));
        pending.delete(reply.id);
      }
    });
    worker.on("error", (error) => {
      failAll(error);
      reject(error);
    });
    worker.on("exit", (code) => {
      const error = new ModelError("inference_failed", `the colorizer worker exited (code ${code})`);
      failAll(error);
      reject(error);
    });
  }).catch(async (error: unknown) => {
    await worker.terminate();
    throw error;
  });

  let nextId = 0;
  return {
    manifest,
    provider: ready.provider,
    providerFailures: ready.providerFailures,
    maxBatch: ready.maxBatch,
    predictAb(lPlanes, predictOptions = {}) {
      if (failure) return Promise.reject(failure);
      const id = nextId++;
      // Copies of the planes travel (transferred, so no second copy): the caller keeps its own.
      const planes = lPlanes.map((p) => p.slice());
      const request: Request = { kind: "predict", id, planes, options: predictOptions };
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve: (r) => resolve({ ab: r.ab, timings: r.timings }), reject });
        worker.postMessage(request, planes.map((p) => p.buffer as ArrayBuffer));
      });
    },
    async close() {
      failAll(new ModelError("inference_failed", "the colorizer worker was closed"));
      worker.removeAllListeners("exit");
      // The worker releases its onnxruntime session before it is stopped: terminating a thread
      // whose native session is still alive could abort the whole process while the session was
      // finalized ("terminate called after throwing an instance of 'Napi::Error'", about one run
      // in thirty of the pipeline test). A worker that does not answer in time is stopped anyway.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, CLOSE_TIMEOUT_MS);
        const done = () => {
          clearTimeout(timer);
          resolve();
        };
        worker.on("message", (reply: Reply) => reply.kind === "closed" && done());
        worker.once("exit", done);
        worker.postMessage({ kind: "close" } satisfies Request);
      });
      await worker.terminate();
    },
  };
}

async function serveWorker(): Promise<void> {
  const port = parentPort!;
  const { manifestPath, options } = workerData as { manifestPath: string; options: ColorizerOptions };
  const send = (reply: Reply, transfer: ArrayBuffer[] = []) => port.postMessage(reply, transfer);
  const describe = (error: unknown, id: number | null): Reply =>
    error instanceof ModelError
      ? { kind: "error", id, message: error.message, code: error.code }
      : { kind: "error", id, message: error instanceof Error ? error.message : String(error) };
  let colorizer: Colorizer;
  try {
    colorizer = await loadColorizer(manifestPath, { ...options, log: (message) => send({ kind: "log", message }) });
  } catch (error) {
    send(describe(error, null));
    return;
  }
  // Requests are served one at a time, in order (one session; onnxruntime is not re-entrant here).
  let queue = Promise.resolve();
  port.on("message", (request: Request) => {
    queue = queue.then(async () => {
      if (request.kind === "close") {
        await closeColorizers();
        send({ kind: "closed" });
        return;
      }
      try {
        const { ab, timings } = await colorizer.predictAb(request.planes, request.options);
        send({ kind: "result", id: request.id, ab, timings }, [...new Set(ab.map((a) => a.buffer as ArrayBuffer))]);
      } catch (error) {
        send(describe(error, request.id));
      }
    });
  });
  send({ kind: "ready", provider: colorizer.provider, providerFailures: [...colorizer.providerFailures], maxBatch: colorizer.maxBatch });
}

if (!isMainThread && (workerData as { role?: string } | null)?.role === WORKER_ROLE) {
  void serveWorker();
}
