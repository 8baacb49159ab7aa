import type { Db } from "@/lib/db/client";
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
  /** The client's address (lib/http/forwarded.ts); null when unknown (scripts, tests). */
  clientAddress?: string | null;
  limits?: StartLimits;
}

/**
 * Starts a rater session, or resumes the one this browser already holds. Assignment is atomic:
 * one transaction per study at a time (an advisory transaction lock) counts sessions per method,
 * picks the method with the fewest, plans the trials from the least-shown images and stores it
 * all, so two raters starting at the same instant never see an inconsistent state.
 */
export async function startOrResumeSession(db: Db, input: StartInput): Promise<{ token: string; sessionId: string; resumed: boolean }> {
  if (input.existingToken) {
    const existing = await db.raterSession.findUnique({ where: { tokenHash: sha256Hex(input.existingToken) }, select: { id: true, studyId: true } });
    if (existing && existing.studyId === input.studyId) return { token: input.existingToken, sessionId: existing.id, resumed: true };
  }
  if (isMturkPreview(input.params)) throw new DomainError("mturk_preview", "Accept the HIT on MTurk before starting.");
  const identity = identifyRecruiter(input.params);
  const limits = input.limits ?? DEFAULT_START_LIMITS;
  const token = randomToken();
  const sessionId = await oneStartAtATime(input.studyId, () => db.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${input.studyId}))`;
      const study = await tx.study.findUnique({ where: { id: input.studyId }, select: { id: true, status: true, protocol: true, protocolHash: true, participantSalt: true } });
      if (!study) throw notFound("Study");
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
      return session.id;
    },
    { timeout: 30_000, maxWait: 30_000 },
  ));
  return { token, sessionId, resumed: false };
}
