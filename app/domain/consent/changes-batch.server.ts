// The consent core's in-order batch writer for the changes that mail feedback makes (suppress,
// unit opt-out, topic unsubscribe): the same rows and ledger events as applying each change in
// turn with applyConsentChange, but in a fixed number of queries per batch (one change at a
// time cost several round trips through the one SQLite connection per message: bench:inbound).

import type { Tx } from "~/utils/db.server.ts";
import { Prisma } from "~/generated/prisma/client.ts";
import type { SubscriptionStatus } from "~/generated/prisma/enums.ts";
import { addressHash } from "./address-hash.server.ts";
import { ConsentError, eventRow, insertEventRows, type ConsentChange, type ConsentContext } from "./changes.server.ts";
import { normalizeEmail } from "./email.ts";
import { lockRows } from "~/utils/row-locks.server.ts";

export type BatchableChange = Extract<ConsentChange, { kind: "suppress" | "optOutOfUnit" | "unsubscribe" }>;
export type BatchedChange = { change: BatchableChange; context: ConsentContext };

// Rows per multi-row INSERT: well inside SQLite's bound-parameter limit.
const EVENTS_PER_STATEMENT = 500;

/**
 * Applies the changes inside the caller's transaction, as if one after another in the given
 * order: a later change sees what an earlier one did (a second suppression of the same address
 * is recorded unchanged). One result per change, in order.
 */
export async function applyConsentChangesInOrder(tx: Tx, requests: BatchedChange[]): Promise<{ changed: boolean }[]> {
  if (requests.length === 0) return [];
  const batchNow = new Date();
  const nowOf = (context: ConsentContext) => context.now ?? batchNow;

  const suppressions = requests.flatMap((r) => (r.change.kind === "suppress" ? [{ ...r.change, email: normalizeEmail(r.change.email) }] : []));
  const optOuts = requests.flatMap((r) => (r.change.kind === "optOutOfUnit" ? [r.change] : []));
  const unsubscribes = requests.flatMap((r) => (r.change.kind === "unsubscribe" ? [r.change] : []));
  const uniq = <T>(values: T[]) => [...new Set(values)];
  // The people whose opt-outs and subscriptions this batch reads and writes are changed by no
  // one else meanwhile, as applyConsentChange does (ADR 039).
  await lockRows(tx, "Contact", [...optOuts, ...unsubscribes].map((c) => c.contactId));

  // What holds before the batch, read in one query per kind of change.
  const heldSuppressions = new Set<string>();
  const contactByEmail = new Map<string, number>();
  if (suppressions.length > 0) {
    // Plain SQL here and below: each Prisma model call is compiled anew, the larger cost per batch (bench:inbound).
    const existing = await tx.$queryRaw<{ emailHash: string; reason: string }[]>`
      SELECT "emailHash", "reason" FROM "Suppression" WHERE "emailHash" IN (${Prisma.join(uniq(suppressions.map((s) => addressHash(s.email))))})`;
    existing.forEach((e) => heldSuppressions.add(`${e.emailHash}:${e.reason}`));
    const contacts = await tx.$queryRaw<{ id: number | bigint; email: string }[]>`SELECT "id", "email" FROM "Contact" WHERE "email" IN (${Prisma.join(uniq(suppressions.map((s) => s.email)))})`;
    contacts.forEach((c) => contactByEmail.set(c.email, Number(c.id)));
  }
  const optOutKey = (o: { contactId: number; unitId: number; channel: string }) => `${o.contactId}:${o.unitId}:${o.channel}`;
  const heldOptOuts = new Set<string>();
  if (optOuts.length > 0) {
    const existing = await tx.$queryRaw<{ contactId: number | bigint; unitId: number | bigint; channel: string }[]>`
      SELECT "contactId", "unitId", "channel" FROM "UnitOptOut"
      WHERE "contactId" IN (${Prisma.join(uniq(optOuts.map((o) => o.contactId)))}) AND "unitId" IN (${Prisma.join(uniq(optOuts.map((o) => o.unitId)))})`;
    existing.forEach((o) => heldOptOuts.add(optOutKey({ contactId: Number(o.contactId), unitId: Number(o.unitId), channel: o.channel })));
  }
  const subscriptionKey = (s: { contactId: number; topicId: number; channel: string }) => `${s.contactId}:${s.topicId}:${s.channel}`;
  const subscriptions = new Map<string, { id: number; status: SubscriptionStatus }>();
  const topicUnit = new Map<number, number>();
  if (unsubscribes.length > 0) {
    const topicIds = uniq(unsubscribes.map((u) => u.topicId));
    const topics = await tx.topic.findMany({ where: { id: { in: topicIds } }, select: { id: true, unitId: true } });
    topics.forEach((t) => topicUnit.set(t.id, t.unitId));
    const missing = topicIds.find((id) => !topicUnit.has(id));
    if (missing !== undefined) throw new ConsentError(`There is no topic with id ${missing}.`);
    const rows = await tx.subscription.findMany({
      where: { contactId: { in: uniq(unsubscribes.map((u) => u.contactId)) }, topicId: { in: topicIds } },
      select: { id: true, contactId: true, topicId: true, channel: true, status: true },
    });
    rows.forEach((s) => subscriptions.set(subscriptionKey(s), { id: s.id, status: s.status }));
  }

  // Each change in turn against that state, as applyConsentChange would see it.
  // `request`: the index of the change that adds the row, whose result and event say changed.
  const newSuppressions: { request: number; emailHash: string; reason: string; email: string | null; contactId: number | null; note: string | null; createdAt: Date }[] = [];
  const newOptOuts: { request: number; contactId: number; unitId: number; channel: string; createdAt: Date }[] = [];
  const unsubscribed = new Set<number>();
  const events: ReturnType<typeof eventRow>[] = [];
  const results = requests.map(({ change, context }, request) => {
    const now = nowOf(context);
    switch (change.kind) {
      case "suppress": {
        const email = normalizeEmail(change.email);
        const emailHash = addressHash(email);
        const erased = change.reason === "ERASED";
        const contactId = erased ? null : (contactByEmail.get(email) ?? null);
        const key = `${emailHash}:${change.reason}`;
        const changed = !heldSuppressions.has(key);
        if (changed) {
          heldSuppressions.add(key);
          newSuppressions.push({ request, emailHash, reason: change.reason, email: erased ? null : email, contactId, note: change.note ?? null, createdAt: batchNow });
        }
        events.push(eventRow({ action: "SUPPRESS", changed, contactId, channel: "EMAIL", detail: { reason: change.reason } }, context, now));
        return { changed };
      }
      case "optOutOfUnit": {
        const key = { contactId: change.contactId, unitId: change.unitId, channel: change.channel };
        const changed = !heldOptOuts.has(optOutKey(key));
        if (changed) {
          heldOptOuts.add(optOutKey(key));
          newOptOuts.push({ request, ...key, createdAt: batchNow });
        }
        events.push(eventRow({ action: "UNIT_OPT_OUT", changed, ...key }, context, now));
        return { changed };
      }
      case "unsubscribe": {
        const key = { contactId: change.contactId, topicId: change.topicId, channel: change.channel };
        const existing = subscriptions.get(subscriptionKey(key));
        const previousStatus = existing?.status ?? null;
        const changed = existing !== undefined && existing.status !== "UNSUBSCRIBED";
        if (changed) {
          existing.status = "UNSUBSCRIBED";
          unsubscribed.add(existing.id);
        }
        events.push(eventRow({ action: "UNSUBSCRIBE", changed, ...key, unitId: topicUnit.get(change.topicId)!, detail: { previousStatus } }, context, now));
        return { changed };
      }
    }
  });

  // A consent text's first use is the earliest change that names it, as one change at a time would mark it.
  const firstUse = new Map<number, Date>();
  for (const { context } of requests) if (context.consentTextId != null && !firstUse.has(context.consentTextId)) firstUse.set(context.consentTextId, nowOf(context));
  for (const [id, now] of firstUse) await tx.consentText.updateMany({ where: { id, firstUsedAt: null }, data: { firstUsedAt: now } });

  // Written when the batch is, as one change's row is stamped when it is written. A row another
  // writer added since the read above (a suppression is keyed by address, and the one-click
  // writer takes no contact's lock) is left as it is, and the change that meant to add it is
  // recorded unchanged: it was, by the time it landed.
  const addedElsewhere = (request: number) => {
    results[request].changed = false;
    events[request].changed = false;
  };
  for (let start = 0; start < newSuppressions.length; start += EVENTS_PER_STATEMENT) {
    const group = newSuppressions.slice(start, start + EVENTS_PER_STATEMENT);
    const rows = group.map((r) => Prisma.sql`(${r.emailHash}, ${r.email}, ${r.contactId}, ${r.reason}, ${r.note}, ${r.createdAt})`);
    const written = await tx.$queryRaw<{ emailHash: string; reason: string }[]>`
      INSERT INTO "Suppression" ("emailHash", "email", "contactId", "reason", "note", "createdAt") VALUES ${Prisma.join(rows)}
      ON CONFLICT ("emailHash", "reason") DO NOTHING RETURNING "emailHash", "reason"`;
    const landed = new Set(written.map((w) => `${w.emailHash}:${w.reason}`));
    for (const r of group) if (!landed.has(`${r.emailHash}:${r.reason}`)) addedElsewhere(r.request);
  }
  for (let start = 0; start < newOptOuts.length; start += EVENTS_PER_STATEMENT) {
    const group = newOptOuts.slice(start, start + EVENTS_PER_STATEMENT);
    const rows = group.map((r) => Prisma.sql`(${r.contactId}, ${r.unitId}, ${r.channel}, ${r.createdAt})`);
    const written = await tx.$queryRaw<{ contactId: number | bigint; unitId: number | bigint; channel: string }[]>`
      INSERT INTO "UnitOptOut" ("contactId", "unitId", "channel", "createdAt") VALUES ${Prisma.join(rows)}
      ON CONFLICT DO NOTHING RETURNING "contactId", "unitId", "channel"`;
    const landed = new Set(written.map((w) => optOutKey({ contactId: Number(w.contactId), unitId: Number(w.unitId), channel: w.channel })));
    for (const r of group) if (!landed.has(optOutKey(r))) addedElsewhere(r.request);
  }
  if (unsubscribed.size > 0) await tx.subscription.updateMany({ where: { id: { in: [...unsubscribed] } }, data: { status: "UNSUBSCRIBED" } });
  for (let start = 0; start < events.length; start += EVENTS_PER_STATEMENT) await insertEventRows(tx, events.slice(start, start + EVENTS_PER_STATEMENT));
  return results;
}
