// The feedback core, many signals at a time: each signal is stored once as an InboundMessage and
// changes state only through the consent core, in one transaction for the batch, with exactly
// the outcome of recording the signals one after another in the given order. The messages are
// named, the soft bounces counted and the effects written in a fixed number of queries per batch
// (one transaction of several queries per message held the one SQLite connection: ADR 032).

import { db, inTransaction, type Db, type Tx } from "~/utils/db.server.ts";
import { getEnv } from "~/utils/env.server.ts";
import { storableText } from "~/utils/storable-text.ts";
import { Prisma } from "~/generated/prisma/client.ts";
import type { InboundKind, OneClickScope } from "~/generated/prisma/enums.ts";
import type { ConsentContext } from "~/domain/consent/changes.server.ts";
import { applyConsentChangesInOrder, type BatchedChange } from "~/domain/consent/changes-batch.server.ts";
import { maskEmail, normalizeEmail } from "~/domain/consent/email.ts";
import type { FeedbackSignal } from "./signals.ts";
import { checkGuardRails } from "./guard-rails.server.ts";

/** The most of a message kept for admins: the inbound server refuses anything bigger. */
export const RAW_LIMIT = 1024 * 1024;
const DAY_MS = 86_400_000;
// Rows per multi-row INSERT: 16 parameters a row, well inside SQLite's bound-parameter limit.
const ROWS_PER_STATEMENT = 500;
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

/** A committed InboundMessage, as the after-recording checks need it. */
export type RecordedRow = { kind: InboundKind; unitId: number | null; campaignId: number | null; now: Date };

/**
 * Stores the signals and applies their effects, in one transaction, as if recorded one after
 * another in this order; one result per signal. A provider event seen before (same via and
 * externalId, earlier or in this batch) is not applied again. Keep batches to a few hundred.
 */
export async function recordFeedbackBatch(given: FeedbackSignal[], client: Db | Tx = db): Promise<RecordedFeedback[]> {
  if (given.length === 0) return [];
  // What came from outside is searched for and stored as text: NUL bytes (hostile mail) cannot be.
  const signals = given.map(storableSignal);
  const seen = await alreadyRecorded(client, signals);
  const results: (RecordedFeedback | null)[] = signals.map((s) => (s.externalId ? (seen.get(eventKey(s)) ?? null) : null));
  // The same event twice in one batch: the second is the first's duplicate.
  const firstOf = new Map<string, number>();
  const fresh: number[] = [];
  const repeatOf = new Map<number, number>();
  signals.forEach((s, i) => {
    if (results[i]) return;
    if (s.externalId) {
      const first = firstOf.get(eventKey(s));
      if (first !== undefined) return void repeatOf.set(i, first);
      firstOf.set(eventKey(s), i);
    }
    fresh.push(i);
  });
  const rows: RecordedRow[] = [];
  if (fresh.length > 0) {
    const written = await inTransaction(client, (tx) => recordInTransaction(tx, fresh.map((i) => signals[i])));
    fresh.forEach((i, n) => {
      results[i] = { id: written[n].id, effect: written[n].effect, duplicate: false };
      rows.push(written[n].row);
    });
  }
  for (const [i, first] of repeatOf) results[i] = { ...results[first]!, duplicate: true };
  if (rows.length > 0) await afterRecorded(rows, client);
  return results as RecordedFeedback[];
}

/**
 * What follows a committed batch, once per batch, never per message: the guard rails, which may
 * pause a unit's campaigns, judge each distinct unit and campaign that got a hard bounce or a
 * complaint. The signals are recorded either way, so a failed check is logged, never thrown.
 * Inside a caller's transaction nothing is judged: the batch is not committed yet, and that
 * caller decides.
 */
export async function afterRecorded(rows: RecordedRow[], client: Db | Tx): Promise<void> {
  if (!("$transaction" in client)) return;
  for (const judged of toJudge(rows)) {
    await checkGuardRails(judged, client as Db).catch((error: unknown) => console.error(`Guard rails: ${(error as Error).message}`));
  }
}

/** The distinct unit and campaign pairs of a batch that got a hard bounce or a complaint, each at its latest signal. */
export function toJudge(rows: RecordedRow[]): RecordedRow[] {
  const judged = new Map<string, RecordedRow>();
  for (const row of rows) {
    if (row.kind !== "HARD_BOUNCE" && row.kind !== "COMPLAINT") continue;
    const key = `${row.unitId}:${row.campaignId}`;
    const known = judged.get(key);
    if (!known || known.now < row.now) judged.set(key, row);
  }
  return [...judged.values()];
}

const TEXT_FIELDS = ["messageId", "recipient", "status", "diagnostic", "mailFrom", "rcptTo", "raw", "externalId"] as const satisfies (keyof FeedbackSignal)[];

function storableSignal(signal: FeedbackSignal): FeedbackSignal {
  const storable = { ...signal };
  for (const field of TEXT_FIELDS) if (storable[field] !== undefined) storable[field] = storableText(storable[field]);
  return storable;
}

const eventKey = (s: FeedbackSignal) => `${s.via}:${s.externalId}`;

async function alreadyRecorded(client: Db | Tx, signals: FeedbackSignal[]): Promise<Map<string, RecordedFeedback>> {
  const events = signals.filter((s) => s.externalId);
  const seen = new Map<string, RecordedFeedback>();
  if (events.length === 0) return seen;
  const rows = await client.inboundMessage.findMany({
    where: { OR: events.map((s) => ({ via: s.via, externalId: s.externalId })) },
    select: { id: true, effect: true, via: true, externalId: true },
  });
  for (const row of rows) seen.set(`${row.via}:${row.externalId}`, { id: row.id, effect: row.effect, duplicate: true });
  return seen;
}

type Planned = { change?: BatchedChange; effect: (changed: boolean) => string };

async function recordInTransaction(tx: Tx, signals: FeedbackSignal[]): Promise<{ id: number; effect: string; row: RecordedRow }[]> {
  const named = await nameMessages(tx, signals);
  const nows = signals.map((s) => s.receivedAt ?? new Date());
  const plans = await planEffects(tx, signals, named, nows);
  const changes = plans.flatMap((p) => (p.change ? [p.change] : []));
  const outcomes = await applyConsentChangesInOrder(tx, changes);
  let next = 0;
  const effects = plans.map((p) => p.effect(p.change ? outcomes[next++].changed : false));
  // Plain multi-row INSERTs (a createMany is compiled per call); rows of one INSERT get ascending ids in the order given.
  const ids: number[] = [];
  for (let start = 0; start < signals.length; start += ROWS_PER_STATEMENT) {
    const rows = signals.slice(start, start + ROWS_PER_STATEMENT).map((signal, n) => {
      const i = start + n;
      return Prisma.sql`(${signal.kind}, ${signal.via}, ${nows[i]}, ${clip(signal.mailFrom, 500)}, ${clip(signal.rcptTo, 500)}, ${named[i].unitId}, ${named[i].campaignId}, ${named[i].deliveryId}, ${named[i].transactionalMessageId}, ${named[i].contactId}, ${clip(named[i].email ?? signal.recipient, 320)}, ${clip(signal.status, 20)}, ${clip(signal.diagnostic, 1000)}, ${effects[i]}, ${clip(signal.raw, RAW_LIMIT)}, ${signal.externalId ?? null})`;
    });
    const created = await tx.$queryRaw<{ id: number | bigint }[]>`
      INSERT INTO "InboundMessage" ("kind", "via", "receivedAt", "mailFrom", "rcptTo", "unitId", "campaignId", "deliveryId", "transactionalMessageId", "contactId", "recipient", "status", "diagnostic", "effect", "raw", "externalId")
      VALUES ${Prisma.join(rows)} RETURNING "id"`;
    ids.push(...created.map((row) => Number(row.id)).sort((a, b) => a - b));
  }
  return signals.map((signal, i) => ({
    id: ids[i],
    effect: effects[i],
    row: { kind: signal.kind, unitId: named[i].unitId, campaignId: named[i].campaignId, now: nows[i] },
  }));
}

const clip = (text: string | undefined | null, max: number) => (text == null ? null : text.length > max ? text.slice(0, max) : text);

/** The delivery each signal names: our signed id first, then the original's Message-ID, then (providers only) the address. */
async function nameMessages(tx: Tx, signals: FeedbackSignal[]): Promise<Named[]> {
  const uniq = <T>(values: T[]) => [...new Set(values)];
  const messageSelect = { id: true, unitId: true, contactId: true, toEmail: true, messageId: true } as const;
  type MessageRow = { id: number; unitId: number | null; contactId: number | null; toEmail: string };
  const fromDelivery = (d: DeliveryRow): Named => ({
    ...NOTHING,
    deliveryId: d.id,
    campaignId: d.campaignId,
    unitId: d.unitId,
    topicId: d.topicId,
    contactId: d.contactId,
    email: d.email,
  });
  const fromMessage = (m: MessageRow): Named => ({ ...NOTHING, transactionalMessageId: m.id, unitId: m.unitId, contactId: m.contactId, email: normalizeEmail(m.toEmail) });

  const deliveryIds = uniq(signals.flatMap((s) => (s.ref?.stream === "campaign" ? [s.ref.deliveryId] : [])));
  const messageIds = uniq(signals.flatMap((s) => (s.ref?.stream === "transactional" ? [s.ref.messageId] : [])));
  const deliveries = new Map((deliveryIds.length ? await deliveriesWhere(tx, Prisma.sql`d."id" IN (${Prisma.join(deliveryIds)})`) : []).map((d) => [d.id, d]));
  const messages = new Map((messageIds.length ? await tx.transactionalMessage.findMany({ where: { id: { in: messageIds } }, select: messageSelect }) : []).map((m) => [m.id, m]));
  const byRef = (s: FeedbackSignal): Named | null => {
    if (!s.ref) return null;
    if (s.ref.stream === "campaign") {
      const d = deliveries.get(s.ref.deliveryId);
      return d ? fromDelivery(d) : null;
    }
    const m = messages.get(s.ref.messageId);
    return m ? fromMessage(m) : null;
  };
  const named: (Named | null)[] = signals.map(byRef);

  // Then the original's Message-ID: a campaign's first, as one lookup at a time would find it.
  const unnamedIds = uniq(signals.flatMap((s, i) => (!named[i] && s.messageId ? [s.messageId] : [])));
  if (unnamedIds.length > 0) {
    const byMessageId = new Map<string, Named>();
    const found = await deliveriesWhere(tx, Prisma.sql`d."messageId" IN (${Prisma.join(unnamedIds)})`);
    for (const d of found) if (d.messageId && !byMessageId.has(d.messageId)) byMessageId.set(d.messageId, fromDelivery(d));
    const rest = unnamedIds.filter((id) => !byMessageId.has(id));
    if (rest.length > 0) {
      const found = await tx.transactionalMessage.findMany({ where: { messageId: { in: rest } }, select: messageSelect, orderBy: { id: "asc" } });
      for (const m of found) if (m.messageId && !byMessageId.has(m.messageId)) byMessageId.set(m.messageId, fromMessage(m));
    }
    signals.forEach((s, i) => {
      if (!named[i] && s.messageId) named[i] = byMessageId.get(s.messageId) ?? null;
    });
  }

  // Anyone can mail our feedback-loop address: a report by mail acts only on a message it
  // proves is ours. A provider's event is signed by the provider, so its address is enough.
  const emails = signals.map((s, i) => {
    if (named[i] || !s.recipient || s.via === "SMTP") return null;
    try {
      return normalizeEmail(s.recipient);
    } catch {
      return null;
    }
  });
  const wanted = uniq(emails.filter((e): e is string => e !== null));
  const contacts = new Map((wanted.length ? await tx.contact.findMany({ where: { email: { in: wanted } }, select: { id: true, email: true } }) : []).map((c) => [c.email, c.id]));
  return named.map((n, i) => n ?? (emails[i] ? { ...NOTHING, contactId: contacts.get(emails[i]!) ?? null, email: emails[i] } : NOTHING));
}

type DeliveryRow = { id: number; campaignId: number; contactId: number; messageId: string | null; email: string; unitId: number; topicId: number | null };

/** Deliveries with their contact's address and their campaign's unit and topic, lowest id first: one plain query (a findMany with relations is three, each compiled). */
async function deliveriesWhere(tx: Tx, condition: Prisma.Sql): Promise<DeliveryRow[]> {
  const rows = await tx.$queryRaw<{ id: number | bigint; campaignId: number | bigint; contactId: number | bigint; messageId: string | null; email: string; unitId: number | bigint; topicId: number | bigint | null }[]>`
    SELECT d."id", d."campaignId", d."contactId", d."messageId", c."email", k."unitId", k."topicId"
    FROM "Delivery" d JOIN "Contact" c ON c."id" = d."contactId" JOIN "Campaign" k ON k."id" = d."campaignId"
    WHERE ${condition} ORDER BY d."id"`;
  return rows.map((r) => ({
    id: Number(r.id),
    campaignId: Number(r.campaignId),
    contactId: Number(r.contactId),
    messageId: r.messageId,
    email: r.email,
    unitId: Number(r.unitId),
    topicId: r.topicId == null ? null : Number(r.topicId),
  }));
}

/** What each signal means, decided against the state before the batch plus what earlier signals of the batch did. */
async function planEffects(tx: Tx, signals: FeedbackSignal[], named: Named[], nows: Date[]): Promise<Planned[]> {
  const history = await softBounceHistory(tx, signals, named, nows);
  const unsubscribing = signals.map((s, i) => (s.kind === "MAILTO_UNSUBSCRIBE" || s.kind === "UNSUBSCRIBE") && !named[i].transactionalMessageId && named[i].contactId && named[i].unitId);
  const unitIds = [...new Set(named.flatMap((n, i) => (unsubscribing[i] ? [n.unitId!] : [])))];
  const units = unitIds.length ? await tx.$queryRaw<{ id: number | bigint; oneClickScope: OneClickScope }[]>`SELECT "id", "oneClickScope" FROM "BusinessUnit" WHERE "id" IN (${Prisma.join(unitIds)})` : [];
  const scopes = new Map(units.map((u) => [Number(u.id), u.oneClickScope]));
  const missingUnit = unitIds.find((id) => !scopes.has(id));
  if (missingUnit !== undefined) throw new Error(`No business unit ${missingUnit} for an unsubscribe.`);
  const topicWide = named.filter((n, i) => unsubscribing[i] && n.topicId && scopes.get(n.unitId!) === "TOPIC");
  const subscribed = new Set<string>();
  if (topicWide.length > 0) {
    const rows = await tx.subscription.findMany({
      where: { contactId: { in: [...new Set(topicWide.map((n) => n.contactId!))] }, topicId: { in: [...new Set(topicWide.map((n) => n.topicId!))] }, channel: "EMAIL" },
      select: { contactId: true, topicId: true },
    });
    rows.forEach((r) => subscribed.add(`${r.contactId}:${r.topicId}`));
  }

  const { SOFT_BOUNCE_LIMIT: limit, SOFT_BOUNCE_DAYS: days } = getEnv();
  return signals.map((signal, i): Planned => {
    const n = named[i];
    const now = nows[i];
    const context: ConsentContext = { source: "BOUNCE", actor: ACTOR, campaignId: n.campaignId, now };
    const who = n.email ? maskEmail(n.email) : null;
    const said = (text: string): Planned => ({ effect: () => text });
    // Every stored message joins its contact's history, for the soft-bounce count of later signals.
    const mine = n.contactId ? history.get(n.contactId) : undefined;
    const remember = () => mine?.push({ kind: signal.kind, receivedAt: now, key: messageKey({ ...n, id: undefined }, i) });
    switch (signal.kind) {
      case "HARD_BOUNCE": {
        remember();
        if (!n.email) return said("Names none of our messages or addresses: nothing changed.");
        return {
          change: { change: { kind: "suppress", email: n.email, reason: "HARD_BOUNCE", note: bounceNote(signal) }, context },
          effect: (changed) => (changed ? `Hard bounce: ${who} is suppressed (no more mail of any kind).` : `Hard bounce: ${who} was already suppressed.`),
        };
      }
      case "SOFT_BOUNCE": {
        if (!n.contactId || !n.email || !mine) return (remember(), said("Soft bounce naming none of our contacts: nothing changed."));
        // The N-th message to bounce softly within the window, with no delivery reported since its start.
        const lastDelivered = Math.max(0, ...mine.filter((m) => m.kind === "DELIVERED").map((m) => m.receivedAt.getTime()));
        const windowStart = Math.max(now.getTime() - days * DAY_MS, lastDelivered);
        const earlier = mine.filter((m) => m.kind === "SOFT_BOUNCE" && m.receivedAt.getTime() > windowStart).map((m) => m.key);
        const bounced = new Set([...earlier, messageKey({ ...n, id: undefined }, i)]).size;
        remember();
        const whoSoft = maskEmail(n.email);
        if (bounced < limit) return said(`Soft bounce ${bounced} of ${limit} within ${days} days for ${whoSoft}: nothing changed yet.`);
        return {
          change: { change: { kind: "suppress", email: n.email, reason: "SOFT_BOUNCE", note: bounceNote(signal) }, context },
          effect: (changed) =>
            changed
              ? `Soft bounce ${bounced} of ${limit} within ${days} days: ${whoSoft} gets no more promotional mail.`
              : `Soft bounce: ${whoSoft} was already suppressed for repeated soft bounces.`,
        };
      }
      case "POLICY_BOUNCE":
        remember();
        return said("Refused for the sender's reasons (policy, reputation or authentication): counts against the campaign, not the address.");
      case "COMPLAINT": {
        remember();
        if (!n.contactId || !n.unitId) return said("Complaint naming none of our messages: nothing changed.");
        return {
          change: { change: { kind: "optOutOfUnit", contactId: n.contactId, unitId: n.unitId, channel: "EMAIL" }, context: { ...context, source: "COMPLAINT" } },
          effect: (changed) => (changed ? `Complaint: ${who} no longer gets this unit's promotional email.` : `Complaint: ${who} had already opted out of this unit's promotional email.`),
        };
      }
      case "MAILTO_UNSUBSCRIBE":
      case "UNSUBSCRIBE": {
        remember();
        // A mailto or provider unsubscribe: the same opt-out as the message's one-click link.
        const unsubscribeContext: ConsentContext = { ...context, source: signal.kind === "MAILTO_UNSUBSCRIBE" ? "MAILTO" : "PROVIDER" };
        if (n.transactionalMessageId) return said("Unsubscribe from a service message: service mail cannot be unsubscribed from, so nothing changed.");
        if (!n.contactId || !n.unitId) return said("Unsubscribe naming none of our messages: nothing changed.");
        if (scopes.get(n.unitId) === "TOPIC" && n.topicId && subscribed.has(`${n.contactId}:${n.topicId}`)) {
          return {
            change: { change: { kind: "unsubscribe", contactId: n.contactId, topicId: n.topicId, channel: "EMAIL" }, context: unsubscribeContext },
            effect: (changed) => (changed ? `Unsubscribed ${who} from this topic's email.` : `${who} was already unsubscribed from this topic's email.`),
          };
        }
        return {
          change: { change: { kind: "optOutOfUnit", contactId: n.contactId, unitId: n.unitId, channel: "EMAIL" }, context: unsubscribeContext },
          effect: (changed) => (changed ? `Unsubscribed ${who} from this unit's promotional email.` : `${who} had already unsubscribed from this unit's promotional email.`),
        };
      }
      case "DELIVERED":
        remember();
        return said("Delivered: nothing to change.");
      case "UNREADABLE":
        remember();
        return said("Could not be read: kept for an admin to look at; nothing changed.");
      case "IGNORED":
        remember();
        return said("Nothing to act on (an auto-reply or a report naming none of our messages): nothing changed.");
    }
  });
}

const bounceNote = (signal: FeedbackSignal) => [signal.status, signal.diagnostic].filter(Boolean).join(" ").slice(0, 500) || undefined;

type Remembered = { kind: InboundKind; receivedAt: Date; key: string };

/** Several reports about one message (a delay, then the failure) count once; a message of no delivery counts for itself. */
const messageKey = (m: { id?: number; deliveryId: number | null; transactionalMessageId: number | null }, batchIndex?: number) =>
  m.deliveryId ? `c${m.deliveryId}` : m.transactionalMessageId ? `t${m.transactionalMessageId}` : m.id !== undefined ? `i${m.id}` : `b${batchIndex}`;

/**
 * The DELIVERED and SOFT_BOUNCE messages stored for each contact a soft bounce of this batch
 * names, since the earliest window start of the batch (an older delivery cannot move a window).
 */
async function softBounceHistory(tx: Tx, signals: FeedbackSignal[], named: Named[], nows: Date[]): Promise<Map<number, Remembered[]>> {
  const history = new Map<number, Remembered[]>();
  const soft = signals.flatMap((s, i) => (s.kind === "SOFT_BOUNCE" && named[i].contactId && named[i].email ? [i] : []));
  if (soft.length === 0) return history;
  const { SOFT_BOUNCE_DAYS: days } = getEnv();
  const since = new Date(Math.min(...soft.map((i) => nows[i].getTime())) - days * DAY_MS);
  const contactIds = [...new Set(soft.map((i) => named[i].contactId!))];
  contactIds.forEach((id) => history.set(id, []));
  const rows = await tx.$queryRaw<{ id: number | bigint; contactId: number | bigint; kind: InboundKind; receivedAt: Date | string; deliveryId: number | bigint | null; transactionalMessageId: number | bigint | null }[]>`
    SELECT "id", "contactId", "kind", "receivedAt", "deliveryId", "transactionalMessageId" FROM "InboundMessage"
    WHERE "contactId" IN (${Prisma.join(contactIds)}) AND "kind" IN ('DELIVERED', 'SOFT_BOUNCE') AND "receivedAt" > ${since}`;
  for (const row of rows) {
    const key = messageKey({ id: Number(row.id), deliveryId: row.deliveryId == null ? null : Number(row.deliveryId), transactionalMessageId: row.transactionalMessageId == null ? null : Number(row.transactionalMessageId) });
    history.get(Number(row.contactId))!.push({ kind: row.kind, receivedAt: new Date(row.receivedAt), key });
  }
  return history;
}
