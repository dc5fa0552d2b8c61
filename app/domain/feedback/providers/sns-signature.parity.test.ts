import https from "node:https";
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import { generate } from "selfsigned";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SNS_TOPIC_ARN, snsSigner, type SnsFields, type SnsSigner } from "../../../../tests/helpers/provider-signers.ts";
import { readSnsMessage, signingCertificates, verifySnsMessage } from "./sns-signature.server.ts";

// Our node:crypto verifier against AWS's own sns-validator, which it stands in for (ADR 026): the
// same messages, the same verdicts. sns-validator fetches the certificate itself, so it gets it
// from an https server on loopback that trusts a certificate made here.

type Validator = { validate(message: object, done: (error: Error | null) => void): void };
const MessageValidator = createRequire(import.meta.url)("sns-validator") as new (hostPattern: RegExp) => Validator;

let signer: SnsSigner;
let stranger: SnsSigner;
let server: https.Server;
let certUrl: string;
const originalCa = https.globalAgent.options.ca;

beforeAll(async () => {
  [signer, stranger] = await Promise.all([snsSigner(), snsSigner()]);
  const tls = await generate([{ name: "commonName", value: "localhost" }], { keySize: 2048, algorithm: "sha256" });
  server = https.createServer({ key: tls.private, cert: tls.cert }, (_req, res) => res.end(signer.certificate));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  certUrl = `https://localhost:${(server.address() as AddressInfo).port}/SimpleNotificationService-parity.pem`;
  https.globalAgent.options.ca = tls.cert;
});

afterAll(async () => {
  https.globalAgent.options.ca = originalCa;
  await new Promise((resolve) => server?.close(resolve));
});

const theirs = (message: Record<string, string>) =>
  new Promise<boolean>((resolve) => new MessageValidator(/^localhost:\d+$/).validate({ ...message, SigningCertURL: certUrl }, (error) => resolve(!error)));

async function ours(message: Record<string, string>): Promise<boolean> {
  const read = readSnsMessage(JSON.stringify(message));
  if (!read) return false;
  return (await verifySnsMessage(read, signingCertificates({ download: async () => signer.certificate }))).ok;
}

const notification: SnsFields = {
  Type: "Notification",
  MessageId: "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",
  TopicArn: SNS_TOPIC_ARN,
  Subject: "My First Message",
  Message: 'Hello world! {"with":"json", "and": "üñíçødé\\n"}\nand a second line',
  Timestamp: "2012-05-02T00:54:06.655Z",
};
const { Subject: _, ...withoutSubject } = notification;
const confirmation: SnsFields = {
  Type: "SubscriptionConfirmation",
  MessageId: "165545c9-2a5c-472c-8df2-7ff2be2b3b1b",
  Token: "2336412f37fb687f5d51e6e241d09c805a5a57b30d712f794cc5f6a988666d92",
  TopicArn: SNS_TOPIC_ARN,
  Message: `You have chosen to subscribe to the topic ${SNS_TOPIC_ARN}.`,
  SubscribeURL: `https://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${SNS_TOPIC_ARN}&Token=2336412f`,
  Timestamp: "2012-04-26T20:45:04.751Z",
};

describe("our SNS verifier agrees with sns-validator", () => {
  const cases: [string, () => Record<string, string>, boolean][] = [
    ["a version 1 notification", () => signer.sign(notification, { version: "1" }), true],
    ["a version 2 notification", () => signer.sign(notification, { version: "2" }), true],
    ["a notification without a Subject", () => signer.sign(withoutSubject), true],
    ["a subscription confirmation", () => signer.sign(confirmation), true],
    ["a changed Message", () => ({ ...signer.sign(notification), Message: "Hello world?" }), false],
    ["a changed Type", () => ({ ...signer.sign(confirmation), Type: "UnsubscribeConfirmation" }), false],
    ["a changed Token", () => ({ ...signer.sign(confirmation), Token: "0" }), false],
    ["another key", () => stranger.sign(notification), false],
    ["version 1 presented as 2", () => ({ ...signer.sign(notification, { version: "1" }), SignatureVersion: "2" }), false],
  ];
  it.each(cases)("%s", async (_, message, valid) => {
    const posted = message();
    expect([await ours(posted), await theirs(posted)]).toEqual([valid, valid]);
  });

  // The one difference: AWS documents that both subscription messages sign Token, and
  // sns-validator 0.3.5 leaves Token out for UnsubscribeConfirmation. Such messages are ignored either way.
  it("an unsubscribe confirmation signed with its Token as AWS documents it: ours accepts it, sns-validator does not", async () => {
    const posted = signer.sign({ ...confirmation, Type: "UnsubscribeConfirmation" });
    expect([await ours(posted), await theirs(posted)]).toEqual([true, false]);
  });
});
