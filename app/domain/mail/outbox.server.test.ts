import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import PostalMime from "postal-mime";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { browseOutbox, openOutboxMessage, readOutboxSource } from "./outbox-browse.server.ts";
import { createOutboxTransport } from "./outbox.server.ts";
import { InvalidMailError, MailDeliveryError, type OutgoingMail } from "./outgoing-mail.server.ts";

const unsubscribeUrl = `https://prefs.example.com/u/${"t".repeat(180)}`;

function promotional(overrides: Partial<OutgoingMail> = {}): OutgoingMail {
  return {
    stream: "promotional",
    from: { name: "Acme Garden News", address: "news@acme.example" },
    to: "jane@example.com",
    replyTo: "hello@acme.example",
    subject: "Spring bulbs are in",
    html: "<p>Tulips, <b>daffodils</b> and more.</p>",
    text: "Tulips, daffodils and more.",
    headers: { "List-Unsubscribe": `<${unsubscribeUrl}>`, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" },
    messageIdDomain: "acme.example",
    ...overrides,
  };
}

function transactional(overrides: Partial<OutgoingMail> = {}): OutgoingMail {
  return promotional({ stream: "transactional", subject: "Your renewal notice", headers: {}, ...overrides });
}

let tmp: string;
let outbox: string;

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "outbox-test-"));
  outbox = path.join(tmp, "var", "outbox"); // not created yet: the transport makes it
});

afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

// Read back as the admin outbox does (outbox-browse.server.ts), as someone who may read everything.
const everything = { everything: true } as const;
const listOutbox = async (dir: string) => (await browseOutbox(dir, everything)).entries;
const readOutboxMessage = async (dir: string, fileName: string) => (await readOutboxSource(dir, everything, fileName))?.toString("utf8") ?? null;

const filesIn = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir) : []);

describe("outbox transport", () => {
  it("writes one RFC 5322 file per message that lists and parses back", async () => {
    const transport = createOutboxTransport(outbox);
    const before = Date.now();
    const sent = await transport.send(promotional({ subject: "Frühling – 20 % off" }));
    await transport.close();

    const files = filesIn(outbox);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}Z-[0-9a-f]{12}\.eml$/);
    expect(sent.messageId).toMatch(/^<[\w-]+@acme\.example>$/);

    const [entry] = await listOutbox(outbox);
    expect(entry).toMatchObject({
      fileName: files[0],
      from: "Acme Garden News <news@acme.example>",
      to: "jane@example.com",
      subject: "Frühling – 20 % off",
    });
    // The Date header has whole seconds.
    expect(entry.date!.getTime()).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(entry.date!.getTime()).toBeLessThanOrEqual(Date.now());

    const raw = await readOutboxMessage(outbox, entry.fileName);
    expect(raw).not.toBeNull();
    expect(raw!.replaceAll("\r\n", "")).not.toMatch(/[\r\n]/); // CRLF line endings only
    expect(raw).toMatch(/^Content-Type: multipart\/alternative;/m);

    const email = await PostalMime.parse(raw!);
    expect(email.from).toEqual({ name: "Acme Garden News", address: "news@acme.example" });
    expect(email.to).toEqual([{ name: "", address: "jane@example.com" }]);
    expect(email.replyTo).toEqual([{ name: "", address: "hello@acme.example" }]);
    expect(email.subject).toBe("Frühling – 20 % off");
    expect(email.messageId).toBe(sent.messageId);
    expect(email.text?.trim()).toBe("Tulips, daffodils and more.");
    expect(email.html?.trim()).toBe("<p>Tulips, <b>daffodils</b> and more.</p>");
    const values = (key: string) => email.headers.filter((h) => h.key === key).map((h) => h.value);
    expect(values("list-unsubscribe")).toEqual([`<${unsubscribeUrl}>`]);
    expect(values("list-unsubscribe-post")).toEqual(["List-Unsubscribe=One-Click"]);
  });

  it("writes the envelope sender first, as the Return-Path the final server adds; the From address when the message names none", async () => {
    const returnPath = "bounces+c12-0123456789abcdef0123@bounces.acme.example";
    const transport = createOutboxTransport(outbox);
    await transport.send(promotional({ returnPath }));
    await transport.send(transactional({ subject: "No return path" }));
    const [second, first] = await listOutbox(outbox);
    const raw = (await readOutboxMessage(outbox, first.fileName))!;
    expect(raw.startsWith(`Return-Path: <${returnPath}>\r\n`)).toBe(true);
    expect((await readOutboxMessage(outbox, second.fileName))!.startsWith("Return-Path: <news@acme.example>\r\n")).toBe(true);
    // The outbox still lists and opens it; the page shows the line, without the signed id.
    expect(first).toMatchObject({ from: "Acme Garden News <news@acme.example>", to: "jane@example.com", subject: "Spring bulbs are in" });
    const opened = await openOutboxMessage(outbox, everything, first.fileName);
    expect(opened!.headers[0]).toEqual({ name: "Return-Path", value: "<bounces+[signed id removed]@bounces.acme.example>" });
    expect(opened!.text?.trim()).toBe("Tulips, daffodils and more.");
  });

  it("names files uniquely and in sending order, and lists newest first", async () => {
    const transport = createOutboxTransport(outbox);
    for (let n = 1; n <= 5; n++) await transport.send(transactional({ subject: `Notice ${n}` }));
    await Promise.all(Array.from({ length: 20 }, (_, n) => transport.send(transactional({ subject: `Burst ${n}` }))));

    const files = filesIn(outbox);
    expect(files).toHaveLength(25);
    expect(files.every((name) => name.endsWith(".eml"))).toBe(true); // no temp file left behind

    const listed = await listOutbox(outbox);
    expect(listed.map((entry) => entry.fileName)).toEqual([...files].sort().reverse());
    expect(listed.slice(-5).map((entry) => entry.subject)).toEqual(["Notice 5", "Notice 4", "Notice 3", "Notice 2", "Notice 1"]);
  });

  it("lists a missing outbox as empty", async () => {
    expect(await listOutbox(path.join(tmp, "nothing-sent-yet"))).toEqual([]);
  });

  it("signs with DKIM when the unit has a key", async () => {
    const { privateKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
    const dkim = { domainName: "acme.example", keySelector: "pc2026", privateKey: privateKey.export({ type: "pkcs8", format: "pem" }).toString() };
    const transport = createOutboxTransport(outbox);
    await transport.send(promotional({ dkim }));
    const raw = (await readOutboxMessage(outbox, (await listOutbox(outbox))[0].fileName))!;
    const signature = (await PostalMime.parse(raw)).headers.find((h) => h.key === "dkim-signature")?.value;
    expect(signature).toMatch(/\bd=acme\.example;/);
    expect(signature).toMatch(/\bs=pc2026;/);

    await expect(transport.send(promotional({ dkim: { ...dkim, privateKey: "not a key" } }))).rejects.toThrow(/DKIM private key/);
    const ed25519 = crypto.generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    await expect(transport.send(promotional({ dkim: { ...dkim, privateKey: ed25519 } }))).rejects.toThrow(/signs with RSA keys only/);
  });

  it("verifies that the outbox can be written, leaving nothing behind", async () => {
    await createOutboxTransport(outbox).verify();
    expect(filesIn(outbox)).toEqual([]);
  });

  it("rejects when the outbox directory cannot be created", async () => {
    const blocker = path.join(tmp, "a-file");
    fs.writeFileSync(blocker, "");
    const transport = createOutboxTransport(path.join(blocker, "outbox"));
    const failure = transport.send(promotional());
    await expect(failure).rejects.toBeInstanceOf(MailDeliveryError);
    await expect(failure).rejects.toThrow(`Could not write to the outbox ${path.join(blocker, "outbox")}`);
    await expect(transport.verify()).rejects.toThrow(/ENOTDIR|EEXIST/);
  });
});

describe("messages the transport refuses", () => {
  const refusals: Array<[string, OutgoingMail, RegExp]> = [
    ["CR/LF in the subject", promotional({ subject: "Hello\r\nBcc: everyone@example.com" }), /subject contains a line break/],
    ["LF alone in the subject", promotional({ subject: "Hello\nthere" }), /subject contains a line break/],
    ["a line break in a header value", transactional({ headers: { "X-Campaign": "7\r\nBcc: x@example.com" } }), /X-Campaign header contains a line break/],
    ["a line break in the From name", promotional({ from: { name: "Acme\r\nBcc: x@example.com", address: "news@acme.example" } }), /From name/],
    ["an empty plain-text part", promotional({ text: "" }), /plain-text part is empty/],
    ["a blank HTML part", promotional({ html: " \n " }), /HTML part is empty/],
    ["two recipients", promotional({ to: "jane@example.com, joe@example.com" }), /recipient/],
    ["a structural header", transactional({ headers: { Bcc: "x@example.com" } }), /Bcc header is set from the message fields/],
    ["a header given twice", transactional({ headers: { "X-Tag": "a", "x-tag": "b" } }), /given twice/],
    ["a bad Message-ID domain", promotional({ messageIdDomain: "acme.example>\r\nX: y" }), /Message-ID/],
    ["promotional mail without List-Unsubscribe", promotional({ headers: { "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" } }), /List-Unsubscribe header/],
    ["promotional mail without List-Unsubscribe-Post", promotional({ headers: { "List-Unsubscribe": `<${unsubscribeUrl}>` } }), /List-Unsubscribe-Post/],
    ["transactional mail with List-Unsubscribe", transactional({ headers: { "list-unsubscribe": `<${unsubscribeUrl}>` } }), /transactional mail cannot be unsubscribed/],
    [
      "promotional mail whose List-Unsubscribe offers only a mailto:",
      promotional({ headers: { "List-Unsubscribe": "<mailto:unsubscribe+c1-0123456789abcdef0123@bounces.acme.example?subject=unsubscribe>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" } }),
      /List-Unsubscribe header with an <http\(s\):\/\/...> link/,
    ],
    ["a return path that is not one address", promotional({ returnPath: "bounces@acme.example>\r\nBcc: x@example.com" }), /return path/],
    ["a non-ASCII return path", promotional({ returnPath: "bounces+c1-x@zürich.example" }), /return path .* is not a plain ASCII email address/],
    ["a Return-Path header", transactional({ headers: { "Return-Path": "<x@example.com>" } }), /Return-Path header is set from the message fields/],
  ];

  it.each(refusals)("refuses %s and writes nothing", async (_, mail, reason) => {
    const transport = createOutboxTransport(outbox);
    const failure = transport.send(mail);
    await expect(failure).rejects.toBeInstanceOf(InvalidMailError);
    await expect(failure).rejects.toThrow(reason);
    expect(filesIn(outbox)).toEqual([]);
  });
});
