import { describe, expect, it } from "vitest";
import { gridTable, runGrid, STUDIES_PER_CELL } from "./interval-grid";

// Coverage of the reported 95% interval over the between-subjects half of the grid (the other half runs
// in interval-grid-within.test.ts, in parallel). Every cell: coverage 93–97% and the misses
// below and above within 1.5 points of each other. The table is printed and kept in
// docs/statistics.md.
describe("two-way interval coverage grid, between-subjects", () => {
  it(`covers 93–97% with symmetric misses in every cell (${STUDIES_PER_CELL} studies per cell)`, () => {
    const { rows, cpuSeconds } = runGrid("between");
    console.log(`between-subjects grid, ${STUDIES_PER_CELL} studies per cell, ${cpuSeconds.toFixed(1)} s CPU:\n${gridTable(rows)}`);
    for (const row of rows) {
      const cell = `${row.design}/${row.variant}/${row.raters} raters/${row.foolRate}`;
      expect(row.coverage, cell).toBeGreaterThanOrEqual(0.93);
      expect(row.coverage, cell).toBeLessThanOrEqual(0.97);
      expect(Math.abs(row.missBelow - row.missAbove), cell).toBeLessThanOrEqual(0.015);
    }
  }, 900_000);
});
