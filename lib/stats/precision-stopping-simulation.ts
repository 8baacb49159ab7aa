import { assertInteger, assertPositive } from "./argument-checks";
import { chooseMethodForRater, clusterIntervalFromSums, type ClusterProportionInterval, type MethodPrecision, type PrecisionTarget } from "./precision-stopping";
import { sampleBinomial, sampleStandardNormal } from "./random-variates";
import { logitNormalCentre } from "./rater-planning";
import { SeededRandom, type Seed } from "./seeded-random";
import { StatsError } from "./stats-error";
import { studentTQuantile } from "./student-t-quantile";

export interface StoppingSimulationOptions {
  /** True population fool rate of each method (mean of rater-level rates), each in (0, 1). */
  readonly foolRates: readonly number[];
  /** SD of rater-level fool rates on the logit scale (rater heterogeneity). */
  readonly raterSpread: number;
  readonly trialsPerRater: number;
  readonly target: PrecisionTarget;
  /** Simulated studies, default 2,000. */
  readonly studies?: number;
  /** Ceiling on raters per method in the simulation (a safety stop), default 2,000. */
  readonly maxRatersPerMethod?: number;
  readonly seed: Seed;
}

export interface StoppingSimulationResult {
  readonly studies: number;
  /** Share of (study, method) intervals at stopping that contain the method's true rate. */
  readonly coverage: number;
  /** Monte Carlo standard error of `coverage`. */
  readonly coverageStandardError: number;
  /** Per method: mean raters used, and coverage. */
  readonly methods: readonly { readonly foolRate: number; readonly meanRaters: number; readonly coverage: number }[];
  /** Mean raters per study, all methods together, with the adaptive rule. */
  readonly meanTotalRaters: number;
  /**
   * The fixed design a researcher would plan without knowing the rates: the smallest n per method
   * whose expected half-width meets the target at the worst case, a rate of ½ (same spread and
   * trials); with its total and the coverage of its intervals on these methods.
   */
  readonly fixed: { readonly ratersPerMethod: number; readonly totalRaters: number; readonly coverage: number };
  /** The fixed n per method that would meet the target on average if each true rate were known. */
  readonly oracleRatersPerMethod: readonly number[];
  /** fixed.totalRaters − meanTotalRaters, and as a share of the fixed total. */
  readonly ratersSaved: number;
  readonly savedShare: number;
}

/** Running sums of one method's raters: enough for the cluster interval after every rater. */
class RunningCounts {
  raters = 0;
  trials = 0;
  fooled = 0;
  fooledSquared = 0;
  fooledTimesTrials = 0;
  trialsSquared = 0;

  add(trials: number, fooled: number): void {
    this.raters++;
    this.trials += trials;
    this.fooled += fooled;
    this.fooledSquared += fooled * fooled;
    this.fooledTimesTrials += fooled * trials;
    this.trialsSquared += trials * trials;
  }

  /** The method's interval, with the t quantile for R − 1 degrees of freedom (tQuantiles[R − 1]). */
  interval(tQuantiles: Float64Array, level: number): ClusterProportionInterval | null {
    if (this.raters < 2) return null;
    const p = this.fooled / this.trials;
    // Σ(k − p·n)² = Σk² − 2pΣkn + p²Σn².
    const squaredResiduals = this.fooledSquared - 2 * p * this.fooledTimesTrials + p * p * this.trialsSquared;
    return clusterIntervalFromSums(
      { raters: this.raters, trials: this.trials, fooled: this.fooled, squaredResiduals },
      tQuantiles[this.raters - 1] as number,
      level,
    );
  }

  halfWidth(tQuantiles: Float64Array, level: number): number {
    return this.interval(tQuantiles, level)?.halfWidth ?? Infinity;
  }

  covers(rate: number, tQuantiles: Float64Array, level: number): boolean {
    const interval = this.interval(tQuantiles, level);
    return interval !== null && interval.lower <= rate && rate <= interval.upper;
  }
}

function logistic(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/**
 * Simulates recruiting to a target precision and reports coverage and raters saved.
 *
 * Model: each method m has rater-level rates logit(p_r) ~ N(μ_m, raterSpread²), μ_m chosen so the
 * mean rate is foolRates[m]; a rater answers `trialsPerRater` trials, fooled ~ Binomial. Adaptive
 * study: raters arrive one at a time and are assigned by {@link chooseMethodForRater}; after each,
 * that method's cluster interval is recomputed; a method closes when it is full (target met with
 * ≥ minRaters). The interval it closed with is checked against the true rate. The fixed design
 * and the oracle are evaluated by simulation with common random numbers.
 *
 * @throws {StatsError} `invalid-argument` for bad rates or counts.
 */
export function simulatePrecisionStopping(options: StoppingSimulationOptions): StoppingSimulationResult {
  const { foolRates, raterSpread, trialsPerRater, target } = options;
  const studies = options.studies ?? 2000;
  const maxRaters = options.maxRatersPerMethod ?? 2000;
  const level = target.level ?? 0.95;
  if (foolRates.length === 0) throw new StatsError("invalid-argument", "no methods");
  for (const rate of foolRates) if (!(rate > 0 && rate < 1)) throw new StatsError("invalid-argument", "fool rates must be in (0, 1)");
  if (!(raterSpread >= 0)) throw new StatsError("invalid-argument", "raterSpread must be ≥ 0");
  assertInteger("trialsPerRater", trialsPerRater, 1);
  assertInteger("studies", studies, 1);
  assertInteger("maxRatersPerMethod", maxRaters, 2);
  assertPositive("targetHalfWidth", target.targetHalfWidth);
  const tQuantiles = new Float64Array(maxRaters + 1);
  for (let df = 1; df <= maxRaters; df++) tQuantiles[df] = studentTQuantile((1 + level) / 2, df);
  const centres = foolRates.map((rate) => logitNormalCentre(rate, raterSpread));
  const drawRater = (rng: SeededRandom, centre: number) =>
    sampleBinomial(rng, trialsPerRater, raterSpread === 0 ? logistic(centre) : logistic(centre + raterSpread * sampleStandardNormal(rng)));

  // Adaptive studies.
  const methods = foolRates.length;
  const ratersUsed = new Float64Array(methods);
  const covered = new Float64Array(methods);
  for (let s = 0; s < studies; s++) {
    const rng = new SeededRandom(options.seed, 1, s);
    const counts = foolRates.map(() => new RunningCounts());
    const state: MethodPrecision[] = counts.map(() => ({ raters: 0, halfWidth: Infinity, full: false }));
    for (;;) {
      const next = chooseMethodForRater(state, target);
      if (next === null) break;
      const method = counts[next] as RunningCounts;
      method.add(trialsPerRater, drawRater(rng, centres[next] as number));
      const halfWidth = method.halfWidth(tQuantiles, level);
      const minRaters = target.minRaters ?? 10;
      const full = (method.raters >= minRaters && halfWidth <= target.targetHalfWidth) || method.raters >= maxRaters;
      state[next] = { raters: method.raters, halfWidth, full };
    }
    counts.forEach((method, m) => {
      ratersUsed[m]! += method.raters;
      if (method.covers(foolRates[m] as number, tQuantiles, level)) covered[m]!++;
    });
  }

  // Expected half-width at n raters for a rate, by simulation (common random numbers across n).
  const planningStudies = Math.max(200, Math.floor(studies / 4));
  const firstMeeting = (rate: number, stream: number): number => {
    const centre = logitNormalCentre(rate, raterSpread);
    const runs = Array.from({ length: planningStudies }, () => new RunningCounts());
    const streams = Array.from({ length: planningStudies }, (_, k) => new SeededRandom(options.seed, 2, stream, k));
    for (let n = 1; n <= maxRaters; n++) {
      let total = 0;
      runs.forEach((run, k) => {
        run.add(trialsPerRater, drawRater(streams[k] as SeededRandom, centre));
        total += run.halfWidth(tQuantiles, level);
      });
      if (n >= (target.minRaters ?? 10) && total / planningStudies <= target.targetHalfWidth) return n;
    }
    return maxRaters;
  };
  const fixedPerMethod = firstMeeting(0.5, methods);
  const oracle = foolRates.map((rate, m) => firstMeeting(rate, m));

  // Coverage of the fixed design on the simulated methods.
  let fixedCovered = 0;
  for (let s = 0; s < studies; s++) {
    const rng = new SeededRandom(options.seed, 3, s);
    foolRates.forEach((rate, m) => {
      const run = new RunningCounts();
      for (let r = 0; r < fixedPerMethod; r++) run.add(trialsPerRater, drawRater(rng, centres[m] as number));
      if (run.covers(rate, tQuantiles, level)) fixedCovered++;
    });
  }

  const totalIntervals = studies * methods;
  const coverage = covered.reduce((a, b) => a + b, 0) / totalIntervals;
  const meanTotalRaters = ratersUsed.reduce((a, b) => a + b, 0) / studies;
  const fixedTotal = fixedPerMethod * methods;
  return {
    studies,
    coverage,
    coverageStandardError: Math.sqrt((coverage * (1 - coverage)) / totalIntervals),
    methods: foolRates.map((foolRate, m) => ({
      foolRate,
      meanRaters: (ratersUsed[m] as number) / studies,
      coverage: (covered[m] as number) / studies,
    })),
    meanTotalRaters,
    fixed: { ratersPerMethod: fixedPerMethod, totalRaters: fixedTotal, coverage: fixedCovered / totalIntervals },
    oracleRatersPerMethod: oracle,
    ratersSaved: fixedTotal - meanTotalRaters,
    savedShare: (fixedTotal - meanTotalRaters) / fixedTotal,
  };
}
