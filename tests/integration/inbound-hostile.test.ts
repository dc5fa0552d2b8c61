import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, db } from "~/utils/db.server.ts";
import { getEnv } from "~/utils/env.server.ts";
import { returnPathFor } from "~/domain/feedback/addresses.server.ts";
import { recordInboundMessage } from "~/domain/feedback/inbound-server-record.server.ts";
import { startInboundServer, type InboundServer } from "~/domain/feedback/inbound-server.server.ts";
import { unitBounceDomain } from "~/domain/units/sender-facts.server.ts";
import { createUnit } from "../helpers/fixtures.ts";
import { inboundClient, refusal, type InboundClient } from "../helpers/inbound-client.ts";
import { deliveryStatusNotification } from "../helpers/inbound-reports.ts";
import { testsOnPostgresql } from "../helpers/test-database.ts";

// Mail nobody should send, through real SMTP into the inbound server with the real recorder:
// each accepted message is stored whatever it is, and the server keeps answering.

let server: InboundServer;
let client: InboundClient;
let bounceDomain: string;
const logLines: string[] = [];

beforeAll(async () => {
  const unit = await createUnit();
  bounceDomain = unitBounceDomain(unit);
  server = await startInboundServer({ port: 0, host: "127.0.0.1", receive: recordInboundMessage, log: (line) => logLines.push(line) });
  client = inboundClient(server.port);
});

afterAll(async () => {
  client?.close();
  await server?.close();
});

let nextDelivery = 9000;
const bounceAddress = () => returnPathFor({ stream: "campaign", deliveryId: ++nextDelivery }, bounceDomain);
const lastStored = () => db.inboundMessage.findFirstOrThrow({ orderBy: { id: "desc" } });

/** A report every reader can read: proves the server still answers after something hostile. */
async function sendReadableBounce() {
  const to = bounceAddress();
  await client.send({ from: "", to: [to] }, deliveryStatusNotification({ returnPath: to, recipient: "gone@example.org", messageId: "<m1@example.com>" }, { status: "5.1.1" }));
  expect(await lastStored()).toMatchObject({ kind: "HARD_BOUNCE", rcptTo: to, status: "5.1.1" });
}

const SECRET_BODY = "secret-body-text-that-must-not-be-logged";

const hostile: [string, Buffer][] = [
  [
    "broken MIME: a multipart report whose boundary never appears, and a part with no end",
    Buffer.from(
      "From: MAILER-DAEMON@mx.example.org\r\nSubject: Undelivered\r\nMIME-Version: 1.0\r\n" +
        'Content-Type: multipart/report; report-type=delivery-status; boundary="never-used"\r\n\r\n' +
        `--wrong\r\nContent-Type: message/delivery-status\r\n\r\nStatus: 5.1.1\r\n${SECRET_BODY}\r\n--also-wrong`,
    ),
  ],
  [
    "8-bit headers: raw Latin-1 and invalid UTF-8 bytes in From, Subject and a field name",
    Buffer.concat([
      Buffer.from("From: "),
      Buffer.from([0xc9, 0x6d, 0x69, 0x6c, 0x65, 0xff, 0xfe]),
      Buffer.from(" <a@example.org>\r\nSubject: R"),
      Buffer.from([0xe9, 0x73, 0x75, 0x6d, 0xe9, 0xc3, 0x28]),
      Buffer.from("\r\nX-"),
      Buffer.from([0xa0, 0xa1]),
      Buffer.from(`: value\r\n\r\n${SECRET_BODY}\r\n`),
    ]),
  ],
  [
    "NUL bytes in the header and the body",
    Buffer.from(`From: a\u0000b@example.org\r\nSubject: nul\u0000nul\r\nContent-Type: multipart/report; boundary=x\u0000y\r\n\r\n--x\u0000y\r\n\u0000\u0000${SECRET_BODY}\u0000\r\n`),
  ],
  ["no header at all, only a body", Buffer.from(`${SECRET_BODY}\r\n`.repeat(20))],
  [
    "a thousand nested multiparts",
    Buffer.from(
      "From: a@example.org\r\nMIME-Version: 1.0\r\n" +
        Array.from({ length: 1000 }, (_, i) => `Content-Type: multipart/mixed; boundary="b${i}"\r\n\r\n--b${i}\r\n`).join("") +
        `\r\n${SECRET_BODY}\r\n`,
    ),
  ],
];

describe("hostile mail to one of our addresses", () => {
  it.each(hostile)("%s: stored as unreadable or ignored, nothing changed, the next message answered", async (_name, raw) => {
    const suppressionsBefore = await db.suppression.count();
    const to = bounceAddress();
    const answer = await client.send({ from: "mailer@example.org", to: [to] }, raw);
    expect(answer.response).toMatch(/^250 /);
    const stored = await lastStored();
    expect(["UNREADABLE", "IGNORED"]).toContain(stored.kind);
    expect(stored.rcptTo).toBe(to);
    expect(stored.raw?.length).toBeGreaterThan(0);
    expect(await db.suppression.count()).toBe(suppressionsBefore);
    await sendReadableBounce();
  });

  it("over 1 MB: refused with 552 after the data, nothing stored, the next message answered", async () => {
    const before = await db.inboundMessage.count();
    const huge = Buffer.from(`Subject: huge\r\n\r\n${`${"y".repeat(998)}\r\n`.repeat(1100)}`);
    const error = await refusal(client.send({ from: "", to: [bounceAddress()] }, huge));
    expect(error.responseCode).toBe(552);
    expect(await db.inboundMessage.count()).toBe(before);
    await sendReadableBounce();
  });

  it("logs one line per message, naming its envelope and kind, never its body", () => {
    const messageLines = logLines.filter((line) => line.includes(" bytes: "));
    // Each hostile message and the readable bounce after it, and the bounce after the huge one.
    expect(messageLines.length).toBe(hostile.length * 2 + 1);
    expect(logLines.some((line) => line.includes(SECRET_BODY))).toBe(false);
    expect(messageLines.every((line) => /^inbound \S+ 127\.0\.0\.1 from <[^>]*> to <[^>]+> \d+ bytes: (HARD_BOUNCE|UNREADABLE|IGNORED) #\d+: /.test(line))).toBe(true);
  });
});

describe("postmaster", () => {
  it("takes mail for postmaster at a bounce domain, as RFC 5321 requires, and keeps it as IGNORED for an admin", async () => {
    await client.send({ from: "someone@example.org", to: [`postmaster@${bounceDomain}`] }, "Subject: your server\r\n\r\nHello postmaster.\r\n");
    expect(await lastStored()).toMatchObject({ kind: "IGNORED", rcptTo: `postmaster@${bounceDomain}`, mailFrom: "someone@example.org" });
  });
});

// Held up by another process's lock: SQLite's one write lock, or on PostgreSQL a lock on the
// recorder's table, past the product's lock wait (5 s on either database, app/utils/db.server.ts).
describe("when the message cannot be stored", () => {
  it("answers 451 4.3.0 so the sender retries, and stores it when it comes again", async () => {
    const to = bounceAddress();
    const report = deliveryStatusNotification({ returnPath: to, recipient: "busy@example.org", messageId: "<m2@example.com>" }, { status: "5.1.1" });
    const before = await db.inboundMessage.count();
    // Another process holds the lock the recorder needs longer than the recorder waits for it.
    const error = await whileAnotherProcessBlocksWrites(() => refusal(client.send({ from: "", to: [to] }, report)));
    expect(error.responseCode).toBe(451);
    expect(error.response).toMatch(/^451 4\.3\.0 /);
    expect(await db.inboundMessage.count()).toBe(before);
    expect(logLines.at(-1)).toMatch(/not stored, sender asked to retry/);

    await client.send({ from: "", to: [to] }, report);
    expect(await lastStored()).toMatchObject({ kind: "HARD_BOUNCE", rcptTo: to });
  });
});

/**
 * Runs `during` while another connection, in a transaction rolled back after, holds what the
 * recorder must wait for: on SQLite the database's one write lock (any write takes it), on
 * PostgreSQL, which locks rows and tables, a lock on the table the recorder inserts into.
 */
async function whileAnotherProcessBlocksWrites<T>(during: () => Promise<T>): Promise<T> {
  const other = createDb(getEnv().DATABASE_URL, { poolSize: 1 });
  const rollBack = new Error("roll back the lock holder's transaction");
  let result: { value: T } | undefined;
  try {
    await other.$transaction(
      async (tx) => {
        if (testsOnPostgresql) await tx.$executeRaw`LOCK TABLE "InboundMessage" IN EXCLUSIVE MODE`;
        else await tx.throttle.create({ data: { key: "held-by-another-process", windowStartsAt: new Date(), count: 0 } });
        result = { value: await during() };
        throw rollBack;
      },
      { timeout: 60_000 },
    );
  } catch (error) {
    if (error !== rollBack) throw error;
  } finally {
    await other.$disconnect();
  }
  return result!.value;
}
