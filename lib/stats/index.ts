// Public API of lib/stats: pure statistics for the colorization Turing test. Imports nothing from
// lib/db, lib/study or app (docs/architecture.md, "Module map").
export { StatsError, type StatsErrorCode } from "./stats-error";
export { normalQuantile } from "./normal-quantile";
export { logGamma } from "./log-gamma";
export { logBeta } from "./log-beta";
export { regularizedIncompleteBeta } from "./incomplete-beta";
export { betaQuantile } from "./beta-quantile";
export type { ProportionInterval } from "./proportion-interval";
export { wilsonInterval } from "./wilson-interval";
export { clopperPearsonInterval } from "./clopper-pearson-interval";
export { SeededRandom, SplitMix64, deriveSeed, seedToUint64, type Seed } from "./seeded-random";
export { sampleStandardNormal, sampleGamma, sampleBeta, sampleBinomial } from "./random-variates";
export { countTrials, countCells, type TrialColumns, type TrialCells, type TrialCounts } from "./trial-counts";
export { quantileSorted, summarizeReplicates, type ReplicateSummary } from "./replicate-summary";
export {
  BOOTSTRAP_CHUNK_SIZE,
  BOOTSTRAP_VARIANTS,
  bootstrapFoolRate,
  bootstrapFoolRates,
  planBootstrap,
  runBootstrapChunk,
  summarizeBootstrap,
  type BootstrapCounts,
  type BootstrapOptions,
  type BootstrapPlan,
  type BootstrapVariant,
  type FoolRateBootstrap,
  type FoolRateBootstrapSet,
  type MethodPlan,
} from "./cluster-bootstrap";
export { adjustPValues, type PValueCorrection } from "./p-value-adjustment";
export {
  bootstrapPValue,
  compareFoolRates,
  type CompareOptions,
  type FoolRateDifference,
  type MethodComparison,
} from "./method-comparison";
export {
  dPrimeTwoAfc,
  dPrimeFromFoolRate,
  dPrimeWithBias,
  proportionOffBounds,
  type BiasedDPrime,
  type DPrimeInterval,
  type SideCounts,
} from "./d-prime";
export {
  DEFAULT_EXCLUSION_RULES,
  applyExclusionRules,
  exclusionRulesSchema,
  type ExclusionReason,
  type ExclusionResult,
  type ExclusionRules,
  type SessionDecision,
  type SessionSummary,
} from "./exclusion-rules";
export {
  DEFAULT_PLANNING_GRID,
  logitNormalCentre,
  logitNormalMean,
  planRaters,
  type RaterPlan,
  type RaterPlanningOptions,
  type RaterSpreadScale,
} from "./rater-planning";
export {
  MIN_IMAGES_PER_METHOD,
  MIN_RATERS_PER_METHOD,
  clusterShortfall,
  compareFoolRatesTwoWay,
  twoWayFoolRateInterval,
  twoWayVarianceComponents,
  type FoolRateInterval,
  type TwoWayComparison,
  type TwoWayDifference,
  type TwoWayVarianceComponents,
} from "./two-way-interval";
export { studentTCdf } from "./student-t";
export { studentTQuantile } from "./student-t-quantile";
export {
  HYPE_TIME_EXPOSURES_MS,
  HYPE_TIME_RULE,
  bootstrapExposureThreshold,
  nextExposure,
  staircaseThreshold,
  type ExposureThresholdEstimate,
  type StaircaseRule,
  type StaircaseTrial,
  type ThresholdBootstrapOptions,
} from "./exposure-staircase";
export {
  singleImageFoolRates,
  type SingleImageEstimate,
  type SingleImageFoolRates,
  type SingleImageOptions,
  type SingleImageRaterCounts,
} from "./single-image-fool-rate";
export {
  chooseMethodForRater,
  clusterIntervalFromSums,
  clusterProportionInterval,
  methodPrecision,
  type ClusterProportionInterval,
  type ClusterSums,
  type MethodPrecision,
  type PrecisionTarget,
} from "./precision-stopping";
export {
  simulatePrecisionStopping,
  type StoppingSimulationOptions,
  type StoppingSimulationResult,
} from "./precision-stopping-simulation";
