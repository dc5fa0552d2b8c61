import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createOutboxTransport } from "./outbox.server.ts";
import {
  OUTBOX_PAGE_SIZE,
  OUTBOX_SCAN_LIMIT,
  browseOutbox,
  openOutboxMessage,
  readOutboxHtml,
  readOutboxSource,
  withLinksInNewTab,
  type OutboxPage,
  type OutboxReader,
} from "./outbox-browse.server.ts";

const ADMIN: OutboxReader = { everything: true };
const TAX_MARKETER: OutboxReader = { everything: false, fromAddresses: new Set(["news@tax.example.com"]) };
const START = Date.parse("2026-03-01T09:00:00.000Z");

let tmp: string;
let outbox: string;

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "outbox-browse-"));
  outbox = path.join(tmp, "outbox");
  fs.mkdirSync(outbox);
});

afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** The file name the transport gives a message written at `at`. */
const nameAt = (at: number) => `${new Date(at).toISOString().replaceAll(":", "-")}-${crypto.randomBytes(6).toString("hex")}.eml`;

/** Writes a small message straight into the outbox, `n` seconds after START; returns its file name. */
function writeMessage(n: number, options: { to?: string; from?: string; promotional?: boolean } = {}): string {
  const fileName = nameAt(START + n * 1000);
  const headers = [
    `From: Example Tax <${options.from ?? "news@tax.example.com"}>`,
    `To: ${options.to ?? `person${n}@example.com`}`,
    `Subject: Message ${n}`,
    `Date: ${new Date(START + n * 1000).toUTCString()}`,
    ...(options.promotional === false ? [] : ["List-Unsubscribe: <https://prefs.example.com/u/token>", "List-Unsubscribe-Post: List-Unsubscribe=One-Click"]),
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=utf-8",
  ];
  fs.writeFileSync(path.join(outbox, fileName), `${headers.join("\r\n")}\r\n\r\nHello ${n}\r\n`);
  return fileName;
}

const subjects = (page: OutboxPage) => page.entries.map((e) => e.subject);
const numbered = (from: number, to: number) => Array.from({ length: from - to + 1 }, (_, i) => `Message ${from - i}`);

describe("browsing the outbox", () => {
  it("pages newest first with Older and Newer cursors that meet exactly", async () => {
    for (let n = 0; n < 120; n++) writeMessage(n);
    const first = await browseOutbox(outbox, ADMIN);
    expect(subjects(first)).toEqual(numbered(119, 70));
    expect(first).toMatchObject({ newer: null, total: 120, searchedUpTo: null });
    expect(first.entries[0]).toMatchObject({ from: "Example Tax <news@tax.example.com>", to: "person119@example.com", date: new Date(START + 119_000) });

    const second = await browseOutbox(outbox, ADMIN, { before: first.older! });
    expect(subjects(second)).toEqual(numbered(69, 20));
    const third = await browseOutbox(outbox, ADMIN, { before: second.older! });
    expect(subjects(third)).toEqual(numbered(19, 0));
    expect(third.older).toBeNull();

    const backToSecond = await browseOutbox(outbox, ADMIN, { after: third.newer! });
    expect(subjects(backToSecond)).toEqual(numbered(69, 20));
    const backToFirst = await browseOutbox(outbox, ADMIN, { after: backToSecond.newer! });
    expect(subjects(backToFirst)).toEqual(numbered(119, 70));
    expect(backToFirst.newer).toBeNull();
  });

  it("reads the headers of the page's messages only", async () => {
    // Older "messages" that cannot be read at all: a page view that touched them would fail.
    for (let n = 0; n < 10; n++) fs.mkdirSync(path.join(outbox, nameAt(START + n * 1000)));
    for (let n = 10; n < 10 + OUTBOX_PAGE_SIZE; n++) writeMessage(n);
    const page = await browseOutbox(outbox, ADMIN);
    expect(page.entries).toHaveLength(OUTBOX_PAGE_SIZE);
    expect(page.older).not.toBeNull();
  });

  it("lists only files named the way the transport names them", async () => {
    writeMessage(1);
    fs.writeFileSync(path.join(outbox, `.${nameAt(START)}.tmp`), "half a message");
    fs.writeFileSync(path.join(outbox, "notes.eml"), "From: x@example.com\r\n\r\n");
    fs.writeFileSync(path.join(outbox, "README.txt"), "not mail");
    const page = await browseOutbox(outbox, ADMIN);
    expect(subjects(page)).toEqual(["Message 1"]);
    expect(page.total).toBe(1);
    expect(await browseOutbox(path.join(tmp, "never-written"), ADMIN)).toMatchObject({ entries: [], total: 0, older: null, newer: null });
  });

  it("finds messages by recipient, a page at a time", async () => {
    for (let n = 0; n < 130; n++) writeMessage(n, { to: n % 2 === 0 ? `even${n}@example.com` : `odd${n}@example.org` });
    const first = await browseOutbox(outbox, ADMIN, { recipient: " @EXAMPLE.ORG " });
    expect(first.entries).toHaveLength(OUTBOX_PAGE_SIZE);
    expect(first.entries.every((e) => e.to.endsWith("@example.org"))).toBe(true);
    expect(first.entries[0].to).toBe("odd129@example.org");
    const second = await browseOutbox(outbox, ADMIN, { recipient: "@example.org", before: first.older! });
    expect(second.entries.map((e) => e.to)).toEqual(Array.from({ length: 15 }, (_, i) => `odd${29 - 2 * i}@example.org`));
    expect(second.older).toBeNull();
    expect(subjects(await browseOutbox(outbox, ADMIN, { recipient: "even42@" }))).toEqual(["Message 42"]);
  });

  it("shows a marketer their units' promotional mail only: not service mail, not other units'", async () => {
    const campaign = writeMessage(1);
    const service = writeMessage(2, { from: "service@tax.example.com", promotional: false });
    const sameAddressService = writeMessage(3, { promotional: false });
    const otherUnit = writeMessage(4, { from: "news@travel.example.com" });
    expect((await browseOutbox(outbox, TAX_MARKETER)).entries.map((e) => e.fileName)).toEqual([campaign]);
    expect((await browseOutbox(outbox, TAX_MARKETER)).total).toBeNull();
    expect((await browseOutbox(outbox, ADMIN)).entries).toHaveLength(4);
    for (const hidden of [service, sameAddressService, otherUnit]) {
      expect(await openOutboxMessage(outbox, TAX_MARKETER, hidden)).toBeNull();
      expect(await readOutboxSource(outbox, TAX_MARKETER, hidden)).toBeNull();
      expect(await readOutboxHtml(outbox, TAX_MARKETER, hidden)).toBeNull();
      expect(await openOutboxMessage(outbox, ADMIN, hidden)).not.toBeNull();
    }
    expect(await openOutboxMessage(outbox, TAX_MARKETER, campaign)).not.toBeNull();
  });

  it("stops a search after the scan limit and says how far it looked; Older carries on", async () => {
    writeMessage(0, { to: "needle@example.com" });
    for (let n = 1; n <= OUTBOX_SCAN_LIMIT + 10; n++) writeMessage(n);
    const first = await browseOutbox(outbox, ADMIN, { recipient: "needle" });
    expect(first.entries).toEqual([]);
    expect(first.searchedUpTo).toEqual(new Date(START + 11_000));
    const next = await browseOutbox(outbox, ADMIN, { recipient: "needle", before: first.older! });
    expect(subjects(next)).toEqual(["Message 0"]);
    expect(next).toMatchObject({ older: null, searchedUpTo: null });
  });

  it("sees a message written after the last listing", async () => {
    writeMessage(1);
    // A directory that has been still for a while: its listing is kept between page views.
    fs.utimesSync(outbox, new Date(START), new Date(START));
    expect((await browseOutbox(outbox, ADMIN)).total).toBe(1);
    writeMessage(2);
    expect(subjects(await browseOutbox(outbox, ADMIN))).toEqual(["Message 2", "Message 1"]);
  });
});

describe("opening one message", () => {
  it("parses a message the transport wrote: every header (DKIM-Signature, List-Unsubscribe), both parts with personal links removed, the raw file", async () => {
    const { privateKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 1024 });
    const transport = createOutboxTransport(outbox);
    await transport.send({
      stream: "promotional",
      from: { name: "Example Tax", address: "news@tax.example.com" },
      to: "jane@example.com",
      subject: "Spring offers",
      html: '<html><head><title>x</title></head><body><p>Hello</p><a href="https://prefs.example.com/u/abc">Unsubscribe</a></body></html>',
      text: "Hello. Unsubscribe: https://prefs.example.com/u/abc",
      headers: { "List-Unsubscribe": "<https://prefs.example.com/u/abc>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" },
      messageIdDomain: "tax.example.com",
      dkim: { domainName: "tax.example.com", keySelector: "pc", privateKey: privateKey.export({ type: "pkcs8", format: "pem" }).toString() },
    });
    await transport.close();
    const [fileName] = fs.readdirSync(outbox);

    const message = (await openOutboxMessage(outbox, TAX_MARKETER, fileName))!;
    expect(message.entry).toMatchObject({ fileName, subject: "Spring offers", to: "jane@example.com", from: "Example Tax <news@tax.example.com>" });
    const names = message.headers.map((h) => h.name);
    expect(names).toEqual(expect.arrayContaining(["DKIM-Signature", "List-Unsubscribe", "List-Unsubscribe-Post", "Message-ID", "From", "To", "Subject", "Date"]));
    expect(message.headers.find((h) => h.name === "List-Unsubscribe")!.value).toBe("<[unsubscribe link removed]>");
    expect(message.headers.find((h) => h.name === "DKIM-Signature")!.value).toMatch(/d=tax\.example\.com;.*s=pc/s);
    expect(message.text?.trim()).toBe("Hello. Unsubscribe: [unsubscribe link removed]");
    expect(message.hasHtml).toBe(true);
    expect((await readOutboxHtml(outbox, ADMIN, fileName))?.trimEnd()).toBe(
      '<html><head><base target="_blank"><title>x</title></head><body><p>Hello</p><strong title="Staff never see a recipient\'s working links">[unsubscribe link removed]</strong></body></html>',
    );
    expect((await readOutboxSource(outbox, ADMIN, fileName))!.equals(fs.readFileSync(path.join(outbox, fileName)))).toBe(true);
  });

  it("reads nothing but outbox files: other names, paths and links out of the outbox are refused", async () => {
    fs.writeFileSync(path.join(tmp, "secret.eml"), "From: a@example.com\r\n\r\nsecret");
    const outside = nameAt(START);
    fs.writeFileSync(path.join(tmp, outside), "From: a@example.com\r\n\r\nsecret");
    const linked = nameAt(START + 1000);
    fs.symlinkSync(path.join(tmp, outside), path.join(outbox, linked));
    for (const name of ["../secret.eml", `../${outside}`, path.join(tmp, outside), "secret.eml", `${outside}/`, `sub/${outside}`, linked, nameAt(START + 5000), "", ".."]) {
      expect(await openOutboxMessage(outbox, ADMIN, name), name).toBeNull();
      expect(await readOutboxSource(outbox, ADMIN, name), name).toBeNull();
    }
  });
});

describe("withLinksInNewTab", () => {
  it("puts <base target=_blank> first in the head, or as early as the document allows", () => {
    expect(withLinksInNewTab('<!DOCTYPE html><html lang="en"><HEAD data-x="1"><title>t</title></HEAD></html>')).toBe(
      '<!DOCTYPE html><html lang="en"><HEAD data-x="1"><base target="_blank"><title>t</title></HEAD></html>',
    );
    expect(withLinksInNewTab('<html dir="ltr"><body>x</body></html>')).toBe('<html dir="ltr"><base target="_blank"><body>x</body></html>');
    expect(withLinksInNewTab("<!doctype html><p>x</p>")).toBe('<!doctype html><base target="_blank"><p>x</p>');
    expect(withLinksInNewTab("<p>x</p>")).toBe('<base target="_blank"><p>x</p>');
    // <header> is not <head>.
    expect(withLinksInNewTab("<header>x</header>")).toBe('<base target="_blank"><header>x</header>');
  });
});
