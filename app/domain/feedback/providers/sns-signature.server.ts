import crypto, { type KeyObject } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";

// Amazon SNS signs every message it posts to an HTTP(S) subscriber with a key whose certificate
// it publishes on an sns.<region>.amazonaws.com host. Verified with node:crypto (ADR 026).

export type SnsMessageType = "Notification" | "SubscriptionConfirmation" | "UnsubscribeConfirmation";

/** An SNS message as posted: every field its signature covers, and the signature. */
export type SnsMessage = {
  Type: SnsMessageType;
  MessageId: string;
  TopicArn: string;
  Message: string;
  Timestamp: string;
  Subject?: string;
  SubscribeURL?: string;
  Token?: string;
  SignatureVersion: "1" | "2";
  Signature: string;
  SigningCertURL: string;
};

const TYPES = new Set<string>(["Notification", "SubscriptionConfirmation", "UnsubscribeConfirmation"]);
const REQUIRED = ["Type", "MessageId", "TopicArn", "Message", "Timestamp", "SignatureVersion", "Signature", "SigningCertURL"] as const;
const SIGNED_NOTIFICATION = ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"] as const;
const SIGNED_SUBSCRIPTION = ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"] as const;

/** The body read as an SNS message carrying everything its signature needs; null when it is not one. */
export function readSnsMessage(body: string): SnsMessage | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return null;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return null;
  const fields = parsed as Record<string, unknown>;
  if (!REQUIRED.every((name) => typeof fields[name] === "string")) return null;
  if (!TYPES.has(fields.Type as string) || (fields.SignatureVersion !== "1" && fields.SignatureVersion !== "2")) return null;
  const optional = (name: string) => (typeof fields[name] === "string" ? (fields[name] as string) : undefined);
  const message: SnsMessage = {
    Type: fields.Type as SnsMessageType,
    MessageId: fields.MessageId as string,
    TopicArn: fields.TopicArn as string,
    Message: fields.Message as string,
    Timestamp: fields.Timestamp as string,
    Subject: optional("Subject"),
    SubscribeURL: optional("SubscribeURL"),
    Token: optional("Token"),
    SignatureVersion: fields.SignatureVersion,
    Signature: fields.Signature as string,
    SigningCertURL: fields.SigningCertURL as string,
  };
  if (message.Type !== "Notification" && (message.SubscribeURL === undefined || message.Token === undefined)) return null;
  return message;
}

/** The text SNS signs: each covered field as "Name\nvalue\n", in its documented order, absent ones left out. */
export function snsStringToSign(message: SnsMessage): string {
  const names = message.Type === "Notification" ? SIGNED_NOTIFICATION : SIGNED_SUBSCRIPTION;
  return names
    .filter((name) => message[name] !== undefined)
    .map((name) => `${name}\n${message[name]}\n`)
    .join("");
}

const SNS_HOST = /^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/;

/** An https URL on an SNS host (sns.<region>.amazonaws.com, or .com.cn), with no port or credentials of its own. */
export function isSnsUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return url.protocol === "https:" && SNS_HOST.test(url.hostname) && url.port === "" && url.username === "" && url.password === "";
}

/** Where a signing certificate may come from: an SNS host, a path ending in .pem. */
export function isSigningCertificateUrl(value: string): boolean {
  return isSnsUrl(value) && /^\/[A-Za-z0-9._-]+\.pem$/.test(new URL(value).pathname);
}

export type CertificateDownload = (url: string) => Promise<string>;

export class CertificateUnavailableError extends Error {
  name = "CertificateUnavailableError";
}

export class InvalidCertificateError extends Error {
  name = "InvalidCertificateError";
}

const DOWNLOAD_TIMEOUT_MS = 5_000;
const LARGEST_CERTIFICATE = 64 * 1024;

/** Fetches a certificate over https (TLS checked by Node), refusing redirects and oversized answers. */
export const downloadCertificate: CertificateDownload = async (url) => {
  let response: Response;
  try {
    response = await fetch(url, { redirect: "error", signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) });
  } catch (error) {
    throw new CertificateUnavailableError(`The SNS signing certificate ${url} could not be fetched: ${(error as Error).message}`);
  }
  // SNS's host says there is no such certificate: the message is not SNS's (a 5xx may pass).
  if (response.status >= 400 && response.status < 500) throw new InvalidCertificateError(`The SNS signing certificate ${url} answered ${response.status}.`);
  if (response.status !== 200) throw new CertificateUnavailableError(`The SNS signing certificate ${url} answered ${response.status}.`);
  const text = await response.text();
  if (text.length > LARGEST_CERTIFICATE) throw new InvalidCertificateError(`The SNS signing certificate ${url} is larger than 64 KB.`);
  return text;
};

export type SigningCertificates = { publicKeyFor(url: string): Promise<KeyObject> };

const CACHED_CERTIFICATES = 32;

/**
 * Signing keys by certificate URL, each fetched once and kept (SNS signs with few certificates).
 * A certificate in `pinnedDir` under the URL's file name is used without fetching.
 */
export function signingCertificates(options: { download?: CertificateDownload; pinnedDir?: string; now?: () => Date } = {}): SigningCertificates {
  const download = options.download ?? downloadCertificate;
  const now = options.now ?? (() => new Date());
  const cache = new Map<string, Promise<KeyObject>>();

  async function load(url: string): Promise<KeyObject> {
    const pem = (await readPinned(options.pinnedDir, url)) ?? (await download(url));
    let certificate: crypto.X509Certificate;
    try {
      certificate = new crypto.X509Certificate(pem);
    } catch {
      throw new InvalidCertificateError(`${url} is not a certificate.`);
    }
    const at = now().getTime();
    if (at < Date.parse(certificate.validFrom) || at > Date.parse(certificate.validTo)) {
      throw new InvalidCertificateError(`The certificate ${url} is not valid now (valid ${certificate.validFrom} to ${certificate.validTo}).`);
    }
    if (certificate.publicKey.asymmetricKeyType !== "rsa") throw new InvalidCertificateError(`The certificate ${url} does not hold an RSA key.`);
    return certificate.publicKey;
  }

  return {
    publicKeyFor(url) {
      let entry = cache.get(url);
      if (!entry) {
        entry = load(url);
        // A failed fetch is not kept: the next message tries again.
        entry.catch(() => cache.delete(url));
        if (cache.size >= CACHED_CERTIFICATES) cache.delete(cache.keys().next().value!);
        cache.set(url, entry);
      }
      return entry;
    },
  };
}

async function readPinned(dir: string | undefined, url: string): Promise<string | null> {
  if (!dir) return null;
  try {
    return await fs.readFile(path.join(dir, path.basename(new URL(url).pathname)), "utf8");
  } catch {
    return null;
  }
}

export type SnsVerdict =
  | { ok: true }
  /** Not signed as SNS signs: the certificate URL is not an SNS one, the certificate is not usable, or the signature does not match. */
  | { ok: false; reason: "certificate-url" | "certificate" | "signature"; detail: string }
  /** The certificate could not be fetched now: SNS should try again later. */
  | { ok: false; reason: "certificate-unavailable"; detail: string };

/** Checks the message's signature as SNS documents it (version 1: SHA1withRSA, 2: SHA256withRSA). */
export async function verifySnsMessage(message: SnsMessage, certificates: SigningCertificates): Promise<SnsVerdict> {
  if (!isSigningCertificateUrl(message.SigningCertURL)) {
    return { ok: false, reason: "certificate-url", detail: "SigningCertURL is not an https .pem URL on an sns.<region>.amazonaws.com host." };
  }
  let key: KeyObject;
  try {
    key = await certificates.publicKeyFor(message.SigningCertURL);
  } catch (error) {
    if (error instanceof InvalidCertificateError) return { ok: false, reason: "certificate", detail: error.message };
    return { ok: false, reason: "certificate-unavailable", detail: (error as Error).message };
  }
  const algorithm = message.SignatureVersion === "1" ? "sha1" : "sha256";
  const signed = crypto.verify(algorithm, Buffer.from(snsStringToSign(message), "utf8"), key, Buffer.from(message.Signature, "base64"));
  return signed ? { ok: true } : { ok: false, reason: "signature", detail: "The signature does not match the message." };
}
