// What comes back from mail, as one shape whichever way it came (the inbound SMTP server, a
// 5xx answer while sending, a provider's webhook): record.server.ts turns each into its effect.

/** The message a returned report is about: a campaign's Delivery, or a TransactionalMessage. */
export type MailRef = { stream: "campaign"; deliveryId: number } | { stream: "transactional"; messageId: number };

export type FeedbackKind =
  | "HARD_BOUNCE"
  | "SOFT_BOUNCE"
  | "POLICY_BOUNCE"
  | "COMPLAINT"
  | "MAILTO_UNSUBSCRIBE"
  /** A provider's own unsubscribe event. */
  | "UNSUBSCRIBE"
  | "DELIVERED"
  | "UNREADABLE"
  | "IGNORED";

export type FeedbackVia = "SMTP" | "SEND_TIME" | "SES" | "SENDGRID";

export type FeedbackSignal = {
  kind: FeedbackKind;
  via: FeedbackVia;
  /** The message it is about, from one of our signed addresses (already verified); the strongest name. */
  ref?: MailRef;
  /** The original's Message-ID, with angle brackets, when the report carries it. */
  messageId?: string;
  /** The address the report is about (Final-Recipient, Original-Rcpt-To, the provider's email). */
  recipient?: string;
  /** Enhanced status code, e.g. "5.1.1". */
  status?: string;
  /** One line, e.g. "smtp; 550 5.1.1 user unknown". */
  diagnostic?: string;
  mailFrom?: string;
  rcptTo?: string;
  /** The whole message (SMTP) or the provider's JSON, kept for admins. */
  raw?: string;
  /** The provider's event id: the same event delivered twice is recorded once. */
  externalId?: string;
  receivedAt?: Date;
};
