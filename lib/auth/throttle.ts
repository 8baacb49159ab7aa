import type { Db } from "@/lib/db/client";
import { DomainError } from "@/lib/errors";

// At most 10 failures per key in 15 minutes, then the key is locked for 15 minutes. Keys cover
// both the account (email) and the client address, so neither one account nor one client can
// be brute-forced.
export const SIGN_IN_MAX_FAILURES = 10;
const WINDOW_MS = 15 * 60_000;
const LOCK_MS = 15 * 60_000;

export async function assertSignInAllowed(db: Db, keys: string[]): Promise<void> {
  const rows = await db.signInThrottle.findMany({ where: { key: { in: keys } } });
  const now = Date.now();
  const locked = rows.find((row) => row.lockedUntil && row.lockedUntil.getTime() > now);
  if (locked?.lockedUntil) {
    throw tooManyAttempts(Math.ceil((locked.lockedUntil.getTime() - now) / 1000));
  }
}

function tooManyAttempts(retryAfterSeconds: number): DomainError {
  return new DomainError("too_many_attempts", "Too many failed sign-in attempts. Try again later.", { retryAfterSeconds });
}

/**
 * Counts one attempt against each key before its password is checked, and refuses (429) an
 * attempt beyond the limit. Counting first is what makes the limit hold for guesses sent all at
 * once: each upsert is atomic, so parallel attempts get distinct counts and only the first
 * SIGN_IN_MAX_FAILURES of a window are checked. A successful attempt is handed back with
 * {@link refundSignInAttempt}.
 */
export async function recordSignInAttempt(db: Db, keys: string[]): Promise<void> {
  const now = new Date();
  const windowOpen = new Date(now.getTime() - WINDOW_MS);
  let highest = 0;
  for (const key of keys) {
    // One atomic upsert per key: the window restarts when it has passed, and the lock is set
    // by the attempt that reaches the limit.
    const rows = await db.$queryRaw<{ failures: number }[]>`
      INSERT INTO "SignInThrottle" ("key", "failures", "windowStart", "lockedUntil")
      VALUES (${key}, 1, ${now}, NULL)
      ON CONFLICT ("key") DO UPDATE SET
        "failures" = CASE WHEN "SignInThrottle"."windowStart" < ${windowOpen} THEN 1 ELSE "SignInThrottle"."failures" + 1 END,
        "windowStart" = CASE WHEN "SignInThrottle"."windowStart" < ${windowOpen} THEN ${now} ELSE "SignInThrottle"."windowStart" END,
        "lockedUntil" = CASE WHEN "SignInThrottle"."windowStart" >= ${windowOpen}
                              AND "SignInThrottle"."failures" + 1 >= ${SIGN_IN_MAX_FAILURES}
                             THEN ${new Date(now.getTime() + LOCK_MS)} ELSE "SignInThrottle"."lockedUntil" END
      RETURNING "failures"`;
    highest = Math.max(highest, Number(rows[0]?.failures ?? 0));
  }
  if (highest > SIGN_IN_MAX_FAILURES) throw tooManyAttempts(Math.ceil(LOCK_MS / 1000));
}

/** Hands back the attempt a successful sign-in counted (and the lock it alone may have set). */
export async function refundSignInAttempt(db: Db, keys: string[]): Promise<void> {
  for (const key of keys) {
    await db.$executeRaw`
      UPDATE "SignInThrottle" SET
        "failures" = GREATEST("failures" - 1, 0),
        "lockedUntil" = CASE WHEN "failures" - 1 < ${SIGN_IN_MAX_FAILURES} THEN NULL ELSE "lockedUntil" END
      WHERE "key" = ${key}`;
  }
}

export async function clearSignInFailures(db: Db, keys: string[]): Promise<void> {
  await db.signInThrottle.deleteMany({ where: { key: { in: keys } } });
}
