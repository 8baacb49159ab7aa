import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportStudy } from "@/lib/results/study-export";
import { computeStudyResults } from "@/lib/results/study-results";
import type { StudyResults } from "@/lib/results/result-types";
import { sampleStandardNormal, SeededRandom } from "@/lib/stats";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { seedStudy, type SeedSession, type SeedStudy } from "./seed-study";

// The analysis scripts served beside the CSV must run on the export exactly as downloaded and agree
// with the dashboard: the GLMM's marginal fool rate per method within 1 point of the dashboard's
// estimate. Needs Rscript with lme4 (CI installs r-base-core and r-cran-lme4) and, for the Python
// script, Debian's python3 with statsmodels; each part is skipped, saying so, when its tool is absent.

const hasR = spawnSync("Rscript", ["-e", "library(lme4)"], { stdio: "ignore" }).status === 0;
const PYTHON = "/usr/bin/python3";
const hasStatsmodels = spawnSync(PYTHON, ["-c", "import statsmodels, pandas"], { stdio: "ignore" }).status === 0;
if (!hasR) console.warn("analysis-scripts.test: Rscript with lme4 not found — the R script check is SKIPPED (apt-get install r-base-core r-cran-lme4)");
if (!hasStatsmodels) console.warn("analysis-scripts.test: python3 with statsmodels not found — the Python script check is SKIPPED (apt-get install python3-statsmodels)");

/** 30 raters per method × 20 test trials over 40 images, crossed logit-normal effects. */
function glmmStudySpec(): SeedStudy {
  const rng = new SeededRandom(4242);
  const images = Array.from({ length: 40 }, (_, i) => `img${String(i).padStart(2, "0")}`);
  const imageEffect = images.map(() => 0.7 * sampleStandardNormal(rng));
  const centres: Record<string, number> = { Ours: -0.9, Dahl: -1.6 };
  const sessions: SeedSession[] = [];
  for (const method of ["Ours", "Dahl"]) {
    for (let r = 0; r < 30; r++) {
      const raterEffect = 0.6 * sampleStandardNormal(rng);
      const order = images.map((_, i) => i);
      const trials: SeedSession["trials"] = [];
      for (let t = 0; t < 20; t++) {
        const j = t + rng.nextBelow(images.length - t);
        [order[t], order[j]] = [order[j] as number, order[t] as number];
        const image = order[t] as number;
        const p = 1 / (1 + Math.exp(-((centres[method] as number) + raterEffect + (imageEffect[image] as number))));
        trials.push({ kind: "test", method, image: images[image] as string, fooled: rng.nextFloat() < p ? 1 : 0 });
      }
      sessions.push({ key: `${method}-${r}`, status: "completed", method, trials });
    }
  }
  return {
    name: "GLMM check",
    design: "between",
    methods: [
      { name: "Ours", kind: "model", tested: true },
      { name: "Dahl", kind: "model", tested: true },
    ],
    images,
    sessions,
    protocol: { practiceTrials: 0, testTrials: 20, vigilanceShare: 0 },
  };
}

function readCsvTable(file: string): Record<string, string>[] {
  const [header, ...rows] = readFileSync(file, "utf8").trim().split(/\r?\n/);
  const names = (header as string).split(",").map((name) => name.replace(/"/g, ""));
  return rows.map((row) => Object.fromEntries(row.split(",").map((value, i) => [names[i], value.replace(/"/g, "")])));
}

describe.skipIf(!hasR && !hasStatsmodels)("analysis scripts run on the export as downloaded", () => {
  let database: TestDatabase;
  let results: StudyResults;
  let dir: string;
  let csv: string;

  beforeAll(async () => {
    database = await createTestDatabase("pglite");
    const seeded = await seedStudy(database.db, glmmStudySpec());
    results = await computeStudyResults(database.db, seeded.studyId);
    dir = mkdtempSync(path.join(tmpdir(), "ctt-analysis-"));
    csv = path.join(dir, "trials.csv");
    writeFileSync(csv, await (await exportStudy(database.db, seeded.studyId, "csv")).text());
    for (const format of ["r", "python"] as const) {
      writeFileSync(path.join(dir, `analysis.${format}`), await (await exportStudy(database.db, seeded.studyId, format)).text());
    }
  }, 600_000);
  afterAll(async () => {
    await database?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const agree = (table: Record<string, string>[]) => {
    for (const method of results.methods) {
      const row = table.find((item) => item.method === method.name);
      expect(row, method.name).toBeDefined();
      // Same trials as the dashboard (exclusions read from the CSV's logical columns) …
      expect(Number(row!.pooled)).toBeCloseTo(method.foolRate as number, 12);
      // … and the GLMM's marginal fool rate within 1 point of the dashboard's estimate.
      expect(Math.abs(Number(row!.glmm) - (method.foolRate as number)), method.name).toBeLessThan(0.01);
      expect(Number(row!.lower)).toBeLessThan(Number(row!.glmm));
      expect(Number(row!.upper)).toBeGreaterThan(Number(row!.glmm));
    }
  };

  it.skipIf(!hasR)("R (lme4): crossed random effects, marginal fool rates agree with the dashboard", () => {
    const out = path.join(dir, "r-rates.csv");
    const log = execFileSync("Rscript", [path.join(dir, "analysis.r"), csv, out], { cwd: dir, encoding: "utf8", timeout: 300_000 });
    expect(log).toContain("Pairwise differences (Bonferroni over 1 comparisons)");
    const table = readCsvTable(out);
    console.log("R GLMM vs dashboard:", table.map((row) => `${row.method} ${row.glmm} [${row.lower}, ${row.upper}] pooled ${row.pooled}`).join("; "));
    agree(table);
  }, 600_000);

  it.skipIf(!hasStatsmodels)("Python (statsmodels): crossed variance components, marginal fool rates agree with the dashboard", () => {
    const out = path.join(dir, "py-rates.csv");
    execFileSync(PYTHON, [path.join(dir, "analysis.python"), csv, out], { cwd: dir, encoding: "utf8", timeout: 300_000 });
    const table = readCsvTable(out);
    console.log("Python GLMM vs dashboard:", table.map((row) => `${row.method} ${row.glmm} [${row.lower}, ${row.upper}] pooled ${row.pooled}`).join("; "));
    agree(table);
  }, 600_000);
});
