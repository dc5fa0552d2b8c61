import type { Channel, ConsentBasis, InboundKind, SharingPurpose, SuppressionReason } from "~/generated/prisma/enums.ts";
import type { UnitIdentity } from "~emails/components/unit-identity.ts";
import { isTransactionalTemplateName, transactionalTemplates } from "~emails/transactional/index.ts";
import { db, readDb, type Db } from "~/utils/db.server.ts";
import { DEFAULT_LANGUAGE, languageOfLocale, type Language } from "~/i18n/languages.ts";
import type { Translation } from "~/i18n/messages/types.ts";
import { data as englishData } from "~/i18n/messages/en/data.ts";
import { data as germanData } from "~/i18n/messages/de/data.ts";
import { mailLanguage, type MailLanguage } from "~emails/components/mail-language.ts";

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

// The words are the person's language's (ADR 047): the contact's locale, else English.
type DataWords = Translation<typeof englishData>;
const DATA_WORDS: Record<Language, DataWords> = { en: englishData, de: germanData };
/** Sources where the person acted themselves: the IP and browser recorded are their own. */
const PERSON_SOURCES = new Set(["ONE_CLICK", "LINK_PAGE", "PREFERENCE_CENTER", "MAILTO"]);
const BOUNCES = new Set<InboundKind>(["HARD_BOUNCE", "SOFT_BOUNCE", "POLICY_BOUNCE"]);

// Keyed by string, with a fallback: an action or source added later still reads as words.
const words = (table: Readonly<Record<string, string>>, code: string): string => table[code] ?? code.toLowerCase().replaceAll("_", " ");
const wording = (text: { key: string; version: number; body: string } | null) => (text ? { key: text.key, version: text.version, wording: text.body } : null);

/** The ledger's action-specific facts, with codes turned into words. */
function detailInWords(detail: string | null, w: DataWords): unknown {
  if (detail === null) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(detail);
  } catch {
    return detail;
  }
  if (!parsed || typeof parsed !== "object") return parsed;
  const facts: Record<string, unknown> = { ...(parsed as Record<string, unknown>) };
  if (typeof facts.basis === "string") facts.basis = words(w.basis, facts.basis);
  if (typeof facts.purpose === "string") facts.purpose = words(w.purpose, facts.purpose);
  if (typeof facts.reason === "string") facts.reason = words(w.suppression, facts.reason);
  if (typeof facts.previousStatus === "string") facts.previousStatus = words(w.status, facts.previousStatus);
  return facts;
}

/** The current state: small (a row per brand, topic and channel at most), read at once. */
async function currentState(contactId: number, client: Db, w: DataWords) {
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
      channel: w.channel[s.channel],
      status: words(w.status, s.status),
      basis: words(w.basis, s.basis),
      consentedAt: s.consentedAt,
      expiresAt: s.expiresAt,
      updatedAt: s.updatedAt,
      consentText: wording(s.consentText),
    })),
    optOuts: {
      byUnit: contact.unitOptOuts.map((o) => ({ unit: o.unit.displayName, channel: w.channel[o.channel], since: o.createdAt })),
      everywhere: contact.globalOptOuts.map((o) => ({ channel: w.channel[o.channel], since: o.createdAt })),
    },
    snoozes: contact.snoozes.map((s) => ({ unit: s.unit.displayName, until: s.until, since: s.createdAt })),
    sharingConsents: contact.sharingConsents.map((s) => ({
      purpose: w.purpose[s.purpose],
      granted: s.granted,
      updatedAt: s.updatedAt,
      consentText: wording(s.consentText),
    })),
    suppressions: contact.suppressions.map((s) => ({ reason: w.suppression[s.reason], since: s.createdAt })),
  };
}

/** The person's ledger, oldest first, a batch at a time along its (contactId, id) index. */
async function* ledgerOf(contactId: number, client: Db, batchSize: number, w: DataWords) {
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
        action: words(w.action, e.action),
        changed: e.changed,
        source: words(w.source, e.source),
        unit: e.unitId === null ? null : (unitName.get(e.unitId) ?? "a brand that no longer exists"),
        topic: e.topicId === null ? null : (topicName.get(e.topicId) ?? "a topic that no longer exists"),
        channel: e.channel ? w.channel[e.channel] : null,
        campaign: e.campaignId === null ? null : (campaignSubject.get(e.campaignId) ?? "an email that no longer exists"),
        consentText: wording(e.consentText),
        detail: detailInWords(e.detail, w),
        // The person's own IP and browser when they made the change: data about them, theirs to
        // see. Where staff, an import or a system made it, those are not the person's: left out.
        ip: own ? e.ip : null,
        userAgent: own ? e.userAgent : null,
      };
    });
  }
}

/** What came back from mail about some of the person's messages, by message. */
async function feedbackOn(contactId: number, where: { deliveryId: { in: number[] } } | { transactionalMessageId: { in: number[] } }, client: Db, w: DataWords) {
  const rows = await client.inboundMessage.findMany({
    // Only the kind and time: the message itself (`raw`) and the server's diagnostic are for staff.
    where: { contactId, ...where },
    orderBy: { id: "asc" },
    select: { kind: true, receivedAt: true, deliveryId: true, transactionalMessageId: true },
  });
  const byMessage = new Map<number, { kind: InboundKind; at: Date }[]>();
  for (const row of rows) {
    const id = row.deliveryId ?? row.transactionalMessageId;
    if (id === null || !(row.kind in w.feedback)) continue;
    byMessage.set(id, [...(byMessage.get(id) ?? []), { kind: row.kind, at: row.receivedAt }]);
  }
  return byMessage;
}

function statusWithFeedback(status: string, feedback: { kind: InboundKind; at: Date }[], w: DataWords) {
  return {
    status: feedback.some((f) => BOUNCES.has(f.kind)) ? w.delivery.bounced : words(w.delivery, status),
    cameBack: feedback.map((f) => ({ at: f.at, what: words(w.feedback, f.kind) })),
  };
}

/**
 * The campaign messages sent to the person. Delivery has no index on the contact alone, but it
 * is unique on (campaign, contact): walking the campaigns (few) and looking the person up in
 * each batch of them is an index probe per campaign, where a search by contact would read
 * every delivery of every campaign.
 */
async function* promotionalMessagesOf(contactId: number, client: Db, batchSize: number, w: DataWords) {
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
    const feedback = await feedbackOn(contactId, { deliveryId: { in: deliveries.map((d) => d.id) } }, client, w);
    yield deliveries.map((d) => ({
      campaignId: d.campaign.id,
      sentAt: d.sentAt,
      listedAt: d.createdAt,
      from: d.campaign.unit.displayName,
      topic: d.campaign.topic.name,
      subject: d.campaign.subject,
      ...statusWithFeedback(d.status, feedback.get(d.id) ?? [], w),
      messageId: d.messageId,
    }));
  }
}

/** The subject a service message was sent with, rendered again from its template and data. */
function serviceSubject(template: string, data: string, unit: UnitIdentity | null, language: string | null): string | null {
  if (!unit || !isTransactionalTemplateName(template)) return null;
  try {
    const subject = transactionalTemplates[template].subject as (data: unknown, unit: UnitIdentity, mail: MailLanguage) => string;
    // In the language it was written in (TransactionalMessage.language).
    return subject(JSON.parse(data), unit, mailLanguage(languageOfLocale(language) ?? undefined));
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
async function* serviceMessagesOf(contactId: number, email: string, client: Db, batchSize: number, w: DataWords) {
  yield* serviceMessagesWhere({ contactId }, contactId, client, batchSize, w);
  yield* serviceMessagesWhere({ toEmail: email, contactId: null }, contactId, client, batchSize, w);
}

async function* serviceMessagesWhere(where: { contactId: number } | { toEmail: string; contactId: null }, contactId: number, client: Db, batchSize: number, w: DataWords) {
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
        language: true,
        status: true,
        createdAt: true,
        sentAt: true,
        unit: { select: { displayName: true, legalName: true, postalAddress: true, contactEmail: true, contactPhone: true, contactUrl: true, brandColor: true, logoUrl: true } },
        category: { select: { name: true } },
      },
    });
    if (messages.length === 0) return;
    afterId = messages[messages.length - 1].id;
    const feedback = await feedbackOn(contactId, { transactionalMessageId: { in: messages.map((m) => m.id) } }, client, w);
    yield messages.map((m) => {
      const unit = m.unit ? { ...m.unit, legalName: m.unit.legalName ?? "", postalAddress: m.unit.postalAddress ?? "" } : null;
      return {
        id: m.id,
        sentAt: m.sentAt,
        queuedAt: m.createdAt,
        from: m.unit?.displayName ?? null,
        kind: m.category.name,
        subject: serviceSubject(m.template, m.data, unit, m.language) ?? m.category.name,
        to: m.toEmail,
        ...statusWithFeedback(m.status, feedback.get(m.id) ?? [], w),
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
  /** language: the download's words; without it, the contact's locale, else English (ADR 047). */
  options: { now?: Date; batchSize?: number; client?: Db; readClient?: Db; language?: Language } = {},
): AsyncGenerator<string> {
  const client = options.client ?? db;
  const readClient = options.readClient ?? readDb;
  const batchSize = options.batchSize ?? BATCH_SIZE;
  const locale = contactId === null ? null : (await client.contact.findUnique({ where: { id: contactId }, select: { locale: true } }))?.locale;
  const w = DATA_WORDS[options.language ?? languageOfLocale(locale) ?? DEFAULT_LANGUAGE];
  const state = contactId === null ? null : await currentState(contactId, client, w);
  const small = {
    format: PERSONAL_DATA_FORMAT,
    version: PERSONAL_DATA_VERSION,
    exportedAt: (options.now ?? new Date()).toISOString(),
    about: w.about,
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
  yield* jsonArray(state && contactId !== null ? ledgerOf(contactId, readClient, batchSize, w) : none, "  ");
  yield `,\n  "messages": {\n    "promotional": `;
  yield* jsonArray(state && contactId !== null ? promotionalMessagesOf(contactId, readClient, batchSize, w) : none, "    ");
  yield `,\n    "service": `;
  yield* jsonArray(state && contactId !== null ? serviceMessagesOf(contactId, state.contact.email, readClient, batchSize, w) : none, "    ");
  yield "\n  }\n}\n";
}
