import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { csvField, csvRow } from "@/lib/results/csv";
import { exportStudy } from "@/lib/results/study-export";
import { readTrialPage, TRIAL_CSV_COLUMNS } from "@/lib/results/trial-export";
import { protocolSchema } from "@/lib/contract/protocol";
import { hashProtocol } from "@/lib/study/protocol-hash";
import { createTestDatabase, databaseKinds, type TestDatabase } from "../support/database";
import { betweenStudySpec, seedStudy, type SeededStudy } from "./seed-study";

/**
 * A minimal RFC 4180 reader written independently of lib/results/csv.ts: quoted fields may hold
 * commas, doubled quotes and line breaks; records end with CRLF.
 */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ",") {
      record.push(field);
      field = "";
    } else if (char === "\r" && text[i + 1] === "\n") {
      record.push(field);
      records.push(record);
      record = [];
      field = "";
      i++;
    } else field += char;
  }
  if (field !== "" || record.length > 0) throw new Error("CSV does not end with CRLF");
  return records;
}

describe("CSV fields", () => {
  it("quotes commas, quotes and line breaks, and nothing else", () => {
    expect(csvField('Colour, "quoted" study')).toBe('"Colour, ""quoted"" study"');
    expect(csvField("two\nlines")).toBe('"two\nlines"');
    expect(csvField("plain")).toBe("plain");
    expect(csvField(null)).toBe("");
    expect(csvField(false)).toBe("FALSE");
    expect(csvField(true)).toBe("TRUE");
    expect(csvField(16.7)).toBe("16.7");
    expect(csvField(Number.NaN)).toBe("");
    expect(csvRow(["a", 1, undefined])).toBe("a,1,\r\n");
  });
});

describe.each(databaseKinds())("study exports on %s", (kind) => {
  let database: TestDatabase;
  let study: SeededStudy;
  const name = 'Colour, "quoted" study';

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    study = await seedStudy(database.db, betweenStudySpec(name));
  });
  afterAll(async () => {
    await database?.drop();
  });

  it("streams one CSV row per trial with a header and exclusions", async () => {
    const response = await exportStudy(database.db, study.studyId, "csv");
    expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    const text = await response.text();
    // The study name is quoted: its comma and quotes survive.
    expect(text.split("\r\n")[1]?.startsWith('"Colour, ""quoted"" study",')).toBe(true);
    const [header, ...rows] = parseCsv(text);
    expect(header).toEqual([...TRIAL_CSV_COLUMNS]);
    // 8 sessions × (1 practice + 4 test + 2 vigilance) trials, answered or not.
    expect(rows).toHaveLength(56);
    const column = (row: string[], key: (typeof TRIAL_CSV_COLUMNS)[number]) => row[TRIAL_CSV_COLUMNS.indexOf(key)];
    expect(rows.every((row) => row.length === TRIAL_CSV_COLUMNS.length && column(row, "study") === name)).toBe(true);
    const ofSession = (key: string) => rows.filter((row) => column(row, "session") === study.sessionIds.get(key));
    const a3 = ofSession("a3");
    expect(a3.map((row) => `${column(row, "excluded")}:${column(row, "exclusion_reason")}`)).toEqual(Array(7).fill("TRUE:vigilance"));
    expect(ofSession("b1").every((row) => column(row, "exclusion_reason") === "timing")).toBe(true);
    expect(ofSession("a4").every((row) => column(row, "exclusion_reason") === "incomplete")).toBe(true);
    const a1 = ofSession("a1");
    expect(a1.map((row) => column(row, "trial_kind"))).toEqual(["practice", "test", "test", "test", "test", "vigilance", "vigilance"]);
    expect(a1.map((row) => column(row, "fooled"))).toEqual(["TRUE", "TRUE", "FALSE", "TRUE", "FALSE", "FALSE", "FALSE"]);
    expect(a1.every((row) => column(row, "excluded") === "FALSE" && column(row, "exclusion_reason") === "")).toBe(true);
    // Position 1 of a1: real on the right (odd position), fooled, so the left (fake) was chosen.
    expect([column(a1[1] as string[], "real_side"), column(a1[1] as string[], "chosen_side"), column(a1[1] as string[], "correct")]).toEqual(["right", "left", "FALSE"]);
    expect(column(a1[1] as string[], "method")).toBe("Ours");
    expect(column(a1[1] as string[], "method_kind")).toBe("model");
    expect(column(a1[1] as string[], "image")).toBe("s1");
    expect(column(a1[1] as string[], "answered_at")).toMatch(/^2026-01-01T12:\d\d:\d\d\.\d{3}Z$/);
    expect(column(a1[5] as string[], "method")).toBe("Random");
    // Unanswered trials keep empty answer fields.
    const unanswered = ofSession("b4").filter((row) => column(row, "chosen_side") === "");
    expect(unanswered).toHaveLength(5);
    expect(unanswered.every((row) => column(row, "answered_at") === "" && column(row, "fooled") === "")).toBe(true);
  });

  it("pages with a key: small pages concatenate to the full list without gaps or repeats", async () => {
    const all = await readTrialPage(database.db, study.studyId, null, 1_000);
    const paged: typeof all = [];
    let after: { sessionId: string; position: number } | null = null;
    for (;;) {
      const page = await readTrialPage(database.db, study.studyId, after, 5);
      paged.push(...page);
      if (page.length < 5) break;
      const last = page[page.length - 1] as (typeof page)[number];
      after = { sessionId: last.sessionId, position: last.position };
    }
    expect(paged.map((row) => `${row.sessionId}/${row.position}`)).toEqual(all.map((row) => `${row.sessionId}/${row.position}`));
    expect(new Set(paged.map((row) => `${row.sessionId}/${row.position}`)).size).toBe(56);
  });

  it("writes JSON with the protocol, its hash, the methods, the figures and the methods paragraph", async () => {
    const response = await exportStudy(database.db, study.studyId, "json");
    const body = (await response.json()) as Record<string, any>;
    expect(body.protocolHash).toBe(hashProtocol(protocolSchema.parse(body.protocol)));
    expect(body.protocolHash).toBe(hashProtocol(study.protocol));
    expect(body.methods.map((method: { name: string }) => method.name)).toEqual(["Ours", "Dahl"]);
    expect(body.methods[0].metrics.auc).toBe(0.894);
    expect(body.summary.methods[0].foolRate).toBe(0.5);
    expect(body.summary.methods[1].foolRate).toBe(0.375);
    expect(body.sessions.excludedByReason).toEqual({ vigilance: 1, timing: 1, pace: 0, "no-trials": 0 });
    // Two raters per method: below the minimum of 10, so no interval and no test.
    expect(body.summary.comparisons).toHaveLength(0);
    expect(body.summary.methods[0].interval).toBeNull();
    expect(body.summary.methods[0].withheld).toBe("2 raters (at least 10 needed) and 6 images (at least 10 needed)");
    const paragraph = body.methodsParagraph as string;
    expect(paragraph).toContain("two-alternative forced-choice test following Zhang et al. (2016)");
    expect(paragraph).toContain("Each session began with 1 practice trial with feedback, which was not analysed, followed by 6 test trials without feedback, of which 2 were vigilance trials");
    expect(paragraph).toContain("Of 6 completed sessions, 2 were excluded (1 for vigilance failures, 1 for timing); 2 incomplete sessions were not analysed.");
    expect(paragraph).toContain("two-way cluster-robust variance (clustered by rater, plus by image, minus by rater–image cell, which counts the trial-level variance once");
    expect(paragraph).toContain("Ours: 50.0% (no interval: 2 raters (at least 10 needed) and 6 images (at least 10 needed)), d′ = 0.00, from 2 raters, 6 images and 8 trials");
    expect(paragraph).not.toContain("Ours − Dahl");
  });
});
