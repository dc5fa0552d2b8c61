import crypto from "node:crypto";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { beforeEach, describe, expect, it } from "vitest";
import { PrismaClient } from "~/generated/prisma/client.ts";
import { db } from "~/utils/db.server.ts";
import { getEnv } from "~/utils/env.server.ts";
import { testsOnPostgresql } from "../../../tests/helpers/test-database.ts";
import { updateName } from "~/domain/accounts/account.server.ts";
import { createExemptCategories, createTopic, createUnit } from "../../../tests/helpers/fixtures.ts";
import { createSubscriber } from "../../../tests/helpers/accounts.ts";
import { applyConsentChange, applyConsentChanges } from "./changes.server.ts";
import { PERSONAL_DATA_VERSION, personalDataJson } from "./personal-data.server.ts";

// "Everything we hold about you": the download, read back as the person gets it (the whole stream
// parsed as JSON), built from real rows written the way the product writes them.

const tag = () => crypto.randomBytes(3).toString("hex");

async function download(contactId: number | null, options: { batchSize?: number; head?: Record<string, unknown> } = {}) {
  let text = "";
  for await (const chunk of personalDataJson(options.head ?? {}, contactId, { now: new Date("2026-12-04T12:00:00Z"), batchSize: options.batchSize })) text += chunk;
  return { text, data: JSON.parse(text) };
}

let unit: { id: number; displayName: string };
let topic: { id: number; name: string };
let me: { id: number; email: string };
let other: { id: number; email: string };
let consentText: { id: number; body: string; version: number };

async function campaign(subject: string, name = `internal name ${tag()}`) {
  return db.campaign.create({ data: { unitId: unit.id, topicId: topic.id, name, subject, status: "SENT", startedAt: new Date(), finishedAt: new Date() } });
}

beforeEach(async () => {
  const t = tag();
  unit = await createUnit({ displayName: `Example Tax ${t}` });
  await createExemptCategories(unit.id);
  topic = await createTopic(unit.id, { name: `Tax tips ${t}` });
  me = await db.contact.create({ data: { email: `me-${t}@example.com`, name: "Rosa Me" } });
  other = await db.contact.create({ data: { email: `other-${t}@example.com`, name: "Otto Other" } });
  consentText = await db.consentText.create({ data: { key: `signup-${t}`, version: 3, body: `Yes, send me ${topic.name} by email (${t}).` } });
});

describe("everything we hold about you", () => {
  it("is versioned JSON holding the messages sent to the person, with names, words and the wording they agreed to", async () => {
    await applyConsentChange(
      { kind: "subscribe", contactId: me.id, topicId: topic.id, channel: "EMAIL", basis: "EXPRESS" },
      { source: "PREFERENCE_CENTER", actor: `contact:${me.id}`, ip: "198.51.100.7", userAgent: "Rosa's browser", consentTextId: consentText.id },
    );
    const spring = await campaign(`Spring offers ${tag()}`);
    const bounced = await campaign(`Summer offers ${tag()}`);
    await db.delivery.create({ data: { campaignId: spring.id, contactId: me.id, status: "SENT", sentAt: new Date("2026-11-02T09:00:00Z"), messageId: "<spring@x>" } });
    const failed = await db.delivery.create({ data: { campaignId: bounced.id, contactId: me.id, status: "SENT", sentAt: new Date("2026-11-03T09:00:00Z") } });
    await db.inboundMessage.create({
      data: { kind: "HARD_BOUNCE", via: "SMTP", deliveryId: failed.id, campaignId: bounced.id, contactId: me.id, unitId: unit.id, effect: "suppressed", raw: "RAW-INBOUND-MESSAGE", diagnostic: "550 5.1.1" },
    });
    await applyConsentChange(
      { kind: "optOutOfUnit", contactId: me.id, unitId: unit.id, channel: "EMAIL" },
      { source: "LINK_PAGE", actor: `contact:${me.id}`, ip: "198.51.100.8", userAgent: "Rosa's phone", campaignId: spring.id },
    );
    const category = await db.exemptCategory.findFirstOrThrow({ where: { unitId: unit.id, slug: "renewal" } });
    await db.transactionalMessage.create({
      data: {
        unitId: unit.id,
        categoryId: category.id,
        contactId: me.id,
        toEmail: me.email,
        template: "renewal-notice",
        data: JSON.stringify({ recipientName: "Rosa", productName: "Tax Pro", renewalDate: "2027-01-31" }),
        idempotencyKey: `renewal-${tag()}`,
        status: "SENT",
        sentAt: new Date("2026-11-05T10:00:00Z"),
      },
    });

    const { data } = await download(me.id, { batchSize: 1 });
    expect(data.version).toBe(PERSONAL_DATA_VERSION);
    expect(PERSONAL_DATA_VERSION).toBeGreaterThanOrEqual(2);
    expect(data.contact).toMatchObject({ email: me.email, name: "Rosa Me" });

    // The messages: when, from which brand, subject, and what became of them.
    expect(data.messages.promotional).toEqual([
      expect.objectContaining({ sentAt: "2026-11-02T09:00:00.000Z", from: unit.displayName, topic: topic.name, subject: spring.subject, status: "sent" }),
      expect.objectContaining({ from: unit.displayName, subject: bounced.subject, status: "bounced" }),
    ]);
    expect(data.messages.service).toEqual([
      expect.objectContaining({ sentAt: "2026-11-05T10:00:00.000Z", from: unit.displayName, kind: category.name, subject: expect.stringContaining("Tax Pro"), status: "sent" }),
    ]);

    // Names and words, not ids and codes.
    expect(data.subscriptions).toEqual([
      expect.objectContaining({ unit: unit.displayName, topic: topic.name, channel: "email", status: "subscribed", basis: expect.stringMatching(/you agreed/i) }),
    ]);
    expect(data.subscriptions[0].consentText).toEqual({ key: expect.any(String), version: 3, wording: consentText.body });
    expect(data.optOuts.byUnit).toEqual([expect.objectContaining({ unit: unit.displayName, channel: "email" })]);
    const [subscribed, optedOut] = data.ledger;
    expect(subscribed).toMatchObject({ action: "subscribed", source: "your preference center", unit: unit.displayName, topic: topic.name, channel: "email" });
    expect(subscribed.consentText).toEqual({ key: expect.any(String), version: 3, wording: consentText.body });
    expect(subscribed.detail).toEqual({ basis: expect.stringMatching(/you agreed/i) });
    // The person's own address and browser when they acted: theirs to see.
    expect(subscribed).toMatchObject({ ip: "198.51.100.7", userAgent: "Rosa's browser" });
    expect(optedOut).toMatchObject({ action: expect.stringMatching(/unsubscribed from all/i), source: expect.stringMatching(/link/i), unit: unit.displayName, campaign: spring.subject });

    // Codes never appear as values.
    const text = JSON.stringify(data);
    for (const code of ["EXPRESS", "PREFERENCE_CENTER", "LINK_PAGE", "UNIT_OPT_OUT", '"EMAIL"', '"SUBSCRIBED"', "HARD_BOUNCE"]) expect(text).not.toContain(code);
    // Staff-only things stay out: the raw message that came back, the internal campaign name.
    expect(text).not.toContain("RAW-INBOUND-MESSAGE");
    expect(text).not.toContain(spring.name);
  });

  it("is in the person's language: words, section notes and the subjects of service mail written in German (ADR 047)", async () => {
    await db.contact.update({ where: { id: me.id }, data: { locale: "de" } });
    await applyConsentChange(
      { kind: "subscribe", contactId: me.id, topicId: topic.id, channel: "EMAIL", basis: "EXPRESS" },
      { source: "PREFERENCE_CENTER", actor: `contact:${me.id}`, consentTextId: consentText.id },
    );
    const spring = await campaign(`Frühlingsangebote ${tag()}`);
    await db.delivery.create({ data: { campaignId: spring.id, contactId: me.id, status: "SENT", sentAt: new Date("2026-11-02T09:00:00Z") } });
    const category = await db.exemptCategory.findFirstOrThrow({ where: { unitId: unit.id, slug: "renewal" } });
    await db.transactionalMessage.create({
      data: {
        unitId: unit.id,
        categoryId: category.id,
        contactId: me.id,
        toEmail: me.email,
        template: "sign-in-link",
        data: JSON.stringify({ url: "https://example.com/x", expiresInMinutes: 15 }),
        language: "de",
        idempotencyKey: `sign-in-${tag()}`,
        status: "SENT",
        sentAt: new Date("2026-11-05T10:00:00Z"),
      },
    });

    const { data } = await download(me.id);
    expect(data.about.messages).toMatch(/^Die E-Mails, die wir Ihnen gesendet haben/);
    expect(data.subscriptions).toEqual([expect.objectContaining({ channel: "E-Mail", status: "abonniert", basis: "Sie haben dem Empfang zugestimmt" })]);
    expect(data.ledger[0]).toMatchObject({ action: "abonniert", source: "Ihre Einstellungen" });
    expect(data.messages.promotional).toEqual([expect.objectContaining({ subject: spring.subject, status: "gesendet" })]);
    expect(data.messages.service).toEqual([expect.objectContaining({ subject: `Ihr Anmeldelink für ${unit.displayName}`, status: "gesendet" })]);
    const text = JSON.stringify(data);
    for (const english of ["you agreed", "your preference center", '"subscribed"', '"sent"']) expect(text).not.toContain(english);
  });

  it("holds nothing of another person, not even of a campaign both received", async () => {
    const shared = await campaign(`Shared offers ${tag()}`);
    const theirsOnly = await campaign(`Only for Otto ${tag()}`);
    await db.delivery.create({ data: { campaignId: shared.id, contactId: me.id, status: "SENT", sentAt: new Date() } });
    await db.delivery.create({ data: { campaignId: shared.id, contactId: other.id, status: "FAILED", sentAt: new Date() } });
    await db.delivery.create({ data: { campaignId: theirsOnly.id, contactId: other.id, status: "SENT", sentAt: new Date() } });
    await db.inboundMessage.create({ data: { kind: "COMPLAINT", via: "SMTP", campaignId: shared.id, contactId: other.id, unitId: unit.id, effect: "opted out", recipient: other.email } });
    const category = await db.exemptCategory.findFirstOrThrow({ where: { unitId: unit.id, slug: "renewal" } });
    await db.transactionalMessage.create({
      data: {
        unitId: unit.id,
        categoryId: category.id,
        contactId: other.id,
        toEmail: other.email,
        template: "renewal-notice",
        data: JSON.stringify({ recipientName: "Otto", productName: "Otto's Product", renewalDate: "2027-01-31" }),
        idempotencyKey: `renewal-${tag()}`,
        status: "SENT",
      },
    });
    await applyConsentChanges(
      [
        { kind: "subscribe", contactId: other.id, topicId: topic.id, channel: "EMAIL", basis: "EXPRESS" },
        { kind: "setSharing", contactId: other.id, purpose: "GROUP_COMPANIES", granted: true },
      ],
      { source: "PREFERENCE_CENTER", actor: `contact:${other.id}`, ip: "203.0.113.99", userAgent: "Otto's browser" },
    );
    // A staff member changed my preferences: their address and browser are theirs, not mine.
    await applyConsentChange(
      { kind: "unsubscribe", contactId: me.id, topicId: topic.id, channel: "EMAIL" },
      { source: "ADMIN", actor: "user:999", ip: "192.0.2.55", userAgent: "Staff laptop" },
    );
    await db.suppression.create({ data: { emailHash: `hash-${tag()}`, email: me.email, contactId: me.id, reason: "MANUAL", note: "STAFF-ONLY NOTE" } });

    const { text, data } = await download(me.id, { batchSize: 1 });
    expect(data.messages.promotional).toEqual([expect.objectContaining({ subject: shared.subject, status: "sent" })]);
    expect(data.messages.service).toEqual([]);
    expect(data.ledger).toEqual([expect.objectContaining({ source: expect.stringMatching(/staff/i), ip: null, userAgent: null })]);
    expect(data.suppressions).toEqual([expect.objectContaining({ reason: expect.stringMatching(/staff/i) })]);
    for (const theirs of [other.email, "Otto", theirsOnly.subject, "203.0.113.99", "192.0.2.55", "Staff laptop", "STAFF-ONLY NOTE", "user:999"]) expect(text).not.toContain(theirs);
  });

  it("streams long histories in batches and stays valid JSON with none", async () => {
    const empty = await download(me.id);
    expect(empty.data.messages).toEqual({ promotional: [], service: [] });
    expect(empty.data.ledger).toEqual([]);
    let noContact = "";
    for await (const chunk of personalDataJson({ profile: { name: "Ada" } }, null)) noContact += chunk;
    expect(JSON.parse(noContact)).toMatchObject({ version: PERSONAL_DATA_VERSION, profile: { name: "Ada" }, contact: null, subscriptions: [], ledger: [], messages: { promotional: [], service: [] } });
    const campaigns = [];
    for (let i = 0; i < 7; i++) campaigns.push(await campaign(`Offer ${i} ${tag()}`));
    await db.delivery.createMany({ data: campaigns.map((c) => ({ campaignId: c.id, contactId: me.id, status: "SENT" as const, sentAt: new Date() })) });
    const { data } = await download(me.id, { batchSize: 2, head: { profile: { name: "Rosa" } } });
    expect(data.profile).toEqual({ name: "Rosa" });
    expect(data.messages.promotional.map((m: { subject: string }) => m.subject)).toEqual(campaigns.map((c) => c.subject));
  });
});

// SQLite's EXPLAIN QUERY PLAN (PostgreSQL's planner picks a sequential scan of a test's few rows).
describe.skipIf(testsOnPostgresql)("the download's reads", () => {
  /** The download's statements that read `table`, each with SQLite's plan for it. */
  async function plansOfReads(table: string): Promise<string[]> {
    const statements: { query: string; params: string }[] = [];
    const logged = new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: getEnv().databaseFile! }), log: [{ emit: "event", level: "query" }] });
    logged.$on("query", (event) => statements.push({ query: event.query, params: event.params }));
    try {
      for await (const _ of personalDataJson({}, me.id, { readClient: logged, batchSize: 50 }));
      const reads = statements.filter((s) => new RegExp(`^\\s*SELECT[\\s\\S]*FROM\\s+[\`"]?(main[\`"]?\\.)?[\`"]?${table}[\`"]?\\s`, "i").test(s.query));
      const plans = [];
      for (const read of reads) {
        const plan = await logged.$queryRawUnsafe<{ detail: string }[]>(`EXPLAIN QUERY PLAN ${read.query}`, ...(JSON.parse(read.params) as unknown[]));
        plans.push(plan.map((step) => step.detail).join("\n"));
      }
      return plans;
    } finally {
      await logged.$disconnect();
    }
  }

  it("finds the person's deliveries through the (campaign, contact) index, never by reading every delivery", async () => {
    const spring = await campaign(`Spring ${tag()}`);
    await db.delivery.create({ data: { campaignId: spring.id, contactId: me.id, status: "SENT", sentAt: new Date() } });
    await db.delivery.create({ data: { campaignId: spring.id, contactId: other.id, status: "SENT", sentAt: new Date() } });
    const plans = await plansOfReads("Delivery");
    expect(plans.length).toBeGreaterThan(0);
    for (const steps of plans) {
      expect(steps).toMatch(/SEARCH \S*Delivery USING INDEX Delivery_campaignId_contactId_key \(campaignId=\? AND contactId=\?\)/);
      expect(steps).not.toMatch(/SCAN \S*Delivery/);
    }
  });

  it("finds the person's service messages by contact and by address, never by reading every message", async () => {
    const plans = await plansOfReads("TransactionalMessage");
    expect(plans.map((steps) => steps.match(/SEARCH \S*TransactionalMessage USING INDEX (\w+)/)?.[1])).toEqual([
      "TransactionalMessage_contactId_id_idx",
      "TransactionalMessage_toEmail_id_idx",
    ]);
    for (const steps of plans) expect(steps).not.toMatch(/SCAN \S*TransactionalMessage/);
  });
});

describe("one name", () => {
  it("a name change on the account is the contact's name too", async () => {
    const user = await createSubscriber();
    await updateName(user.id, "Jun Jensen");
    expect(await db.user.findUniqueOrThrow({ where: { id: user.id }, select: { name: true } })).toEqual({ name: "Jun Jensen" });
    expect(await db.contact.findUniqueOrThrow({ where: { id: user.contactId! }, select: { name: true } })).toEqual({ name: "Jun Jensen" });
  });

  it("an account with no contact yet keeps its name on the account alone", async () => {
    const user = await createSubscriber({ withContact: false });
    await updateName(user.id, "Ada Lane");
    expect(await db.user.findUniqueOrThrow({ where: { id: user.id }, select: { name: true } })).toEqual({ name: "Ada Lane" });
  });
});
