import { db } from "~/utils/db.server.ts";
import { againIfClaimedMeanwhile } from "~/utils/row-locks.server.ts";
import { forgetRecipient } from "~/domain/transactional/erasure.server.ts";
import { ContactEmailTakenError, changeContactEmail, eraseContact, renameContact } from "~/domain/consent/contacts.server.ts";
import { maskEmail, normalizeEmail } from "~/domain/consent/email.ts";
import { personalDataJson } from "~/domain/consent/personal-data.server.ts";
import { accountMailBlock, sendEmailChangeLink, sendSecurityAlert, type AccountMailBlock } from "./account-mail.server.ts";
import { takeThrottles, type Throttled } from "./limits.server.ts";
import { findOneTimeLink, useOneTimeLink, type UnusableLink } from "./one-time-links.server.ts";
import { checkNewPassword } from "./password-rules.server.ts";
import { hashPassword, verifyPassword } from "./passwords.server.ts";
import { countLiveSessions, revokeUserSessions, type Requester } from "./sessions.server.ts";

// The signed-in person's own account: profile, address change, password, data export,
// "sign out everywhere" and erasure. Every function is scoped to one user id.

const MINUTE_MS = 60_000;
/** Re-entering the current password on /account: a stolen session must not become a guessing machine. */
export const PASSWORD_CONFIRM_LIMIT = { attempts: 5, windowMs: 15 * MINUTE_MS };

export async function loadAccount(userId: number, now = new Date()) {
  const user = await db.user.findUniqueOrThrow({
    where: { id: userId },
    select: { email: true, name: true, role: true, createdAt: true, lastSignInAt: true, contactId: true, passwordHash: true },
  });
  const pendingChange = await db.oneTimeLink.findFirst({
    where: { userId, purpose: "CONFIRM_EMAIL_CHANGE", usedAt: null, expiresAt: { gt: now } },
    orderBy: { id: "desc" },
    select: { email: true },
  });
  const { passwordHash, ...profile } = user;
  return { ...profile, hasPassword: passwordHash !== null, pendingEmail: pendingChange?.email ?? null, liveSessions: await countLiveSessions(userId, now) };
}

/** The account's name, and its contact's in the same transaction: one person, one name. */
export async function updateName(userId: number, name: string): Promise<void> {
  await db.$transaction(async (tx) => {
    const { contactId } = await tx.user.update({ where: { id: userId }, data: { name }, select: { contactId: true } });
    if (contactId !== null) await renameContact(contactId, name, tx);
  });
}

/** Checks the current password for a sensitive change, within the per-user limit. */
async function confirmPassword(userId: number, password: string, now: Date): Promise<"ok" | "wrong-password" | Throttled> {
  const throttled = await takeThrottles([{ key: `account:confirm-password:${userId}`, limit: PASSWORD_CONFIRM_LIMIT.attempts, windowMs: PASSWORD_CONFIRM_LIMIT.windowMs }], now);
  if (throttled) return throttled;
  const user = await db.user.findUniqueOrThrow({ where: { id: userId }, select: { passwordHash: true } });
  return user.passwordHash && (await verifyPassword(user.passwordHash, password)) ? "ok" : "wrong-password";
}

export type EmailChangeRequest =
  | { outcome: "sent"; newEmail: string }
  /** No link can reach the new address: nothing was sent, to it or to the old one. */
  | { outcome: "cannot-mail"; reason: AccountMailBlock }
  | { outcome: "same-address" }
  | { outcome: "wrong-password" }
  | Throttled;

/**
 * Asks to move the account to a new address: a confirmation link goes to the NEW address and
 * a notice to the OLD one. Nothing changes until the link is used. Whether the new address
 * has an account of its own is not said here (that is checked when the link proves it).
 */
export async function requestEmailChange(
  userId: number,
  input: { newEmail: string; currentPassword: string },
  requester: Requester,
  now = new Date(),
): Promise<EmailChangeRequest> {
  const newEmail = normalizeEmail(input.newEmail);
  const user = await db.user.findUniqueOrThrow({ where: { id: userId }, select: { id: true, email: true, name: true, contactId: true } });
  if (newEmail === user.email) return { outcome: "same-address" };
  const confirmed = await confirmPassword(userId, input.currentPassword, now);
  if (confirmed !== "ok") return confirmed === "wrong-password" ? { outcome: "wrong-password" } : confirmed;
  const blocked = await accountMailBlock(newEmail);
  if (blocked) return { outcome: "cannot-mail", reason: blocked };
  await sendEmailChangeLink(user, newEmail, now);
  sendSecurityAlert(user, { kind: "emailChangeRequested", to: maskEmail(newEmail) }, requester, now);
  return { outcome: "sent", newEmail };
}

/** What the confirmation page shows on GET: nothing is used or changed. */
export async function checkEmailChangeLink(token: string, now = new Date()): Promise<{ ok: true; newEmail: string } | { ok: false; reason: UnusableLink }> {
  const found = await findOneTimeLink(token, "CONFIRM_EMAIL_CHANGE", now);
  return found.ok ? { ok: true, newEmail: found.link.email } : found;
}

export type EmailChangeConfirmation =
  | { outcome: "changed"; newEmail: string }
  | { outcome: "address-has-account" }
  | { outcome: "bad-link"; reason: UnusableLink };

/**
 * Applies an address change with the link sent to the new address. The account's Contact
 * moves with it (its preferences stay). If the new address was already on our lists as a
 * Contact of its own, the account is linked to that Contact instead: the old address keeps
 * its own preferences, and each address gets exactly the mail it agreed to.
 */
export async function confirmEmailChange(token: string, requester: Requester, now = new Date()): Promise<EmailChangeConfirmation> {
  // An import may create a contact with the new address between the look and the write: the
  // whole confirmation (link use included) runs again and links to that contact (ADR 039).
  const outcome = await againIfClaimedMeanwhile(() => db.$transaction(async (tx): Promise<EmailChangeConfirmation & { userId?: number; oldEmail?: string }> => {
    const used = await useOneTimeLink(token, "CONFIRM_EMAIL_CHANGE", now, tx);
    if (!used.ok) return { outcome: "bad-link", reason: used.reason };
    const newEmail = used.link.email;
    const user = await tx.user.findUniqueOrThrow({ where: { id: used.link.userId }, select: { id: true, email: true, contactId: true } });
    const holder = await tx.user.findUnique({ where: { email: newEmail }, select: { id: true, emailVerifiedAt: true } });
    if (holder && holder.id !== user.id) {
      // The link proves this person owns the address, so saying it has an account reveals nothing new.
      if (holder.emailVerifiedAt) return { outcome: "address-has-account" };
      // A sign-up with this address that nobody confirmed: the proven owner wins.
      await tx.user.delete({ where: { id: holder.id } });
    }
    let contactId = user.contactId;
    if (contactId !== null) {
      try {
        await changeContactEmail(contactId, newEmail, tx);
      } catch (error) {
        if (!(error instanceof ContactEmailTakenError)) throw error;
        const other = await tx.contact.findUniqueOrThrow({ where: { email: newEmail }, select: { id: true, user: { select: { id: true } } } });
        contactId = other.user ? null : other.id;
      }
    }
    await tx.user.update({ where: { id: user.id }, data: { email: newEmail, contactId, emailVerifiedAt: now } });
    // Links sent to the old address must not work for the new one.
    await tx.oneTimeLink.deleteMany({ where: { userId: user.id, usedAt: null } });
    return { outcome: "changed", newEmail, userId: user.id, oldEmail: user.email };
  }));
  if (outcome.outcome !== "changed") return outcome;
  const user = await db.user.findUniqueOrThrow({ where: { id: outcome.userId! }, select: { name: true, contactId: true } });
  sendSecurityAlert({ email: outcome.oldEmail!, name: user.name, contactId: user.contactId }, { kind: "emailChanged", to: maskEmail(outcome.newEmail) }, requester, now);
  return { outcome: "changed", newEmail: outcome.newEmail };
}

export type PasswordChange = { outcome: "changed"; signedOutElsewhere: number } | { outcome: "wrong-password" } | { outcome: "weak-password"; message: string; suggestion: string | null } | Throttled;

/** A new password while signed in: every other session ends, and the holder is told by email. */
export async function changePassword(
  userId: number,
  sessionId: string,
  input: { currentPassword: string; newPassword: string },
  requester: Requester,
  now = new Date(),
): Promise<PasswordChange> {
  const user = await db.user.findUniqueOrThrow({ where: { id: userId }, select: { email: true, name: true, contactId: true } });
  const verdict = await checkNewPassword(input.newPassword, user.email);
  if (!verdict.ok) return { outcome: "weak-password", message: verdict.message, suggestion: verdict.suggestion };
  const confirmed = await confirmPassword(userId, input.currentPassword, now);
  if (confirmed !== "ok") return confirmed === "wrong-password" ? { outcome: "wrong-password" } : confirmed;
  await db.user.update({ where: { id: userId }, data: { passwordHash: await hashPassword(input.newPassword) } });
  const signedOutElsewhere = await revokeUserSessions(userId, now, { except: sessionId });
  sendSecurityAlert(user, { kind: "passwordChanged" }, requester, now);
  return { outcome: "changed", signedOutElsewhere };
}

/** "Sign out everywhere": every session of the account ends, this one included. */
export function signOutEverywhere(userId: number, now = new Date()): Promise<number> {
  return revokeUserSessions(userId, now);
}

export type AccountDeletion = { outcome: "deleted" } | { outcome: "wrong-password" } | Throttled;

/**
 * Deletes the account at the person's request (confirmed with the password): the User and
 * its sessions and links, and the erasure of the address in the consent domain (the Contact
 * and its preferences go; an ERASED suppression keeps only a keyed hash so no import brings
 * the address back; the ledger keeps its events without the contact).
 */
export async function deleteAccount(userId: number, password: string, requester: Requester, now = new Date()): Promise<AccountDeletion> {
  const confirmed = await confirmPassword(userId, password, now);
  if (confirmed !== "ok") return confirmed === "wrong-password" ? { outcome: "wrong-password" } : confirmed;
  await eraseAccount(userId, requester, now);
  return { outcome: "deleted" };
}

/** The erasure itself, in one transaction. */
export async function eraseAccount(userId: number, requester: Requester, now = new Date()): Promise<void> {
  await db.$transaction(async (tx) => {
    const user = await tx.user.findUniqueOrThrow({ where: { id: userId }, select: { email: true, contact: { select: { email: true } } } });
    await tx.user.delete({ where: { id: userId } });
    const context = { source: "PREFERENCE_CENTER" as const, actor: `user:${userId}`, ip: requester.ip, userAgent: requester.userAgent, now };
    await eraseContact(user.email, context, tx);
    await forgetRecipient(user.email, tx);
    // A linked Contact whose address differs from the account's (not the usual case) goes too.
    if (user.contact && user.contact.email !== user.email) {
      await eraseContact(user.contact.email, context, tx);
      await forgetRecipient(user.contact.email, tx);
    }
  });
  // Throttle rows are keyed by user id or address hash; nothing personal to remove there.
}

/**
 * "Download my data": the account, and everything the consent domain holds about its Contact,
 * as a stream of JSON text (its format: personal-data.server.ts). Read before the first byte:
 * only the account; the Contact's history is read batch by batch as the file is written.
 */
export async function exportAccountData(userId: number, now = new Date()): Promise<AsyncGenerator<string>> {
  const user = await db.user.findUniqueOrThrow({
    where: { id: userId },
    select: {
      email: true,
      name: true,
      role: true,
      createdAt: true,
      emailVerifiedAt: true,
      lastSignInAt: true,
      contactId: true,
      memberships: { select: { unit: { select: { displayName: true } } } },
      sessions: {
        where: { revokedAt: null, expiresAt: { gt: now } },
        orderBy: { createdAt: "desc" },
        select: { createdAt: true, lastSeenAt: true, ip: true, userAgent: true },
      },
    },
  });
  const { contactId, memberships, sessions, role, ...profile } = user;
  const head = { profile: { ...profile, role: ROLE_WORDS[role], units: memberships.map((m) => m.unit.displayName) }, sessions };
  return personalDataJson(head, contactId, { now });
}

const ROLE_WORDS = { SUBSCRIBER: "subscriber", MARKETER: "marketer", ADMIN: "administrator" } as const;
