import { beforeEach, describe, expect, it } from "vitest";
import { db } from "~/utils/db.server.ts";
import { applyConsentChange } from "~/domain/consent/changes.server.ts";
import { eraseContact } from "~/domain/consent/contacts.server.ts";
import { addressBlock } from "~/domain/consent/service-mail-block.server.ts";
import { createContact, createExemptCategories, createTopic, createUnit } from "../../../tests/helpers/fixtures.ts";
import { recordFeedback } from "./record.server.ts";
import type { FeedbackSignal } from "./signals.ts";

// Each signal that comes back is stored once and changes state only through the consent core,
// with its ledger event naming the campaign it came from.

let unit: { id: number };
let otherUnit: { id: number };
let topic: { id: number };
let campaignId: number;

beforeEach(async () => {
  unit = await createUnit();
  otherUnit = await createUnit();
  topic = await createTopic(unit.id);
  campaignId = (await db.campaign.create({ data: { unitId: unit.id, topicId: topic.id, name: "Spring", subject: "Spring", status: "SENT" } })).id;
});

/** A subscribed contact and a sent delivery of the campaign to them. */
async function sentTo(email?: string) {
  const contact = await createContact(email);
  await applyConsentChange({ kind: "subscribe", contactId: contact.id, topicId: topic.id, channel: "EMAIL", basis: "EXPRESS" }, { source: "IMPORT" });
  const delivery = await db.delivery.create({
    data: { campaignId, contactId: contact.id, status: "SENT", sentAt: new Date(), messageId: `<${contact.id}.${Date.now()}@example.test>` },
  });
  return { contact, delivery };
}

async function anotherDelivery(contactId: number) {
  const other = await db.campaign.create({ data: { unitId: unit.id, topicId: topic.id, name: "Next", subject: "Next", status: "SENT" } });
  return db.delivery.create({ data: { campaignId: other.id, contactId, status: "SENT", sentAt: new Date() } });
}

const signal = (kind: FeedbackSignal["kind"], deliveryId: number, extra: Partial<FeedbackSignal> = {}): FeedbackSignal => ({
  kind,
  via: "SMTP",
  ref: { stream: "campaign", deliveryId },
  ...extra,
});

const suppressions = (contactId: number) => db.suppression.findMany({ where: { contactId }, select: { reason: true } }).then((rows) => rows.map((r) => r.reason));
const events = (contactId: number) =>
  db.consentEvent.findMany({ where: { contactId, source: { not: "IMPORT" } }, select: { action: true, source: true, campaignId: true, unitId: true, changed: true }, orderBy: { id: "asc" } });

describe("recording what came back from mail", () => {
  it("a hard bounce suppresses the address for good, with a BOUNCE ledger event naming the campaign", async () => {
    const { contact, delivery } = await sentTo();
    const recorded = await recordFeedback(signal("HARD_BOUNCE", delivery.id, { status: "5.1.1", diagnostic: "smtp; 550 5.1.1 user unknown", raw: "the DSN" }));
    expect(recorded.effect).toMatch(/^Hard bounce: .* is suppressed/);
    expect(await suppressions(contact.id)).toEqual(["HARD_BOUNCE"]);
    expect(await events(contact.id)).toEqual([{ action: "SUPPRESS", source: "BOUNCE", campaignId, unitId: null, changed: true }]);
    expect(await db.inboundMessage.findUniqueOrThrow({ where: { id: recorded.id } })).toMatchObject({
      kind: "HARD_BOUNCE",
      via: "SMTP",
      deliveryId: delivery.id,
      campaignId,
      unitId: unit.id,
      contactId: contact.id,
      recipient: contact.email,
      status: "5.1.1",
      raw: "the DSN",
    });
    // It blocks service mail too.
    expect(await addressBlock(contact.email)).toBe("HARD_BOUNCE");
  });

  it("a policy bounce (5.7.x) leaves the address alone", async () => {
    const { contact, delivery } = await sentTo();
    await recordFeedback(signal("POLICY_BOUNCE", delivery.id, { status: "5.7.1" }));
    expect(await suppressions(contact.id)).toEqual([]);
    expect(await db.inboundMessage.count({ where: { campaignId, kind: "POLICY_BOUNCE" } })).toBe(1);
  });

  it("soft bounces suppress promotional mail at the third message within 14 days, counting each message once", async () => {
    const { contact, delivery } = await sentTo();
    await recordFeedback(signal("SOFT_BOUNCE", delivery.id, { status: "4.2.2" }));
    // A second report about the same message (a delay, then the failure) does not count again.
    const again = await recordFeedback(signal("SOFT_BOUNCE", delivery.id, { status: "5.2.2" }));
    expect(again.effect).toMatch(/^Soft bounce 1 of 3/);
    const second = await anotherDelivery(contact.id);
    expect((await recordFeedback(signal("SOFT_BOUNCE", second.id))).effect).toMatch(/^Soft bounce 2 of 3/);
    expect(await suppressions(contact.id)).toEqual([]);
    const third = await anotherDelivery(contact.id);
    expect((await recordFeedback(signal("SOFT_BOUNCE", third.id))).effect).toMatch(/gets no more promotional mail/);
    expect(await suppressions(contact.id)).toEqual(["SOFT_BOUNCE"]);
    // Promotional only: service mail still goes.
    expect(await addressBlock(contact.email)).toBeNull();
  });

  it("soft bounces older than the window, or before a delivery, do not count", async () => {
    const { contact, delivery } = await sentTo();
    const now = Date.now();
    const daysAgo = (days: number) => new Date(now - days * 86_400_000);
    await recordFeedback(signal("SOFT_BOUNCE", delivery.id, { receivedAt: daysAgo(15) }));
    await recordFeedback(signal("SOFT_BOUNCE", (await anotherDelivery(contact.id)).id, { receivedAt: daysAgo(5) }));
    await recordFeedback(signal("DELIVERED", (await anotherDelivery(contact.id)).id, { receivedAt: daysAgo(4) }));
    await recordFeedback(signal("SOFT_BOUNCE", (await anotherDelivery(contact.id)).id, { receivedAt: daysAgo(3) }));
    const latest = await recordFeedback(signal("SOFT_BOUNCE", (await anotherDelivery(contact.id)).id, { receivedAt: daysAgo(0) }));
    expect(latest.effect).toMatch(/^Soft bounce 2 of 3/);
    expect(await suppressions(contact.id)).toEqual([]);
  });

  it("a complaint opts the person out of that unit's promotional email only, found by the Message-ID alone", async () => {
    const { contact, delivery } = await sentTo();
    const recorded = await recordFeedback({ kind: "COMPLAINT", via: "SMTP", messageId: delivery.messageId!, recipient: "someone-else@example.net" });
    expect(recorded.effect).toMatch(/no longer gets this unit's promotional email/);
    expect(await events(contact.id)).toEqual([{ action: "UNIT_OPT_OUT", source: "COMPLAINT", campaignId, unitId: unit.id, changed: true }]);
    expect(await db.unitOptOut.findMany({ where: { contactId: contact.id }, select: { unitId: true, channel: true } })).toEqual([{ unitId: unit.id, channel: "EMAIL" }]);
    expect(await suppressions(contact.id)).toEqual([]);
    // The address recorded is the one we sent to, not the one the report claims.
    expect((await db.inboundMessage.findUniqueOrThrow({ where: { id: recorded.id } })).recipient).toBe(contact.email);
    expect(otherUnit.id).not.toBe(unit.id);
    expect(await db.unitOptOut.count({ where: { contactId: contact.id, unitId: otherUnit.id } })).toBe(0);
  });

  it("a mailto unsubscribe is the unit's one-click opt-out, with source MAILTO", async () => {
    const { contact, delivery } = await sentTo();
    await recordFeedback(signal("MAILTO_UNSUBSCRIBE", delivery.id));
    expect(await events(contact.id)).toEqual([{ action: "UNIT_OPT_OUT", source: "MAILTO", campaignId, unitId: unit.id, changed: true }]);
    const repeat = await recordFeedback(signal("MAILTO_UNSUBSCRIBE", delivery.id));
    expect(repeat.effect).toMatch(/had already unsubscribed/);
  });

  it("a mailto unsubscribe in a topic-scoped unit unsubscribes from the campaign's topic only", async () => {
    await db.businessUnit.update({ where: { id: unit.id }, data: { oneClickScope: "TOPIC" } });
    const { contact, delivery } = await sentTo();
    await recordFeedback(signal("UNSUBSCRIBE", delivery.id, { via: "SENDGRID", externalId: "evt-1" }));
    expect(await events(contact.id)).toEqual([{ action: "UNSUBSCRIBE", source: "PROVIDER", campaignId, unitId: unit.id, changed: true }]);
    expect(await db.unitOptOut.count({ where: { contactId: contact.id } })).toBe(0);
  });

  it("a provider event delivered twice is recorded and applied once", async () => {
    const { contact, delivery } = await sentTo();
    const first = await recordFeedback(signal("COMPLAINT", delivery.id, { via: "SES", externalId: "sns-1:0" }));
    const second = await recordFeedback(signal("COMPLAINT", delivery.id, { via: "SES", externalId: "sns-1:0" }));
    expect(second).toEqual({ ...first, duplicate: true });
    expect(await db.inboundMessage.count({ where: { contactId: contact.id } })).toBe(1);
    expect((await events(contact.id)).length).toBe(1);
  });

  it("service mail: a hard bounce suppresses, an unsubscribe changes nothing", async () => {
    await createExemptCategories(unit.id);
    const category = await db.exemptCategory.findFirstOrThrow({ where: { unitId: unit.id } });
    const contact = await createContact();
    const message = await db.transactionalMessage.create({
      data: { unitId: unit.id, categoryId: category.id, contactId: contact.id, toEmail: contact.email, template: "notice", idempotencyKey: `k-${contact.id}`, status: "SENT" },
    });
    const ref = { stream: "transactional", messageId: message.id } as const;
    expect((await recordFeedback({ kind: "UNSUBSCRIBE", via: "SMTP", ref })).effect).toMatch(/service mail cannot be unsubscribed/);
    expect(await events(contact.id)).toEqual([]);
    await recordFeedback({ kind: "HARD_BOUNCE", via: "SMTP", ref });
    expect(await suppressions(contact.id)).toEqual(["HARD_BOUNCE"]);
    expect(await db.inboundMessage.count({ where: { transactionalMessageId: message.id } })).toBe(2);
  });

  it("a report by mail naming no message of ours changes nothing, whatever address it claims", async () => {
    const { contact } = await sentTo();
    const recorded = await recordFeedback({ kind: "HARD_BOUNCE", via: "SMTP", recipient: contact.email, messageId: "<not-ours@example.org>", raw: "x" });
    expect(recorded.effect).toBe("Names none of our messages or addresses: nothing changed.");
    expect(await suppressions(contact.id)).toEqual([]);
    expect(await db.inboundMessage.findUniqueOrThrow({ where: { id: recorded.id } })).toMatchObject({ recipient: contact.email, contactId: null, raw: "x" });
    // A provider signs its events: its address alone is enough, even one we never had.
    await recordFeedback({ kind: "HARD_BOUNCE", via: "SES", recipient: "Stranger@Example.org", externalId: "sns-2:0" });
    expect(await db.suppression.count({ where: { email: "stranger@example.org", reason: "HARD_BOUNCE" } })).toBe(1);
    const unreadable = await recordFeedback({ kind: "UNREADABLE", via: "SMTP", raw: "\u0000garbage" });
    expect(unreadable.effect).toMatch(/Could not be read/);
    // NUL cannot be stored as text on PostgreSQL: both databases keep the replacement character.
    expect((await db.inboundMessage.findUniqueOrThrow({ where: { id: unreadable.id } })).raw).toBe("\uFFFDgarbage");
  });

  it("erasing the person removes the messages that came back about them, keeping the facts", async () => {
    const { contact, delivery } = await sentTo();
    const recorded = await recordFeedback(signal("COMPLAINT", delivery.id, { raw: `Original-Rcpt-To: ${contact.email}`, diagnostic: contact.email }));
    await eraseContact(contact.email, { source: "ADMIN" });
    expect(await db.inboundMessage.findUniqueOrThrow({ where: { id: recorded.id } })).toMatchObject({
      kind: "COMPLAINT",
      campaignId,
      contactId: null,
      recipient: null,
      raw: null,
      diagnostic: null,
    });
  });
});
