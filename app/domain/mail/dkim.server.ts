import crypto from "node:crypto";
import nodemailer from "nodemailer";
import { composeMessage, type OutgoingMail } from "./outgoing-mail.server.ts";

// DKIM keys and an in-process DKIM verifier (RFC 6376, with RFC 8301's algorithm rules and
// RFC 8463's ed25519-sha256), so an admin can check a unit's key without python or DNS.
// Signing stays with nodemailer (the transports sign); this module only reads keys and checks
// signatures. nodemailer signs with rsa-sha256 only, so a unit's private key must be RSA.

/** The smallest RSA key RFC 8301 lets a verifier accept; 2048 bits is what it recommends. */
export const DKIM_MIN_RSA_BITS = 1024;
export const DKIM_RECOMMENDED_RSA_BITS = 2048;
// Verifiers need not accept more (RFC 8301 §3.2), and a longer p= value strains DNS.
export const DKIM_MAX_RSA_BITS = 4096;

export type DkimPrivateKey = {
  /** Normalised as unencrypted PKCS#8 PEM: what is stored. */
  pem: string;
  bits: number;
  /** "SHA256:<base64>" of the public key (SubjectPublicKeyInfo DER), as people compare keys. */
  fingerprint: string;
  publicKey: crypto.KeyObject;
};

/** A pasted key that cannot be used; `message` says why, in words for the admin. */
export class DkimKeyError extends Error {
  name = "DkimKeyError";
}

/** Reads a pasted private key; throws DkimKeyError naming what is wrong. */
export function parseDkimPrivateKey(input: string): DkimPrivateKey {
  const text = input.trim();
  if (!text) throw new DkimKeyError("Paste the private key, starting with -----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----.");
  if (/-----BEGIN [A-Z ]*PUBLIC KEY-----/.test(text)) {
    throw new DkimKeyError("This is a public key. The unit needs the private key that signs; the public key goes into DNS.");
  }
  if (/ENCRYPTED/.test(text)) {
    throw new DkimKeyError("This key is protected by a passphrase. Paste the unencrypted key (for example from `openssl pkey -in key.pem`).");
  }
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) {
    throw new DkimKeyError("This is not a PEM private key: it must start with -----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----.");
  }
  let key: crypto.KeyObject;
  try {
    key = crypto.createPrivateKey({ key: text, format: "pem" });
  } catch {
    throw new DkimKeyError("This private key cannot be read: check that it was pasted whole, from the BEGIN line to the END line.");
  }
  if (key.asymmetricKeyType !== "rsa") {
    const type = key.asymmetricKeyType === "ed25519" ? "an Ed25519" : `a ${String(key.asymmetricKeyType).toUpperCase()}`;
    throw new DkimKeyError(`This is ${type} key; the mail transport (nodemailer) signs with RSA only. Generate an RSA key of ${DKIM_RECOMMENDED_RSA_BITS} bits.`);
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < DKIM_MIN_RSA_BITS) throw new DkimKeyError(`This RSA key has ${bits} bits; receivers ignore DKIM keys under ${DKIM_MIN_RSA_BITS} bits. Use ${DKIM_RECOMMENDED_RSA_BITS}.`);
  if (bits > DKIM_MAX_RSA_BITS) throw new DkimKeyError(`This RSA key has ${bits} bits; receivers need not accept more than ${DKIM_MAX_RSA_BITS}. Use ${DKIM_RECOMMENDED_RSA_BITS}.`);
  const publicKey = crypto.createPublicKey(key);
  return { pem: key.export({ type: "pkcs8", format: "pem" }).toString(), bits, fingerprint: keyFingerprint(publicKey), publicKey };
}

/** "SHA256:<base64 without padding>" of the public key's SubjectPublicKeyInfo. */
export function keyFingerprint(publicKey: crypto.KeyObject): string {
  const der = publicKey.export({ type: "spki", format: "der" });
  return `SHA256:${crypto.createHash("sha256").update(der).digest("base64").replace(/=+$/, "")}`;
}

export type DkimDnsRecord = {
  /** "<selector>._domainkey.<domain>" */
  name: string;
  /** The TXT value as one string, for a DNS provider's form. */
  value: string;
  /** The line for a zone file: the value split into quoted strings of at most 255 characters. */
  zoneLine: string;
};

/** The TXT record that publishes a public key for `selector` at `domain`. */
export function dkimDnsRecord(publicKey: crypto.KeyObject, selector: string, domain: string): DkimDnsRecord {
  const name = `${selector}._domainkey.${domain}`;
  const value = `v=DKIM1; k=${publicKey.asymmetricKeyType === "ed25519" ? "ed25519" : "rsa"}; p=${publicKeyValue(publicKey)}`;
  // A TXT record is made of strings of at most 255 bytes; DNS joins them back without spaces.
  const strings = value.match(/.{1,255}/g) ?? [""];
  return { name, value, zoneLine: `${name}.  TXT  ${strings.map((s) => `"${s}"`).join(" ")}` };
}

// RFC 8463: an Ed25519 key is published as its 32 raw bytes; the SPKI DER adds this prefix.
const ED25519_SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

function publicKeyValue(publicKey: crypto.KeyObject): string {
  const der = publicKey.export({ type: "spki", format: "der" });
  return (publicKey.asymmetricKeyType === "ed25519" ? der.subarray(ED25519_SPKI_PREFIX.length) : der).toString("base64");
}

/**
 * A public key as an admin may paste it: the TXT value ("v=DKIM1; k=rsa; p=…", quoted and
 * split as in a zone file or not), the p= value alone, or a PEM public key. Returns it as the
 * TXT value the verifier reads; throws DkimKeyError when it is none of these.
 */
export function pastedPublicKeyRecord(input: string): string {
  const text = input.trim();
  if (!text) throw new DkimKeyError("Paste the public key: the TXT value (v=DKIM1; k=rsa; p=…), the p= value alone, or a PEM public key.");
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) {
    throw new DkimKeyError("This is a private key. Paste the public key instead, and keep the private key secret.");
  }
  if (/-----BEGIN [A-Z ]*PUBLIC KEY-----/.test(text)) {
    let key: crypto.KeyObject;
    try {
      key = crypto.createPublicKey({ key: text, format: "pem" });
    } catch {
      throw new DkimKeyError("This PEM public key cannot be read: check that it was pasted whole, from the BEGIN line to the END line.");
    }
    return dkimDnsRecord(key, "x", "x").value;
  }
  // Zone-file form: one or more quoted strings, possibly after the name and TXT; join them.
  const quoted = text.match(/"((?:[^"\\]|\\.)*)"/g);
  const joined = quoted ? quoted.map((s) => s.slice(1, -1).replace(/\\(.)/g, "$1")).join("") : text;
  const notAKey = "This is not a public key: paste the TXT value (v=DKIM1; k=rsa; p=…), the p= value alone, or a PEM public key.";
  const isRecord = /(^|;)\s*p\s*=/.test(joined);
  const record = isRecord ? joined : /^[A-Za-z0-9+/=\s]+$/.test(joined) ? `v=DKIM1; k=rsa; p=${joined.replace(/\s+/g, "")}` : null;
  if (!record) throw new DkimKeyError(notAKey);
  const parsed = parseKeyRecord(record);
  // A record gets the record's problem; a bare value that is no key gets the plain answer.
  if (!parsed.ok) throw new DkimKeyError(isRecord ? parsed.message : notAKey);
  return record;
}

export type DkimSigner = { domainName: string; keySelector: string; privateKey: string };

/**
 * A sample promotional message from `from`, signed with `dkim` exactly as the transports sign
 * (composeMessage's header list, nodemailer's signer, CRLF line ends), as the raw bytes sent.
 */
export async function signSampleMessage(from: { name: string; address: string }, dkim: DkimSigner, unsubscribeUrl: string): Promise<Buffer> {
  const mail: OutgoingMail = {
    stream: "promotional",
    from,
    to: `dkim-test@${dkim.domainName}`,
    subject: "DKIM test message",
    html: "<!DOCTYPE html><html><body><p>A sample message, signed to test this unit's DKIM key.  It is never sent.</p></body></html>",
    text: "A sample message, signed to test this unit's DKIM key.  It is never sent.\n",
    headers: { "List-Unsubscribe": `<${unsubscribeUrl}>`, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" },
    messageIdDomain: dkim.domainName,
    dkim,
  };
  const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: "windows" });
  try {
    const { message } = await composer.sendMail(composeMessage(mail));
    if (!Buffer.isBuffer(message)) throw new Error("nodemailer returned a stream although buffer: true was set");
    return message;
  } finally {
    composer.close();
  }
}

/** The public key a DKIM TXT value publishes, or null when it publishes none that can be read. */
export function publicKeyOfRecord(record: string): crypto.KeyObject | null {
  const parsed = parseKeyRecord(record);
  return parsed.ok ? parsed.publicKey : null;
}

/** Why a DKIM check failed, as a code tests and the page can tell apart. */
export type DkimFailure =
  | "no-signature"
  | "bad-signature-header"
  | "unsupported-algorithm"
  | "expired"
  | "no-key"
  | "bad-key-record"
  | "key-revoked"
  | "body-hash-mismatch"
  | "signature-mismatch";

export type DkimResult =
  | { pass: true; domain: string; selector: string; algorithm: string }
  | { pass: false; reason: DkimFailure; message: string; domain?: string; selector?: string };

/** The TXT value published at <selector>._domainkey.<domain>, or null when there is none. */
export type DkimKeyLookup = (selector: string, domain: string) => Promise<string | null> | string | null;

/**
 * Verifies the message's first DKIM-Signature (the one the last signer added) with the key
 * `lookup` returns, as a receiving server would (RFC 6376 §6.1). `raw` is the message as sent.
 */
export async function verifyDkim(raw: Buffer | string, lookup: DkimKeyLookup, now = new Date()): Promise<DkimResult> {
  const message = toCrlf(typeof raw === "string" ? raw : raw.toString("latin1"));
  const split = message.indexOf("\r\n\r\n");
  const headerBlock = split === -1 ? message : message.slice(0, split + 2);
  const body = split === -1 ? "" : message.slice(split + 4);
  const headers = parseHeaderFields(headerBlock);
  const signatureField = headers.find((h) => h.name.toLowerCase() === "dkim-signature");
  if (!signatureField) return { pass: false, reason: "no-signature", message: "The message carries no DKIM-Signature header: it was not signed." };

  const tags = parseTagList(signatureField.value);
  const fail = (reason: DkimFailure, text: string): DkimResult => ({ pass: false, reason, message: text, domain: tags?.get("d"), selector: tags?.get("s") });
  if (!tags) return fail("bad-signature-header", "The DKIM-Signature header is not a valid tag list.");
  for (const tag of ["v", "a", "b", "bh", "d", "h", "s"]) {
    if (!tags.get(tag)) return fail("bad-signature-header", `The DKIM-Signature header has no ${tag}= tag.`);
  }
  if (tags.get("v") !== "1") return fail("bad-signature-header", `The DKIM-Signature header has version ${tags.get("v")}, not 1.`);
  const algorithm = tags.get("a")!.toLowerCase();
  if (algorithm !== "rsa-sha256" && algorithm !== "ed25519-sha256") {
    return fail("unsupported-algorithm", `The signature uses ${algorithm}; receivers accept rsa-sha256 and ed25519-sha256 only (rsa-sha1 is obsolete, RFC 8301).`);
  }
  const [headerCanon, bodyCanon = "simple"] = (tags.get("c") ?? "simple/simple").toLowerCase().split("/");
  if (!isCanonicalization(headerCanon) || !isCanonicalization(bodyCanon)) return fail("bad-signature-header", `Unknown canonicalization c=${tags.get("c")}.`);
  const signedFields = tags.get("h")!.split(":").map((f) => f.trim().toLowerCase()).filter(Boolean);
  if (!signedFields.includes("from")) return fail("bad-signature-header", "The signature does not cover the From header (h= must include from).");
  const domain = tags.get("d")!.toLowerCase();
  const selector = tags.get("s")!;
  const identity = tags.get("i");
  if (identity !== undefined) {
    const identityDomain = identity.slice(identity.lastIndexOf("@") + 1).toLowerCase();
    if (identityDomain !== domain && !identityDomain.endsWith(`.${domain}`)) return fail("bad-signature-header", `The i= identity ${identity} is not in the d= domain ${domain}.`);
  }
  const expires = tags.get("x");
  if (expires !== undefined && /^\d+$/.test(expires) && Number(expires) * 1000 < now.getTime()) return fail("expired", "The signature has expired (x= is in the past).");

  const bodyLength = tags.get("l");
  if (bodyLength !== undefined && !/^\d+$/.test(bodyLength)) return fail("bad-signature-header", "The l= body length is not a number.");
  let canonicalBody = Buffer.from(bodyCanon === "relaxed" ? relaxedBody(body) : simpleBody(body), "latin1");
  if (bodyLength !== undefined) {
    if (Number(bodyLength) > canonicalBody.length) return fail("body-hash-mismatch", "The l= body length is longer than the body.");
    canonicalBody = canonicalBody.subarray(0, Number(bodyLength));
  }
  const bodyHash = crypto.createHash("sha256").update(canonicalBody).digest("base64");
  if (bodyHash !== tags.get("bh")!.replace(/\s+/g, "")) {
    return fail("body-hash-mismatch", "The body hash (bh=) does not match the body: the message was changed after it was signed.");
  }

  const record = await lookup(selector, domain);
  if (record === null) return fail("no-key", `There is no DKIM key at ${selector}._domainkey.${domain}.`);
  const key = parseKeyRecord(record);
  if (!key.ok) return fail(key.revoked ? "key-revoked" : "bad-key-record", key.message);
  const expectedKeyType = algorithm.startsWith("ed25519") ? "ed25519" : "rsa";
  if (key.keyType !== expectedKeyType) return fail("signature-mismatch", `The signature is ${algorithm} but the published key is k=${key.keyType}.`);

  const signedData = Buffer.from(signedHeaderData(headers, signedFields, signatureField, headerCanon), "latin1");
  const signature = Buffer.from(tags.get("b")!.replace(/\s+/g, ""), "base64");
  let verified: boolean;
  try {
    verified =
      expectedKeyType === "rsa"
        ? crypto.verify("sha256", signedData, key.publicKey, signature)
        : crypto.verify(null, crypto.createHash("sha256").update(signedData).digest(), key.publicKey, signature);
  } catch {
    verified = false;
  }
  if (!verified) return fail("signature-mismatch", "The signature (b=) does not verify with this public key: the key does not belong to the private key that signed.");
  return { pass: true, domain, selector, algorithm };
}

type Canonicalization = "simple" | "relaxed";
const isCanonicalization = (value: string | undefined): value is Canonicalization => value === "simple" || value === "relaxed";

type HeaderField = { name: string; /** The whole field as sent, folds included, without its final CRLF. */ raw: string; value: string };

function toCrlf(text: string): string {
  return text.includes("\r\n") ? text : text.replace(/\n/g, "\r\n");
}

function parseHeaderFields(block: string): HeaderField[] {
  const fields: HeaderField[] = [];
  for (const line of block.split("\r\n")) {
    if (line === "") continue;
    if ((line.startsWith(" ") || line.startsWith("\t")) && fields.length > 0) {
      const last = fields[fields.length - 1];
      last.raw += `\r\n${line}`;
      last.value += `\r\n${line}`;
      continue;
    }
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    fields.push({ name: line.slice(0, colon).trim(), raw: line, value: line.slice(colon + 1) });
  }
  return fields;
}

/** tag=value pairs (RFC 6376 §3.2); null when malformed or a tag repeats. */
function parseTagList(value: string): Map<string, string> | null {
  const tags = new Map<string, string>();
  for (const part of value.replace(/\r\n/g, "").split(";")) {
    if (part.trim() === "") continue;
    const equals = part.indexOf("=");
    if (equals === -1) return null;
    const name = part.slice(0, equals).trim();
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name) || tags.has(name)) return null;
    tags.set(name, part.slice(equals + 1).trim());
  }
  return tags;
}

type KeyRecord = { ok: true; keyType: "rsa" | "ed25519"; publicKey: crypto.KeyObject } | { ok: false; revoked: boolean; message: string };

/** A DKIM key record (RFC 6376 §3.6.1). */
function parseKeyRecord(record: string): KeyRecord {
  const bad = (message: string): KeyRecord => ({ ok: false, revoked: false, message });
  const tags = parseTagList(record);
  if (!tags) return bad("The key record is not a valid tag list (v=DKIM1; k=rsa; p=…).");
  const version = tags.get("v");
  if (version !== undefined && version !== "DKIM1") return bad(`The key record has v=${version}; it must be v=DKIM1.`);
  const keyType = (tags.get("k") ?? "rsa").toLowerCase();
  if (keyType !== "rsa" && keyType !== "ed25519") return bad(`The key record has k=${keyType}; DKIM keys are rsa or ed25519.`);
  const p = tags.get("p");
  if (p === undefined) return bad("The key record has no p= value (the public key).");
  const base64 = p.replace(/\s+/g, "");
  if (base64 === "") return { ok: false, revoked: true, message: "The key record has an empty p=: the key was revoked." };
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) return bad("The p= value is not base64.");
  const bytes = Buffer.from(base64, "base64");
  try {
    if (keyType === "ed25519") {
      if (bytes.length !== 32) return bad(`An Ed25519 p= value is 32 bytes; this one has ${bytes.length}.`);
      return { ok: true, keyType, publicKey: crypto.createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, bytes]), format: "der", type: "spki" }) };
    }
    const publicKey = readRsaPublicKey(bytes);
    if (!publicKey || publicKey.asymmetricKeyType !== "rsa") return bad("The p= value is not an RSA public key.");
    const bits = publicKey.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < DKIM_MIN_RSA_BITS) return bad(`The public key has ${bits} bits; receivers ignore DKIM keys under ${DKIM_MIN_RSA_BITS} bits.`);
    return { ok: true, keyType, publicKey };
  } catch {
    return bad("The p= value is not a public key.");
  }
}

// RFC 6376 publishes SubjectPublicKeyInfo; some tools publish the bare PKCS#1 RSAPublicKey.
function readRsaPublicKey(der: Buffer): crypto.KeyObject | null {
  for (const type of ["spki", "pkcs1"] as const) {
    try {
      return crypto.createPublicKey({ key: der, format: "der", type });
    } catch {
      // try the next encoding
    }
  }
  return null;
}

/** The signed header data (RFC 6376 §5.4.2): each listed field once, bottom-up, then the signature field without b=. */
function signedHeaderData(headers: HeaderField[], signedFields: string[], signatureField: HeaderField, canon: Canonicalization): string {
  const used = new Set<HeaderField>();
  let data = "";
  for (const name of signedFields) {
    // The last instance not yet used; a field named but absent contributes nothing.
    const field = headers.findLast((h) => h.name.toLowerCase() === name && !used.has(h) && h !== signatureField);
    if (!field) continue;
    used.add(field);
    data += `${canonicalHeader(field.raw, canon)}\r\n`;
  }
  const withoutSignature = signatureField.raw.replace(/((?:^|[;:])[ \t\r\n]*b[ \t\r\n]*=)[^;]*/, "$1");
  return data + canonicalHeader(withoutSignature, canon);
}

function canonicalHeader(raw: string, canon: Canonicalization): string {
  if (canon === "simple") return raw;
  const colon = raw.indexOf(":");
  // Only SP and HTAB are whitespace here: a latin1 0xA0 byte is content.
  const name = raw.slice(0, colon).replace(/[ \t]+$/, "").toLowerCase();
  const value = raw
    .slice(colon + 1)
    .replace(/\r\n/g, "")
    .replace(/[ \t]+/g, " ")
    .replace(/^ | $/g, "");
  return `${name}:${value}`;
}

function simpleBody(body: string): string {
  const trimmed = body.replace(/(\r\n)*$/, "");
  return `${trimmed}\r\n`;
}

function relaxedBody(body: string): string {
  const lines = body.split("\r\n").map((line) => line.replace(/[ \t]+/g, " ").replace(/ $/, ""));
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines.length === 0 ? "" : `${lines.join("\r\n")}\r\n`;
}
