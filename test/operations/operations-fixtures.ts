// Shared by the backup, study-move and several-instances tests: a seeded open study whose
// researcher can sign in, raters answering over HTTP, the figures a researcher reads (the JSON
// export behind the dashboard and the CSV export), and running the project's own CLIs.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { expect } from "vitest";
import { hashPassword } from "@/lib/auth/password";
import type { Db } from "@/lib/db/client";
import { HttpClient } from "../support/http-client";
import { seedStudy } from "../support/seed-study";
import { answerBody, PASSWORD, SMALL_PROTOCOL, type RaterSessionState } from "../security/security-fixtures";

export interface SeededOpenStudy {
  studyId: string;
  email: string;
}

/** An open study (one tested method and the Random foil, 8 stimuli, 5 trials a session). */
export async function seedOpenStudy(db: Db): Promise<SeededOpenStudy> {
  const seeded = await seedStudy(db, { stimuli: 8, methods: ["full"], protocol: SMALL_PROTOCOL });
  await db.researcher.update({ where: { id: seeded.researcher.id }, data: { passwordHash: await hashPassword(PASSWORD) } });
  return { studyId: seeded.study.id, email: seeded.researcher.email };
}

export async function signInAt(baseUrl: string, email: string): Promise<HttpClient> {
  const client = new HttpClient(baseUrl);
  const response = await client.post("/api/auth/sign-in", { email, password: PASSWORD });
  expect(response.status, JSON.stringify(response.data)).toBe(200);
  return client;
}

export interface HttpRater {
  client: HttpClient;
  session: RaterSessionState;
}

/** A Prolific rater who consented (the session cookie is in the client). */
export async function startHttpRater(baseUrl: string, studyId: string): Promise<HttpRater> {
  const client = new HttpClient(baseUrl);
  const pid = `pid-${randomBytes(6).toString("hex")}`;
  const response = await client.post("/api/rater/sessions", { studyId, params: { PROLIFIC_PID: pid, STUDY_ID: "s", SESSION_ID: pid }, screen: null });
  expect(response.status, JSON.stringify(response.data)).toBe(201);
  return { client, session: response.data.session as RaterSessionState };
}

/** Answers the rater's next `count` trials (alternating sides); each must be acknowledged. */
export async function answerNext(rater: HttpRater, count: number): Promise<void> {
  for (let index = 0; index < count; index++) {
    const trial = rater.session.next;
    if (!trial) return;
    const side = (trial.position + rater.session.id.charCodeAt(0)) % 2 === 0 ? "left" : "right";
    const response = await rater.client.post(`/api/rater/trials/${trial.trialId}/answer`, answerBody(`k-${randomBytes(8).toString("hex")}`, side));
    expect(response.status, JSON.stringify(response.data)).toBe(200);
    rater.session = response.data.session as RaterSessionState;
  }
}

export interface ResearcherFigures {
  /** The JSON export (the dashboard's figures) without the moments it was generated and computed at. */
  results: unknown;
  csv: string;
}

/** What the researcher reads: the JSON export's figures and the CSV export, byte for byte. */
export async function readFigures(researcher: HttpClient, studyId: string): Promise<ResearcherFigures> {
  const json = await researcher.get(`/api/studies/${studyId}/export?format=json`);
  expect(json.status, json.raw.slice(0, 300)).toBe(200);
  const csv = await researcher.get(`/api/studies/${studyId}/export?format=csv`);
  expect(csv.status).toBe(200);
  const { generatedAt: _generatedAt, summary, ...rest } = json.data as { generatedAt: string; summary: { computedAt: string } };
  const { computedAt: _computedAt, ...figures } = summary;
  return { results: { ...rest, summary: figures }, csv: csv.raw };
}

/** Runs one of the project's CLIs (`scripts/<name>.ts`) with `env`; resolves with its output, throws on failure. */
export function runCli(script: string, args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", `scripts/${script}.ts`, ...args], { env: env as NodeJS.ProcessEnv, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve(output) : reject(new Error(`scripts/${script}.ts ${args.join(" ")} exited ${code}:\n${output}`))));
  });
}
