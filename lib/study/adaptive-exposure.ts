import { nextExposure, type StaircaseRule, type StaircaseTrial } from "@/lib/stats";
import type { Tx } from "@/lib/db/client";
import { staircaseRuleOf, type AdaptiveExposureFormat } from "./trial-format";

/** A trial of a session as the staircase sees it, in position order. */
export interface ExposureTrial {
  kind: "practice" | "test" | "vigilance";
  methodId: string;
  /** The exposure the trial was given (null: not handed out yet). */
  exposureMs: number | null;
  /** The stored answer's correctness; null while unanswered. */
  correct: boolean | null;
}

/**
 * The exposure of a session's trial, from the session's answered trials before it (HYPE-time,
 * docs/study-designs.md). Test trials follow one staircase per method (lib/stats `nextExposure`
 * replays that method's answered test trials, so a stored exposure the rule did not give is an
 * error). Practice trials show the staircase's start exposure and do not move it; vigilance
 * trials (the Random baseline, an attention check) show the longest exposure and do not move it
 * either, so that a vigilance failure is inattention, not a short exposure.
 */
export function exposureForTrial(trials: readonly ExposureTrial[], index: number, rule: StaircaseRule): number {
  const trial = trials[index];
  if (!trial) throw new RangeError(`no trial at ${index}`);
  if (trial.kind === "practice") return rule.exposuresMs[rule.startIndex] as number;
  if (trial.kind === "vigilance") return rule.exposuresMs[rule.exposuresMs.length - 1] as number;
  const history: StaircaseTrial[] = [];
  for (const earlier of trials.slice(0, index)) {
    if (earlier.kind !== "test" || earlier.methodId !== trial.methodId) continue;
    if (earlier.correct === null || earlier.exposureMs === null) throw new RangeError("an earlier test trial is unanswered");
    history.push({ exposureMs: earlier.exposureMs, correct: earlier.correct });
  }
  return nextExposure(history, rule);
}

/**
 * Gives the session's first unanswered trial its exposure, decided on the server from the stored
 * answers (never from the page). Runs inside the transaction that starts the session or stores an
 * answer, so a trial is handed out only with its exposure; a trial that has one keeps it.
 */
export async function assignNextExposure(tx: Tx, sessionId: string, format: AdaptiveExposureFormat): Promise<void> {
  const rows = await tx.$queryRaw<{ id: string; kind: ExposureTrial["kind"]; methodId: string; exposureMs: number | null; correct: boolean | null }[]>`
    SELECT t."id", t."kind"::text AS "kind", t."methodId", t."exposureMs", a."correct"
      FROM "Trial" t LEFT JOIN "Response" a ON a."trialId" = t."id"
     WHERE t."sessionId" = ${sessionId}
     ORDER BY t."position"`;
  const index = rows.findIndex((row) => row.correct === null);
  const next = rows[index];
  if (!next || next.exposureMs !== null) return;
  const exposureMs = exposureForTrial(rows, index, staircaseRuleOf(format));
  await tx.trial.update({ where: { id: next.id }, data: { exposureMs } });
}
