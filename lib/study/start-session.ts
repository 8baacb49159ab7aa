import type { Db } from "@/lib/db/client";
import { createHash } from "node:crypto";
import { randomToken, sha256Hex } from "@/lib/crypto";
import { DomainError, notFound } from "@/lib/errors";
import { abandonIdleSessions } from "./idle-sessions";
import { identifyRecruiter, isMturkPreview, participantHash, recruiterIdsToKeep } from "./recruiter-identity";
import { assignSession } from "./session-assignment";
import { readStoredProtocol } from "./stored-protocol";
import { DEFAULT_START_LIMITS, enforceStartLimits, oneStartAtATime, type StartLimits } from "./session-start-limits";

interface StartInput {
  studyId: string;
  params: Record<string, string>;
  existingToken: string | undefined;
  userAgent: string | null;
  screen: { width: number; height: number; devicePixelRatio: number } | null;
  /**
   * A random key the page makes once per start and sends again with every retry of it (and after
   * a reload, until a start has succeeded): a retried start whose first reply was lost finds the
   * session the first one made instead of starting a second (or being refused as a second
   * participation). Absent, every start is a new one.
   */
  startKey?: string | null;
  /** The client's address (lib/http/forwarded.ts); null when unknown (scripts, tests). */
  clientAddress?: string | null;
  limits?: StartLimits;
}

/**
 * Starts a rater session, or resumes the one this browser already holds. Assignment is atomic:
 * one transaction per study at a time (an advisory transaction lock) counts sessions per method,
 * picks the method with the fewest, plans the trials from the least-shown images and stores it
 * all, so two raters starting at the same instant never see an inconsistent state.
 *
 * With a start key the session's token is derived from it and the study's secret salt, so the
 * same key always names the same session: a retry of a start that went through (on this or on
 * another instance) is answered with that session and its token, and nothing is created twice.
 */
export async function startOrResumeSession(db: Db, input: StartInput): Promise<{ token: string; sessionId: string; resumed: boolean }> {
  if (input.existingToken) {
    const existing = await db.raterSession.findUnique({ where: { tokenHash: sha256Hex(input.existingToken) }, select: { id: true, studyId: true } });
    if (existing && existing.studyId === input.studyId) return { token: input.existingToken, sessionId: existing.id, resumed: true };
  }
  if (isMturkPreview(input.params)) throw new DomainError("mturk_preview", "Accept the HIT on MTurk before starting.");
  const identity = identifyRecruiter(input.params);
  const limits = input.limits ?? DEFAULT_START_LIMITS;
  return oneStartAtATime(input.studyId, () => db.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${input.studyId}))`;
      const study = await tx.study.findUnique({ where: { id: input.studyId }, select: { id: true, status: true, protocol: true, protocolHash: true, participantSalt: true } });
      if (!study) throw notFound("Study");
      const token = input.startKey ? tokenForStartKey(study.id, study.participantSalt, input.startKey) : randomToken();
      if (input.startKey) {
        // Before every other check: the start this key made is not a second participation, and
        // answering it again may not wait for the study's status or its limits.
        const earlier = await tx.raterSession.findUnique({ where: { tokenHash: sha256Hex(token) }, select: { id: true, studyId: true } });
        if (earlier?.studyId === study.id) return { token, sessionId: earlier.id, resumed: true };
      }
      if (study.status !== "open") throw new DomainError("study_not_open", study.status === "paused" ? "This study is paused. Please try again later." : "This study is not taking participants.");
      const protocol = readStoredProtocol(study.protocol, study.protocolHash);
      const hash = identity.participantId ? participantHash(study.participantSalt, identity.recruiter, identity.participantId) : null;
      if (hash && (await tx.raterSession.count({ where: { studyId: study.id, participantHash: hash } })) > 0) {
        throw new DomainError("already_participated", "You have already taken part in this study (each participant may take it once).");
      }
      // The address is stored only as a hash salted like participant ids.
      const clientHash = input.clientAddress ? sha256Hex(`${study.participantSalt}:client:${input.clientAddress}`) : null;
      const now = Date.now();
      await enforceStartLimits(tx, study.id, clientHash, limits, now);
      await abandonIdleSessions(tx, study.id, new Date(now - limits.idleMinutes * 60_000));
      const plan = await assignSession(tx, study.id, protocol);
      const session = await tx.raterSession.create({
        data: {
          studyId: study.id,
          methodId: plan.sessionMethodId,
          recruiter: identity.recruiter,
          participantHash: hash,
          recruiterIds: Object.keys(identity.ids).length ? recruiterIdsToKeep(identity, protocol) : undefined,
          tokenHash: sha256Hex(token),
          userAgent: input.userAgent?.slice(0, 500) ?? null,
          clientHash,
          screen: input.screen ?? undefined,
        },
        select: { id: true },
      });
      await tx.trial.createMany({
        data: plan.trials.map((trial) => ({
          sessionId: session.id,
          position: trial.position,
          kind: trial.kind,
          methodId: trial.methodId,
          stimulusId: trial.stimulusId,
          candidateId: plan.candidateIds.get(`${trial.methodId}:${trial.stimulusId}`) as string,
          realOnLeft: trial.realOnLeft,
          leftToken: randomToken(18),
          rightToken: randomToken(18),
        })),
      });
      return { token, sessionId: session.id, resumed: false };
    },
    { timeout: 30_000, maxWait: 30_000 },
  ));
}

/** The session token a start key stands for: only the server, which holds the salt, can derive it. */
function tokenForStartKey(studyId: string, participantSalt: string, startKey: string): string {
  return createHash("sha256").update(`rater-start\0${studyId}\0${participantSalt}\0${startKey}`).digest("base64url");
}
