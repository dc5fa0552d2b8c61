import { beforeAll, describe, expect, it } from "vitest";
import { db } from "~/utils/db.server.ts";
import { SNS_TOPIC_ARN, sendGridSigner, sesNotification, snsSigner, type SnsSigner } from "../../../../tests/helpers/provider-signers.ts";
import { sesDelivery } from "../../../../tests/helpers/ses-examples.ts";
import { receiveProviderEvents, type ReceiveDeps } from "./receive.server.ts";
import { CertificateUnavailableError, signingCertificates } from "./sns-signature.server.ts";

// What a provider's post gets before anything is recorded: the provider set up or not, SNS
// subscriptions confirmed only when signed and for a configured topic, and a certificate that
// cannot be fetched now answered with "try again".

let sns: SnsSigner;
let stranger: SnsSigner;
beforeAll(async () => {
  [sns, stranger] = await Promise.all([snsSigner(), snsSigner()]);
});

const SUBSCRIBE_URL = `https://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${SNS_TOPIC_ARN}&Token=2336412f37fb687f`;
const confirmation = (overrides: Record<string, string> = {}) => ({
  Type: "SubscriptionConfirmation" as const,
  MessageId: "165545c9-2a5c-472c-8df2-7ff2be2b3b1b",
  Token: "2336412f37fb687f",
  TopicArn: SNS_TOPIC_ARN,
  Message: `You have chosen to subscribe to the topic ${SNS_TOPIC_ARN}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`,
  SubscribeURL: SUBSCRIBE_URL,
  Timestamp: "2026-12-03T18:00:00.000Z",
  ...overrides,
});

/** Dependencies with SNS's certificate served from memory; visits to SubscribeURLs are listed. Signals go to the real recorder. */
function deps(overrides: Partial<ReceiveDeps> = {}) {
  const visited: string[] = [];
  const given: Partial<ReceiveDeps> = {
    settings: { sesTopicArns: [SNS_TOPIC_ARN] },
    certificates: signingCertificates({ download: async () => sns.certificate }),
    confirmSubscription: async (url) => void visited.push(url),
    ...overrides,
  };
  return { given, visited };
}

const storedFor = (recipients: string[]) =>
  db.inboundMessage.findMany({ where: { recipient: { in: recipients } }, select: { kind: true, via: true, recipient: true }, orderBy: { id: "asc" } });

const body = (message: object) => ({ body: new TextEncoder().encode(JSON.stringify(message)), header: () => null });

describe("receiveProviderEvents", () => {
  it("says which setting a provider that is not set up needs, before reading the post", async () => {
    const { given } = deps({ settings: { sesTopicArns: [] } });
    expect(await receiveProviderEvents("ses", body(sns.sign(confirmation())), given)).toEqual({
      outcome: "not-configured",
      message: expect.stringContaining("SES_SNS_TOPIC_ARNS"),
    });
    expect(await receiveProviderEvents("sendgrid", body([]), given)).toEqual({ outcome: "not-configured", message: expect.stringContaining("SENDGRID_WEBHOOK_PUBLIC_KEY") });
    expect(await receiveProviderEvents("mailgun", body([]), given)).toMatchObject({ outcome: "unknown-provider" });
  });

  it("confirms a signed subscription to a configured topic by visiting its SubscribeURL", async () => {
    const { given, visited } = deps();
    expect(await receiveProviderEvents("ses", body(sns.sign(confirmation())), given)).toMatchObject({ outcome: "subscription-confirmed" });
    expect(visited).toEqual([SUBSCRIBE_URL]);
  });

  it("visits nothing for a subscription badly signed, to a topic not configured, or with a SubscribeURL off SNS's hosts", async () => {
    const { given, visited } = deps();
    expect(await receiveProviderEvents("ses", body(stranger.sign(confirmation())), given)).toMatchObject({ outcome: "unsigned" });
    expect(await receiveProviderEvents("ses", body({ ...sns.sign(confirmation()), SubscribeURL: "https://sns.us-west-2.amazonaws.com/?other" }), given)).toMatchObject({ outcome: "unsigned" });
    const foreign = sns.sign(confirmation({ TopicArn: "arn:aws:sns:us-west-2:999999999999:other" }));
    expect(await receiveProviderEvents("ses", body(foreign), given)).toMatchObject({ outcome: "foreign-topic" });
    const elsewhere = sns.sign(confirmation({ SubscribeURL: "https://attacker.example/confirm" }));
    expect(await receiveProviderEvents("ses", body(elsewhere), given)).toMatchObject({ outcome: "unreadable" });
    expect(visited).toEqual([]);
  });

  it("reports a failed confirmation so SNS tries again", async () => {
    const { given } = deps({ confirmSubscription: async () => Promise.reject(new Error("SNS answered 403")) });
    expect(await receiveProviderEvents("ses", body(sns.sign(confirmation())), given)).toEqual({
      outcome: "confirmation-failed",
      message: `The subscription to ${SNS_TOPIC_ARN} could not be confirmed: SNS answered 403`,
    });
  });

  it("answers 'try again' when SNS's certificate cannot be fetched now, and records nothing", async () => {
    const { given } = deps({
      certificates: signingCertificates({ download: async () => Promise.reject(new CertificateUnavailableError("connect ETIMEDOUT")) }),
    });
    expect(await receiveProviderEvents("ses", body(sesNotification(sns, sesDelivery({}, ["unavailable@example.com"]))), given)).toMatchObject({ outcome: "unavailable" });
    expect(await storedFor(["unavailable@example.com"])).toEqual([]);
  });

  it("records each signal of a verified post in order and counts what was skipped", async () => {
    const { given } = deps();
    const answer = await receiveProviderEvents("ses", body(sesNotification(sns, sesDelivery({}, ["a@example.com", "b@example.com"]))), given);
    expect(answer).toEqual({ outcome: "received", recorded: 2, duplicates: 0, skipped: 0 });
    expect(await storedFor(["a@example.com", "b@example.com"])).toEqual([
      { kind: "DELIVERED", via: "SES", recipient: "a@example.com" },
      { kind: "DELIVERED", via: "SES", recipient: "b@example.com" },
    ]);
  });

  it("checks SendGrid posts against the configured key and the clock it is given", async () => {
    const signer = sendGridSigner();
    const payload = JSON.stringify([{ email: "sg@example.com", timestamp: 1513299569, event: "delivered", sg_event_id: "x", "smtp-id": "<m@x>" }]);
    const headers = signer.headers(payload, 1_800_000_000);
    const post = { body: new TextEncoder().encode(payload), header: (name: string) => headers[name] ?? null };
    const { given } = deps({ settings: { sesTopicArns: [], sendGridKey: signer.publicKey }, now: () => new Date(1_800_000_100_000) });
    expect(await receiveProviderEvents("sendgrid", post, given)).toEqual({ outcome: "received", recorded: 1, duplicates: 0, skipped: 0 });
    expect(await storedFor(["sg@example.com"])).toEqual([{ kind: "DELIVERED", via: "SENDGRID", recipient: "sg@example.com" }]);
    const later = { ...given, now: () => new Date(1_800_000_701_000) };
    expect(await receiveProviderEvents("sendgrid", post, later)).toMatchObject({ outcome: "unsigned", message: expect.stringContaining("at most 600 s") });
  });
});
