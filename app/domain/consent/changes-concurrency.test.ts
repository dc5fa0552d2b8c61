import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { createDb, db } from "~/utils/db.server.ts";
import { getEnv } from "~/utils/env.server.ts";
import { createContact, createTopic, createUnit } from "../../../tests/helpers/fixtures.ts";
import { testsOnPostgresql } from "../../../tests/helpers/test-database.ts";
import { addressHash } from "./address-hash.server.ts";
import { applyConsentChange, applyUnitOptOuts, type ConsentChange, type ConsentContext } from "./changes.server.ts";
import { applyConsentChangesInOrder } from "./changes-batch.server.ts";
import { applyImportedSubscriptions } from "./import-batch.server.ts";
import { applyImportedSuppressions } from "./suppression-batch.server.ts";
import { findOrCreateContact } from "./contacts.server.ts";

// The same change asked for at once on many connections, as several web processes (or one
// PostgreSQL pool) would ask it: on PostgreSQL under READ COMMITTED each transaction's read
// sees none of the others' uncommitted writes, so a change must not rest on that read alone.
// SQLite: one process writes through one connection, whose transactions queue (ADR 007); a
// second connection in the same process would wait for the first's lock synchronously,
// stopping the very process that holds it, so there the requests share the process's client.
const connections = testsOnPostgresql ? Array.from({ length: 12 }, () => createDb(getEnv().DATABASE_URL)) : Array.from({ length: 12 }, () => db);
afterAll(() => Promise.all(connections.map((c) => (c === db ? undefined : c.$disconnect()))));

const fromCenter: ConsentContext = { source: "PREFERENCE_CENTER", actor: "contact:test" };

let unit: { id: number };
let topic: { id: number };
let contact: { id: number; email: string };

beforeEach(async () => {
  unit = await createUnit();
  topic = await createTopic(unit.id);
  contact = await createContact();
});

/** Every connection applies the change at once; all must answer. */
async function allAtOnce(change: ConsentChange) {
  const answers = await Promise.allSettled(connections.map((client) => applyConsentChange(change, fromCenter, client)));
  expect(answers.filter((a) => a.status === "rejected")).toEqual([]);
  return answers.map((a) => (a as PromiseFulfilledResult<{ changed: boolean }>).value);
}

const changedEvents = (where: { contactId?: number | null; action: "SUBSCRIBE" | "UNSUBSCRIBE" | "UNIT_OPT_OUT" | "UNIT_OPT_IN" | "GLOBAL_OPT_OUT" | "SUPPRESS" | "SNOOZE" | "SHARING_GRANT" }) =>
  db.consentEvent.count({ where: { ...where, changed: true } });

describe("one person's consent changed on many connections at once", () => {
  it("a subscription asked for twelve times at once is one row and one change in the ledger", async () => {
    const results = await allAtOnce({ kind: "subscribe", contactId: contact.id, topicId: topic.id, channel: "EMAIL", basis: "EXPRESS" });
    expect(results.filter((r) => r.changed)).toHaveLength(1);
    expect(await db.subscription.count({ where: { contactId: contact.id } })).toBe(1);
    expect(await changedEvents({ contactId: contact.id, action: "SUBSCRIBE" })).toBe(1);
    expect(await db.consentEvent.count({ where: { contactId: contact.id } })).toBe(connections.length);
  });

  it("an unsubscribe asked for at once changes it once, and says what it was before", async () => {
    await applyConsentChange({ kind: "subscribe", contactId: contact.id, topicId: topic.id, channel: "EMAIL", basis: "EXPRESS" }, fromCenter);
    const results = await allAtOnce({ kind: "unsubscribe", contactId: contact.id, topicId: topic.id, channel: "EMAIL" });
    expect(results.filter((r) => r.changed)).toHaveLength(1);
    const changed = await db.consentEvent.findMany({ where: { contactId: contact.id, action: "UNSUBSCRIBE", changed: true } });
    expect(changed.map((e) => JSON.parse(e.detail!))).toEqual([{ previousStatus: "SUBSCRIBED" }]);
  });

  it("a unit opt-out, then an opt back in, each asked for at once, change it once each", async () => {
    const out = await allAtOnce({ kind: "optOutOfUnit", contactId: contact.id, unitId: unit.id, channel: "EMAIL" });
    expect(out.filter((r) => r.changed)).toHaveLength(1);
    expect(await db.unitOptOut.count({ where: { contactId: contact.id } })).toBe(1);
    const back = await allAtOnce({ kind: "optBackInToUnit", contactId: contact.id, unitId: unit.id, channel: "EMAIL" });
    expect(back.filter((r) => r.changed)).toHaveLength(1);
    expect(await db.unitOptOut.count({ where: { contactId: contact.id } })).toBe(0);
    expect(await changedEvents({ contactId: contact.id, action: "UNIT_OPT_OUT" })).toBe(1);
    expect(await changedEvents({ contactId: contact.id, action: "UNIT_OPT_IN" })).toBe(1);
  });

  it("a unit opt-out asked for at once through the one-click batch writer and one change at a time changes it once", async () => {
    const key = { contactId: contact.id, unitId: unit.id, channel: "EMAIL" as const };
    const answers = await Promise.allSettled(
      connections.map((client, i) =>
        i % 2 === 0
          ? client.$transaction((tx) => applyUnitOptOuts(tx, [{ ...key, context: fromCenter }])).then(([r]) => r!)
          : applyConsentChange({ kind: "optOutOfUnit", ...key }, fromCenter, client),
      ),
    );
    expect(answers.filter((a) => a.status === "rejected")).toEqual([]);
    expect(answers.filter((a) => a.status === "fulfilled" && a.value.changed)).toHaveLength(1);
    expect(await changedEvents({ contactId: contact.id, action: "UNIT_OPT_OUT" })).toBe(1);
  });

  it("an opt-out everywhere, a pause and a sharing consent asked for at once change each once", async () => {
    const everywhere = await allAtOnce({ kind: "optOutEverywhere", contactId: contact.id, channel: "EMAIL" });
    expect(everywhere.filter((r) => r.changed)).toHaveLength(1);
    const until = new Date(Date.now() + 86_400_000);
    const snooze = await allAtOnce({ kind: "snooze", contactId: contact.id, unitId: unit.id, until });
    expect(snooze.filter((r) => r.changed)).toHaveLength(1);
    const sharing = await allAtOnce({ kind: "setSharing", contactId: contact.id, purpose: "GROUP_COMPANIES", granted: true });
    expect(sharing.filter((r) => r.changed)).toHaveLength(1);
    expect(await changedEvents({ contactId: contact.id, action: "GLOBAL_OPT_OUT" })).toBe(1);
    expect(await changedEvents({ contactId: contact.id, action: "SNOOZE" })).toBe(1);
    expect(await changedEvents({ contactId: contact.id, action: "SHARING_GRANT" })).toBe(1);
  });

  it("an address suppressed at once on many connections, with or without a contact, is one entry and one change", async () => {
    for (const email of [contact.email, "nobody-yet@example.org"]) {
      const results = await allAtOnce({ kind: "suppress", email, reason: "COMPLAINT" });
      expect(results.filter((r) => r.changed)).toHaveLength(1);
      expect(await db.suppression.count({ where: { emailHash: addressHash(email) } })).toBe(1);
    }
    expect(await db.consentEvent.count({ where: { action: "SUPPRESS", changed: true } })).toBe(2);
  });

  it("mail feedback's batch writer, on many connections at once, adds each suppression and opt-out once", async () => {
    const stranger = `stranger-${contact.id}@example.org`;
    const suppressedBefore = await db.consentEvent.count({ where: { action: "SUPPRESS", changed: true } });
    const answers = await Promise.allSettled(
      connections.map((client, i) =>
        client.$transaction((tx) =>
          applyConsentChangesInOrder(tx, [
            { change: { kind: "suppress", email: i % 2 ? contact.email : stranger, reason: "COMPLAINT" }, context: fromCenter },
            { change: { kind: "optOutOfUnit", contactId: contact.id, unitId: unit.id, channel: "EMAIL" }, context: fromCenter },
            { change: { kind: "unsubscribe", contactId: contact.id, topicId: topic.id, channel: "EMAIL" }, context: fromCenter },
          ]),
        ),
      ),
    );
    expect(answers.filter((a) => a.status === "rejected")).toEqual([]);
    expect(await db.suppression.count({ where: { emailHash: { in: [addressHash(contact.email), addressHash(stranger)] } } })).toBe(2);
    expect(await db.consentEvent.count({ where: { action: "SUPPRESS", changed: true } })).toBe(suppressedBefore + 2);
    expect(await changedEvents({ contactId: contact.id, action: "UNIT_OPT_OUT" })).toBe(1);
  });

  it("imports of one new address at once make one contact and one subscription; an unsubscribe meanwhile is never undone by them", async () => {
    const row = (email: string, basis: "EXPRESS" | "SOFT_OPT_IN") => ({
      email, name: null, postalAddress: null, phone: null, topicId: topic.id, channel: "EMAIL" as const, basis, consentedAt: new Date(), expiresAt: null, origin: "test",
    });
    const fromImport: ConsentContext = { source: "IMPORT", actor: "cli:import" };
    const email = `imported-${contact.id}@example.org`;
    const imports = await Promise.allSettled(connections.map((client) => applyImportedSubscriptions(unit.id, [row(email, "EXPRESS")], fromImport, client)));
    expect(imports.filter((a) => a.status === "rejected")).toEqual([]);
    const imported = await db.contact.findUniqueOrThrow({ where: { email }, include: { subscriptions: true } });
    expect(imported.subscriptions).toHaveLength(1);
    expect(await changedEvents({ contactId: imported.id, action: "SUBSCRIBE" })).toBe(1);

    // A weaker consent on file, which an import's express consent would replace: half the
    // connections import, half unsubscribe. The person's unsubscribe must be what stays.
    await applyConsentChange({ kind: "subscribe", contactId: contact.id, topicId: topic.id, channel: "EMAIL", basis: "SOFT_OPT_IN" }, fromCenter);
    const mixed = await Promise.allSettled(
      connections.map((client, i) =>
        i % 2 === 0
          ? applyImportedSubscriptions(unit.id, [row(contact.email, "EXPRESS")], fromImport, client)
          : applyConsentChange({ kind: "unsubscribe", contactId: contact.id, topicId: topic.id, channel: "EMAIL" }, fromCenter, client),
      ),
    );
    expect(mixed.filter((a) => a.status === "rejected")).toEqual([]);
    const key = { contactId: contact.id, topicId: topic.id, channel: "EMAIL" as const };
    expect((await db.subscription.findUniqueOrThrow({ where: { contactId_topicId_channel: key } })).status).toBe("UNSUBSCRIBED");
  });

  it("a suppression import on many connections at once adds each entry once", async () => {
    const email = `imported-suppression-${contact.id}@example.org`;
    const answers = await Promise.allSettled(
      connections.map((client) => client.$transaction((tx) => applyImportedSuppressions(tx, [{ email, reason: "MANUAL", note: null }], { source: "IMPORT" }))),
    );
    expect(answers.filter((a) => a.status === "rejected")).toEqual([]);
    expect(answers.filter((a) => a.status === "fulfilled" && a.value[0] === "ADDED")).toHaveLength(1);
    expect(await db.suppression.count({ where: { emailHash: addressHash(email) } })).toBe(1);
  });

  it("a new address signed up on many connections at once is one contact", async () => {
    const answers = await Promise.allSettled(connections.map((client) => client.$transaction((tx) => findOrCreateContact({ email: "Twice@Example.org" }, tx))));
    expect(answers.filter((a) => a.status === "rejected")).toEqual([]);
    const contacts = answers.map((a) => (a as PromiseFulfilledResult<{ id: number; created: boolean }>).value);
    expect(new Set(contacts.map((c) => c.id)).size).toBe(1);
    expect(contacts.filter((c) => c.created)).toHaveLength(1);
    expect(await db.contact.count({ where: { email: "twice@example.org" } })).toBe(1);
  });
});
