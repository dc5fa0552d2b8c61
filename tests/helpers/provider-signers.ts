import crypto from "node:crypto";
import { generate } from "selfsigned";

// Signs provider posts the way Amazon SNS and SendGrid do, with keys made here, so tests need
// no network. The SNS text to sign is built here by hand from AWS's description, not by the code
// under test.

export const SNS_CERT_URL = "https://sns.us-west-2.amazonaws.com/SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem";
export const SNS_TOPIC_ARN = "arn:aws:sns:us-west-2:123456789012:MyTopic";

export type SnsFields = {
  Type: "Notification" | "SubscriptionConfirmation" | "UnsubscribeConfirmation";
  MessageId: string;
  TopicArn: string;
  Message: string;
  Timestamp: string;
  Subject?: string;
  SubscribeURL?: string;
  Token?: string;
  UnsubscribeURL?: string;
};

export type SnsSigner = {
  /** The PEM certificate SNS would publish at SigningCertURL. */
  certificate: string;
  /** The message as SNS posts it: the fields, SignatureVersion, Signature and SigningCertURL. */
  sign(fields: SnsFields, options?: { version?: "1" | "2"; certUrl?: string }): Record<string, string>;
};

/** A self-signed RSA certificate standing in for SNS's, and a signer using its key. */
export async function snsSigner(options: { notBeforeDate?: Date; notAfterDate?: Date } = {}): Promise<SnsSigner> {
  const pems = await generate([{ name: "commonName", value: "sns.amazonaws.com" }], { keySize: 2048, algorithm: "sha256", ...options });
  return {
    certificate: pems.cert,
    sign(fields, { version = "2", certUrl = SNS_CERT_URL } = {}) {
      // AWS: Notification signs Message, MessageId, Subject (if present), Timestamp, TopicArn, Type;
      // the two subscription messages sign Message, MessageId, SubscribeURL, Timestamp, Token, TopicArn, Type.
      const f = fields as Record<string, string | undefined>;
      const names =
        fields.Type === "Notification"
          ? ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"]
          : ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"];
      let text = "";
      for (const name of names) if (f[name] !== undefined) text += `${name}\n${f[name]}\n`;
      const signature = crypto.sign(version === "1" ? "sha1" : "sha256", Buffer.from(text, "utf8"), pems.private).toString("base64");
      return { ...(fields as Record<string, string>), SignatureVersion: version, Signature: signature, SigningCertURL: certUrl };
    },
  };
}

/** An SES notification as SNS posts it, signed. */
export function sesNotification(signer: SnsSigner, notification: object, overrides: Partial<SnsFields> = {}): Record<string, string> {
  return signer.sign({
    Type: "Notification",
    MessageId: crypto.randomUUID(),
    TopicArn: SNS_TOPIC_ARN,
    Message: JSON.stringify(notification),
    Timestamp: new Date().toISOString(),
    UnsubscribeURL: `https://sns.us-west-2.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${SNS_TOPIC_ARN}:c9135db0-26c4-47ec-8998-413945fb5a96`,
    ...overrides,
  });
}

export type SendGridSigner = {
  /** The verification key as SendGrid's settings show it: base64 of the DER public key. */
  publicKey: string;
  /** The two headers SendGrid sends with a signed post of this body at this time (seconds). */
  headers(body: string, timestamp?: number): Record<string, string>;
};

/** An ECDSA P-256 key pair standing in for SendGrid's; signatures over timestamp + body, as SendGrid signs. */
export function sendGridSigner(): SendGridSigner {
  const { publicKey, privateKey } = crypto.generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  return {
    publicKey: publicKey.export({ type: "spki", format: "der" }).toString("base64"),
    headers(body, timestamp = Math.floor(Date.now() / 1000)) {
      const signature = crypto.sign("sha256", Buffer.from(`${timestamp}${body}`, "utf8"), privateKey).toString("base64");
      return {
        "X-Twilio-Email-Event-Webhook-Signature": signature,
        "X-Twilio-Email-Event-Webhook-Timestamp": String(timestamp),
      };
    },
  };
}
