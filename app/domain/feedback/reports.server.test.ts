import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { classifyStatus, readReport, type ReadReport } from "./reports.server.ts";

// Every original in the corpus was sent by us with this return path and Message-ID.
const RETURN_PATH = "bounces+c42-0123456789abcdef0123@bounces.example-tax.test";
const MESSAGE_ID = "<abc@example-tax.test>";
const ours = (to?: string) => (to ? { returnPath: RETURN_PATH, messageId: MESSAGE_ID, to } : { returnPath: RETURN_PATH, messageId: MESSAGE_ID });

const fixture = (name: string) => readFileSync(path.resolve("tests/fixtures/inbound", name));
const withCrlf = (raw: Buffer) => Buffer.from(raw.toString("latin1").replace(/\r?\n/g, "\r\n"), "latin1");

const corpus: Array<[file: string, expected: ReadReport]> = [
  [
    "postfix-dsn-5.1.1.eml",
    {
      kind: "HARD_BOUNCE",
      recipient: "anna.lindqvist@example.net",
      status: "5.1.1",
      diagnostic: "smtp; 550 5.1.1 <anna.lindqvist@example.net>: Recipient address rejected: User unknown in virtual mailbox table",
      original: ours("anna.lindqvist@example.net"),
    },
  ],
  [
    "gmail-dsn-5.1.1.eml",
    {
      kind: "HARD_BOUNCE",
      recipient: "carla.nonexistent@gmail.com",
      status: "5.1.1",
      diagnostic: expect.stringMatching(/^smtp; 550-5\.1\.1 The email account that you tried to reach does not exist\./) as unknown as string,
      original: ours("carla.nonexistent@gmail.com"),
    },
  ],
  [
    "microsoft365-ndr-5.1.10.eml",
    {
      kind: "HARD_BOUNCE",
      recipient: "dora@contoso.com",
      status: "5.1.10",
      diagnostic: "smtp;550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient dora@contoso.com not found by SMTP address lookup",
      original: ours("dora@contoso.com"),
    },
  ],
  [
    "dsn-several-recipients.eml",
    // Exim reports 5.0.0 around the remote 5.1.1; the delayed recipient listed first is not the one that failed.
    { kind: "HARD_BOUNCE", recipient: "quentin@lists.example.org", status: "5.1.1", diagnostic: "smtp; 550 5.1.1 No such user here", original: ours("quentin@lists.example.org") },
  ],
  [
    "mailbox-full-5.2.2.eml",
    {
      kind: "SOFT_BOUNCE",
      recipient: "erik@example.de",
      status: "5.2.2",
      diagnostic: "smtp; 552 5.2.2 <erik@example.de>: Mailbox full: quota exceeded",
      original: ours("erik@example.de"),
    },
  ],
  [
    "delayed-4.4.7.eml",
    {
      kind: "SOFT_BOUNCE",
      recipient: "frida@slow.example.com",
      status: "4.4.7",
      diagnostic: "X-Postfix; connect to mx.slow.example.com[203.0.113.99]:25: Connection timed out",
      original: ours("frida@slow.example.com"),
    },
  ],
  [
    "policy-5.7.1-spam-block.eml",
    {
      kind: "POLICY_BOUNCE",
      recipient: "gustav@example.com",
      status: "5.7.1",
      diagnostic: "smtp; 554 5.7.1 Service unavailable; Client host [198.51.100.7] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/198.51.100.7",
      original: ours("gustav@example.com"),
    },
  ],
  [
    "gmail-dmarc-5.7.26.eml",
    {
      kind: "POLICY_BOUNCE",
      recipient: "hanna.berg@gmail.com",
      status: "5.7.26",
      diagnostic: expect.stringContaining("domain's DMARC policy") as unknown as string,
      original: ours("hanna.berg@gmail.com"),
    },
  ],
  ["dsn-delivered.eml", { kind: "DELIVERED", recipient: "pia@example.net", original: ours("pia@example.net") }],
  ["dsn-relayed.eml", { kind: "IGNORED", why: "a delivery status notification with action relayed: nothing failed", original: ours("pia@example.net") }],
  [
    "exim-plain-5.1.1.eml",
    {
      kind: "HARD_BOUNCE",
      recipient: "bert@example.org",
      status: "5.1.1",
      diagnostic: "550 5.1.1 <bert@example.org>: Recipient address rejected: User unknown in local recipient table",
      original: ours("bert@example.org"),
    },
  ],
  [
    "qmail-plain-5.1.1.eml",
    {
      kind: "HARD_BOUNCE",
      recipient: "lars@example.info",
      status: "5.1.1",
      diagnostic: "550 5.1.1 <lars@example.info>: Recipient address rejected: User unknown in local recipient table",
      original: ours("lars@example.info"),
    },
  ],
  [
    "mail-delivery-subsystem-plain.eml",
    { kind: "HARD_BOUNCE", recipient: "nils@example.com", status: "5.1.1", diagnostic: "550 5.1.1 <nils@example.com>... User unknown", original: ours("nils@example.com") },
  ],
  [
    "yahoo-plain-554-no-account.eml",
    {
      kind: "HARD_BOUNCE",
      recipient: "olle.nyberg@yahoo.com",
      diagnostic: "554: delivery error: dd This user doesn't have a yahoo.com account (olle.nyberg@yahoo.com) [0] - mta1234.mail.ne1.yahoo.com",
      original: ours("olle.nyberg@yahoo.com"),
    },
  ],
  ["yahoo-arf-abuse.eml", { kind: "COMPLAINT", recipient: "ingrid@yahoo.com", feedbackType: "abuse", original: ours("ingrid@yahoo.com") }],
  // Hotmail's loop sends no Original-Rcpt-To: the recipient comes from its X-HmXmrOriginalRecipient header.
  ["microsoft-jmrp-arf.eml", { kind: "COMPLAINT", recipient: "jonas@outlook.com", feedbackType: "abuse", original: ours("jonas@outlook.com") }],
  ["aol-arf-redacted.eml", { kind: "COMPLAINT", recipient: "redacted@aol.com", feedbackType: "abuse", original: ours("redacted@aol.com") }],
  ["arf-rfc822-headers-only.eml", { kind: "COMPLAINT", recipient: "karin@example-isp.net", feedbackType: "abuse", original: ours("karin@example-isp.net") }],
  ["arf-not-spam.eml", { kind: "IGNORED", why: "a feedback report of type not-spam, not a complaint", original: ours("karin@example-isp.net") }],
  ["out-of-office.eml", { kind: "IGNORED", why: "an auto-reply (an out-of-office subject)", original: { messageId: MESSAGE_ID } }],
  // A person quoting "552 5.2.2 mailbox full" is not a bounce.
  ["human-reply.eml", { kind: "IGNORED", why: "a letter, not a delivery or feedback report", original: { messageId: MESSAGE_ID } }],
  ["broken-mime.eml", { kind: "UNREADABLE", why: "a multipart/report whose report part could not be found (missing or wrong boundary)" }],
  ["eight-bit-headers.eml", { kind: "UNREADABLE", why: "8-bit bytes in the header block that are not UTF-8" }],
];

describe("readReport on the corpus of what mail systems send back", () => {
  it.each(corpus)("%s", async (file, expected) => {
    expect(await readReport(fixture(file))).toEqual(expected);
  });

  it.each(corpus)("%s, with CRLF line ends as SMTP delivers it", async (file, expected) => {
    expect(await readReport(withCrlf(fixture(file)))).toEqual(expected);
  });
});

describe("a DSN without the returned message still names it", () => {
  // Drops the part after the given boundary's n-th occurrence, as servers that return no copy do.
  const withoutPart = (file: string, boundary: string, index: number) => {
    const parts = fixture(file).toString("utf8").split(`--${boundary}`);
    return Buffer.from(parts.filter((_, at) => at !== index).join(`--${boundary}`));
  };

  it("Postfix: the return path from X-Postfix-Sender", async () => {
    const raw = withoutPart("postfix-dsn-5.1.1.eml", "4Qx7Lz2m3Fz9sTQ.1733220902/mx1.example.net", 3);
    expect(await readReport(raw)).toEqual({
      kind: "HARD_BOUNCE",
      recipient: "anna.lindqvist@example.net",
      status: "5.1.1",
      diagnostic: "smtp; 550 5.1.1 <anna.lindqvist@example.net>: Recipient address rejected: User unknown in virtual mailbox table",
      original: { returnPath: RETURN_PATH },
    });
  });

  it("Gmail: the Message-ID from X-Original-Message-ID", async () => {
    const raw = withoutPart("gmail-dsn-5.1.1.eml", "0000000000003f4e7d0627e1c2aa", 3).toString("utf8").replace(/^(?:References|In-Reply-To): .*\n/gm, "");
    expect(await readReport(Buffer.from(raw))).toMatchObject({ kind: "HARD_BOUNCE", original: { messageId: MESSAGE_ID } });
  });

  it("Microsoft 365: the Message-ID from In-Reply-To", async () => {
    const raw = withoutPart("microsoft365-ndr-5.1.10.eml", "a1b2c3d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d", 3);
    expect(await readReport(raw)).toMatchObject({ kind: "HARD_BOUNCE", recipient: "dora@contoso.com", original: { messageId: MESSAGE_ID } });
  });
});

describe("which recipient a DSN is about", () => {
  it("the address we sent to (Original-Recipient), not where it was forwarded (Final-Recipient)", async () => {
    const raw = fixture("postfix-dsn-5.1.1.eml").toString("utf8").replace("Final-Recipient: rfc822; anna.lindqvist@example.net", "Final-Recipient: rfc822; anna@forwarded.example.org");
    expect(await readReport(Buffer.from(raw))).toMatchObject({ kind: "HARD_BOUNCE", recipient: "anna.lindqvist@example.net" });
  });

  it("Final-Recipient when Original-Recipient is missing", async () => {
    const raw = fixture("postfix-dsn-5.1.1.eml").toString("utf8").replace("Original-Recipient: rfc822;anna.lindqvist@example.net\n", "");
    expect(await readReport(Buffer.from(raw))).toMatchObject({ kind: "HARD_BOUNCE", recipient: "anna.lindqvist@example.net" });
  });
});

describe("classifyStatus", () => {
  const table: Array<[status: string | undefined, diagnostic: string | undefined, action: string | undefined, expected: ReturnType<typeof classifyStatus>]> = [
    // The address does not exist or is closed.
    ["5.1.1", "smtp; 550 5.1.1 <a@example.net>: Recipient address rejected: User unknown", "failed", "HARD_BOUNCE"],
    ["5.1.1", "smtp; 550 5.1.1 <a@example.net>... Bad destination mailbox address", "failed", "HARD_BOUNCE"],
    ["5.1.2", "smtp; 550 5.1.2 Host unknown (Name server: example.invalid: host not found)", "failed", "HARD_BOUNCE"],
    ["5.1.3", "smtp; 501 5.1.3 Bad recipient address syntax", "failed", "HARD_BOUNCE"],
    ["5.1.6", "smtp; 551 5.1.6 Recipient no longer on server", "failed", "HARD_BOUNCE"],
    ["5.1.10", "smtp; 550 5.1.10 RESOLVER.ADR.RecipientNotFound", "failed", "HARD_BOUNCE"],
    ["5.2.1", "smtp; 550 5.2.1 The email account that you tried to reach is inactive", "failed", "HARD_BOUNCE"],
    ["5.4.4", "X-Postfix; Host or domain name not found. Name service error for name=example.invalid type=MX: Host not found", "failed", "HARD_BOUNCE"],
    ["5.7.13", "smtp; 525 5.7.13 User account disabled", "failed", "HARD_BOUNCE"],
    ["5.7.17", "smtp; 550 5.7.17 Mailbox owner has changed", "failed", "HARD_BOUNCE"],
    ["5.7.18", "smtp; 550 5.7.18 Domain owner has changed", "failed", "HARD_BOUNCE"],
    // Microsoft 365 directory-based blocking says 5.4.1 for an address that is not in its directory.
    ["5.4.1", "smtp; 550 5.4.1 Recipient address rejected: Access denied. AS(201806281)", "failed", "HARD_BOUNCE"],
    // The reply text overrides a policy code when it plainly says the mailbox is not there (qmail style).
    ["5.7.1", "smtp; 553 sorry, no mailbox here by that name. (#5.7.1)", "failed", "HARD_BOUNCE"],
    // x.0.0 defers to the more specific code in the reply.
    ["5.0.0", "smtp; 550 5.1.1 No such user here", "failed", "HARD_BOUNCE"],
    [undefined, "550 Requested action not taken: mailbox unavailable", "failed", "HARD_BOUNCE"],
    [undefined, "553 sorry, that domain isn't in my list of allowed rcpthosts", "failed", "HARD_BOUNCE"],

    // It may work later.
    ["5.2.2", "smtp; 552 5.2.2 Mailbox full", "failed", "SOFT_BOUNCE"],
    ["5.2.2", "smtp; 552 5.2.2 <erik@example.de>: Storage limit reached", "failed", "SOFT_BOUNCE"],
    ["5.2.3", "smtp; 552 5.2.3 Message exceeds maximum size", "failed", "SOFT_BOUNCE"],
    ["5.3.4", "smtp; 552 5.3.4 Message too big for system", "failed", "SOFT_BOUNCE"],
    ["5.3.0", "smtp; 550 5.3.0 Other mail system problem", "failed", "SOFT_BOUNCE"],
    ["4.2.2", "smtp; 452 4.2.2 The email account that you tried to reach is over quota", "failed", "SOFT_BOUNCE"],
    ["4.4.7", "X-Postfix; delivery time expired", "failed", "SOFT_BOUNCE"],
    ["5.4.1", "smtp; 554 5.4.1 No answer from host", "failed", "SOFT_BOUNCE"],
    // A temporary code stays soft even when its text sounds final.
    ["4.2.1", "smtp; 452 4.2.1 mailbox temporarily disabled", "failed", "SOFT_BOUNCE"],
    [undefined, "450 4.1.1 <a@example.net>: Recipient address rejected: unverified address", "failed", "SOFT_BOUNCE"],
    // Delayed is never final, whatever the code.
    ["5.1.1", "smtp; 550 5.1.1 User unknown", "delayed", "SOFT_BOUNCE"],
    // Mailbox-full text wins over an unspecific code, and over a 551 that alone would be hard.
    ["5.0.0", "smtp; 550 5.0.0 Mailbox is full", "failed", "SOFT_BOUNCE"],
    [undefined, "X-HERMES; host 127.0.0.1[127.0.0.1] said: 551 bounce as<the destination mailbox is full> queue as 100.1.ZmxEL", "failed", "SOFT_BOUNCE"],
    [undefined, "SMTP; 551 Requested mailbox exceeds quota.", "failed", "SOFT_BOUNCE"],
    // An unexplained permanent failure is counted, not taken as proof the address is dead.
    [undefined, "550 Message rejected", "failed", "SOFT_BOUNCE"],
    [undefined, undefined, "failed", "SOFT_BOUNCE"],

    // The receiver refused us, not the address.
    ["5.7.1", "smtp; 554 5.7.1 Service unavailable; Client host [198.51.100.7] blocked using zen.spamhaus.org", "failed", "POLICY_BOUNCE"],
    ["5.7.1", "smtp; 550-5.7.1 Our system has detected that this message is likely unsolicited mail", "failed", "POLICY_BOUNCE"],
    ["5.7.26", "smtp; 550 5.7.26 Unauthenticated email from example-tax.test is not accepted due to domain's DMARC policy", "failed", "POLICY_BOUNCE"],
    // Postfix's own wording for an access-table REJECT is a policy block, not an unknown user.
    ["5.7.1", "smtp; 554 5.7.1 <a@example.net>: Recipient address rejected: Access denied", "failed", "POLICY_BOUNCE"],
    ["5.1.8", "smtp; 553 5.1.8 Sender address rejected: Domain not found", "failed", "POLICY_BOUNCE"],
    // A closed account that is ours, not the recipient's.
    ["5.7.1", "smtp; 550 5.7.1 Your account has been disabled for sending spam", "failed", "POLICY_BOUNCE"],
    ["5.0.0", "smtp; 550 5.0.0 The sending account is disabled", "failed", "POLICY_BOUNCE"],
    ["5.1.0", "smtp; 550 5.1.0 <bounces+x@example-tax.test>: Sender address rejected: unverified", "failed", "POLICY_BOUNCE"],
    ["5.6.0", "smtp; 554 5.6.0 Message content rejected", "failed", "POLICY_BOUNCE"],
    ["5.5.3", "smtp; 452 5.5.3 Too many recipients", "failed", "POLICY_BOUNCE"],
    ["5.0.0", "smtp; 554 5.0.0 Service unavailable; blocked by policy", "failed", "POLICY_BOUNCE"],
    [undefined, "554 Message rejected as spam", "failed", "POLICY_BOUNCE"],
    // Given up after the receiver kept deferring us for our reputation: ours, not the address's.
    ["4.7.0", "smtp; 421-4.7.0 This message is suspicious due to the very low reputation of the sending IP", "failed", "POLICY_BOUNCE"],
    ["4.7.1", "smtp; 450 4.7.1 Client host rejected: cannot find your hostname", "failed", "POLICY_BOUNCE"],
    // While it is still being retried, a delay is a delay.
    ["4.7.0", "smtp; 421-4.7.0 This message is suspicious due to the very low reputation of the sending IP", "delayed", "SOFT_BOUNCE"],
  ];

  it.each(table)("%s %s (%s) → %s", (status, diagnostic, action, expected) => {
    expect(classifyStatus(status, diagnostic, action)).toBe(expected);
  });
});

describe("feedback reports", () => {
  const yahoo = fixture("yahoo-arf-abuse.eml").toString("utf8");
  const withType = (type: string) => Buffer.from(yahoo.replace("Feedback-Type: abuse", `Feedback-Type: ${type}`));

  it.each(["abuse", "fraud", "virus", "other"])("Feedback-Type %s is a complaint", async (type) => {
    expect(await readReport(withType(type))).toMatchObject({ kind: "COMPLAINT", feedbackType: type, recipient: "ingrid@yahoo.com" });
  });

  it.each(["not-spam", "auth-failure"])("Feedback-Type %s is not a complaint", async (type) => {
    expect(await readReport(withType(type))).toEqual({
      kind: "IGNORED",
      why: `a feedback report of type ${type}, not a complaint`,
      original: ours("ingrid@yahoo.com"),
    });
  });

  it("the report's Original-Mail-From stands in for the return path when only redacted headers come back", async () => {
    const raw = fixture("arf-rfc822-headers-only.eml").toString("utf8").replace(/^Return-Path: .*\n/gm, (line, offset: number) => (offset > 200 ? "" : line));
    expect(await readReport(Buffer.from(raw))).toMatchObject({ kind: "COMPLAINT", original: { returnPath: RETURN_PATH, messageId: MESSAGE_ID } });
  });
});

describe("auto-replies are never bounces", () => {
  const letter = fixture("human-reply.eml").toString("utf8");
  const withHeader = (header: string) => Buffer.from(letter.replace("MIME-Version: 1.0", `${header}\nMIME-Version: 1.0`));

  it.each([
    ["X-Autoreply: yes", "an X-Autoreply header"],
    ["X-Autorespond: Out of office", "an X-Autoreply header"],
    ["Precedence: auto_reply", "Precedence: auto_reply"],
    ["Auto-Submitted: auto-replied", "Auto-Submitted: auto-replied"],
  ])("%s", async (header, marker) => {
    expect(await readReport(withHeader(header))).toEqual({ kind: "IGNORED", why: `an auto-reply (${marker})`, original: { messageId: MESSAGE_ID } });
  });

  it("an Out of Office subject, even with a null sender and a bounce-like body", async () => {
    const raw = letter
      .replace("Subject: Re: Your December tax checklist", "Subject: Out of Office: Your December tax checklist")
      .replace("Return-Path: <mats.ek@example.net>", "Return-Path: <>")
      .replace("Thanks, very useful.", "I am away; your message could not be delivered to one or more recipients in my team either.");
    expect(await readReport(Buffer.from(raw))).toMatchObject({ kind: "IGNORED", why: "an auto-reply (an out-of-office subject)" });
  });

  it("a bounce from Exchange's own sender about a message whose subject says vacation is still a bounce", async () => {
    const raw = fixture("exim-plain-5.1.1.eml")
      .toString("utf8")
      .replace("From: Mail Delivery System <Mailer-Daemon@relay.example.org>", "From: Microsoft Outlook <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@example.org>")
      .replace("Subject: Mail delivery failed: returning message to sender", "Subject: Undeliverable: Vacation days and your tax return");
    expect(await readReport(Buffer.from(raw))).toMatchObject({ kind: "HARD_BOUNCE", recipient: "bert@example.org", status: "5.1.1" });
  });

  it("a person's reply about a campaign whose subject says vacation is a letter, not an auto-reply", async () => {
    const raw = letter.replace("Subject: Re: Your December tax checklist", "Subject: Re: Vacation days and your tax return");
    expect(await readReport(Buffer.from(raw))).toMatchObject({ kind: "IGNORED", why: "a letter, not a delivery or feedback report" });
  });

  it("an auto-reply marker below 64 KB of Received lines still counts", async () => {
    const received = "Received: from relay.example.net by mx.example.net; Thu, 03 Dec 2026 10:15:09 +0000\n".repeat(800);
    expect(await readReport(withHeader(`${received}X-Autoreply: yes`))).toMatchObject({ kind: "IGNORED", why: "an auto-reply (an X-Autoreply header)" });
  });

  it("but a mail system's bounce that also says Auto-Submitted: auto-replied is still a bounce", async () => {
    expect(await readReport(fixture("exim-plain-5.1.1.eml"))).toMatchObject({ kind: "HARD_BOUNCE" });
  });
});

describe("hostile input comes back, as UNREADABLE or read, never as a throw", () => {
  const MB = 1024 * 1024;
  const dsn = fixture("postfix-dsn-5.1.1.eml").toString("utf8");
  const head = "From: MAILER-DAEMON@mx.example.net\nTo: bounces@example-tax.test\nSubject: Undelivered Mail Returned to Sender\n";
  const nested = (depth: number) => {
    let raw = `${head}Content-Type: multipart/mixed; boundary=b0\n\n`;
    for (let level = 0; level < depth; level++) raw += `--b${level}\nContent-Type: multipart/mixed; boundary=b${level + 1}\n\n`;
    return Buffer.from(raw);
  };
  const bodyStart = dsn.indexOf("This is the mail system");

  const cases: Array<[name: string, raw: Buffer, expected: Partial<ReadReport>]> = [
    ["1 MB of random bytes", randomBytes(MB), { kind: "UNREADABLE" }],
    ["1 MB with no line break", Buffer.alloc(MB, "x"), { kind: "UNREADABLE", why: "no end of the header block in the first 256 KB" }],
    ["1 MB of text that is no message", Buffer.from("lorem ipsum dolor\n\n".repeat(MB / 19)), { kind: "UNREADABLE", why: "the message does not begin with a header field" }],
    ["a 1 MB header line", Buffer.from(`Subject: ${"a".repeat(MB)}\n\nbody`), { kind: "UNREADABLE" }],
    ["NUL bytes in a header", Buffer.from("From: a@example.net\nSubject: x\0y\n\nbody"), { kind: "UNREADABLE", why: "NUL bytes in the header block" }],
    ["Latin-1 bytes in a header", Buffer.concat([Buffer.from("From: a@example.net\nSubject: "), Buffer.from([0xe4, 0xf6, 0xfc]), Buffer.from("\n\nbody")]), { kind: "UNREADABLE", why: "8-bit bytes in the header block that are not UTF-8" }],
    ["multiparts nested 20,000 deep", nested(20_000), { kind: "UNREADABLE" }],
    ["20,000 parts", Buffer.from(`${head}Content-Type: multipart/mixed; boundary=b\n\n${"--b\nContent-Type: text/plain\n\nx\n".repeat(20_000)}--b--\n`), { kind: "UNREADABLE" }],
    ["an empty message", Buffer.alloc(0), { kind: "UNREADABLE", why: "empty message" }],
    ["nothing but a blank line", Buffer.from("\r\n\r\n"), { kind: "UNREADABLE" }],
    ["HTML nested 100,000 deep", Buffer.from(`${head}Content-Type: text/html\n\n${"<div>".repeat(100_000)}`), { kind: "IGNORED" }],
    // Damage a reader can live with: the report is still there.
    ["NUL bytes in a DSN's body", Buffer.from(dsn.slice(0, bodyStart) + "\0".repeat(1000) + dsn.slice(bodyStart)), { kind: "HARD_BOUNCE", status: "5.1.1" }],
    ["a DSN cut before its closing boundary", Buffer.from(dsn.split("--4Qx7Lz2m3Fz9sTQ.1733220902/mx1.example.net--")[0]), { kind: "HARD_BOUNCE", status: "5.1.1" }],
    ["1 MB of failure text", Buffer.from(`${head}\n${"550 5.1.1 user unknown ".repeat(MB / 23)}`), { kind: "HARD_BOUNCE", status: "5.1.1" }],
    // Inputs that made a backtracking pattern run for seconds.
    ["a bounce whose text is one 64 KB line of dashes", Buffer.from(`${head}\n${"-".repeat(64 * 1024)}\n`), { kind: "IGNORED" }],
    [
      "a DSN whose Original-Recipient is 60 KB with no @",
      Buffer.from(dsn.replace(/^Original-Recipient: .*$/m, `Original-Recipient: rfc822; ${"a".repeat(60_000)}`)),
      { kind: "HARD_BOUNCE", recipient: "anna.lindqvist@example.net", status: "5.1.1" },
    ],
    [
      "a bounce whose failed address starts a 60 KB line of @s",
      Buffer.from(`${head}\nThis is a permanent error.\n<${"a@".repeat(30_000)}\n550 5.1.1 user unknown\n`),
      { kind: "HARD_BOUNCE", status: "5.1.1" },
    ],
  ];

  // The limit only turns a hang into a failure: every case takes milliseconds.
  it.each(cases)("%s", { timeout: 5_000 }, async (_name, raw, expected) => {
    expect(await readReport(raw)).toMatchObject(expected);
  });
});
