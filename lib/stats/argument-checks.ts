import { StatsError } from "./stats-error";

// Shared guards for the public functions of lib/stats. Each throws a StatsError with code
// "invalid-argument" naming the parameter, so callers see which input was wrong.

/** Throws unless `value` is an integer ≥ `min` (a count, an index, a number of resamples). */
export function assertInteger(name: string, value: number, min = 0): void {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min) {
    throw new StatsError("invalid-argument", `${name} must be an integer ≥ ${min}, got ${String(value)}`);
  }
}

/** Throws unless `value` is a probability in the closed interval [0, 1]. */
export function assertProbability(name: string, value: number): void {
  if (typeof value !== "number" || !(value >= 0 && value <= 1)) {
    throw new StatsError("invalid-argument", `${name} must be in [0, 1], got ${String(value)}`);
  }
}

/** Throws unless `level` is a confidence level strictly between 0 and 1. */
export function assertLevel(level: number): void {
  if (typeof level !== "number" || !(level > 0 && level < 1)) {
    throw new StatsError("invalid-argument", `level must be strictly between 0 and 1, got ${String(level)}`);
  }
}

/** Throws unless `value` is a finite number > 0. */
export function assertPositive(name: string, value: number): void {
  if (typeof value !== "number" || !Number.isFinite(value) || !(value > 0)) {
    throw new StatsError("invalid-argument", `${name} must be a finite number > 0, got ${String(value)}`);
  }
}
