import { db } from "~/utils/db.server.ts";
import { addressHash } from "~/domain/consent/address-hash.server.ts";

// Password guessing: 5 failed sign-ins in a row (each within 15 minutes of the last) lock
// the address for 15 minutes. Counted per address, keyed by its hash, whether or not an
// account has it: an unknown address locks exactly like a known one, so the answers match.

const MINUTE_MS = 60_000;
export const LOCKOUT = { maxFailures: 5, lockMs: 15 * MINUTE_MS, windowMs: 15 * MINUTE_MS };

/** Until when the address is locked, or null. */
export async function lockedUntil(email: string, now = new Date()): Promise<Date | null> {
  const row = await db.signInLockout.findUnique({ where: { addressHash: addressHash(email) }, select: { lockedUntil: true } });
  return row?.lockedUntil && row.lockedUntil > now ? row.lockedUntil : null;
}

/**
 * Counts one failed sign-in. Returns the lock's end when the address is locked now, and
 * whether this failure is the one that locked it (the moment to warn the account holder).
 */
export async function recordFailedSignIn(email: string, now = new Date()): Promise<{ lockedUntil: Date | null; justLocked: boolean }> {
  const key = addressHash(email);
  return db.$transaction(async (tx) => {
    const row = await tx.signInLockout.findUnique({ where: { addressHash: key } });
    // Attempts during a lock do not extend it: otherwise anyone could keep a person out for ever.
    if (row?.lockedUntil && row.lockedUntil > now) return { lockedUntil: row.lockedUntil, justLocked: false };
    const recent = row !== null && now.getTime() - row.lastFailureAt.getTime() < LOCKOUT.windowMs;
    const failures = (recent ? row.failures : 0) + 1;
    const locking = failures >= LOCKOUT.maxFailures;
    const data = {
      failures: locking ? 0 : failures,
      lastFailureAt: now,
      lockedUntil: locking ? new Date(now.getTime() + LOCKOUT.lockMs) : null,
    };
    await tx.signInLockout.upsert({ where: { addressHash: key }, create: { addressHash: key, ...data }, update: data });
    return { lockedUntil: data.lockedUntil, justLocked: locking };
  });
}

/** A successful sign-in (or a password reset) starts the count again. */
export async function clearFailedSignIns(email: string): Promise<void> {
  await db.signInLockout.deleteMany({ where: { addressHash: addressHash(email) } });
}

/** Counters nobody has touched for a day: removed by `accounts prune`. */
export async function deleteStaleLockouts(now = new Date()): Promise<number> {
  const dayAgo = new Date(now.getTime() - 24 * 60 * MINUTE_MS);
  const { count } = await db.signInLockout.deleteMany({
    where: { lastFailureAt: { lt: dayAgo }, OR: [{ lockedUntil: null }, { lockedUntil: { lt: now } }] },
  });
  return count;
}
