import { describeIntervalGrid } from "./interval-grid";

// The between-subjects half of the coverage grid; the within-subjects half runs in
// interval-grid-within.test.ts, in parallel. Criteria and cells: interval-grid.ts.
describeIntervalGrid("between");
