// The consent core's writer for contact imports: many subscriptions at once, with the same
// Subscription rows and SUBSCRIBE ledger events as one `subscribe` change each, read and
// written in one transaction with a fixed number of queries per batch (a transaction per row
// made 100,000 rows take minutes). An import adds rules of its own, decided here, beside the
// state they read:
// - it never subscribes anyone who said no or must not be mailed: an erased or suppressed
//   address (any suppression, on every channel), a global or unit opt-out on the channel, an
//   unsubscribe from the topic on the channel;
// - it never weakens consent in force: express consent is not replaced by implied consent,
//   nor an expiry by an earlier one;
// - a row whose consent already holds writes nothing, not even an unchanged ledger event, so
//   running the same file again changes nothing.

import type { Db, Tx } from "~/utils/db.server.ts";
import { db } from "~/utils/db.server.ts";
import { isUniqueViolation, lockRows } from "~/utils/row-locks.server.ts";
import { Prisma } from "~/generated/prisma/client.ts";
import type { Channel, ConsentBasis, SubscriptionStatus } from "~/generated/prisma/enums.ts";
import { offeredChannels } from "~/domain/consent/channels.ts";
import { addressHash } from "./address-hash.server.ts";
import { ConsentError, eventRow, insertEventRows, type ConsentContext } from "./changes.server.ts";

export type ImportedSubscription = {
  /** Normalised (email.ts). */
  email: string;
  /** Contact details: fill a new contact; on an existing one, name only where it has none. */
  name: string | null;
  postalAddress: string | null;
  phone: string | null;
  topicId: number;
  channel: Channel;
  basis: ConsentBasis;
  consentedAt: Date;
  expiresAt: Date | null;
  /** Where the consent was collected, as the file says: kept in the ledger event's detail. */
  origin: string;
};

/** Why a well-formed row was not imported. */
export type ImportSkipReason = "ERASED" | "SUPPRESSED" | "GLOBAL_OPT_OUT" | "UNIT_OPT_OUT" | "UNSUBSCRIBED" | "CONSENT_EXPIRED";

export type ImportedOutcome = { outcome: "SUBSCRIBED" } | { outcome: "UNCHANGED" } | { outcome: "SKIPPED"; reason: ImportSkipReason };

export type ImportBatchResult = { outcomes: ImportedOutcome[]; contactsCreated: number; contactsUpdated: number };

// Rows per multi-row INSERT: well inside SQLite's 32,766 and PostgreSQL's 65,535 parameters.
const ROWS_PER_STATEMENT = 500;

type HeldConsent = { status: SubscriptionStatus; basis: ConsentBasis; expiresAt: Date | null };

/**
 * Imports subscriptions to topics of one unit, in one transaction (or the caller's). The
 * caller has checked each row's topic and channel; they are checked again here, and a row
 * that breaks them fails the whole batch with a ConsentError, as a single change would.
 */
export function applyImportedSubscriptions(
  unitId: number,
  requests: ImportedSubscription[],
  context: ConsentContext,
  client: Db | Tx = db,
): Promise<ImportBatchResult> {
  if (requests.length === 0) return Promise.resolve({ outcomes: [], contactsCreated: 0, contactsUpdated: 0 });
  const work = (tx: Tx) => importInTransaction(tx, unitId, requests, context);
  if (!("$transaction" in client)) return work(client);
  // Another writer added one of the batch's new addresses since it looked (on PostgreSQL; on
  // SQLite nothing writes meanwhile): run the batch again, which now finds that contact (ADR 039).
  const attempt = async (left: number): Promise<ImportBatchResult> => {
    try {
      // A batch of a thousand rows takes well under a second; the margins are for a busy web process.
      return await (client as Db).$transaction(work, { maxWait: 30_000, timeout: 60_000 });
    } catch (error) {
      if (left > 0 && isUniqueViolation(error)) return attempt(left - 1);
      throw error;
    }
  };
  return attempt(2);
}

async function importInTransaction(tx: Tx, unitId: number, requests: ImportedSubscription[], context: ConsentContext): Promise<ImportBatchResult> {
  const now = context.now ?? new Date();
  const topicIds = [...new Set(requests.map((r) => r.topicId))];
  await checkTopics(tx, unitId, topicIds, requests);

  const emails = [...new Set(requests.map((r) => r.email))];
  const hashes = new Map(emails.map((email) => [email, addressHash(email)]));
  const contacts = await tx.contact.findMany({
    where: { email: { in: emails } },
    select: { id: true, email: true, name: true, postalAddress: true, phone: true },
  });
  // Their preferences are read next and written below: no one else changes them meanwhile (a
  // person unsubscribing while the import runs must not be subscribed again by it; ADR 039).
  await lockRows(tx, "Contact", contacts.map((c) => c.id));
  const contactByEmail = new Map(contacts.map((c) => [c.email, c]));
  const emailOf = new Map(contacts.map((c) => [c.id, c.email]));
  const contactIds = contacts.map((c) => c.id);

  const suppressions = await tx.suppression.findMany({
    where: { OR: [{ emailHash: { in: [...hashes.values()] } }, ...(contactIds.length > 0 ? [{ contactId: { in: contactIds } }] : [])] },
    select: { emailHash: true, contactId: true, reason: true },
  });
  const erased = new Set(suppressions.filter((s) => s.reason === "ERASED").map((s) => s.emailHash));
  const suppressedHashes = new Set(suppressions.map((s) => s.emailHash));
  const suppressedContacts = new Set(suppressions.map((s) => s.contactId));

  const held = new Map<string, HeldConsent>();
  const unitOptOuts = new Set<string>();
  const globalOptOuts = new Set<string>();
  if (contactIds.length > 0) {
    const subscriptions = await tx.subscription.findMany({
      where: { contactId: { in: contactIds }, topicId: { in: topicIds } },
      select: { contactId: true, topicId: true, channel: true, status: true, basis: true, expiresAt: true },
    });
    for (const s of subscriptions) held.set(subscriptionKey(emailOf.get(s.contactId)!, s.topicId, s.channel), s);
    const unitRows = await tx.unitOptOut.findMany({ where: { contactId: { in: contactIds }, unitId }, select: { contactId: true, channel: true } });
    for (const o of unitRows) unitOptOuts.add(`${o.contactId}:${o.channel}`);
    const globalRows = await tx.globalOptOut.findMany({ where: { contactId: { in: contactIds } }, select: { contactId: true, channel: true } });
    for (const o of globalRows) globalOptOuts.add(`${o.contactId}:${o.channel}`);
  }

  const newContacts = new Map<string, { name: string | null; postalAddress: string | null; phone: string | null }>();
  const contactUpdates = new Map<number, { name?: string; postalAddress?: string; phone?: string }>();
  const subscribed: { request: ImportedSubscription; key: string }[] = [];

  const skipReason = (r: ImportedSubscription): ImportSkipReason | null => {
    const contact = contactByEmail.get(r.email);
    const hash = hashes.get(r.email)!;
    if (erased.has(hash)) return "ERASED";
    if (suppressedHashes.has(hash) || (contact && suppressedContacts.has(contact.id))) return "SUPPRESSED";
    if (contact && globalOptOuts.has(`${contact.id}:${r.channel}`)) return "GLOBAL_OPT_OUT";
    if (contact && unitOptOuts.has(`${contact.id}:${r.channel}`)) return "UNIT_OPT_OUT";
    if (held.get(subscriptionKey(r.email, r.topicId, r.channel))?.status === "UNSUBSCRIBED") return "UNSUBSCRIBED";
    if (r.expiresAt && r.expiresAt.getTime() <= now.getTime()) return "CONSENT_EXPIRED";
    return null;
  };

  const outcomes = requests.map((r): ImportedOutcome => {
    const reason = skipReason(r);
    if (reason) return { outcome: "SKIPPED", reason };
    noteContactDetails(r, contactByEmail.get(r.email), newContacts, contactUpdates);
    const key = subscriptionKey(r.email, r.topicId, r.channel);
    const existing = held.get(key);
    if (existing && alreadyHolds(existing, r, now)) return { outcome: "UNCHANGED" };
    held.set(key, { status: "SUBSCRIBED", basis: r.basis, expiresAt: r.expiresAt });
    subscribed.push({ request: r, key });
    return { outcome: "SUBSCRIBED" };
  });

  const contactIdByEmail = new Map(contacts.map((c) => [c.email, c.id]));
  for (const [email, id] of await insertContacts(tx, newContacts, now)) contactIdByEmail.set(email, id);
  for (const [id, data] of contactUpdates) {
    await tx.contact.update({ where: { id }, data: { ...data, updatedAt: now }, select: { id: true } });
  }
  // One row per subscription, in its final state, even when a batch names it twice.
  const finalRows = new Map(subscribed.map(({ request, key }) => [key, request]));
  await upsertSubscriptions(tx, [...finalRows.values()], contactIdByEmail, now);
  await insertEvents(
    tx,
    subscribed.map(({ request: r }) =>
      eventRow(
        {
          action: "SUBSCRIBE",
          changed: true,
          contactId: contactIdByEmail.get(r.email)!,
          unitId,
          topicId: r.topicId,
          channel: r.channel,
          detail: {
            basis: r.basis,
            consentedAt: r.consentedAt.toISOString(),
            ...(r.expiresAt ? { expiresAt: r.expiresAt.toISOString() } : {}),
            origin: r.origin,
          },
        },
        context,
        now,
      ),
    ),
  );
  return { outcomes, contactsCreated: newContacts.size, contactsUpdated: contactUpdates.size };
}

const subscriptionKey = (email: string, topicId: number, channel: Channel) => `${email}|${topicId}|${channel}`;

/**
 * True when the consent in force is at least what the row asks for, so an import does not
 * touch it: the same basis and expiry, or a stronger one (no expiry beats an expiry, a later
 * expiry beats an earlier one, and express consent beats the other bases that never expire).
 */
export function alreadyHolds(existing: HeldConsent, requested: { basis: ConsentBasis; expiresAt: Date | null }, now: Date): boolean {
  if (existing.status !== "SUBSCRIBED") return false;
  const existingEnds = existing.expiresAt?.getTime() ?? null;
  const requestedEnds = requested.expiresAt?.getTime() ?? null;
  if (existingEnds !== null && existingEnds <= now.getTime()) return false;
  if (existingEnds === null) return requestedEnds !== null || existing.basis === requested.basis || existing.basis === "EXPRESS";
  return requestedEnds !== null && existingEnds >= requestedEnds;
}

/** Details a kept row brings: all of them for a new contact (first value wins), only what is missing or new on an existing one. */
function noteContactDetails(
  r: ImportedSubscription,
  contact: { id: number; name: string | null; postalAddress: string | null; phone: string | null } | undefined,
  newContacts: Map<string, { name: string | null; postalAddress: string | null; phone: string | null }>,
  contactUpdates: Map<number, { name?: string; postalAddress?: string; phone?: string }>,
) {
  if (!contact) {
    const details = newContacts.get(r.email);
    if (!details) newContacts.set(r.email, { name: r.name, postalAddress: r.postalAddress, phone: r.phone });
    else {
      details.name ??= r.name;
      details.postalAddress ??= r.postalAddress;
      details.phone ??= r.phone;
    }
    return;
  }
  const update = contactUpdates.get(contact.id) ?? {};
  // A name the person set (or an earlier import gave) is theirs: an import only fills a blank.
  if (r.name && !contact.name && update.name === undefined) update.name = r.name;
  if (r.postalAddress && r.postalAddress !== contact.postalAddress && update.postalAddress === undefined) update.postalAddress = r.postalAddress;
  if (r.phone && r.phone !== contact.phone && update.phone === undefined) update.phone = r.phone;
  if (Object.keys(update).length > 0) contactUpdates.set(contact.id, update);
}

async function checkTopics(tx: Tx, unitId: number, topicIds: number[], requests: ImportedSubscription[]) {
  const topics = await tx.topic.findMany({
    where: { id: { in: topicIds }, unitId },
    select: { id: true, name: true, archivedAt: true, offersEmail: true, offersPostal: true, offersPhone: true },
  });
  const byId = new Map(topics.map((t) => [t.id, t]));
  for (const r of requests) {
    const topic = byId.get(r.topicId);
    if (!topic) throw new ConsentError(`There is no topic with id ${r.topicId} in unit ${unitId}.`);
    if (topic.archivedAt) throw new ConsentError(`The topic "${topic.name}" is archived and takes no new subscriptions.`);
    if (!offeredChannels(topic).includes(r.channel)) throw new ConsentError(`The topic "${topic.name}" is not offered by ${r.channel.toLowerCase()}.`);
  }
}

function inGroups<T>(rows: T[]): T[][] {
  const groups: T[][] = [];
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) groups.push(rows.slice(i, i + ROWS_PER_STATEMENT));
  return groups;
}

// The writes below are plain multi-row statements that SQLite and PostgreSQL both accept
// (INSERT … RETURNING, ON CONFLICT … DO UPDATE with excluded): createMany and one upsert per
// row cost several times more per row in the client (see bench/import.ts).

async function insertContacts(
  tx: Tx,
  contacts: Map<string, { name: string | null; postalAddress: string | null; phone: string | null }>,
  now: Date,
): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  for (const group of inGroups([...contacts])) {
    const rows = await tx.$queryRaw<{ id: number; email: string }[]>`INSERT INTO "Contact" ("email", "name", "locale", "postalAddress", "phone", "createdAt", "updatedAt") VALUES ${Prisma.join(
      group.map(([email, c]) => Prisma.sql`(${email}, ${c.name}, ${null}, ${c.postalAddress}, ${c.phone}, ${now}, ${now})`),
    )} RETURNING "id", "email"`;
    for (const row of rows) ids.set(row.email, Number(row.id));
  }
  return ids;
}

async function upsertSubscriptions(tx: Tx, rows: ImportedSubscription[], contactIdByEmail: Map<string, number>, now: Date) {
  for (const group of inGroups(rows)) {
    // consentTextId is cleared as a subscribe change without a shown text does: an import shows none.
    await tx.$executeRaw`INSERT INTO "Subscription" ("contactId", "topicId", "channel", "status", "basis", "consentedAt", "expiresAt", "consentTextId", "updatedAt") VALUES ${Prisma.join(
      group.map(
        (r) =>
          Prisma.sql`(${contactIdByEmail.get(r.email)!}, ${r.topicId}, ${r.channel}, ${"SUBSCRIBED"}, ${r.basis}, ${r.consentedAt}, ${r.expiresAt}, ${null}, ${now})`,
      ),
    )} ON CONFLICT ("contactId", "topicId", "channel") DO UPDATE SET "status" = excluded."status", "basis" = excluded."basis", "consentedAt" = excluded."consentedAt", "expiresAt" = excluded."expiresAt", "consentTextId" = excluded."consentTextId", "updatedAt" = excluded."updatedAt"`;
  }
}

async function insertEvents(tx: Tx, events: ReturnType<typeof eventRow>[]) {
  for (const group of inGroups(events)) await insertEventRows(tx, group);
}
