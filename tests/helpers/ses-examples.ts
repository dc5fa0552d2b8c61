// Amazon SES notifications shaped as AWS's "Amazon SNS notification examples for Amazon SES"
// shows them (bounce with a DSN, complaint with a feedback report, delivery), with the sender,
// Message-ID and recipients a test chooses.

export type SesMailFacts = { source?: string; messageId?: string; destination?: string[] };

export function sesMail({ source = "john@example.com", messageId = "custom-message-ID", destination = ["jane@example.com", "mary@example.com", "richard@example.com"] }: SesMailFacts = {}) {
  return {
    timestamp: "2016-01-27T14:59:38.237Z",
    source,
    sourceArn: "arn:aws:ses:us-east-1:888888888888:identity/example.com",
    sourceIp: "127.0.3.0",
    sendingAccountId: "123456789012",
    callerIdentity: "IAM_user_or_role_name",
    messageId: "00000138111222aa-33322211-cccc-cccc-cccc-ddddaaaa0680-000000",
    destination,
    headersTruncated: false,
    headers: [
      { name: "From", value: '"John Doe" <john@example.com>' },
      { name: "To", value: destination.join(", ") },
      { name: "Message-ID", value: messageId },
      { name: "Subject", value: "Hello" },
      { name: "Content-Type", value: 'text/plain; charset="UTF-8"' },
      { name: "Content-Transfer-Encoding", value: "base64" },
      { name: "Date", value: "Wed, 27 Jan 2016 14:05:45 +0000" },
    ],
    commonHeaders: {
      from: ["John Doe <john@example.com>"],
      date: "Wed, 27 Jan 2016 14:05:45 +0000",
      to: destination,
      messageId,
      subject: "Hello",
    },
  };
}

export type SesBouncedRecipient = { emailAddress: string; status?: string; action?: string; diagnosticCode?: string };

export function sesBounce(
  mail: SesMailFacts,
  bounce: { bounceType?: string; bounceSubType?: string; bouncedRecipients?: SesBouncedRecipient[] } = {},
) {
  return {
    notificationType: "Bounce",
    bounce: {
      bounceType: "Permanent",
      reportingMTA: "dns; email.example.com",
      bouncedRecipients: [{ emailAddress: "jane@example.com", status: "5.1.1", action: "failed", diagnosticCode: "smtp; 550 5.1.1 <jane@example.com>... User" }],
      bounceSubType: "General",
      timestamp: "2016-01-27T14:59:38.237Z",
      feedbackId: "00000138111222aa-33322211-cccc-cccc-cccc-ddddaaaa068a-000000",
      remoteMtaIp: "127.0.2.0",
      ...bounce,
    },
    mail: sesMail(mail),
  };
}

export function sesComplaint(mail: SesMailFacts, complaint: { complainedRecipients?: { emailAddress: string }[]; complaintFeedbackType?: string; complaintSubType?: string | null } = {}) {
  return {
    notificationType: "Complaint",
    complaint: {
      userAgent: "AnyCompany Feedback Loop (V0.01)",
      complainedRecipients: [{ emailAddress: "richard@example.com" }],
      complaintFeedbackType: "abuse",
      arrivalDate: "2016-01-27T14:59:38.237Z",
      timestamp: "2016-01-27T14:59:38.237Z",
      feedbackId: "000001378603177f-18c07c78-fa81-4a58-9dd1-fedc3cb8f49a-000000",
      ...complaint,
    },
    mail: sesMail(mail),
  };
}

export function sesDelivery(mail: SesMailFacts, recipients = ["jane@example.com"]) {
  return {
    notificationType: "Delivery",
    mail: sesMail(mail),
    delivery: {
      timestamp: "2016-01-27T14:59:38.237Z",
      recipients,
      processingTimeMillis: 546,
      reportingMTA: "a8-70.smtp-out.amazonses.com",
      smtpResponse: "250 ok:  Message 64111812 accepted",
      remoteMtaIp: "127.0.2.0",
    },
  };
}
