import { db } from "~/utils/db.server.ts";
import { getEnv } from "~/utils/env.server.ts";
import { getMailTransport } from "~/domain/mail/transport.server.ts";
import { MailDeliveryError, type MailTransport } from "~/domain/mail/outgoing-mail.server.ts";
import { feedbackIdHeader } from "~/domain/mail/list-headers.server.ts";
import { returnPathFor } from "~/domain/feedback/addresses.server.ts";
import { recordFeedback } from "~/domain/feedback/record.server.ts";
import { sendTimeSignal } from "~/domain/feedback/send-time.ts";
import { unitBounceDomain } from "~/domain/units/sender-facts.server.ts";
import { preferencesUrl } from "~/domain/tokens/links.server.ts";
import { groupAsSender, groupIdentity } from "~/domain/group/identity.server.ts";
import { DEFAULT_LANGUAGE, languageOfLocale, type Language } from "~/i18n/languages.ts";
import { tFor } from "~/i18n/i18n.ts";
import { renderTransactional } from "~emails/render.tsx";
import type { UnitIdentity } from "~emails/components/index.ts";
import { isTransactionalTemplateName, transactionalTemplates, type TransactionalTemplateName } from "~emails/transactional/index.ts";

// A sender leases a message for this long; another process may take it over after that.
const LEASE_MS = 60_000;
export const MAX_ATTEMPTS = 5;
/** Backoff after the n-th temporary failure: 30 s, 2 min, 8 min, 32 min. */
export const retryDelayMs = (attempt: number) => 30_000 * 4 ** (attempt - 1);

/**
 * Renders and hands one queued message to the service-mail transport. Safe to call from
 * several processes: a conditional update leases the row to exactly one of them.
 * Returns false when the message was not ours to send (already sent, leased or refused).
 */
export async function deliverTransactional(id: number, now = new Date(), transport: Pick<MailTransport, "send"> = getMailTransport("transactional")): Promise<boolean> {
  const { count } = await db.transactionalMessage.updateMany({
    where: { id, status: "QUEUED", OR: [{ nextAttemptAt: null }, { nextAttemptAt: { lte: now } }] },
    data: { nextAttemptAt: new Date(now.getTime() + LEASE_MS), attempts: { increment: 1 } },
  });
  if (count === 0) return false;

  const message = await db.transactionalMessage.findUniqueOrThrow({
    where: { id },
    include: { unit: true, category: true, contact: { select: { timeZone: true } } },
  });
  let returnPath: string | undefined;
  try {
    const sender = await senderOf(message.unit);
    // Its bounces come back naming this message (VERP), as a campaign delivery's do.
    returnPath = returnPathFor({ stream: "transactional", messageId: id }, sender.bounceDomain);
    const rendered = await renderTransactional(message.template as TransactionalTemplateName, JSON.parse(message.data), {
      unit: sender.identity,
      // Written in the language chosen when it was queued; dates in the contact's zone (ADR 047).
      language: languageOfLocale(message.language) ?? undefined,
      timeZone: message.contact?.timeZone ?? null,
      categoryReason: categoryReasonIn(message.category, languageOfLocale(message.language)),
      preferencesUrl: message.contactId && message.unit
        ? await preferencesUrl({ contactId: message.contactId, unitId: message.unit.id })
        : `${getEnv().PUBLIC_URL}/preferences`,
    });
    const sent = await transport.send({
      stream: "transactional",
      from: sender.from,
      to: message.toEmail,
      returnPath,
      replyTo: sender.replyTo,
      subject: rendered.subject,
      html: rendered.html,
      text: rendered.text,
      // Not a list: no List-Id or List-Unsubscribe. Gmail's complaint counts by category, then unit.
      headers: { "Feedback-ID": feedbackIdHeader([`cat${message.categoryId}`, "transactional", sender.slug]) },
      messageIdDomain: sender.sendingDomain,
      dkim: sender.dkim,
    });
    await db.transactionalMessage.update({
      where: { id },
      data: { status: "SENT", messageId: sent.messageId, sentAt: new Date(), nextAttemptAt: null, error: null, data: withoutSecrets(message.template, message.data) },
    });
    return true;
  } catch (error) {
    const permanent = !(error instanceof MailDeliveryError) || error.permanent || message.attempts >= MAX_ATTEMPTS;
    await db.transactionalMessage.update({
      where: { id },
      data: permanent
        ? { status: "FAILED", error: (error as Error).message, nextAttemptAt: null, data: withoutSecrets(message.template, message.data) }
        : { error: (error as Error).message, nextAttemptAt: new Date(Date.now() + retryDelayMs(message.attempts)) },
    });
    if (permanent) await recordRefusal(message, returnPath, error);
    throw error;
  }
}

type Sender = {
  identity: UnitIdentity;
  from: { name: string; address: string };
  replyTo: string | undefined;
  slug: string;
  sendingDomain: string;
  bounceDomain: string;
  dkim: { domainName: string; keySelector: string; privateKey: string } | undefined;
};

type MessageUnit = Awaited<ReturnType<typeof db.businessUnit.findUniqueOrThrow>>;

/** A unit's message goes out as the unit; a message without a unit is the group's account mail (ADR 044). */
async function senderOf(unit: MessageUnit | null): Promise<Sender> {
  if (!unit) {
    const group = await groupIdentity();
    if (!group) {
      throw new MailDeliveryError("The group's identity (name, From address, legal name, postal address) is not set: an admin sets it at /admin/group.", { permanent: true });
    }
    const sender = groupAsSender(group);
    return {
      identity: sender,
      from: { name: sender.fromName, address: sender.fromEmail },
      replyTo: undefined,
      slug: "group",
      sendingDomain: sender.sendingDomain,
      bounceDomain: `bounces.${sender.sendingDomain}`,
      dkim: undefined,
    };
  }
  if (!unit.legalName || !unit.postalAddress) {
    throw new MailDeliveryError(`Unit "${unit.slug}" has no legal name or postal address; its mail cannot be sent.`, { permanent: true });
  }
  return {
    identity: { ...unit, legalName: unit.legalName, postalAddress: unit.postalAddress },
    from: { name: unit.displayName, address: unit.serviceFromEmail ?? `service@${unit.sendingDomain}` },
    replyTo: unit.replyTo ?? undefined,
    slug: unit.slug,
    sendingDomain: unit.sendingDomain,
    bounceDomain: unitBounceDomain(unit),
    dkim: unit.dkimPrivateKey && unit.dkimSelector
      ? { domainName: unit.dkimDomain ?? unit.sendingDomain, keySelector: unit.dkimSelector, privateKey: unit.dkimPrivateKey }
      : undefined,
  };
}

/** A 5xx while sending is the bounce its DSN would be (a hard one suppresses the address); recorded after the message's own outcome. */
async function recordRefusal(message: { id: number; toEmail: string }, returnPath: string | undefined, error: unknown): Promise<void> {
  if (!(error instanceof MailDeliveryError) || !error.refusal) return;
  const signal = sendTimeSignal(error.refusal, { ref: { stream: "transactional", messageId: message.id }, recipient: message.toEmail, mailFrom: returnPath });
  if (!signal) return;
  try {
    await recordFeedback(signal);
  } catch (failure) {
    // The message's own outcome is written; the refusal it reports is not lost from view.
    console.error(`transactional message ${message.id}: could not record the refusal as feedback: ${(failure as Error).message}`);
  }
}

/** The stored data minus links that would open an account: a copy of the database opens nothing. */
export function withoutSecrets(template: string, data: string): string {
  const secretFields = isTransactionalTemplateName(template) ? (transactionalTemplates[template].secretFields ?? []) : [];
  if (secretFields.length === 0) return data;
  const parsed = JSON.parse(data) as Record<string, unknown>;
  for (const field of secretFields) if (field in parsed) parsed[field] = "[removed once sent]";
  return JSON.stringify(parsed);
}

/**
 * The footer's "why we send it": a group category's reason is the product's own words (ADR 047),
 * so it is given in the message's language, unless an admin has reworded it; a unit's category
 * reason is the unit's words and stays as written.
 */
function categoryReasonIn(category: { unitId: number | null; slug: string; reason: string }, language: Language | null): string {
  if (category.unitId !== null || !language || language === DEFAULT_LANGUAGE) return category.reason;
  const english = tFor(DEFAULT_LANGUAGE);
  const key = `emails.categoryReason.${category.slug}`;
  const known = english(key as "emails.categoryReason.sign-in-link");
  if (known === key || known !== category.reason) return category.reason;
  return tFor(language)(key as "emails.categoryReason.sign-in-link");
}
