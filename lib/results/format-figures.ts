// How figures are printed, shared by the dashboard and the methods paragraph so both read alike.

/** A proportion as a percentage with one decimal: 0.3234 → "32.3%". */
export function formatPercent(value: number, digits = 1): string {
  return `${(value * 100).toFixed(digits)}%`;
}

/** A difference of proportions in percentage points with its sign: 0.051 → "+5.1 pp". */
export function formatPoints(value: number): string {
  const points = value * 100;
  return `${points > 0 ? "+" : points < 0 ? "−" : "±"}${Math.abs(points).toFixed(1)} pp`;
}

/** The relation part of a p-value as journals print it: "< 0.001" below 0.001, else "= 0.042". */
export function formatPValue(p: number): string {
  return p < 0.001 ? "< 0.001" : `= ${p.toFixed(3)}`;
}

/** d′ with two decimals; ±∞ for perfect (or perfectly wrong) scores. */
export function formatDPrime(value: number): string {
  if (value === Number.POSITIVE_INFINITY) return "∞";
  if (value === Number.NEGATIVE_INFINITY) return "−∞";
  return value.toFixed(2).replace("-", "−");
}

/**
 * A method's standing against a precision target, for the progress views:
 * "interval ±6.2 pp, target ±4.0 pp" while recruiting, "…, target met" once full.
 */
export function formatPrecisionProgress(precision: { halfWidth: number | null; full: boolean }, targetHalfWidth: number): string {
  const current = precision.halfWidth === null ? "no interval yet" : `interval ±${(precision.halfWidth * 100).toFixed(1)} pp`;
  return `${current}, target ±${(targetHalfWidth * 100).toFixed(1)} pp${precision.full ? " (met)" : ""}`;
}
