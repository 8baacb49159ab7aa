// The coverage grid of the reported interval (twoWayFoolRateInterval), shared by the two test files
// that run its halves in parallel. Each cell simulates studies from crossed logit-normal rater and
// image effects (crossed-study-simulation.ts) and counts how often the interval misses the
// population fool rate below and above.
import { SeededRandom, twoWayFoolRateInterval } from "@/lib/stats";
import { centreFor, simulateFirstMethod, totalSpread, type SimulatedDesign } from "./crossed-study-simulation";

/** Studies per cell: Monte Carlo SE of a coverage near 95% is 0.31 points, of the difference of the two miss rates about 0.31. */
export const STUDIES_PER_CELL = 5000;
export const RATERS = [10, 40] as const;
export const FOOL_RATES = [0.05, 0.2, 0.35, 0.5] as const;
export const VARIANTS = ["balanced", "image × method", "unbalanced"] as const;

export interface GridRow {
  design: "between" | "within";
  variant: (typeof VARIANTS)[number];
  raters: number;
  foolRate: number;
  coverage: number;
  missBelow: number;
  missAbove: number;
  /** Expected fooled trials of the method in one study: below ~10 the counts are too coarse. */
  expectedFooled: number;
}

export function runGrid(design: "between" | "within"): { rows: GridRow[]; cpuSeconds: number } {
  const cpu = process.cpuUsage();
  const rows: GridRow[] = [];
  for (const variant of VARIANTS) {
    for (const raters of RATERS) {
      for (const foolRate of FOOL_RATES) {
        const cell: SimulatedDesign = { design, interaction: variant === "image × method", unbalanced: variant === "unbalanced", raters, foolRates: [foolRate, 0.3] };
        const spread = totalSpread(cell.interaction);
        const centres: [number, number] = [centreFor(foolRate, spread), centreFor(0.3, spread)];
        const rng = new SeededRandom(2026, design === "between" ? 0 : 1, VARIANTS.indexOf(variant), raters, Math.round(foolRate * 100));
        let below = 0;
        let above = 0;
        let trials = 0;
        for (let s = 0; s < STUDIES_PER_CELL; s++) {
          const counts = simulateFirstMethod(rng, cell, centres);
          trials += counts.trials;
          const interval = twoWayFoolRateInterval(counts);
          if (foolRate < interval.lower) below++;
          else if (foolRate > interval.upper) above++;
        }
        rows.push({
          design,
          variant,
          raters,
          foolRate,
          coverage: 1 - (below + above) / STUDIES_PER_CELL,
          missBelow: below / STUDIES_PER_CELL,
          missAbove: above / STUDIES_PER_CELL,
          expectedFooled: (foolRate * trials) / STUDIES_PER_CELL,
        });
      }
    }
  }
  const used = process.cpuUsage(cpu);
  return { rows, cpuSeconds: (used.user + used.system) / 1e6 };
}

/** The grid as a Markdown table (the form kept in docs/statistics.md). */
export function gridTable(rows: readonly GridRow[]): string {
  const pct = (x: number) => (100 * x).toFixed(1);
  const lines = [
    "| design | variant | raters/method | true rate | coverage % | miss below % | miss above % | fooled trials/study |",
    "|---|---|---|---|---|---|---|---|",
    ...rows.map(
      (r) => `| ${r.design} | ${r.variant} | ${r.raters} | ${pct(r.foolRate)} | ${pct(r.coverage)} | ${pct(r.missBelow)} | ${pct(r.missAbove)} | ${r.expectedFooled.toFixed(0)} |`,
    ),
  ];
  return lines.join("\n");
}
