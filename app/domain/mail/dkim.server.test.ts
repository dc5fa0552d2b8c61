import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { pythonDkimSign, pythonDkimVerifies, requireDkimPython } from "../../../tests/helpers/python-dkim.ts";
import { dkimDnsRecord, DkimKeyError, keyFingerprint, parseDkimPrivateKey, pastedPublicKeyRecord, signSampleMessage, verifyDkim } from "./dkim.server.ts";

// The DKIM keys a unit stores and the in-process verifier behind the "test DKIM" button,
// cross-checked against Debian's python3-dkim in both directions.

const rsa = (bits = 2048) => crypto.generateKeyPairSync("rsa", { modulusLength: bits });
const KEY_A = rsa();
const KEY_B = rsa();
const pkcs8 = (key: crypto.KeyObject) => key.export({ type: "pkcs8", format: "pem" }).toString();
const SELECTOR = "pc2026";
const DOMAIN = "tax.example.com";
const FROM = { name: "Example Tax", address: "news@tax.example.com" };
const signer = (privateKey: crypto.KeyObject) => ({ domainName: DOMAIN, keySelector: SELECTOR, privateKey: pkcs8(privateKey) });
const recordOf = (publicKey: crypto.KeyObject) => dkimDnsRecord(publicKey, SELECTOR, DOMAIN).value;
/** DNS that knows one record, at <selector>._domainkey.<domain>. */
const dnsWith = (record: string) => (selector: string, domain: string) => (`${selector}._domainkey.${domain}` === `${SELECTOR}._domainkey.${DOMAIN}` ? record : null);

const sample = () => signSampleMessage(FROM, signer(KEY_A.privateKey), "https://prefs.example.com/u/dkim-test");

describe("a pasted private key", () => {
  it("is read from PKCS#8 or PKCS#1 PEM, stored as PKCS#8, with its size and the public key's fingerprint", () => {
    const fromPkcs1 = parseDkimPrivateKey(KEY_A.privateKey.export({ type: "pkcs1", format: "pem" }).toString());
    const fromPkcs8 = parseDkimPrivateKey(`\n  ${pkcs8(KEY_A.privateKey)}  \n`);
    expect(fromPkcs1.pem).toBe(pkcs8(KEY_A.privateKey));
    expect(fromPkcs8.pem).toBe(fromPkcs1.pem);
    expect(fromPkcs1.bits).toBe(2048);
    expect(fromPkcs1.fingerprint).toBe(keyFingerprint(KEY_A.publicKey));
    expect(fromPkcs1.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(keyFingerprint(KEY_B.publicKey)).not.toBe(fromPkcs1.fingerprint);
  });

  it("is refused, saying why, when it is not an unencrypted RSA private key of a size receivers accept", () => {
    const refusal = (text: string) => {
      try {
        parseDkimPrivateKey(text);
      } catch (error) {
        expect(error).toBeInstanceOf(DkimKeyError);
        return (error as Error).message;
      }
      throw new Error("accepted");
    };
    expect(refusal("")).toMatch(/Paste the private key/);
    expect(refusal(KEY_A.publicKey.export({ type: "spki", format: "pem" }).toString())).toMatch(/This is a public key/);
    expect(refusal("hello")).toMatch(/not a PEM private key/);
    expect(refusal(pkcs8(KEY_A.privateKey).replace(/\n[A-Za-z0-9+/]{20}/, "\n"))).toMatch(/cannot be read/);
    const ed25519 = crypto.generateKeyPairSync("ed25519");
    expect(refusal(pkcs8(ed25519.privateKey))).toMatch(/Ed25519 key; the mail transport \(nodemailer\) signs with RSA only/);
    expect(refusal(pkcs8(crypto.generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey))).toMatch(/EC key/);
    expect(refusal(pkcs8(rsa(512).privateKey))).toMatch(/512 bits; receivers ignore DKIM keys under 1024 bits/);
    const encrypted = KEY_A.privateKey.export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: "secret" }).toString();
    expect(refusal(encrypted)).toMatch(/passphrase/);
  });
});

describe("the DNS record", () => {
  it("publishes the public key at <selector>._domainkey.<domain>, split into 255-character strings for a zone file", () => {
    const record = dkimDnsRecord(KEY_A.publicKey, SELECTOR, DOMAIN);
    expect(record.name).toBe("pc2026._domainkey.tax.example.com");
    expect(record.value).toBe(`v=DKIM1; k=rsa; p=${KEY_A.publicKey.export({ type: "spki", format: "der" }).toString("base64")}`);
    expect(record.zoneLine.startsWith("pc2026._domainkey.tax.example.com.  TXT  \"v=DKIM1; k=rsa; p=")).toBe(true);
    const strings = [...record.zoneLine.matchAll(/"([^"]*)"/g)].map((m) => m[1]);
    expect(strings.length).toBeGreaterThan(1);
    expect(strings.every((s) => s.length <= 255)).toBe(true);
    expect(strings.join("")).toBe(record.value);
  });

  it("reads a pasted public key in each form an admin has at hand, and refuses anything else", () => {
    const expected = recordOf(KEY_A.publicKey);
    const zone = dkimDnsRecord(KEY_A.publicKey, SELECTOR, DOMAIN).zoneLine;
    const p = expected.split("p=")[1];
    expect(pastedPublicKeyRecord(expected)).toBe(expected);
    expect(pastedPublicKeyRecord(zone)).toBe(expected);
    expect(pastedPublicKeyRecord(`  ${p.slice(0, 100)}\n${p.slice(100)}  `)).toBe(expected);
    expect(pastedPublicKeyRecord(KEY_A.publicKey.export({ type: "spki", format: "pem" }).toString())).toBe(expected);
    expect(() => pastedPublicKeyRecord(pkcs8(KEY_A.privateKey))).toThrow(/This is a private key/);
    expect(() => pastedPublicKeyRecord("")).toThrow(/Paste the public key/);
    expect(() => pastedPublicKeyRecord("not a key at all!")).toThrow(/not a public key/);
    expect(() => pastedPublicKeyRecord("v=DKIM1; k=rsa; p=AAAA")).toThrow(/not an RSA public key|not a public key/);
    expect(() => pastedPublicKeyRecord("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----")).toThrow(/cannot be read/);
  });
});

describe("the verifier", () => {
  it("passes a sample signed with the stored key against its derived public key, and fails against another key", async () => {
    const raw = await sample();
    expect(await verifyDkim(raw, dnsWith(recordOf(KEY_A.publicKey)))).toEqual({ pass: true, domain: DOMAIN, selector: SELECTOR, algorithm: "rsa-sha256" });
    const other = await verifyDkim(raw, dnsWith(recordOf(KEY_B.publicKey)));
    expect(other).toMatchObject({ pass: false, reason: "signature-mismatch" });
  });

  it("names each way a message or key can fail", async () => {
    const raw = (await sample()).toString("latin1");
    const dns = dnsWith(recordOf(KEY_A.publicKey));
    expect(await verifyDkim(raw.replace("It is never sent.", "It is never read."), dns)).toMatchObject({ reason: "body-hash-mismatch" });
    expect(await verifyDkim(raw.replace("Subject: DKIM test message", "Subject: DKIM test massage"), dns)).toMatchObject({ reason: "signature-mismatch" });
    expect(await verifyDkim(raw.replace("List-Unsubscribe=One-Click", "List-Unsubscribe=One-Clack"), dns)).toMatchObject({ reason: "signature-mismatch" });
    expect(await verifyDkim(raw.replace(/^DKIM-Signature:/m, "X-Old-Signature:"), dns)).toMatchObject({ reason: "no-signature" });
    expect(await verifyDkim(raw, () => null)).toMatchObject({ reason: "no-key", message: "There is no DKIM key at pc2026._domainkey.tax.example.com." });
    expect(await verifyDkim(raw, dnsWith("v=DKIM1; k=rsa; p="))).toMatchObject({ reason: "key-revoked" });
    expect(await verifyDkim(raw, dnsWith("v=DKIM1; k=rsa; p=%%%"))).toMatchObject({ reason: "bad-key-record" });
    expect(await verifyDkim(raw.replace("a=rsa-sha256", "a=rsa-sha1"), dns)).toMatchObject({ reason: "unsupported-algorithm" });
    // Whitespace a relay may add in headers and at line ends does not matter with relaxed/relaxed.
    const relayed = raw.replace("Subject: DKIM test message", "Subject:   DKIM  test message  ").replace("It is never sent.\r\n", "It is never sent.   \r\n");
    expect(relayed).not.toBe(raw);
    expect(await verifyDkim(relayed, dns)).toMatchObject({ pass: true });
  });

  it("checks an Ed25519 signature too (RFC 8463), as receivers do", async () => {
    const ed = crypto.generateKeyPairSync("ed25519");
    const record = dkimDnsRecord(ed.publicKey, SELECTOR, DOMAIN).value;
    expect(record).toMatch(/^v=DKIM1; k=ed25519; p=[A-Za-z0-9+/]{43}=$/);
    // nodemailer signs RSA only, so sign by hand: the same RSA-signed sample, re-signed with Ed25519.
    const rsaSigned = (await sample()).toString("latin1");
    const field = /^DKIM-Signature:(?:[^\r]|\r\n[ \t])*\r\n/m.exec(rsaSigned)!;
    const unsigned = rsaSigned.slice(0, field.index) + rsaSigned.slice(field.index + field[0].length);
    const template = field[0].replace("a=rsa-sha256", "a=ed25519-sha256").replace(/b=[^;]*$/, "b=");
    const headerLines = unsigned.slice(0, unsigned.indexOf("\r\n\r\n")).split(/\r\n(?![ \t])/);
    const fields = /;\s*h=([^;]+)/.exec(template.replace(/\r\n\s/g, ""))![1].split(":");
    const relaxed = (line: string) => `${line.slice(0, line.indexOf(":")).toLowerCase()}:${line.slice(line.indexOf(":") + 1).replace(/\r\n/g, "").replace(/[ \t]+/g, " ").trim()}`;
    const picked = fields.flatMap((f) => headerLines.filter((l) => l.toLowerCase().startsWith(`${f.toLowerCase()}:`)).slice(-1));
    const data = picked.map((l) => `${relaxed(l)}\r\n`).join("") + relaxed(template);
    const signature = crypto.sign(null, crypto.createHash("sha256").update(Buffer.from(data, "latin1")).digest(), ed.privateKey).toString("base64");
    const signed = `${template}${signature}\r\n${unsigned}`;
    expect(await verifyDkim(signed, dnsWith(record))).toMatchObject({ pass: true, algorithm: "ed25519-sha256" });
    expect(await verifyDkim(signed, dnsWith(recordOf(KEY_A.publicKey)))).toMatchObject({ pass: false, reason: "signature-mismatch" });
  });
});

describe("cross-checked with python3-dkim", () => {
  it("python3-dkim agrees with our verifier on the signed sample: pass with the derived key, fail with another or after a change", async () => {
    const python = requireDkimPython();
    const raw = await sample();
    const good = recordOf(KEY_A.publicKey);
    const wrong = recordOf(KEY_B.publicKey);
    const tampered = Buffer.from(raw.toString("latin1").replace("It is never sent.", "It is never read."), "latin1");
    for (const [message, record, expected] of [
      [raw, good, true],
      [raw, wrong, false],
      [tampered, good, false],
    ] as const) {
      expect(pythonDkimVerifies(python, message, SELECTOR, DOMAIN, record)).toBe(expected);
      expect((await verifyDkim(message, dnsWith(record))).pass).toBe(expected);
    }
  });

  it("our verifier passes what python3-dkim signs, in every canonicalisation, and fails it after a change", async () => {
    const python = requireDkimPython();
    const unsigned = Buffer.from(
      [
        "From: Example Tax <news@tax.example.com>",
        "To:   someone@example.com",
        "Subject: Folded\r\n   subject\twith  tabs ",
        "Date: Sun, 22 Nov 2026 10:00:00 +0000",
        "Message-ID: <abc@tax.example.com>",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
        "",
        "Hello  there, \t",
        "",
        "A second paragraph.",
        "",
        "",
        "",
      ].join("\r\n"),
      "latin1",
    );
    const privateKeyPem = KEY_A.privateKey.export({ type: "pkcs1", format: "pem" }).toString();
    const headers = ["from", "to", "subject", "date", "message-id", "mime-version", "content-type", "reply-to"];
    for (const canonicalize of [["relaxed", "relaxed"], ["simple", "simple"], ["relaxed", "simple"], ["simple", "relaxed"]] as [string, string][]) {
      const signed = pythonDkimSign(python, unsigned, { selector: SELECTOR, domain: DOMAIN, privateKeyPem, canonicalize, headers });
      expect(signed.toString("latin1")).toContain(`c=${canonicalize.join("/")}`);
      expect(await verifyDkim(signed, dnsWith(recordOf(KEY_A.publicKey))), canonicalize.join("/")).toMatchObject({ pass: true });
      expect((await verifyDkim(signed, dnsWith(recordOf(KEY_B.publicKey)))).pass).toBe(false);
      const changed = Buffer.from(signed.toString("latin1").replace("A second paragraph.", "A second paragraph!"), "latin1");
      expect(await verifyDkim(changed, dnsWith(recordOf(KEY_A.publicKey)))).toMatchObject({ pass: false, reason: "body-hash-mismatch" });
    }
  });
});
