import fs from "node:fs";
import path from "node:path";
import PostalMime from "postal-mime";
import { beforeEach, describe, expect, it } from "vitest";
import { db } from "~/utils/db.server.ts";
import { applyConsentChanges, applyConsentChange } from "~/domain/consent/changes.server.ts";
import { sendTransactional, TransactionalRequestError, type TransactionalRequest } from "~/domain/transactional/send.server.ts";
import { processTransactionalQueue } from "~/domain/transactional/queue.server.ts";
import { ensureSigningKey } from "~/domain/tokens/keyring.server.ts";
import { announcePolicyChange } from "~/domain/transactional/policy-change.server.ts";
import { transactionalTemplates, type TransactionalTemplateName } from "~emails/transactional/index.ts";
import { createContact, createExemptCategories, createTopic, createUnit } from "../helpers/fixtures.ts";

const outbox = () => process.env.OUTBOX_DIR!;
const outboxFiles = () => (fs.existsSync(outbox()) ? fs.readdirSync(outbox()).filter((f) => f.endsWith(".eml")).sort() : []);
const readMessage = (file: string) => PostalMime.parse(fs.readFileSync(path.join(outbox(), file)));

let unit: Awaited<ReturnType<typeof createUnit>>;
let contact: { id: number; email: string };
let keyCounter = 0;

/** Default data for each template: a valid request for its first category. */
function requestFor(template: TransactionalTemplateName, overrides: Partial<TransactionalRequest> = {}): TransactionalRequest {
  const entry = transactionalTemplates[template];
  return {
    unitId: unit.id,
    category: entry.categories[0],
    to: contact.email,
    template,
    data: entry.schema.parse(entry.previewData ?? {}),
    idempotencyKey: `test-${++keyCounter}`,
    ...overrides,
  };
}

beforeEach(async () => {
  // Each test reads the outbox and the message table from empty.
  fs.rmSync(outbox(), { recursive: true, force: true });
  await db.transactionalMessage.deleteMany();
  await ensureSigningKey();
  unit = await createUnit();
  await createExemptCategories(unit.id);
  contact = await createContact();
});

async function optOutOfEverything(contactId: number) {
  const topic = await createTopic(unit.id);
  await applyConsentChange({ kind: "subscribe", contactId, topicId: topic.id, channel: "EMAIL", basis: "EXPRESS" }, { source: "IMPORT" });
  await applyConsentChanges(
    [
      { kind: "unsubscribe", contactId, topicId: topic.id, channel: "EMAIL" },
      { kind: "optOutOfUnit", contactId, unitId: unit.id, channel: "EMAIL" },
      { kind: "optOutEverywhere", contactId, channel: "EMAIL" },
      { kind: "snooze", contactId, unitId: unit.id, until: new Date(Date.now() + 90 * 86_400_000) },
      { kind: "suppress", email: contact.email, reason: "COMPLAINT" },
    ],
    { source: "PREFERENCE_CENTER" },
  );
}

/** Every row of preference state and the ledger, to prove a send changed none of it. */
async function consentSnapshot() {
  return {
    subscriptions: await db.subscription.findMany({ orderBy: { id: "asc" } }),
    unitOptOuts: await db.unitOptOut.findMany({ orderBy: { contactId: "asc" } }),
    globalOptOuts: await db.globalOptOut.findMany({ orderBy: { contactId: "asc" } }),
    snoozes: await db.snooze.findMany({ orderBy: { contactId: "asc" } }),
    suppressions: await db.suppression.findMany({ orderBy: { id: "asc" } }),
    sharing: await db.sharingConsent.findMany({ orderBy: { contactId: "asc" } }),
    ledger: await db.consentEvent.findMany({ orderBy: { id: "asc" } }),
  };
}

describe("transactional stream", () => {
  it("reaches a contact opted out of everything, in every exempt category, and changes no consent", async () => {
    await optOutOfEverything(contact.id);
    const before = await consentSnapshot();
    const names = Object.keys(transactionalTemplates) as TransactionalTemplateName[];
    for (const name of names) {
      const request = requestFor(name);
      if (name === "policy-change-notice") {
        const effectiveAt = new Date(Date.now() + 45 * 86_400_000);
        await db.exemptCategory.updateMany({ where: { unitId: unit.id, slug: "policy-change" }, data: { effectiveAt } });
        request.data = { ...(request.data as object), effectiveDate: effectiveAt.toISOString().slice(0, 10) };
      }
      const result = await sendTransactional(request);
      expect({ name, status: result.status }).toEqual({ name, status: "SENT" });
    }
    expect(outboxFiles()).toHaveLength(names.length);
    expect(await consentSnapshot()).toEqual(before);
  });

  it("every message carries the unit's postal address in both parts and no List-Unsubscribe header", async () => {
    await sendTransactional(requestFor("renewal-notice"));
    await sendTransactional(requestFor("preference-link"));
    for (const file of outboxFiles()) {
      const message = await readMessage(file);
      const headerNames = message.headers.map((h) => h.key);
      expect(headerNames).not.toContain("list-unsubscribe");
      expect(headerNames).not.toContain("list-unsubscribe-post");
      expect(message.from).toMatchObject({ address: `service@${unit.sendingDomain}` });
      expect(message.messageId).toMatch(new RegExp(`@${unit.sendingDomain.replace(/\./g, "\\.")}>$`));
      for (const part of [message.html!, message.text!]) {
        expect(part).toContain(unit.postalAddress!);
        expect(part).toContain(unit.legalName!);
        expect(part).not.toMatch(/\/u\//);
      }
    }
  });

  it("refuses HARD_BOUNCE and ERASED addresses, recording why, and sends nothing", async () => {
    await applyConsentChange({ kind: "suppress", email: contact.email, reason: "HARD_BOUNCE" }, { source: "BOUNCE" });
    const bounced = await sendTransactional(requestFor("security-alert"));
    expect(bounced).toMatchObject({ status: "REFUSED", refusedReason: expect.stringContaining("HARD_BOUNCE") });

    await applyConsentChange({ kind: "suppress", email: "gone@example.com", reason: "ERASED" }, { source: "ADMIN" });
    const erased = await sendTransactional(requestFor("tax-notice", { to: "Gone@Example.com" }));
    expect(erased).toMatchObject({ status: "REFUSED", refusedReason: expect.stringContaining("erased") });

    expect(outboxFiles()).toHaveLength(0);
    expect(await db.transactionalMessage.findMany({ where: { status: "REFUSED" } })).toHaveLength(2);
  });

  it("is not blocked by a MANUAL or a COMPLAINT suppression: only HARD_BOUNCE and ERASED block it", async () => {
    const manual = await createContact();
    const complained = await createContact();
    await applyConsentChange({ kind: "suppress", email: manual.email, reason: "MANUAL", note: "asked by phone" }, { source: "ADMIN" });
    await applyConsentChange({ kind: "suppress", email: complained.email, reason: "COMPLAINT" }, { source: "COMPLAINT" });
    expect(await db.suppression.count({ where: { email: { in: [manual.email, complained.email] } } })).toBe(2);

    const toManual = await sendTransactional(requestFor("security-alert", { to: manual.email }));
    const toComplained = await sendTransactional(requestFor("tax-notice", { to: complained.email }));
    expect(toManual).toMatchObject({ status: "SENT" });
    expect(toComplained).toMatchObject({ status: "SENT" });
    const recipients = await Promise.all(outboxFiles().map(async (file) => (await readMessage(file)).to?.[0]?.address));
    expect(recipients.sort()).toEqual([manual.email, complained.email].sort());
  });

  it("keeps no usable link in the stored record once a link message is sent", async () => {
    const request = requestFor("sign-in-link");
    const result = await sendTransactional(request);
    const stored = JSON.parse((await db.transactionalMessage.findUniqueOrThrow({ where: { id: result.id } })).data);
    expect(stored.url).toBe("[removed once sent]");
    const message = await readMessage(outboxFiles()[0]);
    expect(message.text).toContain((request.data as { url: string }).url);
  });

  it("never sends the same idempotency key twice", async () => {
    const first = await sendTransactional(requestFor("renewal-notice", { idempotencyKey: "renewal-2026-42" }));
    const again = await sendTransactional(requestFor("renewal-notice", { idempotencyKey: "renewal-2026-42" }));
    expect(again).toEqual({ ...first, repeated: true });
    expect(outboxFiles()).toHaveLength(1);
  });

  it("names the field at fault and records nothing for a bad request", async () => {
    const cases: [Partial<TransactionalRequest>, string][] = [
      [{ category: "no-such-category" }, "category"],
      [{ template: "no-such-template" }, "template"],
      [{ template: "tax-notice" }, "template"], // tax notice under the renewal category
      [{ to: "not an address" }, "to"],
      [{ data: { productName: "Cover", renewalDate: "soon" } }, "data.renewalDate"],
    ];
    for (const [overrides, field] of cases) {
      const error = await sendTransactional(requestFor("renewal-notice", overrides)).catch((e) => e);
      expect(error).toBeInstanceOf(TransactionalRequestError);
      expect((error as TransactionalRequestError).field).toBe(field);
    }
    expect(await db.transactionalMessage.count()).toBe(0);
  });

  it("refuses a policy-change notice less than 30 days before the change takes effect", async () => {
    // The clock is fixed: 29 days ahead is 29 days, not 28 days and some hours by the time it is checked.
    const now = new Date("2026-06-01T12:00:00Z");
    const noticeFor = async (effectiveAt: Date) => {
      await db.exemptCategory.updateMany({ where: { unitId: unit.id, slug: "policy-change" }, data: { effectiveAt } });
      const request = requestFor("policy-change-notice", { now });
      request.data = { ...(request.data as object), effectiveDate: effectiveAt.toISOString().slice(0, 10) };
      return sendTransactional(request);
    };
    const soon = new Date(now.getTime() + 29 * 86_400_000);
    const error = await noticeFor(soon).catch((e) => e);
    expect(error).toBeInstanceOf(TransactionalRequestError);
    expect(error).toMatchObject({ status: 422, message: expect.stringMatching(/at least 30 days/) });
    expect(error.message).toContain("29 days from now");
    expect(await noticeFor(new Date(now.getTime() + 30 * 86_400_000 - 1)).catch((e) => e)).toBeInstanceOf(TransactionalRequestError);
    expect(outboxFiles()).toHaveLength(0);

    expect(await noticeFor(new Date(now.getTime() + 30 * 86_400_000))).toMatchObject({ status: "SENT" });
    expect(outboxFiles()).toHaveLength(1);
  });

  it("announces a policy change 30 days ahead of the announcement's clock, and refuses 29 days ahead", async () => {
    await optOutOfEverything(contact.id);
    const now = new Date("2026-06-01T12:00:00Z");
    const announcement = (days: number, ms = 0) => ({
      unitIds: [unit.id],
      effectiveAt: new Date(now.getTime() + days * 86_400_000 + ms),
      policyName: "Privacy policy",
      summary: "We keep server logs for 90 days.",
      policyUrl: "https://example.com/privacy",
      now,
    });
    const effectiveDate = () => db.exemptCategory.findFirstOrThrow({ where: { unitId: unit.id, slug: "policy-change" } }).then((c) => c.effectiveAt);
    const before = await effectiveDate();
    for (const early of [announcement(29), announcement(30, -1)]) {
      const error = await announcePolicyChange(early).catch((e) => e);
      expect(error).toBeInstanceOf(TransactionalRequestError);
      expect(error.message).toMatch(/at least 30 days/);
      // Refused by the announcement itself, before the unit's effective date is changed.
      expect(error.field).toBe("effective");
    }
    expect(await effectiveDate()).toEqual(before);
    expect(await db.transactionalMessage.count()).toBe(0);
    expect(await announcePolicyChange(announcement(30))).toMatchObject({ total: 1, sent: 1 });
  });

  it("an announcement is not cut off halfway when the clock passes 30 days before the change while it sends", async () => {
    const topic = await createTopic(unit.id);
    const others = [await createContact(), await createContact()];
    for (const other of others) {
      await applyConsentChange({ kind: "subscribe", contactId: other.id, topicId: topic.id, channel: "EMAIL", basis: "EXPRESS" }, { source: "IMPORT" });
    }
    // 30 days and 20 ms ahead when announced: after the first notice, wait until fewer than 30 days remain.
    const effectiveAt = new Date(Date.now() + 30 * 86_400_000 + 20);
    const thirtyDaysBefore = effectiveAt.getTime() - 30 * 86_400_000;
    const outcome = await announcePolicyChange({
      unitIds: [unit.id],
      effectiveAt,
      policyName: "Privacy policy",
      summary: "We keep server logs for 90 days.",
      policyUrl: "https://example.com/privacy",
      onProgress(done) {
        // onProgress is synchronous: spin on the clock itself (at most 20 ms) for the state the test needs.
        if (done === 1) while (Date.now() <= thirtyDaysBefore);
      },
    });
    expect(outcome).toMatchObject({ total: 2, sent: 2, failed: 0, refused: 0 });
    expect(outboxFiles()).toHaveLength(2);
  });

  it("announces a policy change once to every contact of the unit, opted out or not", async () => {
    const topic = await createTopic(unit.id);
    const subscriber = await createContact();
    const stranger = await createContact(); // no relationship with the unit
    await applyConsentChange({ kind: "subscribe", contactId: subscriber.id, topicId: topic.id, channel: "EMAIL", basis: "EXPRESS" }, { source: "IMPORT" });
    await optOutOfEverything(contact.id);
    const announcement = {
      unitIds: [unit.id],
      effectiveAt: new Date(Date.now() + 40 * 86_400_000),
      policyName: "Privacy policy",
      summary: "We keep server logs for 90 days.",
      policyUrl: "https://example.com/privacy",
    };
    // The opted-out contact (who also complained) gets the notice: only bounces and erasures stop service mail.
    expect(await announcePolicyChange(announcement)).toMatchObject({ total: 2, sent: 2, refused: 0, alreadySent: 0 });
    expect((await db.transactionalMessage.findMany()).map((m) => m.toEmail).sort()).toEqual([contact.email, subscriber.email].sort());
    expect(await announcePolicyChange(announcement)).toMatchObject({ sent: 0, alreadySent: 2 });
    expect(outboxFiles()).toHaveLength(2);
    expect((await db.transactionalMessage.findMany({ where: { toEmail: stranger.email } })).length).toBe(0);
  });

  it("hands a sign-in link to the transport within 1 s while 10,000 campaign deliveries wait", async () => {
    const topic = await createTopic(unit.id);
    const campaign = await db.campaign.create({
      data: { unitId: unit.id, topicId: topic.id, name: "Big sale", subject: "Big sale", status: "SENDING" },
    });
    const people = Array.from({ length: 10_000 }, (_, i) => ({ email: `queued${i}@example.com` }));
    await db.contact.createMany({ data: people });
    const ids = await db.contact.findMany({ where: { email: { startsWith: "queued" } }, select: { id: true } });
    await db.delivery.createMany({ data: ids.map(({ id }) => ({ campaignId: campaign.id, contactId: id })) });
    expect(await db.delivery.count({ where: { campaignId: campaign.id, status: "PENDING" } })).toBe(10_000);

    const result = await sendTransactional(requestFor("sign-in-link"));
    const message = await db.transactionalMessage.findUniqueOrThrow({ where: { id: result.id } });
    expect(message.status).toBe("SENT");
    expect(message.sentAt!.getTime() - message.createdAt.getTime()).toBeLessThan(1000);
    expect(outboxFiles()).toHaveLength(1);
  });

  it("the queue retries a message whose first attempt did not finish", async () => {
    const row = await db.transactionalMessage.create({
      data: {
        unitId: unit.id,
        categoryId: (await db.exemptCategory.findFirstOrThrow({ where: { unitId: unit.id, slug: "renewal" } })).id,
        toEmail: contact.email,
        template: "renewal-notice",
        data: JSON.stringify(transactionalTemplates["renewal-notice"].schema.parse(transactionalTemplates["renewal-notice"].previewData)),
        idempotencyKey: "crashed-before-sending",
      },
    });
    expect(await processTransactionalQueue()).toBe(1);
    expect((await db.transactionalMessage.findUniqueOrThrow({ where: { id: row.id } })).status).toBe("SENT");
    expect(await processTransactionalQueue()).toBe(0);
    expect(outboxFiles()).toHaveLength(1);
  });
});

describe("the send path's boundaries (invariant 3, docs/invariants.md)", () => {
  it("no transactional code reads or writes preference state", () => {
    const dir = path.resolve("app/domain/transactional");
    const sources = fs.readdirSync(dir).filter((f) => f.endsWith(".ts") && !f.includes(".test."));
    // Model access (db.subscription…) and relation filters (subscriptions: { some … }) alike.
    const forbidden = /\.(subscription|unitOptOut|globalOptOut|snooze|sharingConsent)\b|\b(subscriptions|unitOptOuts|globalOptOuts|snoozes|sharingConsents)\s*:|\.consentEvent\.(create|update|delete)|applyConsentChange|domain\/consent\/(changes|audience)/;
    for (const file of sources) {
      expect({ file, uses: forbidden.exec(fs.readFileSync(path.join(dir, file), "utf8"))?.[0] ?? null }).toEqual({ file, uses: null });
    }
  });
});
