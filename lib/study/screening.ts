import "server-only";
import { randomInt } from "node:crypto";
import type { Db } from "@/lib/db/client";
import { DomainError, notFound } from "@/lib/errors";
import type { SessionState } from "@/lib/contract/rater-api";
import type { ScreeningAnswers, ScreeningView } from "@/lib/contract/screening-api";
import {
  checkWindowSize,
  displayCheckToWire,
  generateColourScreening,
  generateDisplayChecks,
  plateToWire,
  scoreColourScreening,
  scoreDisplayChecks,
  type ColourScreeningOutcome,
  type DisplayCheck,
  type DisplayCheckOutcome,
  type ScreeningPlate,
  type StimulusPresentation,
  type WindowSizeCheck,
} from "@/lib/screening";
import type { Protocol } from "@/lib/contract/protocol";
import { readStoredProtocol } from "./stored-protocol";
import { buildSessionState } from "./session-state";
import { screeningRequired } from "./screening-state";

// The server's side of the screening before practice (docs/colour-vision-screening.md). The page
// gets a drawing of each plate and display check (never the answers) and sends back the options
// it chose; the server regenerates the plates from the seed it stored, scores the choices itself
// and applies the protocol's rule. Nothing the page says about passing is ever read.

interface ScreeningRow {
  seed: number;
  colourVision: boolean;
  display: boolean;
}

function presentationOf(protocol: Protocol): StimulusPresentation {
  return protocol.trialFormat.kind === "paired" ? "paired" : "single";
}

// Generating a session's plates packs thousands of dots (about 0.1 s of CPU); a rater asks for
// them and then answers them, so the last few sessions' plates are kept in this process.
const recentPlates = new Map<string, ScreeningPlate[]>();
const RECENT_PLATES_LIMIT = 64;

function platesFor(seed: number, platesPerAxis: number): ScreeningPlate[] {
  const key = `${seed}:${platesPerAxis}`;
  const known = recentPlates.get(key);
  if (known) return known;
  const plates = generateColourScreening(seed, { platesPerAxis });
  if (recentPlates.size >= RECENT_PLATES_LIMIT) recentPlates.delete(recentPlates.keys().next().value as string);
  recentPlates.set(key, plates);
  return plates;
}

/** The plates and checks a screening row stands for, regenerated from its seed. */
function regenerate(row: ScreeningRow, protocol: Protocol): { plates: readonly ScreeningPlate[]; checks: DisplayCheck[] } {
  return {
    plates: row.colourVision ? platesFor(row.seed, protocol.screening.platesPerAxis) : [],
    checks: row.display ? generateDisplayChecks(row.seed) : [],
  };
}

async function sessionWithProtocol(db: Pick<Db, "raterSession">, sessionId: string) {
  const session = await db.raterSession.findUnique({ where: { id: sessionId }, select: { status: true, study: { select: { protocol: true, protocolHash: true } } } });
  if (!session) throw notFound("Session");
  return { status: session.status, protocol: readStoredProtocol(session.study.protocol, session.study.protocolHash) };
}

/**
 * The session's screening, drawn afresh: the first call stores a random seed (a concurrent second
 * call keeps the first one's), later calls regenerate the same plates from it.
 *
 * @throws DomainError not_found when the protocol screens nobody; screened_out after the end.
 */
export async function getScreening(db: Db, sessionId: string): Promise<ScreeningView> {
  const { status, protocol } = await sessionWithProtocol(db, sessionId);
  if (!screeningRequired(protocol)) throw notFound("Screening");
  if (status === "screened_out") throw new DomainError("screened_out", "This session ended at the screening.");
  await db.$executeRaw`
    INSERT INTO "RaterScreening" ("sessionId", "seed", "colourVision", "display")
    VALUES (${sessionId}, ${randomInt(0, 2 ** 31 - 1)}, ${protocol.screening.colourVision}, ${protocol.screening.display})
    ON CONFLICT ("sessionId") DO NOTHING`;
  const row = await db.raterScreening.findUniqueOrThrow({ where: { sessionId }, select: { seed: true, colourVision: true, display: true } });
  const { plates, checks } = regenerate(row, protocol);
  return {
    plates: plates.map(plateToWire),
    displayChecks: checks.map(displayCheckToWire),
    window: { check: row.display, stimulusSize: protocol.stimulusSize, presentation: presentationOf(protocol) },
  };
}

/** The server's verdict on one screening: each part scored from the regenerated plates. */
export interface ScreeningScore {
  passed: boolean;
  colour: ColourScreeningOutcome | null;
  display: DisplayCheckOutcome | null;
  window: WindowSizeCheck | null;
}

/**
 * Scores answers against the plates and checks the seed regenerates. An answer that is not one of
 * its plate's options, or a count that does not match, is refused: it cannot come from the page.
 *
 * @throws DomainError invalid_screening_answer
 */
export function scoreScreening(row: ScreeningRow, protocol: Protocol, answers: ScreeningAnswers): ScreeningScore {
  const { plates, checks } = regenerate(row, protocol);
  if (answers.plates.length !== plates.length || answers.display.length !== checks.length) {
    throw new DomainError("invalid_screening_answer", `Expected ${plates.length} plate and ${checks.length} display answers.`);
  }
  const plateAnswers = plates.map((plate, index) => {
    const answer = answers.plates[index] as string;
    const option = plate.options.find((item) => item.id === answer);
    if (!option) throw new DomainError("invalid_screening_answer", `Plate ${index + 1} has no option "${answer}".`);
    return option.id;
  });
  const colour = row.colourVision ? scoreColourScreening(plates, plateAnswers, { maxMissesPerAxis: protocol.screening.maxMissesPerAxis }) : null;
  const display = row.display ? scoreDisplayChecks(checks, answers.display) : null;
  const window = row.display ? checkWindowSize(answers.viewport, protocol.stimulusSize, presentationOf(protocol)) : null;
  const passed = (colour?.passed ?? true) && (display?.passed ?? true) && (window?.fits ?? true);
  return { passed, colour, display, window };
}

/**
 * Scores a session's screening and applies the protocol's rule: a rater who passes goes on to
 * practice; one who fails is ended (status screened_out, the unanswered trials deleted so they
 * leave the balance of methods and images) or kept and flagged. Scored once: a repeated delivery
 * returns the session as it stands.
 *
 * @throws DomainError out_of_order before the screening was handed out; invalid_screening_answer.
 */
export async function submitScreening(db: Db, sessionId: string, answers: ScreeningAnswers): Promise<SessionState> {
  await db.$transaction(async (tx) => {
    // The session row's lock orders concurrent deliveries: only the first one scores.
    const [locked] = await tx.$queryRaw<{ status: string }[]>`SELECT "status"::text AS "status" FROM "RaterSession" WHERE "id" = ${sessionId} FOR UPDATE`;
    if (!locked) throw notFound("Session");
    const { protocol } = await sessionWithProtocol(tx, sessionId);
    const row = await tx.raterScreening.findUnique({ where: { sessionId }, select: { seed: true, colourVision: true, display: true, outcome: true } });
    if (!row) throw new DomainError("out_of_order", "Load the screening before answering it.");
    if (row.outcome !== null) return;
    const score = scoreScreening(row, protocol, answers);
    const outcome = score.passed ? "passed" : protocol.screening.onFail === "end" ? "screened_out" : "flagged";
    const failedAxes = score.colour?.failedAxes ?? [];
    await tx.raterScreening.update({
      where: { sessionId },
      data: {
        answers,
        outcome,
        protanFailed: failedAxes.includes("protan"),
        deutanFailed: failedAxes.includes("deutan"),
        tritanFailed: failedAxes.includes("tritan"),
        controlFailed: score.colour?.controlFailed ?? false,
        displayFailed: score.display !== null && !score.display.passed,
        windowFits: score.window?.fits ?? null,
        detail: {
          perAxis: score.colour ? Object.fromEntries(Object.entries(score.colour.perAxis).map(([axis, tally]) => [axis, { shown: tally.shown, correct: tally.correct }])) : null,
          displayFailed: [...(score.display?.failed ?? [])],
          viewport: { width: answers.viewport.width, height: answers.viewport.height },
        },
        answeredAt: new Date(),
      },
    });
    if (outcome === "screened_out") {
      await tx.trial.deleteMany({ where: { sessionId } });
      await tx.raterSession.update({ where: { id: sessionId }, data: { status: "screened_out" } });
    }
  });
  return buildSessionState(db, sessionId);
}
