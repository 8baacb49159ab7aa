import { StatsError } from "./stats-error";

/** Multiple-comparison corrections offered across the pairwise tests of a study. */
export type PValueCorrection = "holm" | "benjamini-hochberg";

/**
 * Adjusts p-values for multiple comparisons.
 *
 * - `holm` (family-wise error rate): with p₍₁₎ ≤ … ≤ p₍ₘ₎, p̃₍ᵢ₎ = max_{j ≤ i} min(1, (m − j + 1)·p₍ⱼ₎).
 *   Reference: Holm (1979), Scand. J. Statist. 6:65–70. Reject H₍ᵢ₎ when p̃₍ᵢ₎ ≤ α.
 * - `benjamini-hochberg` (false discovery rate): p̃₍ᵢ₎ = min_{j ≥ i} min(1, m·p₍ⱼ₎/j).
 *   Reference: Benjamini & Hochberg (1995), JRSS B 57:289–300.
 * Both equal R's `p.adjust(p, "holm")` and `p.adjust(p, "BH")`.
 *
 * @param pValues raw p-values in [0, 1], in any order; the result keeps that order.
 * @param correction which adjustment.
 * @returns adjusted p-values (an empty array for no p-values).
 * @throws {StatsError} `invalid-argument` for a p-value outside [0, 1] or an unknown correction.
 * @example
 * adjustPValues([0.01, 0.04, 0.03, 0.005], "holm"); // [0.03, 0.06, 0.06, 0.02]
 */
export function adjustPValues(pValues: readonly number[], correction: PValueCorrection): number[] {
  if (correction !== "holm" && correction !== "benjamini-hochberg") {
    throw new StatsError("invalid-argument", `unknown correction ${String(correction)}`);
  }
  pValues.forEach((p, i) => {
    if (typeof p !== "number" || !(p >= 0 && p <= 1)) {
      throw new StatsError("invalid-argument", `p-value ${i} must be in [0, 1], got ${String(p)}`);
    }
  });
  const m = pValues.length;
  const order = pValues.map((_, i) => i).sort((a, b) => (pValues[a] as number) - (pValues[b] as number) || a - b);
  const adjusted = new Array<number>(m).fill(0);
  if (correction === "holm") {
    let running = 0;
    order.forEach((index, rank) => {
      running = Math.max(running, Math.min(1, (m - rank) * (pValues[index] as number)));
      adjusted[index] = running;
    });
  } else {
    let running = 1;
    for (let rank = m - 1; rank >= 0; rank--) {
      const index = order[rank] as number;
      running = Math.min(running, Math.min(1, (m * (pValues[index] as number)) / (rank + 1)));
      adjusted[index] = running;
    }
  }
  return adjusted;
}
