// Latency and throughput figures for the serving benchmark (scripts/bench-serve.ts) and the fault
// tests. Pure: no I/O, so the percentile definition can be unit-tested by hand.

/**
 * The nearest-rank percentile of a sample: the smallest value such that at least `p` per cent
 * of the sample is at or below it, i.e. the ⌈p/100 · n⌉-th smallest value (Hyndman & Fan 1996,
 * definition 1; the definition most load tools report, and never an interpolated value that no
 * request actually took).
 * @param sorted the sample in ascending order (not checked, for speed on large samples)
 * @param p the percentile, in (0, 100]
 * @throws RangeError on an empty sample or p outside (0, 100]
 * @example nearestRankPercentile([15, 20, 35, 40, 50], 30) // 20 (⌈1.5⌉ = 2nd value)
 */
export function nearestRankPercentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new RangeError("percentile of an empty sample");
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile ${p} is outside (0, 100]`);
  // p · n first: an integer for integer p, so no rounding error can push the rank up by one.
  const rank = Math.ceil((p * sorted.length) / 100);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

/** One endpoint's figures: latencies in milliseconds (whole request, body read), rates per second. */
export interface EndpointSummary {
  /** Requests that got an HTTP answer or failed at the network level. */
  requests: number;
  /** Non-2xx answers and network failures (each counted once per attempt). */
  errors: number;
  /** Errors by kind: the HTTP status, or "network". */
  errorKinds: Record<string, number>;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  meanMs: number | null;
  /** Successful requests per second of the phase's wall time. */
  throughputPerS: number;
}

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

/**
 * Collects request timings per endpoint name. Only successful (2xx/304) requests enter the
 * latency percentiles; failures are counted as errors by kind, so that a fast 500 cannot
 * improve a percentile.
 */
export class LatencyRecorder {
  private readonly samples = new Map<string, number[]>();
  private readonly failures = new Map<string, Map<string, number>>();
  private phase: string | null = null;
  private phaseRecorder: LatencyRecorder | null = null;
  private phaseStarted = 0;

  /**
   * From now on, attempts are also recorded under `name` (e.g. "steady" once every rater has
   * arrived), so that a phase can be summarized on its own.
   */
  startPhase(name: string): void {
    this.phase = name;
    this.phaseRecorder = new LatencyRecorder();
    this.phaseStarted = performance.now();
  }

  /** The figures of the phase started last, over its own wall time so far. */
  summarizePhase(): { phase: string; wallMs: number; endpoints: Record<string, EndpointSummary> } | null {
    if (!this.phase || !this.phaseRecorder) return null;
    const wallMs = performance.now() - this.phaseStarted;
    return { phase: this.phase, wallMs, endpoints: this.phaseRecorder.summarizeAll(wallMs) };
  }

  /** Records one attempt: `outcome` is the HTTP status, or "network" when no answer came. */
  record(endpoint: string, milliseconds: number, outcome: number | "network"): void {
    this.phaseRecorder?.record(endpoint, milliseconds, outcome);
    const ok = typeof outcome === "number" && ((outcome >= 200 && outcome < 300) || outcome === 304);
    if (ok) {
      let list = this.samples.get(endpoint);
      if (!list) this.samples.set(endpoint, (list = []));
      list.push(milliseconds);
      return;
    }
    let kinds = this.failures.get(endpoint);
    if (!kinds) this.failures.set(endpoint, (kinds = new Map()));
    const kind = String(outcome);
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }

  /** Successful requests recorded so far for `endpoint` (fault runs wait on this). */
  successes(endpoint: string): number {
    return this.samples.get(endpoint)?.length ?? 0;
  }

  endpoints(): string[] {
    return [...new Set([...this.samples.keys(), ...this.failures.keys()])].sort();
  }

  /** The figures of one endpoint over a phase that lasted `wallMs`. */
  summarize(endpoint: string, wallMs: number): EndpointSummary {
    const sorted = [...(this.samples.get(endpoint) ?? [])].sort((a, b) => a - b);
    const kinds = Object.fromEntries(this.failures.get(endpoint) ?? []);
    const errors = Object.values(kinds).reduce((sum, count) => sum + count, 0);
    const pick = (p: number) => (sorted.length ? round(nearestRankPercentile(sorted, p)) : null);
    return {
      requests: sorted.length + errors,
      errors,
      errorKinds: kinds,
      p50Ms: pick(50),
      p95Ms: pick(95),
      p99Ms: pick(99),
      maxMs: sorted.length ? round(sorted[sorted.length - 1] as number) : null,
      meanMs: sorted.length ? round(sorted.reduce((sum, value) => sum + value, 0) / sorted.length) : null,
      throughputPerS: wallMs > 0 ? round((sorted.length * 1000) / wallMs, 1) : 0,
    };
  }

  summarizeAll(wallMs: number): Record<string, EndpointSummary> {
    return Object.fromEntries(this.endpoints().map((name) => [name, this.summarize(name, wallMs)]));
  }
}

/** `a / b` rounded to two decimals, or null where either is missing or b is 0. */
export function ratio(a: number | null | undefined, b: number | null | undefined): number | null {
  if (a === null || a === undefined || b === null || b === undefined || b === 0) return null;
  return round(a / b);
}

/** Latency ratios (p50, p99) and the throughput ratio of `subject` against `reference`. */
export function compareEndpoints(subject: EndpointSummary, reference: EndpointSummary) {
  return {
    p50: ratio(subject.p50Ms, reference.p50Ms),
    p99: ratio(subject.p99Ms, reference.p99Ms),
    /** How many times the reference's throughput the subject's is short of (reference ÷ subject). */
    throughput: ratio(reference.throughputPerS, subject.throughputPerS),
  };
}
