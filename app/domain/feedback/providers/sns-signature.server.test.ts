import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SNS_CERT_URL, SNS_TOPIC_ARN, snsSigner, type SnsSigner } from "../../../../tests/helpers/provider-signers.ts";
import { CertificateUnavailableError, downloadCertificate, InvalidCertificateError, readSnsMessage, signingCertificates, verifySnsMessage, type SnsVerdict } from "./sns-signature.server.ts";

// SNS messages signed as AWS documents it, with a self-signed certificate standing in for SNS's.

let signer: SnsSigner;
let stranger: SnsSigner;

beforeAll(async () => {
  [signer, stranger] = await Promise.all([snsSigner(), snsSigner()]);
});

/** AWS's example Notification (with its optional Subject). */
const documentedNotification = {
  Type: "Notification" as const,
  MessageId: "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",
  TopicArn: SNS_TOPIC_ARN,
  Subject: "My First Message",
  Message: "Hello world!",
  Timestamp: "2012-05-02T00:54:06.655Z",
  UnsubscribeURL: `https://sns.us-west-2.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${SNS_TOPIC_ARN}:c9135db0-26c4-47ec-8998-413945fb5a96`,
};

/** AWS's example SubscriptionConfirmation. */
const documentedConfirmation = {
  Type: "SubscriptionConfirmation" as const,
  MessageId: "165545c9-2a5c-472c-8df2-7ff2be2b3b1b",
  Token: "2336412f37fb687f5d51e6e241d09c805a5a57b30d712f794cc5f6a988666d92768dd60a747ba6f3beb71854e285d6ad02428b09ceece29417f1f02d609c582afbacc99c583a916b9981dd2728f4ae6fdb82efd087cc3b7849e05798d2d2785c03b0879594eeac82c01f235d0e717736",
  TopicArn: SNS_TOPIC_ARN,
  Message: `You have chosen to subscribe to the topic ${SNS_TOPIC_ARN}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`,
  SubscribeURL: `https://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${SNS_TOPIC_ARN}&Token=2336412f37fb687f5d51e6e241d09c805a5a57b30d712f794cc5f6a988666d92768dd60a747ba6f3beb71854e285d6ad02428b09ceece29417f1f02d609c582afbacc99c583a916b9981dd2728f4ae6fdb82efd087cc3b7849e05798d2d2785c03b0879594eeac82c01f235d0e717736`,
  Timestamp: "2012-04-26T20:45:04.751Z",
};

/** Certificates served from memory, counting downloads by URL. */
function localCertificates(pem: () => string | Promise<string>) {
  const downloads: string[] = [];
  const certificates = signingCertificates({
    download: async (url) => {
      downloads.push(url);
      return pem();
    },
  });
  return { certificates, downloads };
}

async function verdictFor(posted: Record<string, unknown>, pem = () => signer.certificate): Promise<SnsVerdict> {
  const message = readSnsMessage(JSON.stringify(posted));
  expect(message).not.toBeNull();
  return verifySnsMessage(message!, localCertificates(pem).certificates);
}

describe("verifySnsMessage", () => {
  it.each(["1", "2"] as const)("accepts AWS's example notification signed with SignatureVersion %s", async (version) => {
    expect(await verdictFor(signer.sign(documentedNotification, { version }))).toEqual({ ok: true });
  });

  it("accepts AWS's example subscription confirmation, whose signature covers SubscribeURL and Token", async () => {
    expect(await verdictFor(signer.sign(documentedConfirmation))).toEqual({ ok: true });
    const changedToken = { ...signer.sign(documentedConfirmation), Token: "0000" };
    expect(await verdictFor(changedToken)).toMatchObject({ ok: false, reason: "signature" });
    const changedUrl = { ...signer.sign(documentedConfirmation), SubscribeURL: "https://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription&Token=0000" };
    expect(await verdictFor(changedUrl)).toMatchObject({ ok: false, reason: "signature" });
  });

  it.each(["Message", "MessageId", "Subject", "Timestamp", "TopicArn"])("refuses a notification whose %s changed after signing", async (field) => {
    const tampered = { ...signer.sign(documentedNotification), [field]: "changed" };
    expect(await verdictFor(tampered)).toMatchObject({ ok: false, reason: "signature" });
  });

  it("refuses a notification with its Subject removed, or the signature of one version presented as the other", async () => {
    const { Subject: _, ...withoutSubject } = signer.sign(documentedNotification);
    expect(await verdictFor(withoutSubject)).toMatchObject({ ok: false, reason: "signature" });
    const v1 = signer.sign(documentedNotification, { version: "1" });
    expect(await verdictFor({ ...v1, SignatureVersion: "2" })).toMatchObject({ ok: false, reason: "signature" });
  });

  it("refuses a message signed by another key than the certificate's", async () => {
    expect(await verdictFor(stranger.sign(documentedNotification))).toMatchObject({ ok: false, reason: "signature" });
  });

  it("refuses an expired certificate", async () => {
    const expired = await snsSigner({ notAfterDate: new Date(Date.now() - 60_000), notBeforeDate: new Date(Date.now() - 86_400_000) });
    expect(await verdictFor(expired.sign(documentedNotification), () => expired.certificate)).toMatchObject({ ok: false, reason: "certificate" });
  });

  it("refuses a certificate URL that does not download something that is a certificate", async () => {
    expect(await verdictFor(signer.sign(documentedNotification), () => "<html>not a certificate</html>")).toMatchObject({ ok: false, reason: "certificate" });
  });

  it.each([
    ["http, not https", "http://sns.us-west-2.amazonaws.com/SimpleNotificationService-f3ec.pem"],
    ["a host that only starts like SNS's", "https://sns.us-west-2.amazonaws.com.example.net/SimpleNotificationService-f3ec.pem"],
    ["a host that only ends like SNS's", "https://evil-sns.us-west-2.amazonaws.com.example.net/cert.pem"],
    ["another AWS service's host", "https://s3.us-west-2.amazonaws.com/SimpleNotificationService-f3ec.pem"],
    ["a bucket under amazonaws.com", "https://sns.us-west-2.amazonaws.com@attacker.example/SimpleNotificationService-f3ec.pem"],
    ["a port of its own", "https://sns.us-west-2.amazonaws.com:8443/SimpleNotificationService-f3ec.pem"],
    ["a path that is not a .pem file", "https://sns.us-west-2.amazonaws.com/?Action=Unsubscribe"],
    ["a path in a folder", "https://sns.us-west-2.amazonaws.com/uploads/SimpleNotificationService-f3ec.pem"],
  ])("refuses a SigningCertURL with %s, without fetching it", async (_, certUrl) => {
    const { certificates, downloads } = localCertificates(() => signer.certificate);
    const message = readSnsMessage(JSON.stringify(signer.sign(documentedNotification, { certUrl })))!;
    expect(await verifySnsMessage(message, certificates)).toMatchObject({ ok: false, reason: "certificate-url" });
    expect(downloads).toEqual([]);
  });

  it("accepts the China regions' host", async () => {
    const certUrl = "https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-3250158c6506d40628e5a8b1d8d0a77e.pem";
    expect(await verdictFor(signer.sign(documentedNotification, { certUrl }))).toEqual({ ok: true });
  });

  it("fetches each certificate once, and tries again after a failed fetch", async () => {
    let failing = true;
    const { certificates, downloads } = localCertificates(() => {
      if (failing) throw new CertificateUnavailableError("connection refused");
      return signer.certificate;
    });
    const message = readSnsMessage(JSON.stringify(signer.sign(documentedNotification)))!;
    expect(await verifySnsMessage(message, certificates)).toMatchObject({ ok: false, reason: "certificate-unavailable" });
    failing = false;
    expect(await verifySnsMessage(message, certificates)).toEqual({ ok: true });
    expect(await verifySnsMessage(message, certificates)).toEqual({ ok: true });
    expect(downloads).toEqual([SNS_CERT_URL, SNS_CERT_URL]);
  });

  it("reads a certificate kept in the pinned folder under its URL's file name instead of fetching it", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sns-certs-"));
    fs.writeFileSync(path.join(dir, path.basename(new URL(SNS_CERT_URL).pathname)), signer.certificate);
    const downloads: string[] = [];
    const certificates = signingCertificates({ pinnedDir: dir, download: async (url) => (downloads.push(url), "") });
    const message = readSnsMessage(JSON.stringify(signer.sign(documentedNotification)))!;
    expect(await verifySnsMessage(message, certificates)).toEqual({ ok: true });
    expect(downloads).toEqual([]);
  });
});

describe("readSnsMessage", () => {
  it("reads AWS's examples and leaves out what is not a signed SNS message", () => {
    expect(readSnsMessage(JSON.stringify(signer.sign(documentedNotification)))).toMatchObject({ Type: "Notification", Subject: "My First Message" });
    expect(readSnsMessage("not json")).toBeNull();
    expect(readSnsMessage("[]")).toBeNull();
    expect(readSnsMessage(JSON.stringify(documentedNotification))).toBeNull();
    const { Token: _, ...noToken } = signer.sign(documentedConfirmation);
    expect(readSnsMessage(JSON.stringify(noToken))).toBeNull();
    expect(readSnsMessage(JSON.stringify({ ...signer.sign(documentedNotification), SignatureVersion: "3" }))).toBeNull();
    expect(readSnsMessage(JSON.stringify({ ...signer.sign(documentedNotification), Type: "Other" }))).toBeNull();
  });
});

describe("downloadCertificate", () => {
  let server: http.Server;
  let base: string;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (req.url === "/cert.pem") return res.end(signer.certificate);
      if (req.url === "/huge.pem") return res.end("x".repeat(70 * 1024));
      if (req.url === "/moved.pem") return res.writeHead(302, { Location: "/cert.pem" }).end();
      res.writeHead(req.url === "/busy.pem" ? 503 : 404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it("fetches the certificate; a missing or oversized one is not SNS's, an outage or a redirect is worth another try", async () => {
    await expect(downloadCertificate(`${base}/cert.pem`)).resolves.toBe(signer.certificate);
    await expect(downloadCertificate(`${base}/missing.pem`)).rejects.toBeInstanceOf(InvalidCertificateError);
    await expect(downloadCertificate(`${base}/huge.pem`)).rejects.toBeInstanceOf(InvalidCertificateError);
    await expect(downloadCertificate(`${base}/busy.pem`)).rejects.toBeInstanceOf(CertificateUnavailableError);
    await expect(downloadCertificate(`${base}/moved.pem`)).rejects.toBeInstanceOf(CertificateUnavailableError);
    const closed = await new Promise<number>((resolve) => {
      const probe = http.createServer().listen(0, "127.0.0.1", () => {
        const { port } = probe.address() as AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    await expect(downloadCertificate(`http://127.0.0.1:${closed}/cert.pem`)).rejects.toBeInstanceOf(CertificateUnavailableError);
  });
});
