import { db } from "~/utils/db.server.ts";
import { addressHash } from "~/domain/consent/address-hash.server.ts";
import { normalizeEmail } from "~/domain/consent/email.ts";
import { sendPasswordResetLink, sendSecurityAlert } from "./account-mail.server.ts";
import { addressAndIpLimits, takeThrottles, type Throttled } from "./limits.server.ts";
import { clearFailedSignIns } from "./lockout.server.ts";
import { findOneTimeLink, useOneTimeLink, type UnusableLink } from "./one-time-links.server.ts";
import { checkNewPassword } from "./password-rules.server.ts";
import { hashPassword } from "./passwords.server.ts";
import { openUserSession, revokeUserSessions, type Requester } from "./sessions.server.ts";
import { linkVerifiedAddress } from "./sign-up.server.ts";
import type { Language } from "~/i18n/languages.ts";

// "Forgot your password?": a link to the address, valid for one hour and one use. The page
// answers the same whether or not the address has an account.

export const RESET_LIMITS = { perAddress: 3, perIp: 20, windowMs: 60 * 60_000 };

export async function requestPasswordReset(
  emailInput: string,
  requester: Requester,
  now = new Date(),
  /** The page's language: the link is written in it (ADR 047). */
  language?: Language,
): Promise<{ outcome: "requested" } | Throttled> {
  const email = normalizeEmail(emailInput);
  const throttled = await takeThrottles(addressAndIpLimits("password-reset", addressHash(email), requester.ip, RESET_LIMITS), now);
  if (throttled) return throttled;
  const user = await db.user.findUnique({ where: { email }, select: { id: true, email: true, name: true, contactId: true, accessRevokedAt: true } });
  // An unconfirmed sign-up gets one too: the link proves the mailbox, and the new password
  // replaces whatever a stranger may have chosen for this address. Revoked staff get nothing.
  if (user && !user.accessRevokedAt) await sendPasswordResetLink(user, now, language);
  return { outcome: "requested" };
}

/** What the reset page shows on GET: nothing is used or changed. */
export async function checkResetLink(token: string, now = new Date()): Promise<{ ok: true; email: string } | { ok: false; reason: UnusableLink }> {
  const found = await findOneTimeLink(token, "RESET_PASSWORD", now);
  return found.ok ? { ok: true, email: found.link.email } : found;
}

export type PasswordResetOutcome =
  | { outcome: "reset"; userId: number; setCookie: string }
  | { outcome: "weak-password"; message: string; suggestion: string | null }
  | { outcome: "bad-link"; reason: UnusableLink };

/**
 * Sets the new password, ends every session of the account (whoever knew the old password is
 * out), lifts a sign-in lock, warns the account holder, and signs the person in afresh.
 */
export async function resetPassword(
  token: string,
  newPassword: string,
  request: Request,
  requester: Requester,
  now = new Date(),
): Promise<PasswordResetOutcome> {
  const found = await findOneTimeLink(token, "RESET_PASSWORD", now);
  if (!found.ok) return { outcome: "bad-link", reason: found.reason };
  const verdict = await checkNewPassword(newPassword, found.link.email);
  if (!verdict.ok) return { outcome: "weak-password", message: verdict.message, suggestion: verdict.suggestion };
  const passwordHash = await hashPassword(newPassword);

  const result = await db.$transaction(async (tx) => {
    const used = await useOneTimeLink(token, "RESET_PASSWORD", now, tx);
    if (!used.ok) return used;
    const user = await tx.user.findUnique({ where: { id: used.link.userId }, select: { id: true, email: true, accessRevokedAt: true } });
    // The address changed since the link was sent (it proves nothing about the account now), or
    // the account's access was revoked.
    if (!user || user.email !== used.link.email || user.accessRevokedAt) return { ok: false as const, reason: "expired" as const };
    await tx.user.update({ where: { id: user.id }, data: { passwordHash } });
    await linkVerifiedAddress(tx, user.id, now);
    // Other outstanding reset and sign-in links were sent before this; they stop working too.
    await tx.oneTimeLink.deleteMany({ where: { userId: user.id, usedAt: null, purpose: { in: ["RESET_PASSWORD", "SIGN_IN"] } } });
    return used;
  });
  if (!result.ok) return { outcome: "bad-link", reason: result.reason };

  const user = await db.user.findUniqueOrThrow({ where: { id: result.link.userId }, select: { id: true, email: true, name: true, contactId: true } });
  await revokeUserSessions(user.id, now);
  await clearFailedSignIns(user.email);
  sendSecurityAlert(user, { kind: "passwordReset" }, requester, now);
  const setCookie = await openUserSession(user.id, request, requester, now);
  return { outcome: "reset", userId: user.id, setCookie };
}
