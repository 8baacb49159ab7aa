/**
 * Why a statistic could not be computed.
 *
 * - `invalid-argument`: an input is outside the domain of the function (a negative count, a level
 *   outside (0, 1), mismatched column lengths, …).
 * - `no-data`: there is nothing to estimate from (no trials, no raters).
 * - `too-sparse`: the data exist but a resampling scheme cannot produce a defined replicate (for
 *   example a two-way bootstrap where no drawn rater saw any drawn image, again and again).
 * - `no-convergence`: an iterative numerical method did not reach its tolerance.
 */
export type StatsErrorCode = "invalid-argument" | "no-data" | "too-sparse" | "no-convergence";

/**
 * The one error type of `lib/stats`: thrown for undefined cases instead of returning `NaN`
 * (a NaN would travel silently into the reported figures; as simple-statistics does). Callers at the edges map it to their own
 * error type; `code` says which case it is.
 *
 * @example
 * try { wilsonInterval(0, 0); } catch (e) { (e as StatsError).code === "no-data"; }
 */
export class StatsError extends Error {
  override readonly name = "StatsError";
  readonly code: StatsErrorCode;

  constructor(code: StatsErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}
