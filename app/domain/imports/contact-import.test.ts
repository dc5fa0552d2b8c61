import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { db } from "~/utils/db.server.ts";
import { testsOnPostgresql } from "../../../tests/helpers/test-database.ts";
import { createContact, createTopic, createUnit } from "../../../tests/helpers/fixtures.ts";
import { applyConsentChange, type ConsentContext } from "~/domain/consent/changes.server.ts";
import { eraseContact } from "~/domain/consent/contacts.server.ts";
import { HEADER } from "./contact-csv.ts";
import { ImportFileError, importContacts, ROWS_LISTED, skippedTotal, type ImportOptions } from "./contact-import.server.ts";

const NOW = new Date("2025-06-01T12:00:00Z");
const admin: ConsentContext = { source: "ADMIN", actor: "user:admin" };

let unit: { id: number; displayName: string };
let news: { id: number };
let offers: { id: number };

beforeEach(async () => {
  unit = await createUnit({ displayName: "Example Tax" });
  news = await createTopic(unit.id, { slug: "news", offersPhone: false });
  offers = await createTopic(unit.id, { slug: "offers" });
  await createTopic(unit.id, { slug: "old", archivedAt: new Date("2024-01-01") });
});

const csv = (...rows: string[]) => [HEADER, ...rows].join("\n") + "\n";
const run = (content: string, options: Partial<ImportOptions> = {}) =>
  importContacts({ unitId: unit.id, input: { content }, actor: "user:7", now: NOW, ...options });

/** Everything an import could write, to compare before and after. */
async function snapshot() {
  const [contacts, subscriptions, events, unitOptOuts, globalOptOuts] = await Promise.all([
    db.contact.findMany({ orderBy: { id: "asc" } }),
    db.subscription.findMany({ orderBy: { id: "asc" } }),
    db.consentEvent.findMany({ orderBy: { id: "asc" } }),
    db.unitOptOut.findMany(),
    db.globalOptOut.findMany(),
  ]);
  return { contacts, subscriptions, events, unitOptOuts, globalOptOuts };
}

const subscriptionOf = (email: string, topicId: number, channel: "EMAIL" | "POSTAL" | "PHONE") =>
  db.subscription.findFirst({ where: { contact: { email }, topicId, channel } });

describe("contact import", () => {
  it("subscribes good rows through the consent core, with the file's source and the importer in the ledger", async () => {
    const report = await run(csv("Ann@Example.com,Ann,news,email,express,2025-01-15T09:00:00Z,newsletter form 2025"));
    expect(report).toMatchObject({ rows: 1, subscribed: 1, unchanged: 0, bad: 0, contactsCreated: 1, unit: { displayName: "Example Tax" } });
    expect(skippedTotal(report)).toBe(0);
    const contact = await db.contact.findUniqueOrThrow({ where: { email: "ann@example.com" } });
    expect(contact.name).toBe("Ann");
    expect(await subscriptionOf("ann@example.com", news.id, "EMAIL")).toMatchObject({
      status: "SUBSCRIBED",
      basis: "EXPRESS",
      consentedAt: new Date("2025-01-15T09:00:00Z"),
      expiresAt: null,
    });
    const [event] = await db.consentEvent.findMany({ where: { contactId: contact.id } });
    expect(event).toMatchObject({ action: "SUBSCRIBE", changed: true, source: "IMPORT", actor: "user:7", unitId: unit.id, topicId: news.id, channel: "EMAIL", createdAt: NOW });
    expect(JSON.parse(event.detail!)).toEqual({ basis: "EXPRESS", consentedAt: "2025-01-15T09:00:00.000Z", origin: "newsletter form 2025" });
  });

  it.skipIf(testsOnPostgresql)("leaves the query planner's statistics current: a database never analysed has them after an import", async () => {
    const analysed = async () => {
      const [table] = await db.$queryRawUnsafe<{ n: number | bigint }[]>(`SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'sqlite_stat1'`);
      if (Number(table.n) === 0) return [];
      const rows = await db.$queryRawUnsafe<{ tbl: string }[]>(`SELECT DISTINCT tbl FROM sqlite_stat1 WHERE tbl IN ('Contact', 'Subscription')`);
      return rows.map((row) => row.tbl).sort();
    };
    // As a database is before its first analysis (other tests here import too).
    if ((await analysed()).length > 0) await db.$executeRawUnsafe("DELETE FROM sqlite_stat1");
    expect(await analysed()).toEqual([]);
    const rows = Array.from({ length: 30 }, (_, i) => `p${i}@example.com,P${i},news,email,express,2025-01-15T09:00:00Z,form`);
    await run(csv(...rows));
    expect(await analysed()).toEqual(["Contact", "Subscription"]);
  });

  it.runIf(testsOnPostgresql)("leaves the query planner's statistics current: PostgreSQL analyses the tables an import filled, not waiting for autovacuum", async () => {
    // 30 rows are below autovacuum's threshold (50): only the import's own ANALYZE moves these times.
    const lastAnalysed = async () => {
      const rows = await db.$queryRawUnsafe<{ relname: string; last: Date | null }[]>(
        `SELECT relname, last_analyze AS last FROM pg_stat_user_tables WHERE relname IN ('Contact', 'Subscription') ORDER BY relname`,
      );
      return rows.map((row) => ({ table: row.relname, at: row.last?.getTime() ?? 0 }));
    };
    const before = await lastAnalysed();
    const rows = Array.from({ length: 30 }, (_, i) => `q${i}@example.com,Q${i},news,email,express,2025-01-15T09:00:00Z,form`);
    await run(csv(...rows));
    const after = await lastAnalysed();
    expect(after.map((row) => row.table)).toEqual(["Contact", "Subscription"]);
    after.forEach((row, i) => expect(row.at).toBeGreaterThan(before[i].at));
  });

  it("reports each kind of bad row with its line number, and the good rows around them still land", async () => {
    const content = [
      HEADER, // line 1
      "good.one@example.com,One,news,email,express,2025-01-01,shop", // 2
      "not-an-address,,news,email,express,2025-01-01,shop", // 3
      "x@example.com,,nope,email,express,2025-01-01,shop", // 4
      "x@example.com,,old,email,express,2025-01-01,shop", // 5
      "x@example.com,,news,phone,express,2025-01-01,shop", // 6
      "x@example.com,,news,fax,express,2025-01-01,shop", // 7
      "x@example.com,,news,email,opt_in,2025-01-01,shop", // 8
      "x@example.com,,news,email,express,01/02/2025,shop", // 9
      "x@example.com,,news,email,express,2025-02-30,shop", // 10
      "x@example.com,,news,email,express,2025-07-01,shop", // 11 (after NOW)
      "x@example.com,,news,email,express,2025-01-01,", // 12
      "x@example.com,,news,email,express", // 13
      "", // 14: blank lines are not rows
      '"good.two@example.com","Two, with a comma",offers,postal,express,2025-01-01,"fair,\nstand 4"', // 15-16
      "good.one@example.com,One,news,email,implied_purchase,2025-01-01,shop", // 17 contradicts line 2
      "good.two@example.com,Two,offers,phone,express,2025-01-01,shop", // 18
    ].join("\n");
    const report = await run(content);
    expect(report.rows).toBe(15);
    expect(report.bad).toBe(12);
    expect(report.subscribed).toBe(3);
    expect(report.badLines).toEqual([
      { line: 3, email: "not-an-address", reason: "email “not-an-address”: enter a valid email address, like name@example.com" },
      { line: 4, email: "x@example.com", reason: "topic “nope” is not a topic of Example Tax" },
      { line: 5, email: "x@example.com", reason: "topic “old” is archived and takes no new subscriptions" },
      { line: 6, email: "x@example.com", reason: "topic “news” is not offered by phone (only email, postal mail)" },
      { line: 7, email: "x@example.com", reason: "channel must be email, postal or phone (got “fax”)" },
      { line: 8, email: "x@example.com", reason: "basis must be one of express, implied_purchase, implied_inquiry, soft_opt_in, legitimate_interest (got “opt_in”)" },
      { line: 9, email: "x@example.com", reason: "consented_at must be an ISO 8601 date or time such as 2024-03-01 or 2024-03-01T09:30:00Z (got “01/02/2025”)" },
      { line: 10, email: "x@example.com", reason: "consented_at must be an ISO 8601 date or time such as 2024-03-01 or 2024-03-01T09:30:00Z (got “2025-02-30”)" },
      { line: 11, email: "x@example.com", reason: "consented_at 2025-07-01 is in the future" },
      { line: 12, email: "x@example.com", reason: "source is empty: say where the consent was collected, e.g. \"checkout 2024\"" },
      { line: 13, email: "x@example.com", reason: "has 5 fields where the header has 7 (a value containing a comma needs \"double quotes\")" },
      { line: 17, email: "good.one@example.com", reason: "line 2 gives the same email, topic and channel a different basis or consented_at" },
    ]);
    expect(await db.contact.count({ where: { email: "x@example.com" } })).toBe(0);
    expect(await subscriptionOf("good.one@example.com", news.id, "EMAIL")).toMatchObject({ basis: "EXPRESS" });
    expect(await subscriptionOf("good.two@example.com", offers.id, "POSTAL")).toMatchObject({ status: "SUBSCRIBED" });
    expect(await subscriptionOf("good.two@example.com", offers.id, "PHONE")).toMatchObject({ status: "SUBSCRIBED" });
    expect((await db.contact.findUniqueOrThrow({ where: { email: "good.two@example.com" } })).name).toBe("Two, with a comma");
  });

  it("keeps the first ROWS_LISTED bad lines, with the address as typed, and counts the rest", async () => {
    const rows = Array.from({ length: ROWS_LISTED + 5 }, (_, i) => `bad-${i},,news,email,express,2025-01-01,shop`);
    const report = await run(csv(...rows));
    expect(report.bad).toBe(ROWS_LISTED + 5);
    expect(report.badLines).toHaveLength(ROWS_LISTED);
    expect(report.badLines.at(-1)).toMatchObject({ line: ROWS_LISTED + 1, email: `bad-${ROWS_LISTED - 1}` });
  });

  it("refuses a UTF-16 or Windows-1252 file before writing anything, naming the encoding found", async () => {
    const text = csv("zoe@example.com,Zoë,news,email,express,2025-01-01,shop");
    const before = await snapshot();
    const utf16le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]);
    await expect(run("", { input: { content: utf16le } })).rejects.toThrow(/^This file is saved as UTF-16 \(little-endian, with a byte order mark\), not UTF-8\. Save it as UTF-8/);
    await expect(run("", { input: { content: Buffer.from(text, "utf16le").swap16() } })).rejects.toThrow(/^This file is saved as UTF-16 \(big-endian, without a byte order mark\)/);
    await expect(run("", { input: { content: Buffer.from(text, "latin1") } })).rejects.toThrow(
      /^This file is saved as Windows-1252 \(Latin-1\) \(the first character that is not UTF-8 is on line 2\), not UTF-8/,
    );
    expect(await snapshot()).toEqual(before);
  });

  it("reports progress from the real total: the first call, before any row, already has it", async () => {
    const calls: [number, number][] = [];
    const rows = Array.from({ length: 5 }, (_, i) => `progress.${i}@example.com,,news,email,express,2025-01-01,shop`);
    await run(csv(...rows, "bad,,news,email,express,2025-01-01,shop"), { batchRows: 2, onProgress: (done, total) => calls.push([done, total]) });
    expect(calls[0]).toEqual([0, 6]);
    expect(calls.every(([, total]) => total === 6)).toBe(true);
    expect(calls.map(([done]) => done)).toEqual([...calls.map(([done]) => done)].sort((a, b) => a - b));
    expect(calls.at(-1)).toEqual([6, 6]);
  });

  it("lists skipped rows with their line, address and reason", async () => {
    await eraseContact("gone@example.com", admin);
    const report = await run(csv("fine@example.com,,news,email,express,2025-01-01,shop", "Gone@Example.com,,news,email,express,2025-01-01,shop"));
    expect(report.skippedLines).toEqual([{ line: 3, email: "gone@example.com", reason: "address erased at the person's request" }]);
  });

  it("writes one contacts.import audit entry with the actor and the counts, after the import", async () => {
    const actor = { userId: null, email: "cli", ip: null, userAgent: null };
    await run(csv("audited@example.com,,news,email,express,2025-01-01,shop", "bad,,news,email,express,2025-01-01,shop"), { audit: { actor, fileName: "list.csv" } });
    const entries = await db.auditEvent.findMany({ where: { action: "contacts.import" } });
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actorEmail: "cli", actorUserId: null, target: `unit:${unit.id}` });
    expect(JSON.parse(entries[0].detail!)).toEqual({ file: "list.csv", rows: 2, subscribed: 1, unchanged: 0, skipped: 0, bad: 1, contactsCreated: 1, contactsUpdated: 0 });
    // A file refused whole wrote nothing, so it leaves no entry either.
    await expect(run("email,name\n", { audit: { actor, fileName: "wrong.csv" } })).rejects.toThrow(ImportFileError);
    expect(await db.auditEvent.count({ where: { action: "contacts.import" } })).toBe(1);
  });

  it("skips people who opted out, were suppressed or erased, and leaves their projection and ledger as they were", async () => {
    const unsubscribed = await createContact("unsubscribed@example.com");
    await applyConsentChange({ kind: "subscribe", contactId: unsubscribed.id, topicId: news.id, channel: "EMAIL", basis: "EXPRESS" }, admin);
    await applyConsentChange({ kind: "unsubscribe", contactId: unsubscribed.id, topicId: news.id, channel: "EMAIL" }, admin);
    const unitOptedOut = await createContact("unit.opt.out@example.com");
    await applyConsentChange({ kind: "optOutOfUnit", contactId: unitOptedOut.id, unitId: unit.id, channel: "POSTAL" }, admin);
    const globallyOptedOut = await createContact("global.opt.out@example.com");
    await applyConsentChange({ kind: "optOutEverywhere", contactId: globallyOptedOut.id, channel: "PHONE" }, admin);
    await createContact("bounced@example.com");
    await applyConsentChange({ kind: "suppress", email: "bounced@example.com", reason: "HARD_BOUNCE" }, admin);
    // A complaint recorded before the address was ever a contact still blocks it.
    await applyConsentChange({ kind: "suppress", email: "complained@example.com", reason: "COMPLAINT" }, admin);
    await createContact("erased@example.com");
    await eraseContact("erased@example.com", admin);
    const before = await snapshot();

    const report = await run(
      csv(
        "unsubscribed@example.com,,news,email,express,2025-01-01,shop",
        "unit.opt.out@example.com,,offers,postal,express,2025-01-01,shop",
        "global.opt.out@example.com,,offers,phone,express,2025-01-01,shop",
        "bounced@example.com,,offers,postal,express,2025-01-01,shop",
        "complained@example.com,,news,email,express,2025-01-01,shop",
        "Erased@Example.com,New Name,news,email,express,2025-01-01,shop",
      ),
    );
    expect(report).toMatchObject({
      rows: 6,
      subscribed: 0,
      unchanged: 0,
      bad: 0,
      contactsCreated: 0,
      skipped: { UNSUBSCRIBED: 1, UNIT_OPT_OUT: 1, GLOBAL_OPT_OUT: 1, SUPPRESSED: 2, ERASED: 1, CONSENT_EXPIRED: 0 },
    });
    expect(await snapshot()).toEqual(before);
  });

  it("still subscribes an opted-out person on the channels and units they did not opt out of", async () => {
    const person = await createContact("partly@example.com");
    await applyConsentChange({ kind: "optOutOfUnit", contactId: person.id, unitId: unit.id, channel: "EMAIL" }, admin);
    const otherUnit = await createUnit();
    await applyConsentChange({ kind: "optOutOfUnit", contactId: person.id, unitId: otherUnit.id, channel: "POSTAL" }, admin);
    const report = await run(csv("partly@example.com,,news,email,express,2025-01-01,shop", "partly@example.com,,news,postal,express,2025-01-01,shop"));
    expect(report).toMatchObject({ subscribed: 1, skipped: { UNIT_OPT_OUT: 1 } });
    expect(await subscriptionOf("partly@example.com", news.id, "POSTAL")).toMatchObject({ status: "SUBSCRIBED" });
    expect(await subscriptionOf("partly@example.com", news.id, "EMAIL")).toBeNull();
  });

  it("changes nothing when the same file runs again, across batch boundaries", async () => {
    const content = csv(
      "a@example.com,A,news,email,express,2025-01-01,shop,",
      "a@example.com,A,offers,email,implied_purchase,2025-01-01,shop",
      "b@example.com,B,offers,phone,implied_inquiry,2025-03-01T10:00:00+01:00,call centre",
      "a@example.com,A,news,email,express,2025-01-01,shop", // an exact repeat is harmless
      "c@example.com,C,news,postal,soft_opt_in,2024-12-24,checkout",
      "bad,,news,email,express,2025-01-01,shop",
    ).replace(",shop,\n", ",shop\n");
    const eventsBefore = await db.consentEvent.count();
    const first = await run(content, { batchRows: 2 });
    expect(first).toMatchObject({ rows: 6, subscribed: 4, unchanged: 1, bad: 1, contactsCreated: 3 });
    const before = await snapshot();
    expect(before.events.length - eventsBefore).toBe(4);

    const progress: [number, number][] = [];
    const second = await run(content, { batchRows: 2, now: new Date(NOW.getTime() + 60_000), onProgress: (done, total) => progress.push([done, total]) });
    expect(second).toMatchObject({ rows: 6, subscribed: 0, unchanged: 5, bad: 1, contactsCreated: 0, contactsUpdated: 0 });
    expect(await snapshot()).toEqual(before);
    expect(progress[0]).toEqual([0, 6]);
    expect(progress.at(-1)).toEqual([6, 6]);
  });

  it("gives one contact several subscriptions, and its postal address and phone number", async () => {
    const content = [
      `${HEADER},postal_address,phone`,
      'multi@example.com,Multi,news,email,express,2025-01-01,shop,"1 High Street\nTestville",+44 20 7946 0018',
      "multi@example.com,,news,postal,express,2025-01-01,shop,,",
      "multi@example.com,,offers,phone,legitimate_interest,2025-01-01,shop,,+44 20 7946 0018",
      "multi@example.com,,offers,postal,express,2025-01-01,shop,2 Other Road,",
    ].join("\n");
    const report = await run(content);
    expect(report).toMatchObject({ rows: 4, subscribed: 3, bad: 1, contactsCreated: 1 });
    expect(report.badLines).toEqual([{ line: 6, email: "multi@example.com", reason: "postal_address differs from line 2 for the same email" }]);
    const contact = await db.contact.findUniqueOrThrow({ where: { email: "multi@example.com" }, include: { subscriptions: { orderBy: { id: "asc" } } } });
    expect(contact).toMatchObject({ name: "Multi", postalAddress: "1 High Street\nTestville", phone: "+442079460018" });
    expect(contact.subscriptions.map((s) => [s.topicId, s.channel, s.basis])).toEqual([
      [news.id, "EMAIL", "EXPRESS"],
      [news.id, "POSTAL", "EXPRESS"],
      [offers.id, "PHONE", "LEGITIMATE_INTEREST"],
    ]);
  });

  it("fills what an existing contact lacks and replaces a moved address, but keeps the name the person gave", async () => {
    await db.contact.create({ data: { email: "known@example.com", name: "Their Own Name", postalAddress: "Old Street 1" } });
    const report = await run(`${HEADER},postal_address,phone\nknown@example.com,Imported Name,news,postal,express,2025-01-01,shop,New Street 2,+44 161 496 0123\n`);
    expect(report).toMatchObject({ subscribed: 1, contactsCreated: 0, contactsUpdated: 1 });
    expect(await db.contact.findUniqueOrThrow({ where: { email: "known@example.com" } })).toMatchObject({
      name: "Their Own Name",
      postalAddress: "New Street 2",
      phone: "+441614960123",
    });
  });

  it("sets the expiry of implied consent and skips implied consent that has already expired", async () => {
    const report = await run(
      csv(
        "p@example.com,,news,email,implied_purchase,2024-08-31T10:00:00Z,shop",
        "i@example.com,,news,email,implied_inquiry,2025-05-01,enquiry form",
        "s@example.com,,news,email,soft_opt_in,2025-01-01,checkout",
        "l@example.com,,news,email,legitimate_interest,2020-01-01,account",
        "old.inquiry@example.com,,news,email,implied_inquiry,2024-11-30,enquiry form",
        "old.purchase@example.com,,news,email,implied_purchase,2023-06-01T12:00:00Z,shop",
      ),
    );
    expect(report).toMatchObject({ subscribed: 4, skipped: { CONSENT_EXPIRED: 2 }, contactsCreated: 4 });
    expect((await subscriptionOf("p@example.com", news.id, "EMAIL"))!.expiresAt).toEqual(new Date("2026-08-31T10:00:00Z"));
    expect((await subscriptionOf("i@example.com", news.id, "EMAIL"))!.expiresAt).toEqual(new Date("2025-11-01T00:00:00Z"));
    expect((await subscriptionOf("s@example.com", news.id, "EMAIL"))!.expiresAt).toEqual(new Date("2027-01-01T00:00:00Z"));
    expect((await subscriptionOf("l@example.com", news.id, "EMAIL"))!.expiresAt).toBeNull();
    expect(await db.contact.count({ where: { email: { startsWith: "old." } } })).toBe(0);
    const event = await db.consentEvent.findFirstOrThrow({ where: { contact: { email: "i@example.com" } } });
    expect(JSON.parse(event.detail!)).toMatchObject({ basis: "IMPLIED_INQUIRY", expiresAt: "2025-11-01T00:00:00.000Z" });
  });

  it("never weakens consent in force, and renews or strengthens it", async () => {
    const person = await createContact("held@example.com");
    const subscribe = (topicId: number, basis: "EXPRESS" | "IMPLIED_PURCHASE", expiresAt: Date | null) =>
      applyConsentChange({ kind: "subscribe", contactId: person.id, topicId, channel: "EMAIL", basis, expiresAt }, admin);
    await subscribe(news.id, "EXPRESS", null);
    await subscribe(offers.id, "IMPLIED_PURCHASE", new Date("2025-09-01T00:00:00Z"));
    const report = await run(
      csv(
        "held@example.com,,news,email,implied_purchase,2025-05-01,shop", // express stays
        "held@example.com,,offers,email,implied_inquiry,2025-01-15,enquiry", // ends 2025-07-15: earlier, stays
      ),
    );
    expect(report).toMatchObject({ subscribed: 0, unchanged: 2 });
    expect(await subscriptionOf("held@example.com", news.id, "EMAIL")).toMatchObject({ basis: "EXPRESS", expiresAt: null });

    const renewed = await run(csv("held@example.com,,offers,email,implied_purchase,2025-05-01,shop"));
    expect(renewed).toMatchObject({ subscribed: 1 });
    expect(await subscriptionOf("held@example.com", offers.id, "EMAIL")).toMatchObject({ basis: "IMPLIED_PURCHASE", expiresAt: new Date("2027-05-01T00:00:00Z") });
    const upgraded = await run(csv("held@example.com,,offers,email,express,2025-05-02,web form"));
    expect(upgraded).toMatchObject({ subscribed: 1 });
    expect(await subscriptionOf("held@example.com", offers.id, "EMAIL")).toMatchObject({ basis: "EXPRESS", expiresAt: null });
  });

  it("refuses a file it cannot read as a whole, before writing anything", async () => {
    const before = await snapshot();
    await expect(run("")).rejects.toThrow(new ImportFileError("The file is empty: its first line must be the header email,name,topic,channel,basis,consented_at,source."));
    await expect(run("email;name;topic\na;b;c\n")).rejects.toThrow(/^The first line must be the header email,name,topic,channel,basis,consented_at,source/);
    await expect(run(csv("ok@example.com,,news,email,express,2025-01-01,shop", 'broken@example.com,"unclosed,news,email,express,2025-01-01,shop', "later@example.com,,news,email,express,2025-01-01,shop"))).rejects.toThrow(
      "Line 3: a quoted value starts here and is never closed, so the rest of the file cannot be read. Check the double quotes on that line.",
    );
    const missing = path.join(os.tmpdir(), "no-such-import.csv");
    await expect(importContacts({ unitId: unit.id, input: { path: missing }, actor: "cli:import" })).rejects.toThrow(`There is no file ${missing}.`);
    expect(await snapshot()).toEqual(before);
  });

  it("reads a file from disk, with a byte-order mark and CRLF line ends", async () => {
    const file = path.join(os.tmpdir(), `import-${process.pid}-${Date.now()}.csv`);
    fs.writeFileSync(file, `\uFEFF${HEADER}\r\ndisk@example.com,Disk,news,email,express,2025-01-01,shop\r\n\r\nbad,,news,email,express,2025-01-01,shop\r\n`);
    try {
      const report = await importContacts({ unitId: unit.id, input: { path: file }, actor: "cli:import", now: NOW });
      expect(report).toMatchObject({ rows: 2, subscribed: 1, bad: 1, badLines: [{ line: 4 }] });
    } finally {
      fs.rmSync(file, { force: true });
    }
  });
});
