import { readOwnAddress } from "./addresses.server.ts";
import type { InboundRecipient, ReceivedMessage } from "./inbound-server.server.ts";
import { recordFeedbackBatch, type RecordedFeedback } from "./record.server.ts";
import { readReport, type ReadReport } from "./reports.server.ts";
import type { FeedbackSignal, MailRef } from "./signals.ts";

// What the inbound server does with a message it accepted: one signal per recipient, recorded
// through the feedback core. Whatever the message is, it is stored; only a failure to store
// reaches the sender (as "try again later"). Messages read while a batch is being written wait
// and go into the next batch together (ADR 032); each answer still waits for its own message.

/** Records the message for each of its recipients; returns one line for the log. Throws when it cannot be stored. */
export async function recordInboundMessage(message: ReceivedMessage): Promise<string> {
  let report: Promise<ReadReport> | undefined;
  const signals: FeedbackSignal[] = [];
  for (const recipient of message.recipients) {
    const signal = recipient.own.kind === "unsubscribe" || recipient.own.kind === "postmaster"
      ? signalWithoutReading(recipient)
      : signalFromReport(recipient, await (report ??= readSafely(message.raw)));
    signals.push({
      ...signal,
      via: "SMTP",
      mailFrom: message.mailFrom || undefined,
      rcptTo: recipient.address,
      raw: message.raw.toString("utf8"),
      receivedAt: message.receivedAt,
    });
  }
  const recorded = await recordTogether(signals);
  return signals.map((signal, i) => `${signal.kind} #${recorded[i].id}: ${recorded[i].effect}`).join("; ");
}

type Waiting = { signals: FeedbackSignal[]; resolve: (recorded: RecordedFeedback[]) => void; reject: (error: unknown) => void };

// Bounds one transaction (and SQLite's bound-parameter count) under a burst.
const MAX_BATCH_SIGNALS = 256;
let waiting: Waiting[] = [];
let writing = false;

/** One message's signals, written in the next batch with whatever else is waiting; all of a message's signals go in one transaction. */
function recordTogether(signals: FeedbackSignal[]): Promise<RecordedFeedback[]> {
  return new Promise((resolve, reject) => {
    waiting.push({ signals, resolve, reject });
    if (!writing) void writeWaiting();
  });
}

async function writeWaiting(): Promise<void> {
  writing = true;
  try {
    // Whatever else arrives in this event-loop turn joins the first batch.
    await new Promise((resolve) => setImmediate(resolve));
    while (waiting.length > 0) {
      let count = 0;
      let take = 0;
      while (take < waiting.length && (take === 0 || count + waiting[take].signals.length <= MAX_BATCH_SIGNALS)) count += waiting[take++].signals.length;
      const batch = waiting.slice(0, take);
      waiting = waiting.slice(take);
      try {
        const recorded = await recordFeedbackBatch(batch.flatMap((item) => item.signals));
        let at = 0;
        for (const item of batch) item.resolve(recorded.slice(at, (at += item.signals.length)));
      } catch (error) {
        // One message that cannot be stored must not fail the others: each goes on its own.
        if (batch.length === 1) batch[0].reject(error);
        else for (const item of batch) await recordFeedbackBatch(item.signals).then(item.resolve, item.reject);
      }
    }
  } finally {
    writing = false;
  }
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
