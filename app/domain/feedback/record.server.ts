// The feedback core: every signal that comes back from mail (a bounce, a complaint, a mailto
// unsubscribe, a provider's event) is stored once as an InboundMessage and changes state only
// through the consent core, in the same transaction, naming the delivery it came from.

import { db, inTransaction, type Db, type Tx } from "~/utils/db.server.ts";
import { getEnv } from "~/utils/env.server.ts";
import { Prisma } from "~/generated/prisma/client.ts";
import { applyConsentChange, type ConsentContext } from "~/domain/consent/changes.server.ts";
import { maskEmail, normalizeEmail } from "~/domain/consent/email.ts";
import type { FeedbackSignal, MailRef } from "./signals.ts";

/** The most of a message kept for admins: the inbound server refuses anything bigger. */
export const RAW_LIMIT = 1024 * 1024;
const DAY_MS = 86_400_000;
const ACTOR = "system:feedback";

export type RecordedFeedback = { id: number; effect: string; duplicate: boolean };

/** What a signal names, as far as it can be told: the delivery, its contact, unit and campaign. */
type Named = {
  deliveryId: number | null;
  transactionalMessageId: number | null;
  campaignId: number | null;
  unitId: number | null;
  /** The campaign's topic: a unit with topic-scoped one-click unsubscribes only that. */
  topicId: number | null;
  contactId: number | null;
  /** The address we sent to (the report's own recipient only when no message of ours is named). */
  email: string | null;
};

const NOTHING: Named = { deliveryId: null, transactionalMessageId: null, campaignId: null, unitId: null, topicId: null, contactId: null, email: null };

/** Stores the signal and applies its effect. A provider event seen before (same via and externalId) is not applied again. */
export async function recordFeedback(signal: FeedbackSignal, client: Db = db): Promise<RecordedFeedback> {
  if (signal.externalId) {
    const seen = await client.inboundMessage.findUnique({ where: { via_externalId: { via: signal.via, externalId: signal.externalId } }, select: { id: true, effect: true } });
    if (seen) return { ...seen, duplicate: true };
  }
  try {
    return await inTransaction(client, async (tx) => {
      const named = await nameMessage(tx, signal);
      const now = signal.receivedAt ?? new Date();
      const effect = await applyEffect(tx, signal, named, now);
      const row = await tx.inboundMessage.create({
        data: {
          kind: signal.kind,
          via: signal.via,
          receivedAt: now,
          mailFrom: clip(signal.mailFrom, 500),
          rcptTo: clip(signal.rcptTo, 500),
          unitId: named.unitId,
          campaignId: named.campaignId,
          deliveryId: named.deliveryId,
          transactionalMessageId: named.transactionalMessageId,
          contactId: named.contactId,
          recipient: clip(named.email ?? signal.recipient, 320),
          status: clip(signal.status, 20),
          diagnostic: clip(signal.diagnostic, 1000),
          effect,
          raw: clip(signal.raw, RAW_LIMIT),
          externalId: signal.externalId ?? null,
        },
        select: { id: true },
      });
      return { id: row.id, effect, duplicate: false };
    });
  } catch (error) {
    // Two deliveries of the same provider event at once: the second finds the first's row.
    if (signal.externalId && error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      const seen = await client.inboundMessage.findUniqueOrThrow({ where: { via_externalId: { via: signal.via, externalId: signal.externalId } }, select: { id: true, effect: true } });
      return { ...seen, duplicate: true };
    }
    throw error;
  }
}

const clip = (text: string | undefined | null, max: number) => (text == null ? null : text.length > max ? text.slice(0, max) : text);

/** The delivery a signal names: our signed id first, then the original's Message-ID, then (providers only) the address. */
async function nameMessage(tx: Tx, signal: FeedbackSignal): Promise<Named> {
  const byRef = signal.ref ? await byMailRef(tx, signal.ref) : null;
  if (byRef) return byRef;
  if (signal.messageId) {
    const delivery = await tx.delivery.findFirst({ where: { messageId: signal.messageId }, select: { id: true } });
    if (delivery) return (await byMailRef(tx, { stream: "campaign", deliveryId: delivery.id }))!;
    const message = await tx.transactionalMessage.findFirst({ where: { messageId: signal.messageId }, select: { id: true } });
    if (message) return (await byMailRef(tx, { stream: "transactional", messageId: message.id }))!;
  }
  // Anyone can mail our feedback-loop address: a report by mail acts only on a message it
  // proves is ours. A provider's event is signed by the provider, so its address is enough.
  if (!signal.recipient || signal.via === "SMTP") return NOTHING;
  let email: string;
  try {
    email = normalizeEmail(signal.recipient);
  } catch {
    return NOTHING;
  }
  const contact = await tx.contact.findUnique({ where: { email }, select: { id: true } });
  return { ...NOTHING, contactId: contact?.id ?? null, email };
}

async function byMailRef(tx: Tx, ref: MailRef): Promise<Named | null> {
  if (ref.stream === "campaign") {
    const delivery = await tx.delivery.findUnique({
      where: { id: ref.deliveryId },
      select: { id: true, campaignId: true, contactId: true, contact: { select: { email: true } }, campaign: { select: { unitId: true, topicId: true } } },
    });
    if (!delivery) return null;
    return {
      ...NOTHING,
      deliveryId: delivery.id,
      campaignId: delivery.campaignId,
      unitId: delivery.campaign.unitId,
      topicId: delivery.campaign.topicId,
      contactId: delivery.contactId,
      email: delivery.contact.email,
    };
  }
  const message = await tx.transactionalMessage.findUnique({ where: { id: ref.messageId }, select: { id: true, unitId: true, contactId: true, toEmail: true } });
  if (!message) return null;
  return { ...NOTHING, transactionalMessageId: message.id, unitId: message.unitId, contactId: message.contactId, email: normalizeEmail(message.toEmail) };
}

/** Applies what the signal means through the consent core; returns what changed, in words for staff. */
async function applyEffect(tx: Tx, signal: FeedbackSignal, named: Named, now: Date): Promise<string> {
  const context: ConsentContext = { source: "BOUNCE", actor: ACTOR, campaignId: named.campaignId, now };
  const who = named.email ? maskEmail(named.email) : null;
  switch (signal.kind) {
    case "HARD_BOUNCE": {
      if (!named.email) return "Names none of our messages or addresses: nothing changed.";
      const { changed } = await applyConsentChange({ kind: "suppress", email: named.email, reason: "HARD_BOUNCE", note: bounceNote(signal) }, context, tx);
      return changed ? `Hard bounce: ${who} is suppressed (no more mail of any kind).` : `Hard bounce: ${who} was already suppressed.`;
    }
    case "SOFT_BOUNCE":
      return softBounce(tx, signal, named, context, now);
    case "POLICY_BOUNCE":
      return "Refused for the sender's reasons (policy, reputation or authentication): counts against the campaign, not the address.";
    case "COMPLAINT": {
      if (!named.contactId || !named.unitId) return "Complaint naming none of our messages: nothing changed.";
      const { changed } = await applyConsentChange(
        { kind: "optOutOfUnit", contactId: named.contactId, unitId: named.unitId, channel: "EMAIL" },
        { ...context, source: "COMPLAINT" },
        tx,
      );
      return changed ? `Complaint: ${who} no longer gets this unit's promotional email.` : `Complaint: ${who} had already opted out of this unit's promotional email.`;
    }
    case "MAILTO_UNSUBSCRIBE":
    case "UNSUBSCRIBE":
      return unsubscribe(tx, signal, named, { ...context, source: signal.kind === "MAILTO_UNSUBSCRIBE" ? "MAILTO" : "PROVIDER" });
    case "DELIVERED":
      return "Delivered: nothing to change.";
    case "UNREADABLE":
      return "Could not be read: kept for an admin to look at; nothing changed.";
    case "IGNORED":
      return "Nothing to act on (an auto-reply or a report naming none of our messages): nothing changed.";
  }
}

const bounceNote = (signal: FeedbackSignal) => [signal.status, signal.diagnostic].filter(Boolean).join(" ").slice(0, 500) || undefined;

/**
 * A soft bounce suppresses promotional mail once it is the SOFT_BOUNCE_LIMIT-th message to
 * bounce softly within SOFT_BOUNCE_DAYS with no delivery reported since the first of them.
 * Several reports about one message (a delay, then the failure) count once.
 */
async function softBounce(tx: Tx, signal: FeedbackSignal, named: Named, context: ConsentContext, now: Date): Promise<string> {
  if (!named.contactId || !named.email) return "Soft bounce naming none of our contacts: nothing changed.";
  const { SOFT_BOUNCE_LIMIT: limit, SOFT_BOUNCE_DAYS: days } = getEnv();
  const lastDelivered = await tx.inboundMessage.findFirst({
    where: { contactId: named.contactId, kind: "DELIVERED" },
    orderBy: { receivedAt: "desc" },
    select: { receivedAt: true },
  });
  const windowStart = new Date(Math.max(now.getTime() - days * DAY_MS, lastDelivered?.receivedAt.getTime() ?? 0));
  const earlier = await tx.inboundMessage.findMany({
    where: { contactId: named.contactId, kind: "SOFT_BOUNCE", receivedAt: { gt: windowStart } },
    select: { id: true, deliveryId: true, transactionalMessageId: true },
  });
  const messageKey = (m: { id?: number; deliveryId: number | null; transactionalMessageId: number | null }) =>
    m.deliveryId ? `c${m.deliveryId}` : m.transactionalMessageId ? `t${m.transactionalMessageId}` : `i${m.id ?? "this"}`;
  const bounced = new Set([...earlier.map(messageKey), messageKey(named)]).size;
  const who = maskEmail(named.email);
  if (bounced < limit) return `Soft bounce ${bounced} of ${limit} within ${days} days for ${who}: nothing changed yet.`;
  const { changed } = await applyConsentChange({ kind: "suppress", email: named.email, reason: "SOFT_BOUNCE", note: bounceNote(signal) }, context, tx);
  return changed
    ? `Soft bounce ${bounced} of ${limit} within ${days} days: ${who} gets no more promotional mail.`
    : `Soft bounce: ${who} was already suppressed for repeated soft bounces.`;
}

/** A mailto or provider unsubscribe: the same opt-out as the message's one-click link. */
async function unsubscribe(tx: Tx, signal: FeedbackSignal, named: Named, context: ConsentContext): Promise<string> {
  if (named.transactionalMessageId) return "Unsubscribe from a service message: service mail cannot be unsubscribed from, so nothing changed.";
  if (!named.contactId || !named.unitId) return "Unsubscribe naming none of our messages: nothing changed.";
  const who = maskEmail(named.email!);
  const unit = await tx.businessUnit.findUniqueOrThrow({ where: { id: named.unitId }, select: { oneClickScope: true } });
  if (unit.oneClickScope === "TOPIC" && named.topicId) {
    const subscription = await tx.subscription.findUnique({
      where: { contactId_topicId_channel: { contactId: named.contactId, topicId: named.topicId, channel: "EMAIL" } },
      select: { id: true },
    });
    if (subscription) {
      const { changed } = await applyConsentChange({ kind: "unsubscribe", contactId: named.contactId, topicId: named.topicId, channel: "EMAIL" }, context, tx);
      return changed ? `Unsubscribed ${who} from this topic's email.` : `${who} was already unsubscribed from this topic's email.`;
    }
  }
  const { changed } = await applyConsentChange({ kind: "optOutOfUnit", contactId: named.contactId, unitId: named.unitId, channel: "EMAIL" }, context, tx);
  return changed ? `Unsubscribed ${who} from this unit's promotional email.` : `${who} had already unsubscribed from this unit's promotional email.`;
}
