import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "~/utils/db.server.ts";
import { applyConsentChange } from "~/domain/consent/changes.server.ts";
import { createMailTransport, type MailTransport } from "~/domain/mail/transport.server.ts";
import { ensureSigningKey } from "~/domain/tokens/keyring.server.ts";
import { startCampaign } from "~/domain/campaigns/sender.server.ts";
import { startCampaignSender } from "~/domain/campaigns/worker.server.ts";
import { sendTransactional } from "~/domain/transactional/send.server.ts";
import { transactionalTemplates } from "~emails/transactional/index.ts";
import { mailtoUnsubscribeFor, returnPathFor, feedbackLoopAddress } from "~/domain/feedback/addresses.server.ts";
import { recordInboundMessage } from "~/domain/feedback/inbound-server-record.server.ts";
import { startInboundServer, type InboundServer } from "~/domain/feedback/inbound-server.server.ts";
import { unitBounceDomain } from "~/domain/units/sender-facts.server.ts";
import { createContact, createExemptCategories, createTopic, createUnit } from "../helpers/fixtures.ts";
import { startSmtpSink, type SmtpSink } from "../helpers/smtp-sink.ts";
import { inboundClient, type InboundClient } from "../helpers/inbound-client.ts";
import { complaintReport, deliveryStatusNotification, mailtoUnsubscribe, type Original } from "../helpers/inbound-reports.ts";

// The whole loop through real SMTP: campaigns go out to a sink; bounces, a complaint and a
// mailto unsubscribe come back into the inbound server; the next campaign leaves the right
// people out, and service mail still reaches the person who complained.

let sink: SmtpSink;
let transport: MailTransport;
let inbound: InboundServer;
let client: InboundClient;
let unit: Awaited<ReturnType<typeof createUnit>>;
let topic: { id: number };
let bounceDomain: string;
const people: Record<"hard" | "soft" | "complainer" | "mailto" | "keeper" | "other", { id: number; email: string }> = {} as never;

beforeAll(async () => {
  await ensureSigningKey();
  sink = await startSmtpSink();
  transport = createMailTransport({ MAIL_TRANSPORT: "smtp", SMTP_URL: sink.url, OUTBOX_DIR: "unused" });
  unit = await createUnit();
  await createExemptCategories(unit.id);
  topic = await createTopic(unit.id);
  bounceDomain = unitBounceDomain(unit);
  for (const name of ["hard", "soft", "complainer", "mailto", "keeper", "other"] as const) {
    people[name] = await createContact(`${name}-${unit.slug}@example.org`);
    await applyConsentChange({ kind: "subscribe", contactId: people[name].id, topicId: topic.id, channel: "EMAIL", basis: "EXPRESS" }, { source: "IMPORT" });
  }
  inbound = await startInboundServer({ port: 0, host: "127.0.0.1", receive: recordInboundMessage, log: () => {} });
  client = inboundClient(inbound.port);
});

afterAll(async () => {
  client?.close();
  await inbound?.close();
  await transport?.close();
  await sink?.close();
});

/** Sends a new campaign of the unit to the sink; returns the addresses it reached. */
async function sendCampaign(name: string): Promise<{ id: number; reached: string[] }> {
  const campaign = await db.campaign.create({ data: { unitId: unit.id, topicId: topic.id, name, subject: name, bodyMarkdown: `# ${name}\n\nOffers.` } });
  const before = sink.received.length;
  await startCampaign(campaign.id);
  const sender = startCampaignSender({ transport, pollMs: 10, ratePerSecond: 5000, concurrency: 2 });
  try {
    await waitUntil(async () => (await db.campaign.findUniqueOrThrow({ where: { id: campaign.id } })).status !== "SENDING", `campaign ${name} to finish`);
  } finally {
    await sender.stop();
  }
  return { id: campaign.id, reached: sink.received.slice(before).map((m) => m.to).sort() };
}

/** The message a campaign sent to a person, as the reports name it: its return path and Message-ID. */
async function originalOf(campaignId: number, person: { id: number; email: string }): Promise<Original> {
  const delivery = await db.delivery.findUniqueOrThrow({ where: { campaignId_contactId: { campaignId, contactId: person.id } } });
  expect(delivery.messageId).toBeTruthy();
  return { returnPath: returnPathFor({ stream: "campaign", deliveryId: delivery.id }, bounceDomain), recipient: person.email, messageId: delivery.messageId! };
}

async function waitUntil(condition: () => Promise<boolean>, what: string) {
  for (const deadline = Date.now() + 20_000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 25))) {
    if (await condition()) return;
  }
  throw new Error(`timed out waiting for ${what}`);
}

const emails = (...names: (keyof typeof people)[]) => names.map((name) => people[name].email).sort();

describe("a bounce, a complaint and a mailto unsubscribe, from arrival to the next campaign", () => {
  it("leaves out exactly the people it should, and service mail still reaches the person who complained", async () => {
    const first = await sendCampaign("First");
    expect(first.reached).toEqual(emails("hard", "soft", "complainer", "mailto", "keeper", "other"));

    // The hard bounce comes back to the delivery's own return path.
    const hard = await originalOf(first.id, people.hard);
    await client.send({ from: "", to: [hard.returnPath] }, deliveryStatusNotification(hard, { status: "5.1.1", diagnostic: "550 5.1.1 <hard> user unknown" }));
    // The feedback loop sends its complaint to the unit's feedback-loop address: the original's return path names the delivery.
    const complained = await originalOf(first.id, people.complainer);
    await client.send({ from: "fbl@feedback.mailbox.example", to: [feedbackLoopAddress(bounceDomain)] }, complaintReport(complained));
    // A mail app's unsubscribe goes to the List-Unsubscribe mailto: address, whatever it says.
    const mailtoDelivery = await db.delivery.findUniqueOrThrow({ where: { campaignId_contactId: { campaignId: first.id, contactId: people.mailto.id } } });
    await client.send({ from: people.mailto.email, to: [mailtoUnsubscribeFor({ stream: "campaign", deliveryId: mailtoDelivery.id }, bounceDomain)] }, mailtoUnsubscribe("x", people.mailto.email));
    // The first soft bounce of three (mailbox full).
    const soft1 = await originalOf(first.id, people.soft);
    await client.send({ from: "", to: [soft1.returnPath] }, deliveryStatusNotification(soft1, { status: "4.2.2", action: "delayed" }));

    expect(await db.inboundMessage.findMany({ orderBy: { id: "asc" }, select: { kind: true, via: true, campaignId: true, contactId: true } })).toEqual([
      { kind: "HARD_BOUNCE", via: "SMTP", campaignId: first.id, contactId: people.hard.id },
      { kind: "COMPLAINT", via: "SMTP", campaignId: first.id, contactId: people.complainer.id },
      { kind: "MAILTO_UNSUBSCRIBE", via: "SMTP", campaignId: first.id, contactId: people.mailto.id },
      { kind: "SOFT_BOUNCE", via: "SMTP", campaignId: first.id, contactId: people.soft.id },
    ]);
    expect(await db.suppression.findMany({ select: { email: true, reason: true } })).toEqual([{ email: people.hard.email, reason: "HARD_BOUNCE" }]);
    expect(await db.consentEvent.findMany({ where: { action: "UNIT_OPT_OUT" }, select: { contactId: true, source: true, campaignId: true }, orderBy: { id: "asc" } })).toEqual([
      { contactId: people.complainer.id, source: "COMPLAINT", campaignId: first.id },
      { contactId: people.mailto.id, source: "MAILTO", campaignId: first.id },
    ]);

    // Two more campaigns bounce softly for the same person: the third soft bounce suppresses promotional mail.
    for (const name of ["Second", "Third"]) {
      const next = await sendCampaign(name);
      expect(next.reached).toEqual(emails("soft", "keeper", "other"));
      const soft = await originalOf(next.id, people.soft);
      await client.send({ from: "", to: [soft.returnPath] }, deliveryStatusNotification(soft, { status: "5.2.2", diagnostic: "552 5.2.2 mailbox full" }));
    }
    expect(await db.suppression.findMany({ where: { reason: "SOFT_BOUNCE" }, select: { email: true } })).toEqual([{ email: people.soft.email }]);

    const fourth = await sendCampaign("Fourth");
    expect(fourth.reached).toEqual(emails("keeper", "other"));

    // Service mail: the person who complained still gets it; the hard-bounced address does not.
    const template = "renewal-notice";
    const entry = transactionalTemplates[template];
    const service = (to: string, key: string) =>
      sendTransactional({ unitId: unit.id, category: entry.categories[0], to, template, data: entry.schema.parse(entry.previewData ?? {}), idempotencyKey: key });
    expect(await service(people.complainer.email, "story-complainer")).toMatchObject({ status: "SENT" });
    expect(await service(people.mailto.email, "story-mailto")).toMatchObject({ status: "SENT" });
    expect(await service(people.hard.email, "story-hard")).toMatchObject({ status: "REFUSED", refusedReason: expect.stringContaining("HARD_BOUNCE") });
  });
});
