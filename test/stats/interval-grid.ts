// The coverage grid of the reported interval (twoWayFoolRateInterval), shared by the two test files
// that run its halves in parallel. Each cell simulates studies from crossed logit-normal rater and
// image effects (crossed-study-simulation.ts) and counts how often the interval misses the
// population fool rate below and above.
import { describe, expect, it } from "vitest";
import { SeededRandom, twoWayFoolRateInterval } from "@/lib/stats";
import { centreFor, simulateFirstMethod, totalSpread, type SimulatedDesign } from "./crossed-study-simulation";

/** Studies per cell: Monte Carlo SE of a coverage near 95% is 0.31 points, of the difference of the two miss rates about 0.31. */
export const STUDIES_PER_CELL = 5000;
/**
 * Studies of a cell whose first 5,000 leave a criterion undecided — a coverage or a difference of
 * misses within 2 Monte Carlo SEs of its bound — continued on the same stream, so that noise is
 * not read as a miscalibration (or a pass): SE 0.15 points near 95%.
 */
export const EXTENDED_STUDIES_PER_CELL = 20_000;
/** Coverage bounds of the target, and the bound on |miss below − miss above|. */
const COVERAGE_LOW = 0.93;
const COVERAGE_HIGH = 0.97;
/**
 * Upper coverage bound where a study has about 10 fooled trials or fewer (10 raters at 5%): there
 * even the exact Clopper–Pearson interval of independent trials with the same counts covers
 * 96.3–96.7% (docs/statistics.md, "Coverage grid"), so only over-coverage to 98% is allowed.
 */
const COVERAGE_HIGH_FEW_EVENTS = 0.98;
const FEW_EVENTS = 10.5;
const MISS_DIFFERENCE = 0.015;
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
  /** Studies simulated: {@link STUDIES_PER_CELL}, or {@link EXTENDED_STUDIES_PER_CELL} when undecided. */
  studies: number;
}

function upperCoverageBound(row: Pick<GridRow, "expectedFooled">): number {
  return row.expectedFooled <= FEW_EVENTS ? COVERAGE_HIGH_FEW_EVENTS : COVERAGE_HIGH;
}

/** Whether some criterion of the cell lies within 2 Monte Carlo SEs of a bound. */
function undecided(row: GridRow): boolean {
  const n = row.studies;
  const coverageSe = Math.sqrt((row.coverage * (1 - row.coverage)) / n);
  const difference = row.missBelow - row.missAbove;
  const differenceSe = Math.sqrt((row.missBelow + row.missAbove - difference ** 2) / n);
  const near = (value: number, bound: number, se: number) => Math.abs(value - bound) < 2 * se;
  return (
    near(row.coverage, COVERAGE_LOW, coverageSe) ||
    // The 97% target is resolved even where few events allow 98%, so the table says which cells
    // exceed it.
    near(row.coverage, COVERAGE_HIGH, coverageSe) ||
    near(row.coverage, upperCoverageBound(row), coverageSe) ||
    near(Math.abs(difference), MISS_DIFFERENCE, differenceSe)
  );
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
        let studies = 0;
        const simulate = (until: number) => {
          for (; studies < until; studies++) {
            const counts = simulateFirstMethod(rng, cell, centres);
            trials += counts.trials;
            const interval = twoWayFoolRateInterval(counts);
            if (foolRate < interval.lower) below++;
            else if (foolRate > interval.upper) above++;
          }
          return {
            design,
            variant,
            raters,
            foolRate,
            coverage: 1 - (below + above) / studies,
            missBelow: below / studies,
            missAbove: above / studies,
            expectedFooled: (foolRate * trials) / studies,
            studies,
          };
        };
        const first = simulate(STUDIES_PER_CELL);
        rows.push(undecided(first) ? simulate(EXTENDED_STUDIES_PER_CELL) : first);
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
    "| design | variant | raters/method | true rate | coverage % | miss below % | miss above % | fooled trials/study | studies |",
    "|---|---|---|---|---|---|---|---|---|",
    ...rows.map(
      (r) =>
        `| ${r.design} | ${r.variant} | ${r.raters} | ${pct(r.foolRate)} | ${pct(r.coverage)} | ${pct(r.missBelow)} | ${pct(r.missAbove)} | ${r.expectedFooled.toFixed(0)} | ${r.studies.toLocaleString("en-US")} |`,
    ),
  ];
  return lines.join("\n");
}

/**
 * The coverage test of one half of the grid (each half has its own test file, so that vitest runs
 * them in parallel). Every cell: coverage 93–97% (93–98% where a study has about 10 fooled trials
 * or fewer) and the misses below and above within 1.5 points of each other. The table is printed
 * and kept in docs/statistics.md.
 */
export function describeIntervalGrid(design: "between" | "within"): void {
  describe(`two-way interval coverage grid, ${design}-subjects`, () => {
    it(`covers 93–97% with symmetric misses in every cell (${STUDIES_PER_CELL} studies per cell, ${EXTENDED_STUDIES_PER_CELL} where undecided)`, () => {
      const { rows, cpuSeconds } = runGrid(design);
      console.log(`${design}-subjects grid, ${cpuSeconds.toFixed(1)} s CPU:\n${gridTable(rows)}`);
      for (const row of rows) {
        const cell = `${row.design}/${row.variant}/${row.raters} raters/${row.foolRate} (${row.studies} studies)`;
        expect(row.coverage, cell).toBeGreaterThanOrEqual(COVERAGE_LOW);
        expect(row.coverage, cell).toBeLessThanOrEqual(upperCoverageBound(row));
        expect(Math.abs(row.missBelow - row.missAbove), cell).toBeLessThanOrEqual(MISS_DIFFERENCE);
      }
    }, 900_000);
  });
}
