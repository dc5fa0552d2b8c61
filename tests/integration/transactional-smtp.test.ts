import crypto from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { db } from "~/utils/db.server.ts";
import { deliverTransactional } from "~/domain/transactional/deliver.server.ts";
import { readOwnAddress } from "~/domain/feedback/addresses.server.ts";
import { createMailTransport, type MailTransport } from "~/domain/mail/transport.server.ts";
import { ensureSigningKey } from "~/domain/tokens/keyring.server.ts";
import { transactionalTemplates } from "~emails/transactional/index.ts";
import { createContact, createExemptCategories, createUnit } from "../helpers/fixtures.ts";
import { headerValues, startSmtpSink, type SmtpSink } from "../helpers/smtp-sink.ts";

// Service mail through the smtp transport to a real SMTP server on loopback: what leaves, and
// what a refusal at RCPT does.

let sink: SmtpSink;
let transport: MailTransport;
let unit: Awaited<ReturnType<typeof createUnit>>;

beforeEach(async () => {
  await ensureSigningKey();
  sink = await startSmtpSink();
  transport = createMailTransport({ MAIL_TRANSPORT: "smtp", SMTP_URL: sink.url, OUTBOX_DIR: "unused" });
  unit = await createUnit();
  await createExemptCategories(unit.id);
});

afterEach(async () => {
  await transport.close();
  await sink.close();
});

/** A queued renewal notice to a new contact, as sendTransactional stores one. */
async function queuedMessage(to?: string) {
  const contact = await createContact(to);
  const entry = transactionalTemplates["renewal-notice"];
  const category = await db.exemptCategory.findFirstOrThrow({ where: { unitId: unit.id, slug: entry.categories[0] } });
  return db.transactionalMessage.create({
    data: {
      unitId: unit.id,
      categoryId: category.id,
      contactId: contact.id,
      toEmail: contact.email,
      template: "renewal-notice",
      data: JSON.stringify(entry.schema.parse(entry.previewData ?? {})),
      idempotencyKey: `smtp-test-${crypto.randomBytes(6).toString("hex")}`,
    },
  });
}

describe("a transactional message through SMTP", () => {
  it("leaves with its signed return path as MAIL FROM, which names the message; a Feedback-ID, and no list headers", async () => {
    const message = await queuedMessage();
    expect(await deliverTransactional(message.id, new Date(), transport)).toBe(true);

    expect(sink.received).toHaveLength(1);
    const [received] = sink.received;
    expect(received.to).toBe(message.toEmail);
    expect(readOwnAddress(received.from)).toEqual({ kind: "bounce", ref: { stream: "transactional", messageId: message.id }, domain: `bounces.${unit.sendingDomain}` });
    expect(await headerValues(received.raw, "Feedback-ID")).toEqual([`cat${message.categoryId}:transactional:${unit.slug}:prefcenter`]);
    for (const name of ["List-Id", "List-Unsubscribe", "List-Unsubscribe-Post"]) expect(await headerValues(received.raw, name)).toEqual([]);
    expect(await db.transactionalMessage.findUniqueOrThrow({ where: { id: message.id } })).toMatchObject({ status: "SENT" });
  });

  it("uses the unit's own bounce domain when it has one", async () => {
    await db.businessUnit.update({ where: { id: unit.id }, data: { bounceDomain: "Returns.Example.NET" } });
    const message = await queuedMessage();
    await deliverTransactional(message.id, new Date(), transport);
    expect(sink.received[0].from).toMatch(/@returns\.example\.net$/);
    expect(readOwnAddress(sink.received[0].from)).toMatchObject({ kind: "bounce", ref: { stream: "transactional", messageId: message.id } });
  });

  it("refused with 5.1.1 at RCPT: the message fails, and the refusal is a hard bounce that suppresses the address", async () => {
    const message = await queuedMessage();
    sink.refuse = () => ({ code: 550, text: "5.1.1 <gone@example.com>: Recipient address rejected: User unknown" });
    await expect(deliverTransactional(message.id, new Date(), transport)).rejects.toThrow(/550 5\.1\.1/);

    expect(await db.transactionalMessage.findUniqueOrThrow({ where: { id: message.id } })).toMatchObject({ status: "FAILED" });
    const inbound = await db.inboundMessage.findMany({ where: { transactionalMessageId: message.id } });
    expect(inbound.map((m) => [m.via, m.kind, m.status, m.recipient, m.unitId])).toEqual([["SEND_TIME", "HARD_BOUNCE", "5.1.1", message.toEmail, unit.id]]);
    expect(readOwnAddress(inbound[0].mailFrom!)).toMatchObject({ kind: "bounce", ref: { stream: "transactional", messageId: message.id } });
    expect(await db.suppression.findMany({ where: { email: message.toEmail }, select: { reason: true } })).toEqual([{ reason: "HARD_BOUNCE" }]);
  });

  it("refused for a while (4xx): retried later, and no feedback", async () => {
    const message = await queuedMessage();
    sink.refuse = () => 451;
    await expect(deliverTransactional(message.id, new Date(), transport)).rejects.toThrow(/451/);
    expect(await db.transactionalMessage.findUniqueOrThrow({ where: { id: message.id } })).toMatchObject({ status: "QUEUED" });
    expect(await db.inboundMessage.count({ where: { transactionalMessageId: message.id } })).toBe(0);
  });
});
