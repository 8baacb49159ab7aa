// Shared set-up of the security tests (test/security/*.test.ts): two teams, each with an open
// study and a researcher who can sign in, seeded before the production app starts.
import { expect } from "vitest";
import { hashPassword } from "@/lib/auth/password";
import type { Db } from "@/lib/db/client";
import type { RunningApp } from "../support/app-server";
import { HttpClient } from "../support/http-client";
import { seedStudy } from "../support/seed-study";
import { syntheticPhoto } from "../support/test-images";

export const PASSWORD = "a correct long password";

/** Practice 1, test 4 with one vigilance trial: five trials per session. */
export const SMALL_PROTOCOL = { practiceTrials: 1, testTrials: 4, vigilanceShare: 0.25 } as const;
export const TRIALS_PER_SESSION = 5;

export interface SeededTeam {
  studyId: string;
  teamId: string;
  email: string;
  /** A stimulus image of this team's study (for the researchers' blob route). */
  realSha256: string;
}

/** Two teams with an open study each; both researchers' password is {@link PASSWORD}. */
export async function seedTwoTeams(db: Db): Promise<{ first: SeededTeam; second: SeededTeam }> {
  const passwordHash = await hashPassword(PASSWORD);
  const seedOne = async (team: number): Promise<SeededTeam> => {
    // Real JPEGs: the image route re-encodes both photos of a trial when it serves them. Each team
    // gets its own photos (other seeds), so no blob is shared and blob access can be told apart.
    const seeded = await seedStudy(db, {
      stimuli: 8,
      methods: ["full"],
      protocol: SMALL_PROTOCOL,
      imageBytes: async (kind, index) => ({ bytes: await syntheticPhoto(64, 64, team * 100 + index + (kind === "real" ? 0 : 50), "jpeg"), mimeType: "image/jpeg", width: 64, height: 64 }),
    });
    await db.researcher.update({ where: { id: seeded.researcher.id }, data: { passwordHash } });
    return { studyId: seeded.study.id, teamId: seeded.team.id, email: seeded.researcher.email, realSha256: seeded.stimuli[0]?.realSha256 ?? "" };
  };
  return { first: await seedOne(0), second: await seedOne(1) };
}

/** A signed-in researcher's cookie-keeping client. */
export async function signIn(app: RunningApp, email: string): Promise<HttpClient> {
  const client = new HttpClient(app.url);
  const response = await client.post("/api/auth/sign-in", { email, password: PASSWORD });
  expect(response.status, JSON.stringify(response.data)).toBe(200);
  return client;
}

/** A rater who has accepted the consent: the client holds the session cookie. */
export async function startRater(app: RunningApp, studyId: string, params: Record<string, string> = {}) {
  const client = new HttpClient(app.url);
  const response = await client.post("/api/rater/sessions", { studyId, params, screen: null });
  expect(response.status, JSON.stringify(response.data)).toBe(201);
  return { client, session: response.data.session as RaterSessionState };
}

export interface RaterSessionState {
  id: string;
  status: string;
  progress: { answered: number; total: number };
  next: { trialId: string; position: number; leftUrl: string; rightUrl: string } | null;
}

export function answerBody(idempotencyKey: string, chosenSide: "left" | "right" = "left") {
  return {
    idempotencyKey,
    chosenSide,
    responseTimeMs: 800,
    timing: { frameIntervalMs: 16.7, exposureLeftMs: 1000, exposureRightMs: 1000, onsets: {}, offsets: {}, flagged: false },
  };
}
