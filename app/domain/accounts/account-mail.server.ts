import net from "node:net";
import crypto from "node:crypto";
import { groupIdentity } from "~/domain/group/identity.server.ts";
import { addressBlock } from "~/domain/consent/service-mail-block.server.ts";
import { sendTransactional, TransactionalRequestError } from "~/domain/transactional/send.server.ts";
import { db } from "~/utils/db.server.ts";
import { issueOneTimeLink } from "./one-time-links.server.ts";
import type { Requester } from "./sessions.server.ts";
import { DEFAULT_LANGUAGE, languageOfLocale, type Language } from "~/i18n/languages.ts";
import { tFor } from "~/i18n/i18n.ts";

// Service mail about an account (sign-in links, resets, address checks, security alerts).
// Sends run in the background: a page answers as fast whether or not an address has an
// account, so response times reveal nothing. Tests wait for them with accountMailSettled().

const pending = new Set<Promise<unknown>>();

function inBackground(work: () => Promise<unknown>, what: string): void {
  const running = work()
    .catch((error) => console.error(`Account mail (${what}): ${(error as Error).message}`))
    .finally(() => pending.delete(running));
  pending.add(running);
}

/** Resolves when every account message started so far has been handed to the transport. */
export async function accountMailSettled(): Promise<void> {
  while (pending.size > 0) await Promise.all([...pending]);
}

type Recipient = { email: string; name: string | null; contactId: number | null };
type AccountMessage = {
  category: string;
  template: string;
  data: Record<string, unknown>;
  idempotencyKey: string;
  reachesErasedAddress?: boolean;
  /** The page's language, for mail a page asked for (ADR 047); without it, the contact's, else English. */
  language?: Language;
};

/** Why no account mail can go to an address: a page must then say so instead of "check your inbox". */
export type AccountMailBlock = "bounced" | "erased" | "no-sender";

/**
 * Checked before a page promises a message: the same rules the send applies, answered at once.
 * It reads the address's suppressions only, never whether it has an account.
 */
export async function accountMailBlock(email: string, options: { reachesErasedAddress?: boolean } = {}): Promise<AccountMailBlock | null> {
  const block = await addressBlock(email, options);
  if (block) return block === "HARD_BOUNCE" ? "bounced" : "erased";
  return (await groupIdentity()) === null ? "no-sender" : null;
}

/** The sentence a page shows instead of "we sent". */
export function whyNoAccountMail(block: AccountMailBlock, email: string): string {
  switch (block) {
    case "bounced":
      return `Mail to ${email} bounced permanently, so we cannot send a link there. Check the address for typing mistakes, or use another one.`;
    case "erased":
      return `We cannot send email to ${email}.`;
    case "no-sender":
      return "We cannot send email yet: the group's name and address have not been set up. Please try again later.";
  }
}

/**
 * Account mail goes out as the group (ADR 044), never as one of its units: a person has one
 * account, so every message about it carries the same name, From address and footer.
 */
function sendInBackground(what: string, recipient: Recipient, message: AccountMessage | (() => Promise<AccountMessage>)): void {
  inBackground(async () => {
    // A link is issued in the background too: its database write would otherwise make known
    // addresses answer measurably slower than unknown ones.
    if (typeof message === "function") message = await message();
    if (!(await groupIdentity())) throw new Error("the group's identity is not set (an admin sets it at /admin/group)");
    await sendTransactional({
      unitId: null,
      to: recipient.email,
      ...message,
      data: { ...(recipient.name ? { recipientName: recipient.name.slice(0, 100) } : {}), ...message.data },
    });
  }, what);
}

/**
 * A sign-in link (also what an account holder gets when someone signs up with their address),
 * in `language`: the page's that asked for it, else the contact's.
 */
export async function sendSignInLink(user: Recipient & { id: number }, now: Date, language?: Language): Promise<void> {
  sendInBackground("sign-in link", user, async () => {
    const link = await issueOneTimeLink({ userId: user.id, purpose: "SIGN_IN", email: user.email }, now);
    return {
      category: "sign-in-link",
      template: "sign-in-link",
      data: { url: link.url, expiresInMinutes: link.expiresInMinutes },
      idempotencyKey: `account:link:${link.id}`,
      language,
    };
  });
}

/**
 * "Confirm your address" after sign-up, in its own words (the person did not ask to sign in:
 * they signed up; the page asks for the password chosen at sign-up first). It reaches an erased
 * address: the person asked to come back, and only this link with their password lets them.
 * Resolves to why it cannot be sent (nothing is then issued), or null once it is on its way.
 */
export async function sendSignUpConfirmation(user: Recipient & { id: number }, now: Date, language?: Language): Promise<AccountMailBlock | null> {
  const blocked = await accountMailBlock(user.email, { reachesErasedAddress: true });
  if (blocked) return blocked;
  const link = await issueOneTimeLink({ userId: user.id, purpose: "CONFIRM_SIGN_UP", email: user.email }, now);
  sendInBackground("sign-up confirmation", user, {
    category: "sign-up-confirmation",
    template: "sign-up-confirmation",
    data: { url: link.url, expiresInMinutes: link.expiresInMinutes },
    idempotencyKey: `account:link:${link.id}`,
    reachesErasedAddress: true,
    language,
  });
  return null;
}

export async function sendPasswordResetLink(user: Recipient & { id: number }, now: Date, language?: Language): Promise<void> {
  sendInBackground("password reset", user, async () => {
    const link = await issueOneTimeLink({ userId: user.id, purpose: "RESET_PASSWORD", email: user.email }, now);
    return {
      category: "account-security",
      template: "password-reset",
      data: { url: link.url, expiresInMinutes: link.expiresInMinutes },
      idempotencyKey: `account:link:${link.id}`,
      language,
    };
  });
}

/** Sent to the NEW address: the change applies only when this link is used. */
export async function sendEmailChangeLink(user: Recipient & { id: number }, newEmail: string, now: Date): Promise<void> {
  const link = await issueOneTimeLink({ userId: user.id, purpose: "CONFIRM_EMAIL_CHANGE", email: newEmail }, now);
  sendInBackground("email change", { ...user, email: newEmail, contactId: null }, {
    category: "account-security",
    template: "email-change-verification",
    data: { url: link.url, newEmail },
    idempotencyKey: `account:link:${link.id}`,
  });
}

/** What a security alert reports; worded in the person's language when it is sent. */
export type SecurityEvent =
  | { kind: "locked"; minutes: number; failures: number }
  | { kind: "passwordReset" }
  | { kind: "passwordChanged" }
  | { kind: "emailChangeRequested"; to: string }
  | { kind: "emailChanged"; to: string };

/** "We noticed this on your account": a sign-in lock, a new password, an address change. */
export function sendSecurityAlert(recipient: Recipient, event: SecurityEvent, requester: Requester | null, now: Date): void {
  const ip = requester?.ip && net.isIP(requester.ip) ? requester.ip : undefined;
  sendInBackground("security alert", recipient, async () => {
    // The event is part of the message's data, so it is worded here, in the language the rest of
    // the message is written in: the contact's (ADR 047).
    const contact = await db.contact.findUnique({ where: { email: recipient.email }, select: { locale: true } });
    const language = languageOfLocale(contact?.locale) ?? DEFAULT_LANGUAGE;
    const { kind, ...values } = event;
    // The union's keys and values line up per kind; t()'s types cannot follow that through a union.
    const t = tFor(language) as unknown as (key: string, values: Record<string, unknown>) => string;
    return {
      category: "account-alert",
      template: "account-security-alert",
      data: { event: t(`emails.securityEvent.${kind}`, values), occurredAt: now.toISOString(), ...(ip ? { ip } : {}) },
      idempotencyKey: `account:alert:${crypto.randomUUID()}`,
      language,
    };
  });
}

/** Why an invitation was not emailed: no group identity to send it as, a blocked address, or the mail server (retried later). */
export type InviteMailProblem = "no-unit" | "refused" | "queued" | "not-sendable";
export type InviteMailOutcome = { sent: true } | { sent: false; problem: InviteMailProblem; reason: string };

/**
 * A staff invitation, sent now rather than in the background: only admins invite, so timing
 * reveals nothing, and the admin must learn at once when the message could not go out.
 */
export async function sendStaffInvite(
  recipient: { email: string; name: string | null },
  link: { id: number; url: string; expiresInMinutes: number },
  details: { role: "MARKETER" | "ADMIN"; invitedBy: string | null },
): Promise<InviteMailOutcome> {
  if (!(await groupIdentity())) return { sent: false, problem: "no-unit", reason: "the group's name and address are not set yet (Group identity, in the admin menu)" };
  try {
    const result = await sendTransactional({
      unitId: null,
      category: "staff-invite",
      template: "staff-invite",
      to: recipient.email,
      data: {
        ...(recipient.name ? { recipientName: recipient.name.slice(0, 100) } : {}),
        url: link.url,
        expiresInMinutes: link.expiresInMinutes,
        role: details.role === "ADMIN" ? "admin" : "marketer",
        ...(details.invitedBy ? { invitedBy: details.invitedBy } : {}),
      },
      idempotencyKey: `account:link:${link.id}`,
    });
    if (result.status === "REFUSED") return { sent: false, problem: "refused", reason: (result.refusedReason ?? "the address is blocked").replace(/\.$/, "") };
    if (result.status !== "SENT") return { sent: false, problem: "queued", reason: "the mail server did not take it yet; it will be tried again" };
    return { sent: true };
  } catch (error) {
    if (error instanceof TransactionalRequestError) return { sent: false, problem: "not-sendable", reason: error.message.replace(/\.$/, "") };
    throw error;
  }
}
