import type { Channel, ConsentBasis, InboundKind, SharingPurpose, SuppressionReason } from "~/generated/prisma/enums.ts";
import type { UnitIdentity } from "~emails/components/unit-identity.ts";
import { isTransactionalTemplateName, transactionalTemplates } from "~emails/transactional/index.ts";
import { db, readDb, type Db } from "~/utils/db.server.ts";

// "Everything we hold about you": one person's data as they download it from /account/data.
//
// The file is JSON, written as a stream (ADR 046):
//   format, version     "preference-center/personal-data", PERSONAL_DATA_VERSION (bumped when the shape changes)
//   exportedAt, about   when, and a sentence per section for the reader
//   profile, sessions   the account, given by the caller (accounts domain)
//   contact             the address we mail, name, language
//   subscriptions       per brand, topic and channel: status, basis and the wording agreed to
//   optOuts, snoozes, sharingConsents, suppressions
//   ledger              every change to the person's choices, oldest first
//   messages            promotional (campaign deliveries) and service messages sent to them
// Values are names and words, never codes; ids stay beside them where they identify a row.
// The ledger and the messages are read in keyset batches and written as they come, one entry a
// line, so a person with years of mail costs one batch of memory, never the whole history.

export const PERSONAL_DATA_FORMAT = "preference-center/personal-data";
/** 1: the first download (codes, no messages). 2: words, messages, consent wording, streamed. */
export const PERSONAL_DATA_VERSION = 2;
const BATCH_SIZE = 500;

const CHANNEL_WORDS: Record<Channel, string> = { EMAIL: "email", POSTAL: "postal mail", PHONE: "phone" };
const STATUS_WORDS: Record<string, string> = { SUBSCRIBED: "subscribed", UNSUBSCRIBED: "unsubscribed", PENDING: "waiting for your confirmation" };
const BASIS_WORDS: Record<ConsentBasis, string> = {
  EXPRESS: "you agreed to receive it",
  IMPLIED_PURCHASE: "you bought from the brand (implied consent)",
  IMPLIED_INQUIRY: "you asked the brand about something (implied consent)",
  SOFT_OPT_IN: "you are a customer of the brand (soft opt-in)",
  LEGITIMATE_INTEREST: "the brand's legitimate interest",
};
// Keyed by string, with a fallback: an action or source added later still reads as words.
const ACTION_WORDS: Record<string, string> = {
  SUBSCRIBE: "subscribed",
  UNSUBSCRIBE: "unsubscribed",
  UNIT_OPT_OUT: "unsubscribed from all of the brand's promotional mail",
  UNIT_OPT_IN: "allowed the brand's promotional mail again",
  GLOBAL_OPT_OUT: "unsubscribed from all brands' promotional mail",
  GLOBAL_OPT_IN: "allowed promotional mail from our brands again",
  SNOOZE: "paused the brand's promotional mail",
  SNOOZE_END: "resumed the brand's promotional mail",
  SHARING_GRANT: "agreed to data sharing",
  SHARING_WITHDRAW: "withdrew agreement to data sharing",
  SUPPRESS: "mail to your address was stopped",
  UNSUPPRESS: "mail to your address was allowed again",
  EXPORT: "your postal or phone details were exported for a mailing",
};
const SOURCE_WORDS: Record<string, string> = {
  ONE_CLICK: "the unsubscribe button of your mail app",
  LINK_PAGE: "a link in one of our emails",
  PREFERENCE_CENTER: "your preference center",
  IMPORT: "brought in from another system of ours",
  ADMIN: "our staff, on your behalf",
  API: "the brand's own systems",
  BOUNCE: "mail to your address bounced",
  COMPLAINT: "one of our emails was reported as spam",
  EXPIRY: "the consent expired",
  MAILTO: "an unsubscribe email sent from your address",
  PROVIDER: "your mail provider's unsubscribe",
};
/** Sources where the person acted themselves: the IP and browser recorded are their own. */
const PERSON_SOURCES = new Set(["ONE_CLICK", "LINK_PAGE", "PREFERENCE_CENTER", "MAILTO"]);
const PURPOSE_WORDS: Record<SharingPurpose, string> = {
  GROUP_COMPANIES: "other companies of the group marketing to you",
  THIRD_PARTY_OFFERS: "offers from selected third parties",
};
const SUPPRESSION_WORDS: Record<SuppressionReason, string> = {
  HARD_BOUNCE: "mail to your address bounced",
  SOFT_BOUNCE: "mail to your address kept failing for a while",
  COMPLAINT: "one of our emails was reported as spam",
  MANUAL: "stopped by our staff",
  ERASED: "erased at your request",
};
const DELIVERY_WORDS: Record<string, string> = {
  PENDING: "waiting to be sent",
  SENDING: "being sent",
  QUEUED: "waiting to be sent",
  SENT: "sent",
  FAILED: "could not be delivered",
  SKIPPED: "not sent: your choices changed before it went",
  REFUSED: "not sent: mail to your address is stopped",
};
/** What came back from mail about a message; unreadable and ignored replies say nothing about it. */
const FEEDBACK_WORDS: Partial<Record<InboundKind, string>> = {
  HARD_BOUNCE: "bounced: the address did not accept it",
  SOFT_BOUNCE: "bounced for a while: the mailbox was full or unavailable",
  POLICY_BOUNCE: "bounced: the receiving server refused it",
  COMPLAINT: "reported as spam",
  MAILTO_UNSUBSCRIBE: "answered with an unsubscribe email",
  UNSUBSCRIBE: "unsubscribed through your mail provider",
  DELIVERED: "delivered",
};
const BOUNCES = new Set<InboundKind>(["HARD_BOUNCE", "SOFT_BOUNCE", "POLICY_BOUNCE"]);

const ABOUT = {
  profile: "Your account: the name and address you sign in with, and when.",
  sessions: "The devices signed in to your account now, with the address and browser they used.",
  contact: "The address we send email to, the name we greet you with and your language.",
  subscriptions: "What you receive from each brand, on which channel, on what basis, and the wording you agreed to.",
  optOuts: "Brands (or all brands) you asked for no promotional mail from.",
  snoozes: "Brands whose promotional mail you paused, and until when.",
  sharingConsents: "Whether other companies may use your details.",
  suppressions: "Blocks on your address, and why.",
  ledger: "Every change to your choices, oldest first: what, when, how, and the wording you were shown. The address and browser are recorded where you made the change yourself.",
  messages: "The emails we sent you: promotional (from campaigns) and service messages, with when, from which brand, the subject and what became of each.",
};

const words = (table: Record<string, string>, code: string): string => table[code] ?? code.toLowerCase().replaceAll("_", " ");
const wording = (text: { key: string; version: number; body: string } | null) => (text ? { key: text.key, version: text.version, wording: text.body } : null);

/** The ledger's action-specific facts, with codes turned into words. */
function detailInWords(detail: string | null): unknown {
  if (detail === null) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(detail);
  } catch {
    return detail;
  }
  if (!parsed || typeof parsed !== "object") return parsed;
  const facts: Record<string, unknown> = { ...(parsed as Record<string, unknown>) };
  if (typeof facts.basis === "string") facts.basis = words(BASIS_WORDS, facts.basis);
  if (typeof facts.purpose === "string") facts.purpose = words(PURPOSE_WORDS, facts.purpose);
  if (typeof facts.reason === "string") facts.reason = words(SUPPRESSION_WORDS, facts.reason);
  if (typeof facts.previousStatus === "string") facts.previousStatus = words(STATUS_WORDS, facts.previousStatus);
  return facts;
}

/** The current state: small (a row per brand, topic and channel at most), read at once. */
async function currentState(contactId: number, client: Db) {
  const contact = await client.contact.findUnique({
    where: { id: contactId },
    select: {
      email: true,
      name: true,
      locale: true,
      createdAt: true,
      subscriptions: {
        orderBy: { id: "asc" },
        select: {
          channel: true,
          status: true,
          basis: true,
          consentedAt: true,
          expiresAt: true,
          updatedAt: true,
          topic: { select: { name: true, unit: { select: { displayName: true } } } },
          consentText: { select: { key: true, version: true, body: true } },
        },
      },
      unitOptOuts: { select: { channel: true, createdAt: true, unit: { select: { displayName: true } } } },
      globalOptOuts: { select: { channel: true, createdAt: true } },
      snoozes: { select: { until: true, createdAt: true, unit: { select: { displayName: true } } } },
      sharingConsents: { select: { purpose: true, granted: true, updatedAt: true, consentText: { select: { key: true, version: true, body: true } } } },
      // Not the staff's note on a suppression: it is theirs, and may name other cases.
      suppressions: { select: { reason: true, createdAt: true } },
    },
  });
  if (!contact) return null;
  return {
    contact: { email: contact.email, name: contact.name, language: contact.locale, createdAt: contact.createdAt },
    subscriptions: contact.subscriptions.map((s) => ({
      unit: s.topic.unit.displayName,
      topic: s.topic.name,
      channel: CHANNEL_WORDS[s.channel],
      status: words(STATUS_WORDS, s.status),
      basis: words(BASIS_WORDS, s.basis),
      consentedAt: s.consentedAt,
      expiresAt: s.expiresAt,
      updatedAt: s.updatedAt,
      consentText: wording(s.consentText),
    })),
    optOuts: {
      byUnit: contact.unitOptOuts.map((o) => ({ unit: o.unit.displayName, channel: CHANNEL_WORDS[o.channel], since: o.createdAt })),
      everywhere: contact.globalOptOuts.map((o) => ({ channel: CHANNEL_WORDS[o.channel], since: o.createdAt })),
    },
    snoozes: contact.snoozes.map((s) => ({ unit: s.unit.displayName, until: s.until, since: s.createdAt })),
    sharingConsents: contact.sharingConsents.map((s) => ({
      purpose: PURPOSE_WORDS[s.purpose],
      granted: s.granted,
      updatedAt: s.updatedAt,
      consentText: wording(s.consentText),
    })),
    suppressions: contact.suppressions.map((s) => ({ reason: SUPPRESSION_WORDS[s.reason], since: s.createdAt })),
  };
}

/** The person's ledger, oldest first, a batch at a time along its (contactId, id) index. */
async function* ledgerOf(contactId: number, client: Db, batchSize: number) {
  let afterId = 0;
  for (;;) {
    const events = await client.consentEvent.findMany({
      where: { contactId, id: { gt: afterId } },
      orderBy: { id: "asc" },
      take: batchSize,
      select: {
        id: true,
        createdAt: true,
        action: true,
        changed: true,
        source: true,
        unitId: true,
        topicId: true,
        channel: true,
        campaignId: true,
        ip: true,
        userAgent: true,
        detail: true,
        consentText: { select: { key: true, version: true, body: true } },
      },
    });
    if (events.length === 0) return;
    afterId = events[events.length - 1].id;
    const ids = (pick: (e: (typeof events)[number]) => number | null) => [...new Set(events.map(pick).filter((id): id is number => id !== null))];
    const [units, topics, campaigns] = await Promise.all([
      client.businessUnit.findMany({ where: { id: { in: ids((e) => e.unitId) } }, select: { id: true, displayName: true } }),
      client.topic.findMany({ where: { id: { in: ids((e) => e.topicId) } }, select: { id: true, name: true } }),
      client.campaign.findMany({ where: { id: { in: ids((e) => e.campaignId) } }, select: { id: true, subject: true } }),
    ]);
    const unitName = new Map(units.map((u) => [u.id, u.displayName]));
    const topicName = new Map(topics.map((t) => [t.id, t.name]));
    const campaignSubject = new Map(campaigns.map((c) => [c.id, c.subject]));
    yield events.map((e) => {
      const own = PERSON_SOURCES.has(e.source);
      return {
        id: e.id,
        at: e.createdAt,
        action: words(ACTION_WORDS, e.action),
        changed: e.changed,
        source: words(SOURCE_WORDS, e.source),
        unit: e.unitId === null ? null : (unitName.get(e.unitId) ?? "a brand that no longer exists"),
        topic: e.topicId === null ? null : (topicName.get(e.topicId) ?? "a topic that no longer exists"),
        channel: e.channel ? CHANNEL_WORDS[e.channel] : null,
        campaign: e.campaignId === null ? null : (campaignSubject.get(e.campaignId) ?? "an email that no longer exists"),
        consentText: wording(e.consentText),
        detail: detailInWords(e.detail),
        // The person's own IP and browser when they made the change: data about them, theirs to
        // see. Where staff, an import or a system made it, those are not the person's: left out.
        ip: own ? e.ip : null,
        userAgent: own ? e.userAgent : null,
      };
    });
  }
}

/** What came back from mail about some of the person's messages, by message. */
async function feedbackOn(contactId: number, where: { deliveryId: { in: number[] } } | { transactionalMessageId: { in: number[] } }, client: Db) {
  const rows = await client.inboundMessage.findMany({
    // Only the kind and time: the message itself (`raw`) and the server's diagnostic are for staff.
    where: { contactId, ...where },
    orderBy: { id: "asc" },
    select: { kind: true, receivedAt: true, deliveryId: true, transactionalMessageId: true },
  });
  const byMessage = new Map<number, { kind: InboundKind; at: Date }[]>();
  for (const row of rows) {
    const id = row.deliveryId ?? row.transactionalMessageId;
    if (id === null || !FEEDBACK_WORDS[row.kind]) continue;
    byMessage.set(id, [...(byMessage.get(id) ?? []), { kind: row.kind, at: row.receivedAt }]);
  }
  return byMessage;
}

function statusWithFeedback(status: string, feedback: { kind: InboundKind; at: Date }[]) {
  return {
    status: feedback.some((f) => BOUNCES.has(f.kind)) ? "bounced" : words(DELIVERY_WORDS, status),
    cameBack: feedback.map((f) => ({ at: f.at, what: FEEDBACK_WORDS[f.kind] })),
  };
}

/**
 * The campaign messages sent to the person. Delivery has no index on the contact alone, but it
 * is unique on (campaign, contact): walking the campaigns (few) and looking the person up in
 * each batch of them is an index probe per campaign, where a search by contact would read
 * every delivery of every campaign.
 */
async function* promotionalMessagesOf(contactId: number, client: Db, batchSize: number) {
  let afterCampaign = 0;
  for (;;) {
    const campaigns = await client.campaign.findMany({ where: { id: { gt: afterCampaign } }, orderBy: { id: "asc" }, take: batchSize, select: { id: true } });
    if (campaigns.length === 0) return;
    afterCampaign = campaigns[campaigns.length - 1].id;
    const deliveries = await client.delivery.findMany({
      where: { contactId, campaignId: { in: campaigns.map((c) => c.id) } },
      orderBy: { campaignId: "asc" },
      select: {
        id: true,
        status: true,
        createdAt: true,
        sentAt: true,
        messageId: true,
        // The subject the person saw, not the campaign's internal name (a note for staff).
        campaign: { select: { id: true, subject: true, unit: { select: { displayName: true } }, topic: { select: { name: true } } } },
      },
    });
    if (deliveries.length === 0) continue;
    const feedback = await feedbackOn(contactId, { deliveryId: { in: deliveries.map((d) => d.id) } }, client);
    yield deliveries.map((d) => ({
      campaignId: d.campaign.id,
      sentAt: d.sentAt,
      listedAt: d.createdAt,
      from: d.campaign.unit.displayName,
      topic: d.campaign.topic.name,
      subject: d.campaign.subject,
      ...statusWithFeedback(d.status, feedback.get(d.id) ?? []),
      messageId: d.messageId,
    }));
  }
}

/** The subject a service message was sent with, rendered again from its template and data. */
function serviceSubject(template: string, data: string, unit: UnitIdentity | null): string | null {
  if (!unit || !isTransactionalTemplateName(template)) return null;
  try {
    const subject = transactionalTemplates[template].subject as (data: unknown, unit: UnitIdentity) => string;
    return subject(JSON.parse(data), unit);
  } catch {
    return null;
  }
}

/**
 * The service messages sent to the person: those linked to their contact, and those sent to
 * their address before it had a contact (a sign-up confirmation). A message to another address
 * is never theirs, even if it names them. Two walks, each on its own index ((contactId, id) and
 * (toEmail, id)): one OR over both lets the database fall back to reading the whole table.
 */
async function* serviceMessagesOf(contactId: number, email: string, client: Db, batchSize: number) {
  yield* serviceMessagesWhere({ contactId }, contactId, client, batchSize);
  yield* serviceMessagesWhere({ toEmail: email, contactId: null }, contactId, client, batchSize);
}

async function* serviceMessagesWhere(where: { contactId: number } | { toEmail: string; contactId: null }, contactId: number, client: Db, batchSize: number) {
  let afterId = 0;
  for (;;) {
    const messages = await client.transactionalMessage.findMany({
      where: { ...where, id: { gt: afterId } },
      orderBy: { id: "asc" },
      take: batchSize,
      select: {
        id: true,
        toEmail: true,
        template: true,
        data: true,
        status: true,
        createdAt: true,
        sentAt: true,
        unit: { select: { displayName: true, legalName: true, postalAddress: true, contactEmail: true, contactPhone: true, contactUrl: true, brandColor: true, logoUrl: true } },
        category: { select: { name: true } },
      },
    });
    if (messages.length === 0) return;
    afterId = messages[messages.length - 1].id;
    const feedback = await feedbackOn(contactId, { transactionalMessageId: { in: messages.map((m) => m.id) } }, client);
    yield messages.map((m) => {
      const unit = m.unit ? { ...m.unit, legalName: m.unit.legalName ?? "", postalAddress: m.unit.postalAddress ?? "" } : null;
      return {
        id: m.id,
        sentAt: m.sentAt,
        queuedAt: m.createdAt,
        from: m.unit?.displayName ?? null,
        kind: m.category.name,
        subject: serviceSubject(m.template, m.data, unit) ?? m.category.name,
        to: m.toEmail,
        ...statusWithFeedback(m.status, feedback.get(m.id) ?? []),
      };
    });
  }
}

/** A JSON array written as its batches come: one entry a line, at the given indent. */
async function* jsonArray(batches: AsyncIterable<unknown[]>, indent: string): AsyncGenerator<string> {
  let first = true;
  yield "[";
  for await (const batch of batches) {
    for (const entry of batch) {
      yield `${first ? "" : ","}\n${indent}  ${JSON.stringify(entry)}`;
      first = false;
    }
  }
  yield first ? "]" : `\n${indent}]`;
}

const field = (name: string, value: unknown, indent = "  ") => `${indent}${JSON.stringify(name)}: ${JSON.stringify(value, null, 2).replaceAll("\n", `\n${indent}`)}`;

/**
 * The download as chunks of JSON text. `head` is what other domains hold (the account's
 * profile and sessions), written after the format line. A person with no contact gets the
 * same sections, empty.
 */
export async function* personalDataJson(
  head: Record<string, unknown>,
  contactId: number | null,
  options: { now?: Date; batchSize?: number; client?: Db; readClient?: Db } = {},
): AsyncGenerator<string> {
  const client = options.client ?? db;
  const readClient = options.readClient ?? readDb;
  const batchSize = options.batchSize ?? BATCH_SIZE;
  const state = contactId === null ? null : await currentState(contactId, client);
  const small = {
    format: PERSONAL_DATA_FORMAT,
    version: PERSONAL_DATA_VERSION,
    exportedAt: (options.now ?? new Date()).toISOString(),
    about: ABOUT,
    ...head,
    contact: state?.contact ?? null,
    subscriptions: state?.subscriptions ?? [],
    optOuts: state?.optOuts ?? { byUnit: [], everywhere: [] },
    snoozes: state?.snoozes ?? [],
    sharingConsents: state?.sharingConsents ?? [],
    suppressions: state?.suppressions ?? [],
  };
  yield `{\n${Object.entries(small)
    .map(([name, value]) => field(name, value))
    .join(",\n")},\n`;
  const none = (async function* () {})();
  yield `  "ledger": `;
  yield* jsonArray(state && contactId !== null ? ledgerOf(contactId, readClient, batchSize) : none, "  ");
  yield `,\n  "messages": {\n    "promotional": `;
  yield* jsonArray(state && contactId !== null ? promotionalMessagesOf(contactId, readClient, batchSize) : none, "    ");
  yield `,\n    "service": `;
  yield* jsonArray(state && contactId !== null ? serviceMessagesOf(contactId, state.contact.email, readClient, batchSize) : none, "    ");
  yield "\n  }\n}\n";
}
