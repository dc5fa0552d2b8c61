import { readOwnAddress } from "./addresses.server.ts";
import type { InboundRecipient, ReceivedMessage } from "./inbound-server.server.ts";
import { recordFeedback } from "./record.server.ts";
import { readReport, type ReadReport } from "./reports.server.ts";
import type { FeedbackSignal, MailRef } from "./signals.ts";

// What the inbound server does with a message it accepted: one signal per recipient, recorded
// through the feedback core. Whatever the message is, it is stored; only a failure to store
// reaches the sender (as "try again later").

/** Records the message for each of its recipients; returns one line for the log. Throws when it cannot be stored. */
export async function recordInboundMessage(message: ReceivedMessage): Promise<string> {
  let report: Promise<ReadReport> | undefined;
  const outcomes: string[] = [];
  for (const recipient of message.recipients) {
    const signal = recipient.own.kind === "unsubscribe" || recipient.own.kind === "postmaster"
      ? signalWithoutReading(recipient)
      : signalFromReport(recipient, await (report ??= readSafely(message.raw)));
    const recorded = await recordFeedback({
      ...signal,
      via: "SMTP",
      mailFrom: message.mailFrom || undefined,
      rcptTo: recipient.address,
      raw: message.raw.toString("utf8"),
      receivedAt: message.receivedAt,
    });
    outcomes.push(`${signal.kind} #${recorded.id}: ${recorded.effect}`);
  }
  return outcomes.join("; ");
}

type ReadSignal = Omit<FeedbackSignal, "via">;

/** Mail to a mailto unsubscribe address is a one-click opt-out whatever it says; postmaster's is kept for an admin. */
function signalWithoutReading(recipient: InboundRecipient): ReadSignal {
  if (recipient.own.kind === "unsubscribe") return { kind: "MAILTO_UNSUBSCRIBE", ref: recipient.own.ref };
  return { kind: "IGNORED", diagnostic: "mail to postmaster, kept for an admin to read" };
}

/** A bounce or a feedback-loop address: the content says what it is (a complaint may reach the bounce address). */
function signalFromReport(recipient: InboundRecipient, report: ReadReport): ReadSignal {
  // Our signed return path names the delivery more surely than anything inside the report.
  const rcptRef = recipient.own.kind === "bounce" ? recipient.own.ref : undefined;
  if (report.kind === "UNREADABLE") return { kind: "UNREADABLE", ref: rcptRef, diagnostic: report.why };
  const ref = rcptRef ?? refFromReturnPath(report.original.returnPath);
  const messageId = report.original.messageId;
  switch (report.kind) {
    case "IGNORED":
      return { kind: "IGNORED", ref, messageId, diagnostic: report.why };
    case "COMPLAINT":
      return { kind: "COMPLAINT", ref, messageId, recipient: report.recipient, diagnostic: `feedback type: ${report.feedbackType}` };
    case "DELIVERED":
      return { kind: "DELIVERED", ref, messageId, recipient: report.recipient };
    default:
      return { kind: report.kind, ref, messageId, recipient: report.recipient, status: report.status, diagnostic: report.diagnostic };
  }
}

/** The delivery named by the original message's Return-Path, when it is one of our signed bounce addresses. */
function refFromReturnPath(returnPath: string | undefined): MailRef | undefined {
  const own = returnPath ? readOwnAddress(returnPath) : null;
  return own?.kind === "bounce" ? own.ref : undefined;
}

/** The reader is built not to throw; if it ever does, the message is still stored, as unreadable. */
async function readSafely(raw: Buffer): Promise<ReadReport> {
  try {
    return await readReport(raw);
  } catch (error) {
    return { kind: "UNREADABLE", why: `the report reader failed: ${(error as Error).message}`.slice(0, 300) };
  }
}
