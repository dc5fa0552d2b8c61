import { beforeEach, describe, expect, it } from "vitest";
import { db } from "~/utils/db.server.ts";
import { createContact, createTopic, createUnit } from "../../../tests/helpers/fixtures.ts";
import { addressHash } from "./address-hash.server.ts";
import { applyConsentChange, applyConsentChanges, applyUnitOptOuts, ConsentError, type ConsentContext } from "./changes.server.ts";
import { findOrCreateContact, isErasedAddress } from "./contacts.server.ts";

const fromCenter: ConsentContext = { source: "PREFERENCE_CENTER", actor: "contact:test" };

let unitA: { id: number };
let unitB: { id: number };
let topicA: { id: number };
let topicB: { id: number };
let contact: { id: number; email: string };

beforeEach(async () => {
  unitA = await createUnit();
  unitB = await createUnit();
  topicA = await createTopic(unitA.id);
  topicB = await createTopic(unitB.id);
  contact = await createContact();
});

const events = (contactId: number) => db.consentEvent.findMany({ where: { contactId }, orderBy: { id: "asc" } });

describe("consent core", () => {
  it("writes the projection and a ledger event with the full context", async () => {
    const text = await db.consentText.create({ data: { key: "preference-center", version: 1, body: "Yes, send me offers." } });
    const context: ConsentContext = {
      source: "LINK_PAGE",
      actor: `contact:${contact.id}`,
      ip: "203.0.113.7",
      userAgent: "Mozilla/5.0",
      tokenId: "tok-123",
      campaignId: 77,
      consentTextId: text.id,
    };
    const result = await applyConsentChange(
      { kind: "subscribe", contactId: contact.id, topicId: topicA.id, channel: "EMAIL", basis: "EXPRESS" },
      context,
    );
    expect(result.changed).toBe(true);
    const subscription = await db.subscription.findUniqueOrThrow({
      where: { contactId_topicId_channel: { contactId: contact.id, topicId: topicA.id, channel: "EMAIL" } },
    });
    expect(subscription).toMatchObject({ status: "SUBSCRIBED", basis: "EXPRESS", consentTextId: text.id });
    const [event] = await events(contact.id);
    expect(event).toMatchObject({
      id: result.eventId,
      action: "SUBSCRIBE",
      changed: true,
      unitId: unitA.id,
      topicId: topicA.id,
      channel: "EMAIL",
      source: "LINK_PAGE",
      actor: `contact:${contact.id}`,
      ip: "203.0.113.7",
      userAgent: "Mozilla/5.0",
      tokenId: "tok-123",
      campaignId: 77,
      consentTextId: text.id,
    });
    expect(JSON.parse(event.detail!)).toEqual({ basis: "EXPRESS" });
    // Consent text that has been shown and agreed to is frozen.
    expect((await db.consentText.findUniqueOrThrow({ where: { id: text.id } })).firstUsedAt).not.toBeNull();
  });

  it("is idempotent: a repeat changes no row and is recorded as unchanged", async () => {
    const optOut = { kind: "optOutOfUnit", contactId: contact.id, unitId: unitA.id, channel: "EMAIL" } as const;
    expect((await applyConsentChange(optOut, fromCenter)).changed).toBe(true);
    expect((await applyConsentChange(optOut, fromCenter)).changed).toBe(false);
    expect(await db.unitOptOut.count({ where: { contactId: contact.id } })).toBe(1);
    expect((await events(contact.id)).map((e) => [e.action, e.changed])).toEqual([
      ["UNIT_OPT_OUT", true],
      ["UNIT_OPT_OUT", false],
    ]);

    const subscribe = { kind: "subscribe", contactId: contact.id, topicId: topicA.id, channel: "POSTAL", basis: "EXPRESS" } as const;
    await applyConsentChange(subscribe, fromCenter);
    expect((await applyConsentChange(subscribe, fromCenter)).changed).toBe(false);
    expect(await db.subscription.count({ where: { contactId: contact.id } })).toBe(1);
  });

  it("opting out of unit A leaves unit B's subscriptions and eligibility untouched", async () => {
    await applyConsentChanges(
      [
        { kind: "subscribe", contactId: contact.id, topicId: topicA.id, channel: "EMAIL", basis: "EXPRESS" },
        { kind: "subscribe", contactId: contact.id, topicId: topicB.id, channel: "EMAIL", basis: "EXPRESS" },
      ],
      fromCenter,
    );
    await applyConsentChange({ kind: "optOutOfUnit", contactId: contact.id, unitId: unitA.id, channel: "EMAIL" }, { source: "ONE_CLICK" });
    const subscriptions = await db.subscription.findMany({ where: { contactId: contact.id }, orderBy: { topicId: "asc" } });
    // The opt-out overrides the topic subscription without erasing it.
    expect(subscriptions.map((s) => s.status)).toEqual(["SUBSCRIBED", "SUBSCRIBED"]);
    expect(await db.unitOptOut.findMany({ where: { contactId: contact.id } })).toMatchObject([{ unitId: unitA.id, channel: "EMAIL" }]);
  });

  it("unsubscribes a topic, and records a request for a topic never subscribed as unchanged", async () => {
    await applyConsentChange({ kind: "subscribe", contactId: contact.id, topicId: topicA.id, channel: "EMAIL", basis: "SOFT_OPT_IN" }, fromCenter);
    const first = await applyConsentChange({ kind: "unsubscribe", contactId: contact.id, topicId: topicA.id, channel: "EMAIL" }, fromCenter);
    const never = await applyConsentChange({ kind: "unsubscribe", contactId: contact.id, topicId: topicB.id, channel: "EMAIL" }, fromCenter);
    expect([first.changed, never.changed]).toEqual([true, false]);
    expect(await db.subscription.findMany({ where: { contactId: contact.id } })).toMatchObject([{ topicId: topicA.id, status: "UNSUBSCRIBED" }]);
  });

  it("opts out everywhere and back in, per channel", async () => {
    await applyConsentChange({ kind: "optOutEverywhere", contactId: contact.id, channel: "EMAIL" }, fromCenter);
    await applyConsentChange({ kind: "optOutEverywhere", contactId: contact.id, channel: "PHONE" }, fromCenter);
    await applyConsentChange({ kind: "optBackInEverywhere", contactId: contact.id, channel: "EMAIL" }, fromCenter);
    expect(await db.globalOptOut.findMany({ where: { contactId: contact.id } })).toMatchObject([{ channel: "PHONE" }]);
    expect((await events(contact.id)).map((e) => e.action)).toEqual(["GLOBAL_OPT_OUT", "GLOBAL_OPT_OUT", "GLOBAL_OPT_IN"]);
  });

  it("pauses a unit until a date, refuses a pause in the past, and resumes", async () => {
    const until = new Date(Date.now() + 30 * 86_400_000);
    await applyConsentChange({ kind: "snooze", contactId: contact.id, unitId: unitA.id, until }, fromCenter);
    expect((await db.snooze.findMany({ where: { contactId: contact.id } }))[0].until).toEqual(until);
    await expect(
      applyConsentChange({ kind: "snooze", contactId: contact.id, unitId: unitA.id, until: new Date(Date.now() - 1000) }, fromCenter),
    ).rejects.toBeInstanceOf(ConsentError);
    expect((await applyConsentChange({ kind: "endSnooze", contactId: contact.id, unitId: unitA.id }, fromCenter)).changed).toBe(true);
    expect(await db.snooze.count({ where: { contactId: contact.id } })).toBe(0);
  });

  it("sets a unit's frequency (send me less), records it with the previous choice, and lifts it back to everything", async () => {
    const setTo = (frequency: "WEEKLY" | "MONTHLY" | "EVERYTHING") =>
      applyConsentChange({ kind: "setFrequency", contactId: contact.id, unitId: unitA.id, frequency }, { ...fromCenter, campaignId: 9 });
    const choice = () => db.frequencyChoice.findUnique({ where: { contactId_unitId: { contactId: contact.id, unitId: unitA.id } } });

    expect((await setTo("WEEKLY")).changed).toBe(true);
    expect(await choice()).toMatchObject({ frequency: "WEEKLY" });
    expect((await setTo("WEEKLY")).changed).toBe(false);
    expect((await setTo("MONTHLY")).changed).toBe(true);
    expect(await choice()).toMatchObject({ frequency: "MONTHLY" });
    // Unit B is untouched.
    expect(await db.frequencyChoice.count({ where: { unitId: unitB.id } })).toBe(0);
    expect((await setTo("EVERYTHING")).changed).toBe(true);
    expect(await choice()).toBeNull();
    expect((await setTo("EVERYTHING")).changed).toBe(false);

    const recorded = (await events(contact.id)).map((e) => ({ action: e.action, changed: e.changed, unitId: e.unitId, channel: e.channel, campaignId: e.campaignId, detail: JSON.parse(e.detail!) }));
    expect(recorded).toEqual([
      { action: "FREQUENCY_SET", changed: true, unitId: unitA.id, channel: "EMAIL", campaignId: 9, detail: { frequency: "WEEKLY", previous: "EVERYTHING" } },
      { action: "FREQUENCY_SET", changed: false, unitId: unitA.id, channel: "EMAIL", campaignId: 9, detail: { frequency: "WEEKLY", previous: "WEEKLY" } },
      { action: "FREQUENCY_SET", changed: true, unitId: unitA.id, channel: "EMAIL", campaignId: 9, detail: { frequency: "MONTHLY", previous: "WEEKLY" } },
      { action: "FREQUENCY_SET", changed: true, unitId: unitA.id, channel: "EMAIL", campaignId: 9, detail: { frequency: "EVERYTHING", previous: "MONTHLY" } },
      { action: "FREQUENCY_SET", changed: false, unitId: unitA.id, channel: "EMAIL", campaignId: 9, detail: { frequency: "EVERYTHING", previous: "EVERYTHING" } },
    ]);
  });

  it("refuses a frequency for a unit that does not exist, and writes nothing", async () => {
    await expect(applyConsentChange({ kind: "setFrequency", contactId: contact.id, unitId: 999_999, frequency: "WEEKLY" }, fromCenter)).rejects.toThrow(ConsentError);
    expect(await events(contact.id)).toEqual([]);
  });

  it("keeps data sharing off until granted, and withdraws it", async () => {
    const withdrawBeforeGrant = await applyConsentChange(
      { kind: "setSharing", contactId: contact.id, purpose: "GROUP_COMPANIES", granted: false },
      fromCenter,
    );
    expect(withdrawBeforeGrant.changed).toBe(false);
    await applyConsentChange({ kind: "setSharing", contactId: contact.id, purpose: "GROUP_COMPANIES", granted: true }, fromCenter);
    await applyConsentChange({ kind: "setSharing", contactId: contact.id, purpose: "GROUP_COMPANIES", granted: false }, fromCenter);
    expect(await db.sharingConsent.findMany({ where: { contactId: contact.id } })).toMatchObject([
      { purpose: "GROUP_COMPANIES", granted: false },
    ]);
    expect((await events(contact.id)).map((e) => [e.action, e.changed])).toEqual([
      ["SHARING_WITHDRAW", false],
      ["SHARING_GRANT", true],
      ["SHARING_WITHDRAW", true],
    ]);
  });

  it("refuses a channel the topic does not offer, or an archived topic, and writes nothing", async () => {
    const emailOnly = await createTopic(unitA.id, { offersPostal: false, offersPhone: false });
    const archived = await createTopic(unitA.id, { archivedAt: new Date() });
    await expect(
      applyConsentChange({ kind: "subscribe", contactId: contact.id, topicId: emailOnly.id, channel: "POSTAL", basis: "EXPRESS" }, fromCenter),
    ).rejects.toThrow(/not offered by postal/);
    // All or nothing: the first change of the batch is rolled back with the failing second one.
    await expect(
      applyConsentChanges(
        [
          { kind: "optOutOfUnit", contactId: contact.id, unitId: unitA.id, channel: "EMAIL" },
          { kind: "subscribe", contactId: contact.id, topicId: archived.id, channel: "EMAIL", basis: "EXPRESS" },
        ],
        fromCenter,
      ),
    ).rejects.toThrow(/archived/);
    const mine = { where: { contactId: contact.id } };
    expect(await db.unitOptOut.count(mine)).toBe(0);
    expect(await db.subscription.count(mine)).toBe(0);
    expect(await db.consentEvent.count(mine)).toBe(0);
  });

  it("writes the ledger event inside the change's transaction: when the event cannot be written, the change is rolled back", async () => {
    // A consent text that does not exist: the event's foreign key refuses it, and only the event carries it for a unit opt-out.
    const missingText: ConsentContext = { ...fromCenter, consentTextId: 999_999 };
    await expect(
      applyConsentChange({ kind: "optOutOfUnit", contactId: contact.id, unitId: unitA.id, channel: "EMAIL" }, missingText),
    ).rejects.toThrow(/foreign key/i);
    await expect(
      applyConsentChanges(
        [
          { kind: "optOutEverywhere", contactId: contact.id, channel: "EMAIL" },
          { kind: "snooze", contactId: contact.id, unitId: unitB.id, until: new Date(Date.now() + 86_400_000) },
        ],
        missingText,
      ),
    ).rejects.toThrow(/foreign key/i);
    const mine = { where: { contactId: contact.id } };
    expect(await db.unitOptOut.count(mine)).toBe(0);
    expect(await db.globalOptOut.count(mine)).toBe(0);
    expect(await db.snooze.count(mine)).toBe(0);
    expect(await db.consentEvent.count(mine)).toBe(0);
  });

  it("suppresses an address, links a contact created later, and keeps only a hash for an erasure", async () => {
    await applyConsentChange({ kind: "suppress", email: " Later@Example.com ", reason: "HARD_BOUNCE" }, { source: "BOUNCE" });
    const later = await findOrCreateContact({ email: "later@example.com" });
    expect(await db.suppression.findMany({ where: { contactId: later.id } })).toMatchObject([{ reason: "HARD_BOUNCE", email: "later@example.com" }]);

    await applyConsentChange({ kind: "suppress", email: contact.email, reason: "ERASED" }, { source: "ADMIN" });
    const erased = await db.suppression.findFirstOrThrow({ where: { reason: "ERASED" } });
    expect(erased).toMatchObject({ email: null, contactId: null, emailHash: addressHash(contact.email) });
    expect(await isErasedAddress(contact.email.toUpperCase())).toBe(true);
    expect(await isErasedAddress("someone-else@example.com")).toBe(false);

    expect((await applyConsentChange({ kind: "unsuppress", email: "later@example.com", reason: "HARD_BOUNCE" }, { source: "ADMIN" })).changed).toBe(true);
    expect(await db.suppression.count({ where: { reason: "HARD_BOUNCE" } })).toBe(0);
  });
});

describe("unit opt-outs in a batch (one-click under load)", () => {
  it("writes exactly what one optOutOfUnit change each would: rows, repeats and ledger context", async () => {
    const other = await createContact();
    const already = await createContact();
    const oneClick = (tokenId: string): ConsentContext => ({ source: "ONE_CLICK", actor: "contact:x", ip: "203.0.113.9", userAgent: "Mail/1", tokenId, campaignId: 5 });
    await applyConsentChange({ kind: "optOutOfUnit", contactId: already.id, unitId: unitA.id, channel: "EMAIL" }, oneClick("t0"));

    const results = await db.$transaction((tx) =>
      applyUnitOptOuts(tx, [
        { contactId: contact.id, unitId: unitA.id, channel: "EMAIL", context: oneClick("t1") },
        { contactId: contact.id, unitId: unitA.id, channel: "EMAIL", context: oneClick("t1") },
        { contactId: contact.id, unitId: unitA.id, channel: "POSTAL", context: oneClick("t2") },
        { contactId: other.id, unitId: unitB.id, channel: "EMAIL", context: oneClick("t3") },
        { contactId: already.id, unitId: unitA.id, channel: "EMAIL", context: oneClick("t4") },
        { contactId: 999_999, unitId: unitA.id, channel: "EMAIL", context: oneClick("t5") },
      ]),
    );

    // The last contact does not exist (an erased contact's row is gone): nothing is written for it.
    expect(results).toEqual([{ changed: true }, { changed: false }, { changed: true }, { changed: true }, { changed: false }, null]);
    const optOuts = await db.unitOptOut.findMany({
      where: { contactId: { in: [contact.id, other.id, already.id] } },
      orderBy: [{ contactId: "asc" }, { channel: "asc" }],
      select: { contactId: true, unitId: true, channel: true },
    });
    expect(optOuts).toEqual([
      { contactId: contact.id, unitId: unitA.id, channel: "EMAIL" },
      { contactId: contact.id, unitId: unitA.id, channel: "POSTAL" },
      { contactId: other.id, unitId: unitB.id, channel: "EMAIL" },
      { contactId: already.id, unitId: unitA.id, channel: "EMAIL" },
    ]);
    const ledger = await db.consentEvent.findMany({ where: { tokenId: { in: ["t1", "t2", "t3", "t4", "t5"] } }, orderBy: { id: "asc" } });
    expect(ledger.map((e) => [e.contactId, e.unitId, e.channel, e.action, e.changed, e.tokenId])).toEqual([
      [contact.id, unitA.id, "EMAIL", "UNIT_OPT_OUT", true, "t1"],
      [contact.id, unitA.id, "EMAIL", "UNIT_OPT_OUT", false, "t1"],
      [contact.id, unitA.id, "POSTAL", "UNIT_OPT_OUT", true, "t2"],
      [other.id, unitB.id, "EMAIL", "UNIT_OPT_OUT", true, "t3"],
      [already.id, unitA.id, "EMAIL", "UNIT_OPT_OUT", false, "t4"],
    ]);
    expect(ledger[0]).toMatchObject({ source: "ONE_CLICK", actor: "contact:x", ip: "203.0.113.9", userAgent: "Mail/1", campaignId: 5, topicId: null, detail: null });
    expect(ledger[0].createdAt).toBeInstanceOf(Date);
  });

  it("writes nothing when the transaction around it fails", async () => {
    await expect(
      db.$transaction(async (tx) => {
        await applyUnitOptOuts(tx, [{ contactId: contact.id, unitId: unitA.id, channel: "EMAIL", context: { source: "ONE_CLICK" } }]);
        throw new Error("the caller failed after the write");
      }),
    ).rejects.toThrow("the caller failed");
    expect(await db.unitOptOut.count({ where: { contactId: contact.id } })).toBe(0);
    expect(await events(contact.id)).toEqual([]);
  });
});
