import { describe, expect, it } from "vitest";
import { sesBounce, sesComplaint, sesDelivery, sesMail } from "../../../../tests/helpers/ses-examples.ts";
import { mailtoUnsubscribeFor, returnPathFor } from "../addresses.server.ts";
import { bounceKind, sesSignals } from "./ses.server.ts";

// SES notifications as AWS's examples show them, read as feedback signals.

const SNS_ID = "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324";
const ref = { stream: "campaign" as const, deliveryId: 42 };
const ourSource = returnPathFor(ref, "bounces.example-tax.test");
const read = (notification: object) => sesSignals(SNS_ID, JSON.stringify(notification));

describe("sesSignals", () => {
  it("reads AWS's bounce example: one hard bounce naming our delivery, its Message-ID, recipient, status and diagnostic", () => {
    const notification = sesBounce({ source: ourSource, messageId: "<0102abc@tax.example.test>" });
    expect(read(notification)).toEqual({
      skipped: 0,
      signals: [
        {
          kind: "HARD_BOUNCE",
          via: "SES",
          ref,
          messageId: "<0102abc@tax.example.test>",
          mailFrom: ourSource,
          recipient: "jane@example.com",
          status: "5.1.1",
          diagnostic: "smtp; 550 5.1.1 <jane@example.com>... User",
          raw: JSON.stringify(notification),
          externalId: `${SNS_ID}:0`,
          receivedAt: new Date("2016-01-27T14:59:38.237Z"),
        },
      ],
    });
  });

  it("gives each bounced recipient its own signal and external id", () => {
    const reading = read(
      sesBounce(
        { source: ourSource },
        {
          bounceType: "Transient",
          bounceSubType: "MailboxFull",
          bouncedRecipients: [
            { emailAddress: "jane@example.com", status: "4.2.2", diagnosticCode: "smtp; 452 4.2.2 mailbox full" },
            { emailAddress: "mary@example.com", status: "4.2.2" },
          ],
        },
      ),
    )!;
    expect(reading.signals.map((s) => [s.kind, s.recipient, s.externalId])).toEqual([
      ["SOFT_BOUNCE", "jane@example.com", `${SNS_ID}:0`],
      ["SOFT_BOUNCE", "mary@example.com", `${SNS_ID}:1`],
    ]);
  });

  it("names no delivery when the envelope sender is not ours, or is our unsubscribe address, or its signature is wrong", () => {
    expect(read(sesBounce({ source: "john@example.com" }))!.signals[0].ref).toBeUndefined();
    expect(read(sesBounce({ source: mailtoUnsubscribeFor(ref, "bounces.example-tax.test") }))!.signals[0].ref).toBeUndefined();
    const forged = ourSource.replace(/-[0-9a-f]{20}@/, "-00000000000000000000@");
    expect(read(sesBounce({ source: forged }))!.signals[0].ref).toBeUndefined();
  });

  it("takes the Message-ID from the header list when commonHeaders has none, and keeps only well-formed ones", () => {
    const notification = sesBounce({ source: ourSource, messageId: "<m1@tax.example.test>" });
    const { commonHeaders: _, ...mail } = notification.mail;
    expect(read({ ...notification, mail })!.signals[0].messageId).toBe("<m1@tax.example.test>");
    expect(read(sesBounce({ messageId: "custom-message-ID" }))!.signals[0].messageId).toBeUndefined();
  });

  it.each([
    ["Permanent", "General", "5.1.1", "HARD_BOUNCE"],
    ["Permanent", "NoEmail", "5.1.1", "HARD_BOUNCE"],
    ["Permanent", "Suppressed", undefined, "HARD_BOUNCE"],
    ["Permanent", "OnAccountSuppressionList", undefined, "HARD_BOUNCE"],
    ["Permanent", "General", undefined, "HARD_BOUNCE"],
    ["Permanent", "General", "5.7.1", "POLICY_BOUNCE"],
    ["Transient", "General", "4.4.7", "SOFT_BOUNCE"],
    ["Transient", "MailboxFull", "4.2.2", "SOFT_BOUNCE"],
    ["Transient", "MessageTooLarge", "5.3.4", "SOFT_BOUNCE"],
    ["Transient", "ContentRejected", "5.0.0", "POLICY_BOUNCE"],
    ["Transient", "AttachmentRejected", undefined, "POLICY_BOUNCE"],
    ["Undetermined", "Undetermined", undefined, "SOFT_BOUNCE"],
  ])("reads a %s/%s bounce with status %s as %s", (bounceType, bounceSubType, status, kind) => {
    expect(bounceKind(bounceType, bounceSubType, status)).toBe(kind);
    const recipient = { emailAddress: "jane@example.com", ...(status ? { status } : {}) };
    expect(read(sesBounce({}, { bounceType, bounceSubType, bouncedRecipients: [recipient] }))!.signals[0].kind).toBe(kind);
  });

  it("reads AWS's complaint example as a complaint about its recipient", () => {
    const [signal] = read(sesComplaint({ source: ourSource, messageId: "<c1@tax.example.test>" }))!.signals;
    expect(signal).toMatchObject({
      kind: "COMPLAINT",
      ref,
      messageId: "<c1@tax.example.test>",
      recipient: "richard@example.com",
      diagnostic: "Complaint (abuse) from AnyCompany Feedback Loop (V0.01)",
      externalId: `${SNS_ID}:0`,
    });
  });

  it("reads a complaint without a feedback type as a complaint", () => {
    const notification = sesComplaint({ source: ourSource });
    delete (notification.complaint as { complaintFeedbackType?: string }).complaintFeedbackType;
    expect(read(notification)!.signals[0].kind).toBe("COMPLAINT");
  });

  it("reads a not-spam report, and SES refusing an address that complained before, as ignored", () => {
    expect(read(sesComplaint({ source: ourSource }, { complaintFeedbackType: "not-spam" }))!.signals[0]).toMatchObject({
      kind: "IGNORED",
      diagnostic: "Feedback report of type not-spam: not a complaint",
    });
    expect(read(sesComplaint({ source: ourSource }, { complaintFeedbackType: undefined, complaintSubType: "OnAccountSuppressionList" }))!.signals[0].kind).toBe("IGNORED");
  });

  it("reads AWS's delivery example as one delivery per recipient", () => {
    const reading = read(sesDelivery({ source: ourSource }, ["jane@example.com", "mary@example.com"]))!;
    expect(reading.signals.map((s) => [s.kind, s.recipient, s.diagnostic, s.externalId])).toEqual([
      ["DELIVERED", "jane@example.com", "250 ok: Message 64111812 accepted", `${SNS_ID}:0`],
      ["DELIVERED", "mary@example.com", "250 ok: Message 64111812 accepted", `${SNS_ID}:1`],
    ]);
  });

  it("reads event publishing's eventType like notificationType", () => {
    const { notificationType: _, ...rest } = sesBounce({ source: ourSource });
    expect(read({ eventType: "Bounce", ...rest })!.signals[0].kind).toBe("HARD_BOUNCE");
  });

  it("skips other SES messages, such as the one sent when a topic is set up, or a delivery delay", () => {
    expect(read({ notificationType: "AmazonSnsSubscriptionSucceeded", message: "You have successfully subscribed your Amazon SNS topic" })).toEqual({ signals: [], skipped: 1 });
    expect(read({ eventType: "DeliveryDelay", mail: sesMail(), deliveryDelay: { delayType: "MailboxFull" } })).toEqual({ signals: [], skipped: 1 });
  });

  it("returns null for a message that is not an SES notification", () => {
    for (const message of ["Hello world!", "[]", "{}", '{"notificationType":"Bounce"}', JSON.stringify({ notificationType: "Bounce", mail: sesMail(), bounce: {} })]) {
      expect(sesSignals(SNS_ID, message)).toBeNull();
    }
  });
});
