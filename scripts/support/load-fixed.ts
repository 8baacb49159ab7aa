// A closed-loop load: `concurrency` clients each send the next request as soon as the last one's
// body has arrived, for a fixed time. Used for the reference figures of the serving benchmark
// (a trivial route of the app, one image from nginx, the app's image route), all measured the
// same way so that their ratios mean something.
import { assertLoopback } from "./load-client";
import { LatencyRecorder, type EndpointSummary } from "./load-stats";

export interface ClosedLoopOptions {
  url: string;
  headers?: Record<string, string>;
  concurrency: number;
  durationMs: number;
  /** Checks each successful body (e.g. the image's length); a failed check counts as an error. */
  expectBytes?: number;
}

/**
 * Runs the closed loop and summarizes it. Requests still in flight at the end are completed and
 * counted; throughput is over the whole wall time.
 */
export async function runClosedLoop(options: ClosedLoopOptions): Promise<EndpointSummary & { concurrency: number; durationMs: number }> {
  assertLoopback(options.url);
  const recorder = new LatencyRecorder();
  const started = performance.now();
  const end = started + options.durationMs;
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (performance.now() < end) {
        const begin = performance.now();
        try {
          const response = await fetch(options.url, { headers: options.headers });
          const body = await response.arrayBuffer();
          const wrongSize = response.ok && options.expectBytes !== undefined && body.byteLength !== options.expectBytes;
          recorder.record("target", performance.now() - begin, wrongSize ? 0 : response.status);
        } catch {
          recorder.record("target", performance.now() - begin, "network");
        }
      }
    }),
  );
  const wallMs = performance.now() - started;
  return { ...recorder.summarize("target", wallMs), concurrency: options.concurrency, durationMs: Math.round(wallMs) };
}
