import type { SmtpRefusal } from "~/domain/mail/outgoing-mail.server.ts";
import type { FeedbackSignal, MailRef } from "./signals.ts";
import { classifyStatus } from "./status-codes.ts";

// A permanent refusal while sending (a 5xx answer to RCPT TO, or to the message after DATA) is
// what the bounce would have said had a relay accepted the message first: it becomes the same
// feedback signal, via SEND_TIME, classified by the same rules as a DSN's status.

// A refusal of MAIL FROM (or of our login) is about our sender, not the recipient's address.
const ABOUT_THE_MESSAGE = new Set(["RCPT TO", "DATA"]);
// An enhanced status code (RFC 3463) right after the basic one: "550 5.1.1 ...", "550-5.1.1 ...".
const ENHANCED_STATUS = /^[45][0-9]{2}[ -]([45]\.[0-9]{1,3}\.[0-9]{1,3})\b/;

/** The feedback a refusal means for this message, or null when it says nothing about the recipient (temporary, or not about the message). */
export function sendTimeSignal(refusal: SmtpRefusal, about: { ref: MailRef; recipient: string; mailFrom?: string }): FeedbackSignal | null {
  if (refusal.code < 500 || refusal.code > 599 || !ABOUT_THE_MESSAGE.has(refusal.command)) return null;
  const reply = refusal.response.replace(/\s+/g, " ").trim();
  const status = ENHANCED_STATUS.exec(reply)?.[1];
  // As a DSN's Diagnostic-Code would quote the remote server.
  const diagnostic = `smtp; ${reply}`;
  return {
    kind: classifyStatus(status, diagnostic),
    via: "SEND_TIME",
    ref: about.ref,
    recipient: about.recipient,
    rcptTo: about.recipient,
    ...(about.mailFrom ? { mailFrom: about.mailFrom } : {}),
    ...(status ? { status } : {}),
    diagnostic,
  };
}
