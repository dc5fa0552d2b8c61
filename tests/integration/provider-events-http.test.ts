import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { returnPathFor } from "~/domain/feedback/addresses.server.ts";
import { SNS_CERT_URL, SNS_TOPIC_ARN, sendGridSigner, sesNotification, snsSigner, type SnsSigner } from "../helpers/provider-signers.ts";
import { sesBounce, sesComplaint } from "../helpers/ses-examples.ts";
import { useRunningApp } from "../helpers/running-app.ts";

// POST /api/v1/events/<provider> over real HTTP against the production build: posts signed as
// Amazon SNS and SendGrid sign them (keys made here; SNS's certificate pinned on disk, so no
// network), and the database checked after each.

const certDir = fs.mkdtempSync(path.join(os.tmpdir(), "sns-pinned-"));
const sendgrid = sendGridSigner();
const { app, appDb } = useRunningApp({
  env: { SES_SNS_TOPIC_ARNS: SNS_TOPIC_ARN, SES_SNS_CERTIFICATE_DIR: certDir, SENDGRID_WEBHOOK_PUBLIC_KEY: sendgrid.publicKey },
});
let sns: SnsSigner;
let stranger: SnsSigner;
let unitId: number;
let topicId: number;
let campaignId: number;

beforeAll(async () => {
  [sns, stranger] = await Promise.all([snsSigner(), snsSigner()]);
  fs.writeFileSync(path.join(certDir, path.basename(new URL(SNS_CERT_URL).pathname)), sns.certificate);
  ({ unitId, id: topicId } = await appDb.db.topic.findFirstOrThrow({ where: { unit: { slug: "example-tax" } }, orderBy: { id: "asc" }, select: { id: true, unitId: true } }));
  campaignId = (await appDb.db.campaign.create({ data: { unitId, topicId, name: "Spring", subject: "Spring news", status: "SENT" } })).id;
});

/** A new contact and a sent delivery of the campaign to them, with its Message-ID. */
async function sentDelivery() {
  const email = `person-${crypto.randomBytes(4).toString("hex")}@example.com`;
  const contactId = (await appDb.db.contact.create({ data: { email } })).id;
  const messageId = `<${crypto.randomUUID()}@example-tax.test>`;
  const deliveryId = (await appDb.db.delivery.create({ data: { campaignId, contactId, status: "SENT", messageId, sentAt: new Date() } })).id;
  return { email, contactId, deliveryId, messageId, returnPath: returnPathFor({ stream: "campaign", deliveryId }, "bounces.example-tax.test") };
}

const post = (provider: string, body: string, headers: Record<string, string> = {}) =>
  fetch(`${app.url}/api/v1/events/${provider}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });

const postSns = (message: Record<string, string>) => post("ses", JSON.stringify(message), { "content-type": "text/plain; charset=UTF-8", "x-amz-sns-message-type": message.Type });

const inboundRows = (contactId: number) =>
  appDb.db.inboundMessage.findMany({
    where: { contactId },
    select: { kind: true, via: true, deliveryId: true, campaignId: true, externalId: true, status: true },
    orderBy: { id: "asc" },
  });
const suppressions = async (contactId: number) =>
  (await appDb.db.suppression.findMany({ where: { contactId }, select: { reason: true }, orderBy: { id: "asc" } })).map((r) => r.reason);
const consentSources = (contactId: number) =>
  appDb.db.consentEvent.findMany({ where: { contactId }, select: { source: true, campaignId: true }, orderBy: { id: "asc" } });
const inboundCount = () => appDb.db.inboundMessage.count();

async function expectRefused(response: Response, status: number, field: string) {
  expect(response.status).toBe(status);
  expect(response.headers.get("content-type")).toMatch(/^application\/json/);
  expect((await response.json()).error).toMatchObject({ field, message: expect.any(String) });
}

describe("POST /api/v1/events/ses", () => {
  it("records a signed Permanent bounce once: a hard-bounce suppression naming the delivery and campaign; SNS posting it again changes nothing", async () => {
    const person = await sentDelivery();
    const message = sesNotification(sns, sesBounce({ source: person.returnPath, messageId: person.messageId, destination: [person.email] }, { bouncedRecipients: [{ emailAddress: person.email, status: "5.1.1", action: "failed", diagnosticCode: "smtp; 550 5.1.1 user unknown" }] }));
    const response = await postSns(message);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ recorded: 1, duplicates: 0, skipped: 0 });
    expect(await inboundRows(person.contactId)).toEqual([{ kind: "HARD_BOUNCE", via: "SES", deliveryId: person.deliveryId, campaignId, externalId: `${message.MessageId}:0`, status: "5.1.1" }]);
    expect(await suppressions(person.contactId)).toEqual(["HARD_BOUNCE"]);

    const again = await postSns(message);
    expect(await again.json()).toEqual({ recorded: 0, duplicates: 1, skipped: 0 });
    expect(await inboundRows(person.contactId)).toHaveLength(1);
  });

  it("refuses with 401 a bounce signed by another key, changed after signing, or not signed at all, and changes nothing", async () => {
    const person = await sentDelivery();
    const bounce = sesBounce({ source: person.returnPath, messageId: person.messageId }, { bouncedRecipients: [{ emailAddress: person.email, status: "5.1.1" }] });
    const before = await inboundCount();
    await expectRefused(await postSns(sesNotification(stranger, bounce)), 401, "signature");
    const signed = sesNotification(sns, sesBounce({ source: "john@example.com" }));
    await expectRefused(await postSns({ ...signed, Message: JSON.stringify(bounce) }), 401, "signature");
    await expectRefused(await post("ses", JSON.stringify(bounce)), 401, "signature");
    await expectRefused(await post("ses", "not json at all"), 401, "signature");
    expect(await inboundCount()).toBe(before);
    expect(await suppressions(person.contactId)).toEqual([]);
  });

  it("refuses with 403 a message SNS signed for a topic not configured here, and changes nothing", async () => {
    const person = await sentDelivery();
    const foreign = sesNotification(sns, sesBounce({ source: person.returnPath }, { bouncedRecipients: [{ emailAddress: person.email }] }), {
      TopicArn: "arn:aws:sns:us-west-2:999999999999:someone-elses-topic",
    });
    await expectRefused(await postSns(foreign), 403, "TopicArn");
    expect(await inboundRows(person.contactId)).toEqual([]);
  });

  it("records a complaint named by Message-ID alone as the unit's opt-out with the campaign, and a not-spam report as nothing", async () => {
    const complainer = await sentDelivery();
    const response = await postSns(sesNotification(sns, sesComplaint({ messageId: complainer.messageId }, { complainedRecipients: [{ emailAddress: complainer.email }] })));
    expect(await response.json()).toEqual({ recorded: 1, duplicates: 0, skipped: 0 });
    expect((await inboundRows(complainer.contactId)).map((r) => [r.kind, r.deliveryId])).toEqual([["COMPLAINT", complainer.deliveryId]]);
    expect(await consentSources(complainer.contactId)).toEqual([{ source: "COMPLAINT", campaignId }]);

    const content = await sentDelivery();
    await postSns(sesNotification(sns, sesComplaint({ messageId: content.messageId }, { complainedRecipients: [{ emailAddress: content.email }], complaintFeedbackType: "not-spam" })));
    expect((await inboundRows(content.contactId)).map((r) => r.kind)).toEqual(["IGNORED"]);
    expect(await consentSources(content.contactId)).toEqual([]);
  });

  it("records a Transient bounce as soft: counted, no suppression yet", async () => {
    const person = await sentDelivery();
    const bounce = sesBounce({ source: person.returnPath }, { bounceType: "Transient", bounceSubType: "MailboxFull", bouncedRecipients: [{ emailAddress: person.email, status: "4.2.2" }] });
    expect((await postSns(sesNotification(sns, bounce))).status).toBe(200);
    expect((await inboundRows(person.contactId)).map((r) => r.kind)).toEqual(["SOFT_BOUNCE"]);
    expect(await suppressions(person.contactId)).toEqual([]);
  });

  it("answers 400 to a signed notification that is not an SES notification, and stores nothing", async () => {
    const before = await inboundCount();
    await expectRefused(await postSns(sesNotification(sns, {}, { Message: "Hello world!" })), 400, "body");
    expect(await inboundCount()).toBe(before);
  });

  it("takes an unsubscribe confirmation without acting, and refuses a subscription to a topic not configured here", async () => {
    const confirmation = {
      MessageId: crypto.randomUUID(),
      Token: "2336412f37fb687f5d51e6e241d09c805a5a57b30d712f794cc5f6a988666d92",
      Message: "You have chosen to deactivate subscription.",
      SubscribeURL: `https://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${SNS_TOPIC_ARN}&Token=2336412f`,
      Timestamp: new Date().toISOString(),
    };
    const unsubscribed = await postSns(sns.sign({ ...confirmation, Type: "UnsubscribeConfirmation", TopicArn: SNS_TOPIC_ARN }));
    expect(unsubscribed.status).toBe(200);
    await expectRefused(await postSns(sns.sign({ ...confirmation, Type: "SubscriptionConfirmation", TopicArn: "arn:aws:sns:us-west-2:999999999999:other" })), 403, "TopicArn");
  });
});

describe("POST /api/v1/events/sendgrid", () => {
  const sgEvent = (person: { email: string; messageId: string }, fields: Record<string, unknown>) => ({
    email: person.email,
    timestamp: Math.floor(Date.now() / 1000),
    "smtp-id": person.messageId,
    category: "cat facts",
    sg_event_id: crypto.randomBytes(16).toString("base64"),
    sg_message_id: "14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0",
    ...fields,
  });

  it("records a signed batch: the bounce suppresses, the spam report opts out of the unit; processed and open are not stored", async () => {
    const bounced = await sentDelivery();
    const complainer = await sentDelivery();
    const body = JSON.stringify([
      sgEvent(bounced, { event: "processed" }),
      sgEvent(bounced, { event: "bounce", reason: "500 unknown recipient", status: "5.0.0", type: "bounce", bounce_classification: "Invalid Address" }),
      sgEvent(complainer, { event: "delivered", response: "250 OK" }),
      sgEvent(complainer, { event: "open", useragent: "Mozilla/4.0", ip: "255.255.255.255" }),
      sgEvent(complainer, { event: "spamreport" }),
    ]);
    const response = await post("sendgrid", body, sendgrid.headers(body));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ recorded: 3, duplicates: 0, skipped: 2 });
    expect((await inboundRows(bounced.contactId)).map((r) => [r.kind, r.via, r.deliveryId])).toEqual([["HARD_BOUNCE", "SENDGRID", bounced.deliveryId]]);
    expect(await suppressions(bounced.contactId)).toEqual(["HARD_BOUNCE"]);
    expect((await inboundRows(complainer.contactId)).map((r) => r.kind)).toEqual(["DELIVERED", "COMPLAINT"]);
    expect(await consentSources(complainer.contactId)).toEqual([{ source: "COMPLAINT", campaignId }]);

    const again = await post("sendgrid", body, sendgrid.headers(body));
    expect(await again.json()).toEqual({ recorded: 0, duplicates: 3, skipped: 2 });
  });

  it("records a bounce with a 4.x status as soft", async () => {
    const person = await sentDelivery();
    const body = JSON.stringify([sgEvent(person, { event: "bounce", reason: "452 4.2.2 mailbox full", status: "4.2.2", type: "bounce" })]);
    expect((await post("sendgrid", body, sendgrid.headers(body))).status).toBe(200);
    expect((await inboundRows(person.contactId)).map((r) => r.kind)).toEqual(["SOFT_BOUNCE"]);
    expect(await suppressions(person.contactId)).toEqual([]);
  });

  it("refuses with 401 a post unsigned, signed by another key, changed after signing, or signed eleven minutes ago, and changes nothing", async () => {
    const person = await sentDelivery();
    const body = JSON.stringify([sgEvent(person, { event: "bounce", reason: "500 unknown recipient", status: "5.0.0", type: "bounce" })]);
    const before = await inboundCount();
    await expectRefused(await post("sendgrid", body), 401, "signature");
    await expectRefused(await post("sendgrid", body, sendGridSigner().headers(body)), 401, "signature");
    await expectRefused(await post("sendgrid", body.replace('"bounce"', '"delivered"'), sendgrid.headers(body)), 401, "signature");
    await expectRefused(await post("sendgrid", body, sendgrid.headers(body, Math.floor(Date.now() / 1000) - 660)), 401, "signature");
    expect(await inboundCount()).toBe(before);
    expect(await suppressions(person.contactId)).toEqual([]);
  });

  it("answers 400 to a signed body that is not a JSON array of events", async () => {
    const body = '{"event":"bounce"}';
    await expectRefused(await post("sendgrid", body, sendgrid.headers(body)), 400, "body");
  });
});

describe("the events address", () => {
  it("answers 404 for a provider it does not know, 405 to GET, and 413 to a body over 1 MB", async () => {
    await expectRefused(await post("mailgun", "[]"), 404, "provider");
    const get = await fetch(`${app.url}/api/v1/events/ses`);
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST");
    const huge = await post("sendgrid", JSON.stringify([{ event: "open", padding: "x".repeat(1024 * 1024) }]));
    expect(huge.status).toBe(413);
  });
});
