import crypto from "node:crypto";
import eventWebhook from "@sendgrid/eventwebhook";
import type { FeedbackKind, FeedbackSignal } from "../signals.ts";
import { diagnosticLine, enhancedStatus, messageIdOf, timeOf } from "./event-fields.ts";
import { classifyStatus } from "../status-codes.ts";

// SendGrid's signed Event Webhook: an ECDSA (P-256) signature over the timestamp header followed
// by the raw body, checked with SendGrid's own library, then each event read as a feedback signal.

export const SIGNATURE_HEADER = eventWebhook.EventWebhookHeader.SIGNATURE();
export const TIMESTAMP_HEADER = eventWebhook.EventWebhookHeader.TIMESTAMP();

/** A signed post older (or further ahead) than this is refused: a captured post cannot be replayed later. */
export const SENDGRID_MAX_AGE_SECONDS = 600;

const verifier = new eventWebhook.EventWebhook();
const keys = new Map<string, ReturnType<typeof verifier.convertPublicKeyToECDSA>>();

function publicKey(base64: string) {
  let key = keys.get(base64);
  if (!key) {
    key = verifier.convertPublicKeyToECDSA(base64);
    keys.set(base64, key);
  }
  return key;
}

export type SendGridVerdict = { ok: true } | { ok: false; reason: "unsigned" | "signature" | "stale"; detail: string };

/** Checks a post's signature headers against the webhook's verification key (base64 DER, as SendGrid shows it). */
export function verifySendGridPost(
  verificationKey: string,
  body: Uint8Array,
  headers: { signature: string | null; timestamp: string | null },
  now: Date = new Date(),
): SendGridVerdict {
  const { signature, timestamp } = headers;
  if (!signature || !timestamp) {
    return { ok: false, reason: "unsigned", detail: `Signed posts carry ${SIGNATURE_HEADER} and ${TIMESTAMP_HEADER}.` };
  }
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: "signature", detail: `${TIMESTAMP_HEADER} is not a time in seconds.` };
  let valid: boolean;
  try {
    valid = verifier.verifySignature(publicKey(verificationKey), Buffer.from(body), signature, timestamp);
  } catch {
    valid = false; // a signature that is not base64 DER
  }
  if (!valid) return { ok: false, reason: "signature", detail: "The signature does not match the body and timestamp." };
  const age = Math.abs(now.getTime() / 1000 - Number(timestamp));
  if (age > SENDGRID_MAX_AGE_SECONDS) {
    return { ok: false, reason: "stale", detail: `The post was signed ${Math.round(age)} s from now; at most ${SENDGRID_MAX_AGE_SECONDS} s are accepted.` };
  }
  return { ok: true };
}

type SendGridEvent = Record<string, unknown> & { event: string };

export type SendGridReading = { signals: FeedbackSignal[]; skipped: number };

/**
 * The events of one post as feedback signals; null when the body is not a JSON array. Engagement
 * and progress events (processed, deferred, open, click, group_resubscribe, and any new kind) are
 * skipped, not stored (ADR 026).
 */
export function sendGridSignals(body: string): SendGridReading | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return null;
  }
  if (!Array.isArray(parsed)) return null;
  const signals: FeedbackSignal[] = [];
  for (const item of parsed as unknown[]) {
    // One odd element does not hold up the rest of the batch (SendGrid would post it all again).
    if (typeof item !== "object" || item === null || typeof (item as SendGridEvent).event !== "string") continue;
    const event = item as SendGridEvent;
    const read = kindOf(event);
    if (!read) continue;
    signals.push({
      kind: read.kind,
      via: "SENDGRID",
      messageId: messageIdOf(event["smtp-id"]),
      recipient: typeof event.email === "string" ? event.email : undefined,
      status: enhancedStatus(event.status),
      diagnostic: read.diagnostic ?? diagnosticLine(event.reason ?? event.response),
      raw: JSON.stringify(event),
      externalId: typeof event.sg_event_id === "string" && event.sg_event_id ? event.sg_event_id : `sha256:${crypto.createHash("sha256").update(JSON.stringify(event)).digest("hex")}`,
      receivedAt: typeof event.timestamp === "number" ? timeOf(event.timestamp * 1000) : undefined,
    });
  }
  return { signals, skipped: parsed.length - signals.length };
}

// SendGrid's bounce classifications (Event Webhook "bounce_classification"): whose fault it is.
const CLASSIFIED = new Map<unknown, FeedbackKind>([
  ["Invalid Address", "HARD_BOUNCE"],
  ["Mailbox Unavailable", "SOFT_BOUNCE"],
  ["Technical Failure", "SOFT_BOUNCE"],
  ["Reputation", "POLICY_BOUNCE"],
  ["Content", "POLICY_BOUNCE"],
  ["Frequency or Volume Too High", "POLICY_BOUNCE"],
]);

function kindOf(event: SendGridEvent): { kind: FeedbackKind; diagnostic?: string } | null {
  switch (event.event) {
    case "bounce":
      return { kind: bounceKind(event) };
    case "dropped": {
      // SendGrid did not try: the address is on one of its lists. Only a bounced or invalid
      // address says something about the address itself; its unsubscribe and spam-report lists
      // span every unit that sends through the account, so they change nothing here.
      const reason = typeof event.reason === "string" ? event.reason : "";
      const kind = reason === "Bounced Address" || reason === "Invalid" ? "HARD_BOUNCE" : "IGNORED";
      return { kind, diagnostic: diagnosticLine(`SendGrid dropped the message: ${reason || "no reason given"}`) };
    }
    case "spamreport":
      return { kind: "COMPLAINT" };
    case "unsubscribe":
    case "group_unsubscribe":
      return { kind: "UNSUBSCRIBE" };
    case "delivered":
      return { kind: "DELIVERED" };
    default:
      return null;
  }
}

function bounceKind(event: SendGridEvent): FeedbackKind {
  const classified = CLASSIFIED.get(event.bounce_classification);
  if (classified) return classified;
  // "blocked": the receiving server refused the sender or the message, not the address.
  if (event.type === "blocked") return "POLICY_BOUNCE";
  // Otherwise the same rules as a bounce that comes back by mail (a 5.2.2 is a full mailbox
  // from either); a bounce with no status at all is SendGrid's "permanently refused".
  const status = enhancedStatus(event.status);
  return status ? classifyStatus(status, typeof event.reason === "string" ? event.reason : undefined) : "HARD_BOUNCE";
}
