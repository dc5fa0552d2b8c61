import { getEnv } from "~/utils/env.server.ts";
import { recordFeedback } from "../record.server.ts";
import type { FeedbackSignal } from "../signals.ts";
import { sendGridSignals, SIGNATURE_HEADER, TIMESTAMP_HEADER, verifySendGridPost } from "./sendgrid.server.ts";
import { sesSignals } from "./ses.server.ts";
import { isSnsUrl, readSnsMessage, signingCertificates, verifySnsMessage, type SigningCertificates } from "./sns-signature.server.ts";

// A provider's post of events: checked to be the provider's own (signature, topic, age) before
// anything is read from it, then each event recorded with the same effects as returned mail.

export type ProviderPost = { body: Uint8Array; header(name: string): string | null };

export type ProviderAnswer =
  | { outcome: "unknown-provider"; message: string }
  | { outcome: "not-configured"; message: string }
  /** Unsigned, badly signed, or signed too long ago: nothing was read or changed. */
  | { outcome: "unsigned"; message: string }
  /** Signed by SNS, but for a topic not configured here. */
  | { outcome: "foreign-topic"; message: string }
  /** Signed, but not the provider's events. */
  | { outcome: "unreadable"; message: string }
  /** The signature could not be checked now (SNS's certificate did not download): try again later. */
  | { outcome: "unavailable"; message: string }
  | { outcome: "subscription-confirmed"; message: string }
  | { outcome: "confirmation-failed"; message: string }
  | { outcome: "ignored"; message: string }
  | { outcome: "received"; recorded: number; duplicates: number; skipped: number };

export type ReceiveDeps = {
  settings: { sesTopicArns: string[]; sendGridKey?: string };
  certificates: SigningCertificates;
  /** Visits an SNS SubscribeURL (already checked to be on an SNS host). */
  confirmSubscription(url: string): Promise<void>;
  record(signal: FeedbackSignal): Promise<{ duplicate: boolean }>;
  now(): Date;
};

let sharedCertificates: SigningCertificates | undefined;

function defaultDeps(): ReceiveDeps {
  const env = getEnv();
  sharedCertificates ??= signingCertificates({ pinnedDir: env.SES_SNS_CERTIFICATE_DIR });
  return {
    settings: { sesTopicArns: env.SES_SNS_TOPIC_ARNS, sendGridKey: env.SENDGRID_WEBHOOK_PUBLIC_KEY },
    certificates: sharedCertificates,
    confirmSubscription: visitSubscribeUrl,
    record: recordFeedback,
    now: () => new Date(),
  };
}

export const PROVIDERS = ["ses", "sendgrid"] as const;

/** Checks and records one post to /api/v1/events/<provider>. */
export async function receiveProviderEvents(provider: string, post: ProviderPost, deps: Partial<ReceiveDeps> = {}): Promise<ProviderAnswer> {
  if (provider === "ses") return receiveSes(post, { ...defaultDeps(), ...deps });
  if (provider === "sendgrid") return receiveSendGrid(post, { ...defaultDeps(), ...deps });
  return { outcome: "unknown-provider", message: `There is no provider "${provider}". Events are taken from: ${PROVIDERS.join(", ")}.` };
}

const utf8 = (body: Uint8Array) => new TextDecoder().decode(body);

async function receiveSes(post: ProviderPost, deps: ReceiveDeps): Promise<ProviderAnswer> {
  const topics = deps.settings.sesTopicArns;
  if (topics.length === 0) {
    return { outcome: "not-configured", message: "Amazon SES events are not set up on this server: list the SNS topics in SES_SNS_TOPIC_ARNS." };
  }
  const message = readSnsMessage(utf8(post.body));
  if (!message) return { outcome: "unsigned", message: "The body is not a signed Amazon SNS message." };
  // Anyone can have SNS sign messages of their own topic: only the topics configured here count.
  if (!topics.includes(message.TopicArn)) {
    return { outcome: "foreign-topic", message: `The topic ${message.TopicArn} is not one of SES_SNS_TOPIC_ARNS.` };
  }
  const verdict = await verifySnsMessage(message, deps.certificates);
  if (!verdict.ok) {
    return verdict.reason === "certificate-unavailable" ? { outcome: "unavailable", message: verdict.detail } : { outcome: "unsigned", message: verdict.detail };
  }
  if (message.Type === "UnsubscribeConfirmation") return { outcome: "ignored", message: "Unsubscribe confirmations change nothing here." };
  if (message.Type === "SubscriptionConfirmation") {
    const url = message.SubscribeURL!;
    if (!isSnsUrl(url)) return { outcome: "unreadable", message: "The SubscribeURL is not an https URL on an sns.<region>.amazonaws.com host." };
    try {
      await deps.confirmSubscription(url);
    } catch (error) {
      return { outcome: "confirmation-failed", message: `The subscription to ${message.TopicArn} could not be confirmed: ${(error as Error).message}` };
    }
    return { outcome: "subscription-confirmed", message: `Subscribed to ${message.TopicArn}.` };
  }
  const reading = sesSignals(message.MessageId, message.Message);
  if (!reading) return { outcome: "unreadable", message: "The notification's Message is not an Amazon SES notification." };
  return record(reading.signals, reading.skipped, deps);
}

async function receiveSendGrid(post: ProviderPost, deps: ReceiveDeps): Promise<ProviderAnswer> {
  const key = deps.settings.sendGridKey;
  if (!key) {
    return { outcome: "not-configured", message: "SendGrid events are not set up on this server: set SENDGRID_WEBHOOK_PUBLIC_KEY to the Event Webhook's verification key." };
  }
  const verdict = verifySendGridPost(key, post.body, { signature: post.header(SIGNATURE_HEADER), timestamp: post.header(TIMESTAMP_HEADER) }, deps.now());
  if (!verdict.ok) return { outcome: "unsigned", message: verdict.detail };
  const reading = sendGridSignals(utf8(post.body));
  if (!reading) return { outcome: "unreadable", message: "The body is not SendGrid's JSON array of events." };
  return record(reading.signals, reading.skipped, deps);
}

async function record(signals: FeedbackSignal[], skipped: number, deps: ReceiveDeps): Promise<ProviderAnswer> {
  let duplicates = 0;
  // One at a time, in the provider's order: a delivery then its bounce keep their sequence.
  for (const signal of signals) if ((await deps.record(signal)).duplicate) duplicates++;
  return { outcome: "received", recorded: signals.length - duplicates, duplicates, skipped };
}

const CONFIRM_TIMEOUT_MS = 10_000;

/** Confirms an SNS subscription by visiting its SubscribeURL, as SNS asks. */
async function visitSubscribeUrl(url: string): Promise<void> {
  const response = await fetch(url, { redirect: "error", signal: AbortSignal.timeout(CONFIRM_TIMEOUT_MS) });
  if (response.status !== 200) throw new Error(`SNS answered ${response.status}`);
}
