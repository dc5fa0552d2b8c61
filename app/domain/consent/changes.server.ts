// The consent core: the only code that writes preference state (docs/invariants.md, invariant 1).
// Every change writes its projection row and a ConsentEvent in one transaction. Asking for
// the state that already holds changes no row and is recorded with changed = false.

import type { Db, Tx } from "~/utils/db.server.ts";
import { db, inTransaction } from "~/utils/db.server.ts";
import { Prisma } from "~/generated/prisma/client.ts";
import type {
  Channel,
  ConsentAction,
  ConsentBasis,
  ConsentSource,
  SharingPurpose,
  SuppressionReason,
} from "~/generated/prisma/enums.ts";
import { addressHash } from "./address-hash.server.ts";
import { normalizeEmail } from "./email.ts";
import { offeredChannels } from "~/domain/consent/channels.ts";
import { lockRows } from "~/utils/row-locks.server.ts";
import type { FrequencyOption } from "./frequency.ts";

/** Who asked for a change, and how: copied onto the ConsentEvent. */
export type ConsentContext = {
  source: ConsentSource;
  /** "contact:12", "user:3", "system", "cli:import" … */
  actor?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  /** The jti of the link token that authorised the change. */
  tokenId?: string | null;
  campaignId?: number | null;
  /** The ConsentText the person was shown when they gave or withdrew consent. */
  consentTextId?: number | null;
  now?: Date;
};

export type ConsentChange =
  | {
      kind: "subscribe";
      contactId: number;
      topicId: number;
      channel: Channel;
      basis: ConsentBasis;
      consentedAt?: Date;
      /** Where the basis expires (implied consent). */
      expiresAt?: Date | null;
    }
  | { kind: "unsubscribe"; contactId: number; topicId: number; channel: Channel }
  /** Undoes an unsubscribe: the earlier consent (basis, time, expiry) applies again. */
  | { kind: "resubscribe"; contactId: number; topicId: number; channel: Channel }
  | { kind: "optOutOfUnit"; contactId: number; unitId: number; channel: Channel }
  | { kind: "optBackInToUnit"; contactId: number; unitId: number; channel: Channel }
  | { kind: "optOutEverywhere"; contactId: number; channel: Channel }
  | { kind: "optBackInEverywhere"; contactId: number; channel: Channel }
  | { kind: "snooze"; contactId: number; unitId: number; until: Date }
  | { kind: "endSnooze"; contactId: number; unitId: number }
  /** "Send me less" (ADR 043): EVERYTHING lifts the limit. */
  | { kind: "setFrequency"; contactId: number; unitId: number; frequency: FrequencyOption }
  | { kind: "setSharing"; contactId: number; purpose: SharingPurpose; granted: boolean }
  | { kind: "suppress"; email: string; reason: SuppressionReason; note?: string }
  | { kind: "unsuppress"; email: string; reason: SuppressionReason };

export type ConsentChangeResult = { changed: boolean; eventId: number };

/** A change that cannot be made as asked (unknown topic, channel not offered …): a 4xx for the caller. */
export class ConsentError extends Error {
  name = "ConsentError";
}

/** Applies one change in its own transaction, or inside the caller's when given a transaction client. */
export function applyConsentChange(
  change: ConsentChange,
  context: ConsentContext,
  client: Db | Tx = db,
): Promise<ConsentChangeResult> {
  return inTransaction(client, (tx) => applyInTransaction(tx, change, context));
}

/** Applies several changes atomically: all land or none do. */
export function applyConsentChanges(
  changes: ConsentChange[],
  context: ConsentContext,
  client: Db | Tx = db,
): Promise<ConsentChangeResult[]> {
  return inTransaction(client, async (tx) => {
    const results: ConsentChangeResult[] = [];
    for (const change of changes) results.push(await applyInTransaction(tx, change, context));
    return results;
  });
}

/** What a change records in its ConsentEvent (also built by import-batch.server.ts). */
export type Recorded = {
  action: ConsentAction;
  changed: boolean;
  contactId: number | null;
  unitId?: number | null;
  topicId?: number | null;
  channel?: Channel | null;
  detail?: Record<string, unknown>;
};

async function applyInTransaction(tx: Tx, change: ConsentChange, context: ConsentContext): Promise<ConsentChangeResult> {
  const now = context.now ?? new Date();
  const recorded = await project(tx, change, context, now);
  if (context.consentTextId != null) await markConsentTextUsed(tx, context.consentTextId, now);
  const event = await tx.consentEvent.create({ data: eventRow(recorded, context, now), select: { id: true } });
  return { changed: recorded.changed, eventId: event.id };
}

export function eventRow(recorded: Recorded, context: ConsentContext, now: Date) {
  return {
    contactId: recorded.contactId,
    unitId: recorded.unitId ?? null,
    topicId: recorded.topicId ?? null,
    channel: recorded.channel ?? null,
    action: recorded.action,
    changed: recorded.changed,
    source: context.source,
    actor: context.actor ?? null,
    ip: context.ip ?? null,
    userAgent: context.userAgent ?? null,
    tokenId: context.tokenId ?? null,
    campaignId: context.campaignId ?? null,
    consentTextId: context.consentTextId ?? null,
    detail: recorded.detail ? JSON.stringify(recorded.detail) : null,
    createdAt: now,
  };
}

export type UnitOptOutRequest = { contactId: number; unitId: number; channel: Channel; context: ConsentContext };

/**
 * Many unit opt-outs at once, for RFC 8058 one-click under load: the same rows and ledger
 * events as one `optOutOfUnit` change each, in two or three queries whatever the batch size.
 * A request repeated within the batch, or already in force, is recorded unchanged. A request
 * for a contact that no longer exists (erased) writes nothing and gets null. The caller has
 * checked that every unit exists (inside `tx`).
 */
export async function applyUnitOptOuts(tx: Tx, requests: UnitOptOutRequest[]): Promise<({ changed: boolean } | null)[]> {
  const keyOf = (r: { contactId: number; unitId: number; channel: Channel }) => `${r.contactId}:${r.unitId}:${r.channel}`;
  // Requests for one unit and channel at one moment (under load, usually the whole batch) are
  // written by one INSERT that skips contacts that no longer exist and opt-outs already in
  // force, and returns the rows it did write: no read before it (bench:one-click).
  const groups = new Map<string, { unitId: number; channel: Channel; createdAt: Date; contactIds: Set<number> }>();
  const batchNow = new Date();
  const createdAtOf = (request: UnitOptOutRequest) => request.context.now ?? batchNow;
  for (const request of requests) {
    const createdAt = createdAtOf(request);
    const groupKey = `${request.unitId}:${request.channel}:${createdAt.getTime()}`;
    const group = groups.get(groupKey) ?? { unitId: request.unitId, channel: request.channel, createdAt, contactIds: new Set() };
    group.contactIds.add(request.contactId);
    groups.set(groupKey, group);
  }
  const created = new Set<string>();
  const known = new Set<number>();
  for (const { unitId, channel, createdAt, contactIds } of groups.values()) {
    // Plain SQL that SQLite and PostgreSQL both take (the WHERE before ON CONFLICT is what
    // SQLite's parser needs to tell the two apart).
    const written = await tx.$queryRaw<{ contactId: number | bigint }[]>`
      INSERT INTO "UnitOptOut" ("contactId", "unitId", "channel", "createdAt")
      SELECT "id", ${unitId}, ${channel}, ${createdAt} FROM "Contact" WHERE "id" IN (${Prisma.join([...contactIds])})
      ON CONFLICT DO NOTHING RETURNING "contactId"`;
    for (const row of written) {
      created.add(keyOf({ contactId: Number(row.contactId), unitId, channel }));
      known.add(Number(row.contactId));
    }
  }
  // A request that wrote nothing had its opt-out in force already, or names a contact that is gone.
  const unsure = [...new Set(requests.filter((r) => !known.has(r.contactId)).map((r) => r.contactId))];
  if (unsure.length > 0) {
    const rows = await tx.$queryRaw<{ id: number | bigint }[]>`SELECT "id" FROM "Contact" WHERE "id" IN (${Prisma.join(unsure)})`;
    rows.forEach((row) => known.add(Number(row.id)));
  }
  const events: ReturnType<typeof eventRow>[] = [];
  const results = requests.map((request) => {
    if (!known.has(request.contactId)) return null;
    const key = { contactId: request.contactId, unitId: request.unitId, channel: request.channel };
    // Only the first request for a new opt-out changed anything; a repeat in the batch did not.
    const changed = created.delete(keyOf(key));
    events.push(eventRow({ action: "UNIT_OPT_OUT", changed, ...key }, request.context, createdAtOf(request)));
    return { changed };
  });
  if (events.length > 0) await insertEventRows(tx, events);
  return results;
}

/**
 * Ledger rows made by eventRow(), in one plain multi-row INSERT that SQLite and PostgreSQL both
 * take (batch writers only; the caller keeps each call within SQLite's bound-parameter limit).
 */
export async function insertEventRows(tx: Tx, events: ReturnType<typeof eventRow>[]): Promise<void> {
  await tx.$executeRaw`INSERT INTO "ConsentEvent" ("contactId", "unitId", "topicId", "channel", "action", "changed", "source", "actor", "ip", "userAgent", "tokenId", "campaignId", "consentTextId", "detail", "createdAt") VALUES ${Prisma.join(
    events.map(
      (e) =>
        Prisma.sql`(${e.contactId}, ${e.unitId}, ${e.topicId}, ${e.channel}, ${e.action}, ${e.changed}, ${e.source}, ${e.actor}, ${e.ip}, ${e.userAgent}, ${e.tokenId}, ${e.campaignId}, ${e.consentTextId}, ${e.detail}, ${e.createdAt})`,
    ),
  )}`;
}

/** Writes the projection row for one change and says what to record about it. */
async function project(tx: Tx, change: ConsentChange, context: ConsentContext, now: Date): Promise<Recorded> {
  // What a change records rests on the state it reads first: one person's changes are made one
  // at a time (on PostgreSQL two would otherwise both read "not subscribed" and both write).
  if ("contactId" in change) await lockRows(tx, "Contact", [change.contactId]);
  switch (change.kind) {
    case "subscribe": {
      const topic = await findOpenTopic(tx, change.topicId, change.channel);
      const key = { contactId: change.contactId, topicId: change.topicId, channel: change.channel };
      const existing = await tx.subscription.findUnique({ where: { contactId_topicId_channel: key } });
      const expiresAt = change.expiresAt ?? null;
      const changed =
        existing?.status !== "SUBSCRIBED" ||
        existing.basis !== change.basis ||
        existing.expiresAt?.getTime() !== expiresAt?.getTime();
      if (changed) {
        const data = {
          status: "SUBSCRIBED" as const,
          basis: change.basis,
          consentedAt: change.consentedAt ?? now,
          expiresAt,
          consentTextId: context.consentTextId ?? null,
        };
        await tx.subscription.upsert({ where: { contactId_topicId_channel: key }, create: { ...key, ...data }, update: data });
      }
      return {
        action: "SUBSCRIBE",
        changed,
        contactId: change.contactId,
        unitId: topic.unitId,
        topicId: topic.id,
        channel: change.channel,
        detail: { basis: change.basis, ...(expiresAt ? { expiresAt: expiresAt.toISOString() } : {}) },
      };
    }
    case "unsubscribe":
    case "resubscribe": {
      const topic = await findTopic(tx, change.topicId);
      const key = { contactId: change.contactId, topicId: change.topicId, channel: change.channel };
      const existing = await tx.subscription.findUnique({ where: { contactId_topicId_channel: key } });
      const unsubscribing = change.kind === "unsubscribe";
      const changed = unsubscribing ? existing !== null && existing.status !== "UNSUBSCRIBED" : existing?.status === "UNSUBSCRIBED";
      if (changed) {
        await tx.subscription.update({
          where: { contactId_topicId_channel: key },
          data: { status: unsubscribing ? "UNSUBSCRIBED" : "SUBSCRIBED" },
        });
      }
      return {
        action: unsubscribing ? "UNSUBSCRIBE" : "SUBSCRIBE",
        changed,
        ...key,
        unitId: topic.unitId,
        // What an undo must restore.
        detail: unsubscribing ? { previousStatus: existing?.status ?? null } : { resubscribed: true },
      };
    }
    case "optOutOfUnit":
    case "optBackInToUnit": {
      const key = { contactId: change.contactId, unitId: change.unitId, channel: change.channel };
      const optingOut = change.kind === "optOutOfUnit";
      // One statement each way, whose row count says whether it changed anything: the one-click
      // batch writer adds opt-outs without the contact's lock (applyUnitOptOuts).
      const changed = optingOut
        ? (await tx.$executeRaw`INSERT INTO "UnitOptOut" ("contactId", "unitId", "channel", "createdAt") VALUES (${key.contactId}, ${key.unitId}, ${key.channel}, ${now}) ON CONFLICT DO NOTHING`) === 1
        : (await tx.unitOptOut.deleteMany({ where: key })).count === 1;
      return { action: optingOut ? "UNIT_OPT_OUT" : "UNIT_OPT_IN", changed, ...key };
    }
    case "optOutEverywhere":
    case "optBackInEverywhere": {
      const key = { contactId: change.contactId, channel: change.channel };
      const optingOut = change.kind === "optOutEverywhere";
      const changed = optingOut
        ? (await tx.$executeRaw`INSERT INTO "GlobalOptOut" ("contactId", "channel", "createdAt") VALUES (${key.contactId}, ${key.channel}, ${now}) ON CONFLICT DO NOTHING`) === 1
        : (await tx.globalOptOut.deleteMany({ where: key })).count === 1;
      return { action: optingOut ? "GLOBAL_OPT_OUT" : "GLOBAL_OPT_IN", changed, ...key };
    }
    case "snooze": {
      if (change.until.getTime() <= now.getTime()) throw new ConsentError("A pause must end in the future.");
      const key = { contactId: change.contactId, unitId: change.unitId };
      const existing = await tx.snooze.findUnique({ where: { contactId_unitId: key } });
      const changed = existing?.until.getTime() !== change.until.getTime();
      if (changed) {
        await tx.snooze.upsert({ where: { contactId_unitId: key }, create: { ...key, until: change.until }, update: { until: change.until } });
      }
      return {
        action: "SNOOZE",
        changed,
        ...key,
        detail: { until: change.until.toISOString(), previousUntil: existing && existing.until > now ? existing.until.toISOString() : null },
      };
    }
    case "endSnooze": {
      const key = { contactId: change.contactId, unitId: change.unitId };
      const { count } = await tx.snooze.deleteMany({ where: { ...key, until: { gt: now } } });
      // An expired pause row is only clutter: remove it without calling that a change.
      await tx.snooze.deleteMany({ where: key });
      return { action: "SNOOZE_END", changed: count > 0, ...key };
    }
    case "setFrequency": {
      const unit = await tx.businessUnit.findUnique({ where: { id: change.unitId }, select: { id: true } });
      if (!unit) throw new ConsentError(`There is no brand with id ${change.unitId}.`);
      const key = { contactId: change.contactId, unitId: change.unitId };
      // Read under the contact's lock (above): the previous choice recorded is the one replaced.
      const existing = await tx.frequencyChoice.findUnique({ where: { contactId_unitId: key } });
      const previous: FrequencyOption = existing?.frequency ?? "EVERYTHING";
      const changed = previous !== change.frequency;
      if (changed) {
        if (change.frequency === "EVERYTHING") await tx.frequencyChoice.deleteMany({ where: key });
        else {
          await tx.frequencyChoice.upsert({
            where: { contactId_unitId: key },
            create: { ...key, frequency: change.frequency, createdAt: now },
            update: { frequency: change.frequency, createdAt: now },
          });
        }
      }
      // The limit is about promotional email: recorded on that channel.
      return { action: "FREQUENCY_SET", changed, ...key, channel: "EMAIL", detail: { frequency: change.frequency, previous } };
    }
    case "setSharing": {
      const key = { contactId: change.contactId, purpose: change.purpose };
      const existing = await tx.sharingConsent.findUnique({ where: { contactId_purpose: key } });
      const changed = (existing?.granted ?? false) !== change.granted;
      if (changed) {
        const data = { granted: change.granted, consentTextId: context.consentTextId ?? null };
        await tx.sharingConsent.upsert({ where: { contactId_purpose: key }, create: { ...key, ...data }, update: data });
      }
      return {
        action: change.granted ? "SHARING_GRANT" : "SHARING_WITHDRAW",
        changed,
        contactId: change.contactId,
        detail: { purpose: change.purpose },
      };
    }
    case "suppress": {
      const email = normalizeEmail(change.email);
      const emailHash = addressHash(email);
      const contact = await tx.contact.findUnique({ where: { email }, select: { id: true } });
      // An ERASED entry keeps only the hash: no address, no link to a contact.
      const erased = change.reason === "ERASED";
      // Keyed by the address, which may have no contact to lock: the unique index decides which
      // of two suppressions at once adds the entry (plain SQL both databases take).
      const added = await tx.$executeRaw`
        INSERT INTO "Suppression" ("emailHash", "email", "contactId", "reason", "note", "createdAt")
        VALUES (${emailHash}, ${erased ? null : email}, ${erased ? null : (contact?.id ?? null)}, ${change.reason}, ${change.note ?? null}, ${now})
        ON CONFLICT ("emailHash", "reason") DO NOTHING`;
      return {
        action: "SUPPRESS",
        changed: added === 1,
        contactId: erased ? null : (contact?.id ?? null),
        channel: "EMAIL",
        detail: { reason: change.reason },
      };
    }
    case "unsuppress": {
      const email = normalizeEmail(change.email);
      const removed = await tx.suppression.findUnique({
        where: { emailHash_reason: { emailHash: addressHash(email), reason: change.reason } },
        select: { id: true, contactId: true },
      });
      // Of two removals at once, the one whose DELETE finds the row made the change.
      const { count } = removed ? await tx.suppression.deleteMany({ where: { id: removed.id } }) : { count: 0 };
      return {
        action: "UNSUPPRESS",
        changed: count === 1,
        contactId: removed?.contactId ?? null,
        channel: "EMAIL",
        detail: { reason: change.reason },
      };
    }
  }
}

async function findTopic(tx: Tx, topicId: number) {
  const topic = await tx.topic.findUnique({ where: { id: topicId } });
  if (!topic) throw new ConsentError(`There is no topic with id ${topicId}.`);
  return topic;
}

/** A topic that accepts new subscriptions on the channel: not archived, channel offered. */
async function findOpenTopic(tx: Tx, topicId: number, channel: Channel) {
  const topic = await findTopic(tx, topicId);
  if (topic.archivedAt) throw new ConsentError(`The topic "${topic.name}" is archived and takes no new subscriptions.`);
  if (!offeredChannels(topic).includes(channel)) throw new ConsentError(`The topic "${topic.name}" is not offered by ${channel.toLowerCase()}.`);
  return topic;
}

async function markConsentTextUsed(tx: Tx, consentTextId: number, now: Date) {
  await tx.consentText.updateMany({ where: { id: consentTextId, firstUsedAt: null }, data: { firstUsedAt: now } });
}

/**
 * Records that contacts were read out of the product (a postal or phone export): an access,
 * not a change, so it writes no projection row and is recorded with changed = false.
 */
export async function recordExport(
  what: { unitId: number; topicId: number; channel: Channel; rows: number },
  context: ConsentContext,
  client: Db | Tx = db,
): Promise<{ eventId: number }> {
  const now = context.now ?? new Date();
  const recorded: Recorded = { action: "EXPORT", changed: false, contactId: null, unitId: what.unitId, topicId: what.topicId, channel: what.channel, detail: { rows: what.rows } };
  const event = await client.consentEvent.create({ data: eventRow(recorded, context, now), select: { id: true } });
  return { eventId: event.id };
}
