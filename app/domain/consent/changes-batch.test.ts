import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { db } from "~/utils/db.server.ts";
import { createContact, createTopic, createUnit } from "../../../tests/helpers/fixtures.ts";
import { applyConsentChange } from "./changes.server.ts";
import { applyConsentChangesInOrder, type BatchedChange } from "./changes-batch.server.ts";

// The in-order batch writer leaves the same rows and ledger events as applyConsentChange one
// change at a time, including a change that repeats an earlier one of the same batch.

async function world(label: string, now: Date) {
  const unit = await createUnit();
  const topic = await createTopic(unit.id);
  const people = [await createContact(`a.${label}@example.test`), await createContact(`b.${label}@example.test`)];
  for (const p of people) await applyConsentChange({ kind: "subscribe", contactId: p.id, topicId: topic.id, channel: "EMAIL", basis: "EXPRESS" }, { source: "IMPORT" });
  // Already in force before the batch: b's unit opt-out.
  await applyConsentChange({ kind: "optOutOfUnit", contactId: people[1].id, unitId: unit.id, channel: "EMAIL" }, { source: "ADMIN" });
  const changes: BatchedChange[] = [
    { change: { kind: "suppress", email: people[0].email.toUpperCase(), reason: "HARD_BOUNCE", note: "5.1.1" }, context: { source: "BOUNCE", campaignId: 5, now } },
    { change: { kind: "suppress", email: people[0].email, reason: "HARD_BOUNCE" }, context: { source: "BOUNCE", now } },
    { change: { kind: "suppress", email: `nobody.${label}@example.test`, reason: "SOFT_BOUNCE" }, context: { source: "PROVIDER", now } },
    { change: { kind: "optOutOfUnit", contactId: people[0].id, unitId: unit.id, channel: "EMAIL" }, context: { source: "COMPLAINT", actor: "system:feedback", now } },
    { change: { kind: "optOutOfUnit", contactId: people[0].id, unitId: unit.id, channel: "EMAIL" }, context: { source: "MAILTO", now } },
    { change: { kind: "optOutOfUnit", contactId: people[1].id, unitId: unit.id, channel: "EMAIL" }, context: { source: "MAILTO", now } },
    { change: { kind: "unsubscribe", contactId: people[1].id, topicId: topic.id, channel: "EMAIL" }, context: { source: "MAILTO", now } },
    { change: { kind: "unsubscribe", contactId: people[1].id, topicId: topic.id, channel: "EMAIL" }, context: { source: "PROVIDER", now } },
    { change: { kind: "unsubscribe", contactId: people[0].id, topicId: topic.id, channel: "POSTAL" }, context: { source: "PROVIDER", now } },
  ];
  return { unit, topic, people, changes, label, now };
}

async function state(w: Awaited<ReturnType<typeof world>>) {
  const ids = w.people.map((p) => p.id);
  const who = (id: number | null) => (id == null ? null : ids.indexOf(id));
  const suppressions = await db.suppression.findMany({ where: { OR: [{ contactId: { in: ids } }, { email: { contains: `.${w.label}@` } }] }, orderBy: { id: "asc" } });
  return {
    suppressions: suppressions.map((s) => [who(s.contactId), s.email?.replace(w.label, "L"), s.reason, s.note]),
    optOuts: (await db.unitOptOut.findMany({ where: { contactId: { in: ids } } })).map((o) => [who(o.contactId), o.unitId === w.unit.id, o.channel]).sort(),
    subscriptions: (await db.subscription.findMany({ where: { contactId: { in: ids } } })).map((s) => [who(s.contactId), s.channel, s.status]).sort(),
    events: (await db.consentEvent.findMany({ where: { createdAt: w.now, OR: [{ contactId: { in: ids } }, { contactId: null }] }, orderBy: { id: "asc" } }))
      .filter((e) => e.contactId !== null || e.detail?.includes("SOFT_BOUNCE"))
      .map((e) => [who(e.contactId), e.action, e.changed, e.source, e.actor, e.campaignId, e.channel, e.unitId === w.unit.id, e.topicId === w.topic.id, e.detail]),
  };
}

describe("applying consent changes as a batch", () => {
  it("leaves the same rows and ledger events as one change after another", async () => {
    const one = await world(crypto.randomBytes(3).toString("hex"), new Date("2026-01-02T03:04:05Z"));
    const oneResults = [];
    for (const { change, context } of one.changes) oneResults.push((await applyConsentChange(change, context)).changed);
    const batch = await world(crypto.randomBytes(3).toString("hex"), new Date("2026-01-02T03:04:06Z"));
    const batchResults = await db.$transaction((tx) => applyConsentChangesInOrder(tx, batch.changes));

    expect(batchResults.map((r) => r.changed)).toEqual(oneResults);
    expect(oneResults).toEqual([true, false, true, true, false, false, true, false, false]);
    expect(await state(batch)).toEqual(await state(one));
  });
});
