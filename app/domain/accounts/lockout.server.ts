import { db, type Db } from "~/utils/db.server.ts";
import { addressHash } from "~/domain/consent/address-hash.server.ts";

// Password guessing: 5 failed sign-ins in a row (each within 15 minutes of the last) lock
// the address for 15 minutes. Counted per address, keyed by its hash, whether or not an
// account has it: an unknown address locks exactly like a known one, so the answers match.
//
// An attempt is counted before its password is checked, in one statement, and forgotten when
// the password was right: so parallel guesses on any number of connections check at most
// five passwords, where a read and a later write would let them all through.

const MINUTE_MS = 60_000;
export const LOCKOUT = { maxFailures: 5, lockMs: 15 * MINUTE_MS, windowMs: 15 * MINUTE_MS };

export type PasswordCheck = { outcome: "right" } | { outcome: "wrong" } | { outcome: "locked"; until: Date; justLocked: boolean };

/**
 * Checks a password under the address's lockout. `isRight` runs only when the address is not
 * locked. `justLocked` marks the failure that locked it: the moment to warn the account holder.
 */
export async function checkPasswordAgainstLockout(email: string, isRight: () => Promise<boolean>, now = new Date(), client: Db = db): Promise<PasswordCheck> {
  const key = addressHash(email);
  const attempt = await takeAttempt(key, now, client);
  if ("lockedUntil" in attempt) return { outcome: "locked", until: attempt.lockedUntil, justLocked: false };
  if (await isRight()) {
    await clearFailedSignIns(email, client);
    return { outcome: "right" };
  }
  if (attempt.number < LOCKOUT.maxFailures) return { outcome: "wrong" };
  const until = new Date(now.getTime() + LOCKOUT.lockMs);
  const { count } = await client.signInLockout.updateMany({
    where: { addressHash: key, OR: [{ lockedUntil: null }, { lockedUntil: { lte: now } }] },
    data: { lockedUntil: until, failures: 0 },
  });
  return { outcome: "locked", until, justLocked: count === 1 };
}

/**
 * Counts one attempt: its number within the current run of failures, or the lock in force.
 * Attempts during a lock do not extend it: otherwise anyone could keep a person out for ever.
 * Portable SQL (SQLite and PostgreSQL).
 */
async function takeAttempt(key: string, now: Date, client: Db): Promise<{ number: number } | { lockedUntil: Date }> {
  const recentIfAfter = new Date(now.getTime() - LOCKOUT.windowMs);
  const [row] = await client.$queryRaw<{ failures: number | bigint; lockedUntil: Date | null }[]>`
    INSERT INTO "SignInLockout" ("addressHash", "failures", "lastFailureAt", "lockedUntil") VALUES (${key}, 1, ${now}, NULL)
    ON CONFLICT ("addressHash") DO UPDATE SET
      "failures" = CASE WHEN "SignInLockout"."lockedUntil" > ${now} THEN "SignInLockout"."failures"
                        WHEN "SignInLockout"."lastFailureAt" > ${recentIfAfter} THEN "SignInLockout"."failures" + 1
                        ELSE 1 END,
      "lastFailureAt" = CASE WHEN "SignInLockout"."lockedUntil" > ${now} THEN "SignInLockout"."lastFailureAt" ELSE ${now} END,
      "lockedUntil" = CASE WHEN "SignInLockout"."lockedUntil" > ${now} THEN "SignInLockout"."lockedUntil" ELSE NULL END
    RETURNING "failures", "lockedUntil"`;
  if (row.lockedUntil && new Date(row.lockedUntil) > now) return { lockedUntil: new Date(row.lockedUntil) };
  const number = Number(row.failures);
  // More attempts than the limit are under way at once: the one that fails last locks the
  // address, and these are answered as the lock will answer them.
  if (number > LOCKOUT.maxFailures) return { lockedUntil: new Date(now.getTime() + LOCKOUT.lockMs) };
  return { number };
}

/** A right password, or a sign-in by other means (a reset, an accepted invitation), starts the count again. */
export async function clearFailedSignIns(email: string, client: Db = db): Promise<void> {
  await client.signInLockout.deleteMany({ where: { addressHash: addressHash(email) } });
}

/** Counters nobody has touched for a day: removed by `accounts prune`. */
export async function deleteStaleLockouts(now = new Date()): Promise<number> {
  const dayAgo = new Date(now.getTime() - 24 * 60 * MINUTE_MS);
  const { count } = await db.signInLockout.deleteMany({
    where: { lastFailureAt: { lt: dayAgo }, OR: [{ lockedUntil: null }, { lockedUntil: { lt: now } }] },
  });
  return count;
}
