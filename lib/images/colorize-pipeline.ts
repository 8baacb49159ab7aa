/**
 * Colorize many images with decoding, inference and encoding overlapped.
 *
 * Three stages per chunk of at most `batch` images:
 *   1. prepare: read + decode + L + resize to the network input (sharp decodes on libuv's pool,
 *      the L conversion and resize run on this thread);
 *   2. infer: the network and the annealed mean (`colorizer.predictAb` via colorizePrepared);
 *   3. finish: the caller's sink (typically Lab → sRGB, PNG encode, write).
 * Chunk k+1 is prepared and chunk k−1 finished while chunk k is in inference. The overlap is real
 * only when inference leaves this thread free: use a worker colorizer
 * (lib/model/worker-colorizer.ts); with an in-thread colorizer the stages simply run in turn.
 * At most two chunks are prepared ahead of the one finishing, so memory stays bounded.
 *
 * Results reach the sink in input order. An image that fails to prepare (an ImageError) is handed
 * to `onSkip` and left out; any other error stops the pipeline and is thrown.
 */
import { ImageError } from "./errors";
import { colorizePrepared, prepareImage, type ColorizedImage, type PreparedImage } from "./colorize";
import type { DecodeOptions } from "./decode";
import type { Colorizer, PredictOptions } from "@/lib/model/session";

export interface PipelineOptions extends PredictOptions, DecodeOptions {
  /** Images per network run (default: the colorizer's maxBatch). */
  batch?: number;
}

export interface PipelineTimings {
  /** Busy time of each stage summed over chunks (stages overlap, so these add up to more than wallMs). */
  prepareMs: number;
  inferenceMs: number;
  finishMs: number;
  wallMs: number;
  images: number;
}

export async function colorizePipeline<T>(
  items: readonly T[],
  read: (item: T) => Promise<Uint8Array>,
  colorizer: Colorizer,
  sink: (item: T, result: ColorizedImage, prepared: PreparedImage) => Promise<void>,
  options: PipelineOptions & { onSkip?: (item: T, error: ImageError) => void; onPrepared?: (item: T, image: PreparedImage) => void } = {},
): Promise<PipelineTimings> {
  const batch = Math.max(1, options.batch ?? colorizer.maxBatch);
  const timings: PipelineTimings = { prepareMs: 0, inferenceMs: 0, finishMs: 0, wallMs: 0, images: 0 };
  const predict: PredictOptions = options.temperature === undefined ? {} : { temperature: options.temperature };
  const started = performance.now();

  async function prepareChunk(chunk: readonly T[]) {
    const t = performance.now();
    const ready: { item: T; image: PreparedImage }[] = [];
    for (const item of chunk) {
      try {
        const image = await prepareImage(await read(item), colorizer, { limitInputPixels: options.limitInputPixels });
        options.onPrepared?.(item, image);
        ready.push({ item, image });
      } catch (error) {
        if (!(error instanceof ImageError)) throw error;
        options.onSkip?.(item, error);
      }
    }
    timings.prepareMs += performance.now() - t;
    return ready;
  }

  async function infer(ready: { item: T; image: PreparedImage }[]) {
    if (ready.length === 0) return { ready, results: [] as ColorizedImage[] };
    const t = performance.now();
    const { results } = await colorizePrepared(ready.map((r) => r.image), colorizer, predict);
    timings.inferenceMs += performance.now() - t;
    return { ready, results };
  }

  async function finish({ ready, results }: { ready: { item: T; image: PreparedImage }[]; results: ColorizedImage[] }) {
    const t = performance.now();
    for (const [k, result] of results.entries()) await sink(ready[k]!.item, result, ready[k]!.image);
    timings.finishMs += performance.now() - t;
    timings.images += results.length;
  }

  let inferenceDone: Promise<unknown> = Promise.resolve();
  let finished: Promise<void> = Promise.resolve();
  const inFlight: Promise<unknown>[] = [];
  try {
    for (let start = 0; start < items.length; start += batch) {
      const ready = await prepareChunk(items.slice(start, start + batch));
      // Inference runs one chunk at a time, in order; finishing follows each inference, in order.
      const inferred = inferenceDone.then(() => infer(ready));
      inferenceDone = inferred;
      finished = Promise.all([finished, inferred]).then(([, r]) => finish(r));
      // A failure surfaces where the chunk is awaited below; until then it is not "unhandled".
      finished.catch(() => {});
      inFlight.push(finished);
      // Keep at most two chunks ahead of the one being finished (bounded memory).
      if (inFlight.length > 2) await inFlight.shift();
    }
    await finished;
  } catch (error) {
    await Promise.allSettled(inFlight);
    throw error;
  }
  timings.wallMs = performance.now() - started;
  return timings;
}
