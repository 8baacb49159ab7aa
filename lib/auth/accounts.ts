import type { Db } from "@/lib/db/client";
import { DomainError, forbidden, notFound } from "@/lib/errors";
import { randomToken, sha256Hex } from "@/lib/crypto";
import { decoyPasswordHash, hashPassword, verifyPassword } from "./password";
import type { SignInInput, SignUpInput } from "./schemas";
import { clearSignInFailures, recordSignInAttempt, refundSignInAttempt, assertSignInAllowed } from "./throttle";

export interface ResearcherView {
  id: string;
  email: string;
  name: string;
  teamId: string;
}

const researcherView = { id: true, email: true, name: true, teamId: true } as const;
const INVITATION_DAYS = 7;

/**
 * Signs up the first researcher of this installation, who founds its first team. Later
 * researchers join by invitation only, so that a public deployment is not open to anyone.
 */
export async function signUpFirstResearcher(db: Db, input: SignUpInput): Promise<ResearcherView> {
  const passwordHash = await hashPassword(input.password);
  return db.$transaction(async (tx) => {
    // Serializes concurrent first sign-ups: only one can see an empty table.
    await tx.$executeRawUnsafe(`LOCK TABLE "Researcher" IN SHARE ROW EXCLUSIVE MODE`);
    if ((await tx.researcher.count()) > 0) {
      throw forbidden("Sign-up is closed: ask a researcher of your team for an invitation.");
    }
    const team = await tx.team.create({ data: { name: input.teamName ?? `${input.name}'s team` } });
    return tx.researcher.create({
      data: { email: input.email, name: input.name, passwordHash, teamId: team.id },
      select: researcherView,
    });
  });
}

export async function isSignUpOpen(db: Db): Promise<boolean> {
  return (await db.researcher.count()) === 0;
}

/** Checks the password; a wrong email and a wrong password fail alike (401) and are throttled. */
export async function authenticate(db: Db, input: SignInInput, clientKey: string): Promise<ResearcherView> {
  const keys = [`email:${input.email}`, `client:${clientKey}`];
  await assertSignInAllowed(db, keys);
  // Counted before the (slow) password check, so parallel guesses cannot all slip through.
  await recordSignInAttempt(db, keys);
  const researcher = await db.researcher.findUnique({ where: { email: input.email } });
  const valid = await verifyPassword(researcher?.passwordHash ?? (await decoyPasswordHash()), input.password);
  if (!researcher || !valid) {
    throw new DomainError("invalid_credentials", "The email or password is not right.");
  }
  await clearSignInFailures(db, [`email:${input.email}`]);
  await refundSignInAttempt(db, [`client:${clientKey}`]);
  return { id: researcher.id, email: researcher.email, name: researcher.name, teamId: researcher.teamId };
}

export interface CreatedInvitation {
  id: string;
  email: string;
  token: string;
  expiresAt: Date;
}

/** A signed-in researcher invites a colleague to their team; the token is shown once. */
export async function inviteResearcher(db: Db, inviter: ResearcherView, email: string): Promise<CreatedInvitation> {
  if (await db.researcher.findUnique({ where: { email } })) {
    throw new DomainError("already_registered", "A researcher with this email already has an account.");
  }
  const token = randomToken();
  const expiresAt = new Date(Date.now() + INVITATION_DAYS * 86_400_000);
  const invitation = await db.invitation.create({
    data: { email, teamId: inviter.teamId, invitedById: inviter.id, tokenHash: sha256Hex(token), expiresAt },
  });
  return { id: invitation.id, email, token, expiresAt };
}

export async function acceptInvitation(db: Db, token: string, name: string, password: string): Promise<ResearcherView> {
  const passwordHash = await hashPassword(password);
  return db.$transaction(async (tx) => {
    const invitation = await tx.invitation.findUnique({ where: { tokenHash: sha256Hex(token) } });
    if (!invitation || invitation.acceptedAt || invitation.expiresAt < new Date()) {
      throw new DomainError("invalid_invitation", "This invitation is not valid or has expired.");
    }
    // Conditional update: two tabs accepting the same invitation cannot both win.
    const claimed = await tx.invitation.updateMany({
      where: { id: invitation.id, acceptedAt: null },
      data: { acceptedAt: new Date() },
    });
    if (claimed.count !== 1) throw new DomainError("invalid_invitation", "This invitation was already used.");
    return tx.researcher.create({
      data: { email: invitation.email, name, passwordHash, teamId: invitation.teamId },
      select: researcherView,
    });
  });
}

export async function listTeam(db: Db, researcher: ResearcherView) {
  const [members, invitations] = await Promise.all([
    db.researcher.findMany({ where: { teamId: researcher.teamId }, select: researcherView, orderBy: { createdAt: "asc" } }),
    db.invitation.findMany({
      where: { teamId: researcher.teamId, acceptedAt: null, expiresAt: { gt: new Date() } },
      select: { id: true, email: true, expiresAt: true },
      orderBy: { createdAt: "desc" },
    }),
  ]);
  return { members, invitations };
}

/**
 * Revokes an invitation of the researcher's team that has not been accepted: its link stops
 * working at once. Another team's invitation answers like an unknown one (404).
 */
export async function revokeInvitation(db: Db, researcher: ResearcherView, invitationId: string): Promise<void> {
  const { count } = await db.invitation.deleteMany({ where: { id: invitationId, teamId: researcher.teamId, acceptedAt: null } });
  if (count === 0) throw notFound("Invitation");
}
