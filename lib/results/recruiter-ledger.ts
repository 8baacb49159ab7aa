import "server-only";
import { z } from "zod";
import type { Db } from "@/lib/db/client";
import { notFound } from "@/lib/errors";
import { readStoredProtocol } from "@/lib/study/stored-protocol";
import { csvRow, type CsvValue } from "./csv";
import type { LeftOutReason } from "./result-types";
import { readSessionAggregates } from "./study-aggregates";
import { decideSessions } from "./summarize-study";

// The recruiter ledger: who to pay. One row per session with the recruiter's ids, whether it
// completed (and its own completion code), whether the protocol's rules exclude it and why, and
// the suggested decision, in the columns the recruiters' bulk steps read. It is kept apart from
// the analysis export: it holds recruiter ids, which the analysis never needs.

export const ledgerQuerySchema = z.object({ recruiter: z.enum(["prolific", "mturk", "link"]).default("prolific") });
export type LedgerRecruiter = z.infer<typeof ledgerQuerySchema>["recruiter"];

export interface LedgerEntry {
  sessionId: string;
  recruiter: LedgerRecruiter;
  ids: Record<string, string>;
  completed: boolean;
  completionCode: string | null;
  startedAt: Date;
  completedAt: Date | null;
  excluded: boolean;
  reasons: LeftOutReason[];
  /** `screened-out`: ended by the screening before practice; neither approved for the study nor rejected. */
  decision: "approve" | "reject" | "screened-out";
  /** Why a rejection is suggested, in words a participant can read. */
  rejectReason: string | null;
}

/**
 * What to do with a session's submission. Completed sessions are approved unless they failed the
 * attention checks (vigilance) or answered faster than the images were shown (pace): those are
 * the rater's doing, and both recruiters allow rejecting them. A timing flag alone is the
 * display's doing (a slow screen), so such a session is excluded from the analysis yet paid.
 * A session that never completed has no code and should have no submission. A session the
 * screening ended is never rejected: the rater did what was asked and the study's checks ended it
 * (Prolific pays it through the screened-out code; on MTurk the HIT is approved).
 */
export function ledgerDecision(completed: boolean, reasons: readonly LeftOutReason[], screenedOut = false): Pick<LedgerEntry, "decision" | "rejectReason"> {
  if (screenedOut) return { decision: "screened-out", rejectReason: null };
  if (!completed) return { decision: "reject", rejectReason: "The study was not completed." };
  if (reasons.includes("vigilance")) return { decision: "reject", rejectReason: "Failed the attention-check trials." };
  if (reasons.includes("pace")) return { decision: "reject", rejectReason: "Answered faster than the images were shown." };
  return { decision: "approve", rejectReason: null };
}

/** Every session of a study with its recruiter ids, completion and exclusion. */
export async function readRecruiterLedger(db: Db, studyId: string): Promise<LedgerEntry[]> {
  const study = await db.study.findUnique({ where: { id: studyId }, select: { protocol: true, protocolHash: true } });
  if (!study) throw notFound("Study");
  const rules = readStoredProtocol(study.protocol, study.protocolHash).exclusion;
  const [aggregates, sessions] = await Promise.all([
    readSessionAggregates(db, studyId),
    db.raterSession.findMany({
      where: { studyId },
      select: { id: true, recruiter: true, recruiterIds: true, status: true, completionCode: true, createdAt: true, completedAt: true },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    }),
  ]);
  const { decisions } = decideSessions(aggregates, rules);
  return sessions.map((session) => {
    const decided = decisions.get(session.id);
    const completed = session.status === "completed";
    const reasons = decided?.disposition === "excluded" ? decided.reasons : [];
    return {
      sessionId: session.id,
      recruiter: session.recruiter,
      ids: (session.recruiterIds ?? {}) as Record<string, string>,
      completed,
      completionCode: session.completionCode,
      startedAt: session.createdAt,
      completedAt: session.completedAt,
      excluded: reasons.length > 0,
      reasons,
      ...ledgerDecision(completed, reasons, session.status === "screened_out"),
    };
  });
}

/**
 * Columns per recruiter. Prolific: the participant id first (its bulk approve and reject take a
 * list of participant ids), then its submission's ids. MTurk: the batch results' AssignmentId,
 * WorkerId and HITId with `Approve` ("x") and `Reject` (the reason) columns, which MTurk's
 * "Upload CSV" step for approving and rejecting reads; other columns are kept for the researcher.
 */
const columns: Record<LedgerRecruiter, { header: string[]; ids: (entry: LedgerEntry) => CsvValue[] }> = {
  prolific: {
    header: ["participant_id", "study_id", "session_id"],
    ids: (entry) => [entry.ids.PROLIFIC_PID, entry.ids.STUDY_ID, entry.ids.SESSION_ID],
  },
  mturk: {
    header: ["AssignmentId", "WorkerId", "HITId"],
    ids: (entry) => [entry.ids.assignmentId, entry.ids.workerId, entry.ids.hitId],
  },
  link: { header: [], ids: () => [] },
};

/** The ledger of one recruiter's sessions as CSV (RFC 4180, cells neutralised as in csv.ts). */
export function formatRecruiterLedger(entries: readonly LedgerEntry[], recruiter: LedgerRecruiter): string {
  const layout = columns[recruiter];
  const decisionHeader = recruiter === "mturk" ? ["Approve", "Reject"] : ["decision", "reject_reason"];
  const header = [...layout.header, "ctt_session", "completed", "completion_code", "excluded", "exclusion_reason", "started_at", "completed_at", ...decisionHeader];
  const rows = entries
    .filter((entry) => entry.recruiter === recruiter)
    .map((entry) =>
      csvRow([
        ...layout.ids(entry),
        entry.sessionId,
        entry.completed,
        entry.completionCode,
        entry.excluded,
        entry.reasons.join("+") || null,
        entry.startedAt.toISOString(),
        entry.completedAt?.toISOString() ?? null,
        ...(recruiter === "mturk"
          ? [entry.decision === "approve" || entry.decision === "screened-out" ? "x" : null, entry.rejectReason]
          : [entry.decision, entry.rejectReason]),
      ]),
    );
  return csvRow(header) + rows.join("");
}
