import type { Db } from "@/lib/db/client";
import { AppError } from "@/lib/http/errors";

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
    const retryAfter = Math.ceil((locked.lockedUntil.getTime() - now) / 1000);
    throw new AppError(429, "too_many_attempts", "Too many failed sign-in attempts. Try again later.", { retryAfterSeconds: retryAfter });
  }
}

export async function recordSignInFailure(db: Db, keys: string[]): Promise<void> {
  const now = new Date();
  for (const key of keys) {
    // One atomic upsert per key: the window restarts when it has passed, and the lock is set
    // by the failure that reaches the limit.
    await db.$executeRaw`
      INSERT INTO "SignInThrottle" ("key", "failures", "windowStart", "lockedUntil")
      VALUES (${key}, 1, ${now}, NULL)
      ON CONFLICT ("key") DO UPDATE SET
        "failures" = CASE WHEN "SignInThrottle"."windowStart" < ${new Date(now.getTime() - WINDOW_MS)} THEN 1 ELSE "SignInThrottle"."failures" + 1 END,
        "windowStart" = CASE WHEN "SignInThrottle"."windowStart" < ${new Date(now.getTime() - WINDOW_MS)} THEN ${now} ELSE "SignInThrottle"."windowStart" END,
        "lockedUntil" = CASE WHEN "SignInThrottle"."windowStart" >= ${new Date(now.getTime() - WINDOW_MS)}
                              AND "SignInThrottle"."failures" + 1 >= ${SIGN_IN_MAX_FAILURES}
                             THEN ${new Date(now.getTime() + LOCK_MS)} ELSE "SignInThrottle"."lockedUntil" END`;
  }
}

export async function clearSignInFailures(db: Db, keys: string[]): Promise<void> {
  await db.signInThrottle.deleteMany({ where: { key: { in: keys } } });
}
