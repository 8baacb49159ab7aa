import { describeIntervalGrid } from "./interval-grid";

// The within-subjects half of the coverage grid; the between-subjects half runs in
// interval-grid-between.test.ts, in parallel. Criteria and cells: interval-grid.ts.
describeIntervalGrid("within");
