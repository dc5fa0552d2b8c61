import { db, type Tx } from "~/utils/db.server.ts";
import { isUniqueViolation } from "~/utils/row-locks.server.ts";
import { addressHash } from "~/domain/consent/address-hash.server.ts";
import { applyConsentChange } from "~/domain/consent/changes.server.ts";
import { findOrCreateContact, isErasedAddress } from "~/domain/consent/contacts.server.ts";
import { normalizeEmail } from "~/domain/consent/email.ts";
import { accountMailBlock, sendSignInLink, sendSignUpConfirmation, type AccountMailBlock } from "./account-mail.server.ts";
import { addressAndIpLimits, takeThrottles, type Throttled } from "./limits.server.ts";
import { checkPasswordAgainstLockout } from "./lockout.server.ts";
import { findOneTimeLink, useOneTimeLink, type UnusableLink } from "./one-time-links.server.ts";
import { checkNewPassword } from "./password-rules.server.ts";
import { hashPassword, verifyPassword } from "./passwords.server.ts";
import { openUserSession, type Requester } from "./sessions.server.ts";
import type { Language } from "~/i18n/languages.ts";

// Sign-up for subscribers. The account exists at once but cannot sign in, and is linked to no
// Contact, until the person proves the address: they open the emailed link AND enter the
// password they chose. Needing both stops a stranger who signs up with someone else's address
// from ever owning that person's preferences (the owner cannot complete a link they did not
// ask for, and the stranger never sees the link). A person who erased their account can sign
// up again: the confirmation reaches the erased address, and confirming lifts the erasure.

export const SIGN_UP_LIMITS = { perAddress: 3, perIp: 10, windowMs: 60 * 60_000 };

export type SignUpOutcome =
  /** The one answer for every address that mail can reach: "check your inbox". */
  | { outcome: "check-inbox" }
  /** No mail can go to the address (a permanent bounce) or at all (no unit to send it from): nothing was stored. */
  | { outcome: "cannot-mail"; reason: AccountMailBlock }
  | { outcome: "weak-password"; message: string; suggestion: string | null }
  | Throttled;

export async function signUp(
  /** language: the sign-up page's; the mail this sends is written in it (ADR 047). */
  input: { email: string; name: string; password: string; language?: Language },
  requester: Requester,
  now = new Date(),
): Promise<SignUpOutcome> {
  const email = normalizeEmail(input.email);
  const verdict = await checkNewPassword(input.password, email);
  if (!verdict.ok) return { outcome: "weak-password", message: verdict.message, suggestion: verdict.suggestion };
  const throttled = await takeThrottles(addressAndIpLimits("sign-up", addressHash(email), requester.ip, SIGN_UP_LIMITS), now);
  if (throttled) return throttled;

  // Hashed whichever way this goes, so the answer takes as long for a taken address as for a new one.
  const passwordHash = await hashPassword(input.password);
  const existing = await db.user.findUnique({ where: { email }, select: { id: true, email: true, name: true, contactId: true, emailVerifiedAt: true } });
  // Decided before anything is stored or sent, so the page never says a mail went when none did.
  const blocked = await accountMailBlock(email, { reachesErasedAddress: !existing?.emailVerifiedAt });
  if (blocked) return { outcome: "cannot-mail", reason: blocked };
  if (existing?.emailVerifiedAt) {
    // The address has an account: its holder gets a sign-in link, the page says nothing about it.
    await sendSignInLink(existing, now, input.language);
    return { outcome: "check-inbox" };
  }
  // A new account, or a sign-up nobody confirmed yet: the latest details win, earlier links stop working.
  const select = { id: true, email: true, name: true, contactId: true } as const;
  const renew = () => db.user.update({ where: { email, emailVerifiedAt: null }, data: { name: input.name, passwordHash }, select });
  const user = existing
    ? await renew()
    : await db.user.create({ data: { email, name: input.name, passwordHash, role: "SUBSCRIBER", createdAt: now }, select }).catch((error: unknown) => {
        // The same address signed up at the same moment (a double click) and stored its account
        // first: the unique address says so, and this later one's details win as above (ADR 039).
        if (isUniqueViolation(error)) return renew();
        throw error;
      });
  const unsent = await sendSignUpConfirmation(user, now, input.language);
  return unsent ? { outcome: "cannot-mail", reason: unsent } : { outcome: "check-inbox" };
}

/** What the confirmation page shows on GET: nothing is used or changed. */
export async function checkSignUpLink(token: string, now = new Date()): Promise<{ ok: true; email: string } | { ok: false; reason: UnusableLink }> {
  const found = await findOneTimeLink(token, "CONFIRM_SIGN_UP", now);
  return found.ok ? { ok: true, email: found.link.email } : found;
}

export type SignUpConfirmation =
  | { outcome: "signed-in"; userId: number; setCookie: string }
  | { outcome: "wrong-password" }
  | { outcome: "locked"; until: Date }
  | { outcome: "bad-link"; reason: UnusableLink };

/**
 * Confirms the address with the emailed link and the password chosen at sign-up: marks the
 * address verified, links the account to the address's Contact (the existing one, with its
 * preferences, or a new one) and signs the person in.
 */
export async function confirmSignUp(
  token: string,
  password: string,
  request: Request,
  requester: Requester,
  now = new Date(),
): Promise<SignUpConfirmation> {
  const found = await findOneTimeLink(token, "CONFIRM_SIGN_UP", now);
  if (!found.ok) return { outcome: "bad-link", reason: found.reason };
  const { email } = found.link;
  // The password is checked like a sign-in: same lockout, same counting.
  const user = await db.user.findUnique({ where: { id: found.link.userId }, select: { id: true, email: true, name: true, passwordHash: true } });
  if (!user || user.email !== email || !user.passwordHash) return { outcome: "bad-link", reason: "expired" };
  const passwordHash = user.passwordHash;
  const checked = await checkPasswordAgainstLockout(email, () => verifyPassword(passwordHash, password), now);
  if (checked.outcome === "locked") return { outcome: "locked", until: checked.until };
  if (checked.outcome === "wrong") return { outcome: "wrong-password" };

  const confirmed = await db.$transaction(async (tx) => {
    const used = await useOneTimeLink(token, "CONFIRM_SIGN_UP", now, tx);
    if (!used.ok) return used;
    await liftOwnErasure(tx, email, user.id, requester, now);
    await linkVerifiedAddress(tx, user.id, now);
    return used;
  });
  if (!confirmed.ok) return { outcome: "bad-link", reason: confirmed.reason };
  const setCookie = await openUserSession(user.id, request, requester, now);
  return { outcome: "signed-in", userId: user.id, setCookie };
}

/**
 * The person erased their account once and has now confirmed a new sign-up with the address:
 * their own act, recorded in the ledger, ends the erasure. Imports and admins never do this.
 */
async function liftOwnErasure(tx: Tx, email: string, userId: number, requester: Requester, now: Date): Promise<void> {
  if (!(await isErasedAddress(email, tx))) return;
  await applyConsentChange(
    { kind: "unsuppress", email, reason: "ERASED" },
    { source: "PREFERENCE_CENTER", actor: `user:${userId}`, ip: requester.ip, userAgent: requester.userAgent, now },
    tx,
  );
}

/**
 * The address is proven for the first time (a sign-up confirmation, or a reset link before
 * one): mark it verified and link a subscriber account to the address's Contact, the
 * existing one with its preferences or a new one, unless another account holds that Contact.
 */
export async function linkVerifiedAddress(tx: Tx, userId: number, now: Date): Promise<void> {
  const user = await tx.user.findUniqueOrThrow({ where: { id: userId }, select: { email: true, name: true, role: true, contactId: true, emailVerifiedAt: true } });
  if (user.emailVerifiedAt) return;
  let contactId = user.contactId;
  if (contactId === null && user.role === "SUBSCRIBER") {
    const contact = await findOrCreateContact({ email: user.email, name: user.name }, tx);
    const holder = await tx.user.findUnique({ where: { contactId: contact.id }, select: { id: true } });
    if (!holder) contactId = contact.id;
  }
  await tx.user.update({ where: { id: userId }, data: { emailVerifiedAt: now, contactId } });
}
