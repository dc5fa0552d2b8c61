import { readOwnAddress } from "../addresses.server.ts";
import type { FeedbackKind, FeedbackSignal, MailRef } from "../signals.ts";
import { diagnosticLine, enhancedStatus, messageIdOf, timeOf } from "./event-fields.ts";

// Amazon SES bounce, complaint and delivery notifications (the Message of an SNS notification),
// read as feedback signals: one per recipient the notification names.

type Fields = Record<string, unknown>;

const isObject = (value: unknown): value is Fields => typeof value === "object" && value !== null && !Array.isArray(value);
const text = (value: unknown): string | undefined => (typeof value === "string" && value ? value : undefined);

export type SesReading = { signals: FeedbackSignal[]; skipped: number };

/**
 * The signals of one SES notification; null when the message is not one. `snsMessageId` names
 * the SNS delivery: with the recipient's place it is each signal's external id, so a notification
 * SNS posts again is recorded once. Other SES event kinds (Send, Open, DeliveryDelay, the test
 * message sent when a topic is set up) are skipped, not stored.
 */
export function sesSignals(snsMessageId: string, message: string): SesReading | null {
  let notification: unknown;
  try {
    notification = JSON.parse(message);
  } catch {
    return null;
  }
  if (!isObject(notification)) return null;
  // Feedback notifications name their kind notificationType; event publishing names it eventType.
  const type = text(notification.notificationType) ?? text(notification.eventType);
  if (!type) return null;
  if (type !== "Bounce" && type !== "Complaint" && type !== "Delivery") return { signals: [], skipped: 1 };
  const mail = notification.mail;
  if (!isObject(mail)) return null;

  const common = {
    via: "SES" as const,
    ref: ourReturnPath(mail.source),
    messageId: originalMessageId(mail),
    mailFrom: text(mail.source),
    raw: message,
  };
  const signal = (index: number, kind: FeedbackKind, fields: Partial<FeedbackSignal>): FeedbackSignal => ({
    kind,
    ...common,
    ...fields,
    externalId: `${snsMessageId}:${index}`,
  });

  if (type === "Bounce") {
    const bounce = notification.bounce;
    if (!isObject(bounce) || !Array.isArray(bounce.bouncedRecipients)) return null;
    return {
      skipped: 0,
      signals: bounce.bouncedRecipients.filter(isObject).map((recipient, index) => {
        const status = enhancedStatus(recipient.status);
        return signal(index, bounceKind(text(bounce.bounceType), text(bounce.bounceSubType), status), {
          recipient: text(recipient.emailAddress),
          status,
          diagnostic: diagnosticLine(recipient.diagnosticCode) ?? diagnosticLine(`SES ${bounce.bounceType} bounce (${bounce.bounceSubType})`),
          receivedAt: timeOf(bounce.timestamp),
        });
      }),
    };
  }

  if (type === "Complaint") {
    const complaint = notification.complaint;
    if (!isObject(complaint) || !Array.isArray(complaint.complainedRecipients)) return null;
    const feedbackType = text(complaint.complaintFeedbackType);
    const kind = complaintKind(feedbackType, text(complaint.complaintSubType));
    const diagnostic =
      kind === "COMPLAINT"
        ? diagnosticLine(`Complaint${feedbackType ? ` (${feedbackType})` : ""}${text(complaint.userAgent) ? ` from ${complaint.userAgent}` : ""}`)
        : complaint.complaintSubType === "OnAccountSuppressionList"
          ? "SES did not send: the address is on the account's suppression list after an earlier complaint"
          : diagnosticLine(`Feedback report of type ${feedbackType}: not a complaint`);
    return {
      skipped: 0,
      signals: complaint.complainedRecipients
        .filter(isObject)
        .map((recipient, index) => signal(index, kind, { recipient: text(recipient.emailAddress), diagnostic, receivedAt: timeOf(complaint.timestamp) })),
    };
  }

  const delivery = notification.delivery;
  if (!isObject(delivery) || !Array.isArray(delivery.recipients)) return null;
  return {
    skipped: 0,
    signals: delivery.recipients
      .filter((r): r is string => typeof r === "string")
      .map((recipient, index) => signal(index, "DELIVERED", { recipient, diagnostic: diagnosticLine(delivery.smtpResponse), receivedAt: timeOf(delivery.timestamp) })),
  };
}

/**
 * Permanent bounces are hard, except policy refusals (5.7.x), which are the sender's, not the
 * address's; SES's own suppression lists are hard. Transient and undetermined bounces are soft,
 * except content and attachment refusals, which are policy.
 */
export function bounceKind(bounceType: string | undefined, subType: string | undefined, status: string | undefined): FeedbackKind {
  if (subType === "Suppressed" || subType === "OnAccountSuppressionList") return "HARD_BOUNCE";
  if (status?.startsWith("5.7.") || subType === "ContentRejected" || subType === "AttachmentRejected") return "POLICY_BOUNCE";
  return bounceType === "Permanent" ? "HARD_BOUNCE" : "SOFT_BOUNCE";
}

/**
 * A complaint opts the person out, unless the report says the message was not spam, or SES
 * refused to send because the address complained before (perhaps about another unit's mail).
 */
export function complaintKind(feedbackType: string | undefined, subType: string | undefined): FeedbackKind {
  if (feedbackType === "not-spam" || subType === "OnAccountSuppressionList") return "IGNORED";
  return "COMPLAINT";
}

/** The delivery our signed envelope sender names, when SES reports that we sent from one. */
function ourReturnPath(source: unknown): MailRef | undefined {
  const address = text(source) && readOwnAddress(source as string);
  return address && address.kind === "bounce" ? address.ref : undefined;
}

function originalMessageId(mail: Fields): string | undefined {
  const common = isObject(mail.commonHeaders) ? messageIdOf(mail.commonHeaders.messageId) : undefined;
  if (common) return common;
  const headers = Array.isArray(mail.headers) ? mail.headers.filter(isObject) : [];
  return messageIdOf(headers.find((h) => typeof h.name === "string" && h.name.toLowerCase() === "message-id")?.value);
}
