import type { Role } from "~/generated/prisma/enums.ts";
import { db } from "~/utils/db.server.ts";
import { addressHash } from "~/domain/consent/address-hash.server.ts";
import { normalizeEmail } from "~/domain/consent/email.ts";
import { sendSecurityAlert, sendSignInLink, sendSignUpConfirmation, type AccountMailBlock } from "./account-mail.server.ts";
import { addressAndIpLimits, takeThrottles, type Throttled } from "./limits.server.ts";
import { checkPasswordAgainstLockout, LOCKOUT } from "./lockout.server.ts";
import { giveBackThrottle } from "~/domain/throttle/throttle.server.ts";
import { findOneTimeLink, useOneTimeLink, type UnusableLink } from "./one-time-links.server.ts";
import { verifyPassword, timingDecoyHash } from "./passwords.server.ts";
import { openUserSession, type Requester } from "./sessions.server.ts";
import type { Language } from "~/i18n/languages.ts";

// Signing in, by password or by an emailed link. Every answer about an address is the same
// whether or not an account has it: same words, same status, about the same time.

const MINUTE_MS = 60_000;
/** Password attempts from one IP address, whatever the addresses tried. */
export const SIGN_IN_IP_LIMIT = { attempts: 30, windowMs: 15 * MINUTE_MS };
/** "Email me a sign-in link" requests. */
export const SIGN_IN_LINK_LIMITS = { perAddress: 3, perIp: 20, windowMs: 60 * MINUTE_MS };

export type PasswordSignIn =
  | { outcome: "signed-in"; userId: number; role: Role; setCookie: string }
  | { outcome: "wrong-credentials" }
  | { outcome: "locked"; until: Date }
  /** Only with the right password: the account waits for its address to be confirmed (a new link is sent when mail can reach it). */
  | { outcome: "unconfirmed"; linkSent: true }
  | { outcome: "unconfirmed"; linkSent: false; reason: AccountMailBlock }
  | Throttled;

export async function signInWithPassword(
  /** language: the sign-in page's, for the confirmation mail an unconfirmed account gets again (ADR 047). */
  input: { email: string; password: string; language?: Language },
  request: Request,
  requester: Requester,
  now = new Date(),
): Promise<PasswordSignIn> {
  const email = normalizeEmail(input.email);
  // Every attempt takes from the IP's allowance and a right password gives it back: only
  // failures count, so parallel guesses are bounded and a busy office is never shut out.
  const ipLimit = requester.ip ? { key: `sign-in:ip:${requester.ip}`, limit: SIGN_IN_IP_LIMIT.attempts, windowMs: SIGN_IN_IP_LIMIT.windowMs } : null;
  const throttled = ipLimit ? await takeThrottles([ipLimit], now) : null;
  if (throttled) return throttled;

  const user = await db.user.findUnique({
    where: { email },
    select: { id: true, email: true, name: true, role: true, passwordHash: true, contactId: true, emailVerifiedAt: true, accessRevokedAt: true },
  });
  // A locked address is not checked at all: a right password must not be confirmed while locked.
  // Revoked staff get the wrong-password answer, counted like one: nothing tells them apart.
  const checked = await checkPasswordAgainstLockout(
    email,
    async () => (await verifyPassword(user?.passwordHash ?? (await timingDecoyHash()), input.password)) && !!user?.passwordHash && !user.accessRevokedAt,
    now,
  );
  if (checked.outcome === "locked") {
    if (checked.justLocked && user) {
      sendSecurityAlert(
        user,
        { kind: "locked", minutes: LOCKOUT.lockMs / MINUTE_MS, failures: LOCKOUT.maxFailures },
        requester,
        now,
      );
    }
    return { outcome: "locked", until: checked.until };
  }
  if (checked.outcome === "wrong" || !user) return { outcome: "wrong-credentials" };
  if (ipLimit) await giveBackThrottle(ipLimit.key);

  if (!user.emailVerifiedAt) {
    const unsent = await sendSignUpConfirmation(user, now, input.language);
    return unsent ? { outcome: "unconfirmed", linkSent: false, reason: unsent } : { outcome: "unconfirmed", linkSent: true };
  }
  const setCookie = await openUserSession(user.id, request, requester, now);
  return { outcome: "signed-in", userId: user.id, role: user.role, setCookie };
}

/**
 * "Email me a sign-in link". Only a confirmed account gets one; the caller answers the same
 * either way. An account waiting for confirmation gets nothing: a link must not confirm an
 * account someone else may have opened with this address.
 */
export async function requestSignInLink(
  emailInput: string,
  requester: Requester,
  now = new Date(),
  /** The page's language: the link is written in it (ADR 047). */
  language?: Language,
): Promise<{ outcome: "requested" } | Throttled> {
  const email = normalizeEmail(emailInput);
  const throttled = await takeThrottles(addressAndIpLimits("sign-in-link", addressHash(email), requester.ip, SIGN_IN_LINK_LIMITS), now);
  if (throttled) return throttled;
  const user = await db.user.findUnique({
    where: { email },
    select: { id: true, email: true, name: true, contactId: true, emailVerifiedAt: true, accessRevokedAt: true },
  });
  if (user?.emailVerifiedAt && !user.accessRevokedAt) await sendSignInLink(user, now, language);
  return { outcome: "requested" };
}

/** What the sign-in link page shows on GET: nothing is used or changed. */
export async function checkSignInLink(token: string, now = new Date()): Promise<{ ok: true } | { ok: false; reason: UnusableLink }> {
  const found = await findOneTimeLink(token, "SIGN_IN", now);
  return found.ok ? { ok: true } : found;
}

/**
 * Uses a sign-in link (POST only: mail scanners follow links with GET). The link proves the
 * mailbox, so it works while the password is locked: that lock is against guessing.
 */
export async function signInWithLink(
  token: string,
  request: Request,
  requester: Requester,
  now = new Date(),
): Promise<{ outcome: "signed-in"; userId: number; role: Role; setCookie: string } | { outcome: "bad-link"; reason: UnusableLink }> {
  const used = await useOneTimeLink(token, "SIGN_IN", now);
  if (!used.ok) return { outcome: "bad-link", reason: used.reason };
  const user = await db.user.findUnique({ where: { id: used.link.userId }, select: { id: true, email: true, role: true, accessRevokedAt: true } });
  // The address changed since the link was sent (it proves nothing about the account now), or
  // the account's access was revoked.
  if (!user || user.email !== used.link.email || user.accessRevokedAt) return { outcome: "bad-link", reason: "expired" };
  const setCookie = await openUserSession(user.id, request, requester, now);
  return { outcome: "signed-in", userId: user.id, role: user.role, setCookie };
}
