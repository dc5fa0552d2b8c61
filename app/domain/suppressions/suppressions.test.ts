import crypto from "node:crypto";
import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { db } from "~/utils/db.server.ts";
import { CLI_ACTOR } from "~/domain/audit/audit.server.ts";
import { addressHash } from "~/domain/consent/address-hash.server.ts";
import { applyConsentChange } from "~/domain/consent/changes.server.ts";
import { eraseContact } from "~/domain/consent/contacts.server.ts";
import { createContact } from "../../../tests/helpers/fixtures.ts";
import { parseSuppressionFile, SuppressionFileError } from "./suppression-csv.ts";
import {
  addManualSuppression,
  adminActor,
  exportSuppressions,
  importSuppressions,
  listSuppressions,
  removeSuppression,
  SuppressionError,
} from "./suppressions.server.ts";

const actor = adminActor({ userId: 42, email: "admin@example.com", ip: "203.0.113.9", userAgent: "Test/1.0" });
const address = () => `s-${crypto.randomBytes(4).toString("hex")}@example.com`;
const audits = (action: string) => db.auditEvent.findMany({ where: { action }, orderBy: { id: "asc" } });

async function fileText(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new Response(stream).text();
}

describe("the suppression file", () => {
  it("reads good lines, names each bad one by its line, and defaults the reason to manual", () => {
    const parsed = parseSuppressionFile(
      [
        "Email,Reason,Note",
        "  Ann@Example.COM ,,called to ask",
        "bob@example.com,hard bounce,",
        "",
        'carol@example.com,COMPLAINT,"a note, with a comma',
        'and a line break"',
        "not-an-address,manual,x",
        "dan@example.com,erased,",
        "eve@example.com,unsubscribed,",
        "'+frank@example.com,manual,'=1+1",
        "gus@example.com,manual,x,extra",
      ].join("\r\n"),
    );
    expect(parsed.rows).toEqual([
      { line: 2, email: "ann@example.com", reason: "MANUAL", note: "called to ask" },
      { line: 3, email: "bob@example.com", reason: "HARD_BOUNCE", note: null },
      { line: 5, email: "carol@example.com", reason: "COMPLAINT", note: "a note, with a comma\r\nand a line break" },
      { line: 10, email: "+frank@example.com", reason: "MANUAL", note: "=1+1" },
    ]);
    expect(parsed.bad.map((b) => b.line)).toEqual([7, 8, 9, 11]);
    expect(parsed.bad[0].reason).toMatch(/^email "not-an-address"/);
    expect(parsed.bad[1].reason).toMatch(/erased cannot be imported/);
    expect(parsed.bad[2].reason).toMatch(/manual, complaint, hard_bounce or soft_bounce/);
    expect(parsed.bad[3].reason).toMatch(/4 fields where the header has 3/);
  });

  it("refuses a file without the header, or with an unclosed quote, before anything is read", () => {
    expect(() => parseSuppressionFile("")).toThrow(SuppressionFileError);
    expect(() => parseSuppressionFile("address,why\nann@example.com,x")).toThrow(/first line must be the header email,reason,note/);
    expect(() => parseSuppressionFile('email,reason,note\nann@example.com,manual,"open')).toThrow(/never closed/);
  });
});

describe("suppressions through the consent core", () => {
  it("adds a manual suppression: the row, a SUPPRESS event with the admin as actor, and an audit entry", async () => {
    const contact = await createContact();
    const added = await addManualSuppression(actor, { email: contact.email.toUpperCase(), note: "asked by phone" });
    const row = await db.suppression.findUniqueOrThrow({ where: { id: added.id } });
    expect(row).toMatchObject({
      email: contact.email,
      reason: "MANUAL",
      contactId: contact.id,
      note: "asked by phone",
      emailHash: addressHash(contact.email),
    });
    const event = await db.consentEvent.findFirstOrThrow({ where: { contactId: contact.id, action: "SUPPRESS" } });
    expect(event).toMatchObject({ source: "ADMIN", actor: "user:42", ip: "203.0.113.9", changed: true, channel: "EMAIL" });
    const audit = (await audits("suppression.add")).at(-1)!;
    expect(audit).toMatchObject({ actorUserId: 42, target: `suppression:${added.id}`, ip: "203.0.113.9" });
    expect(JSON.parse(audit.detail!)).toEqual({
      address: `${contact.email[0]}•••@example.com`,
      reason: "MANUAL",
      contactId: contact.id,
      ledgerEventId: event.id,
    });
    await expect(addManualSuppression(actor, { email: contact.email, note: "again" })).rejects.toThrow(/already has a manual suppression/);
  });

  it("removes only manual entries, and says why the others stay", async () => {
    const email = address();
    await applyConsentChange({ kind: "suppress", email, reason: "HARD_BOUNCE" }, { source: "BOUNCE" });
    const manual = await addManualSuppression(actor, { email, note: "test" });
    const bounce = await db.suppression.findUniqueOrThrow({ where: { emailHash_reason: { emailHash: addressHash(email), reason: "HARD_BOUNCE" } } });
    const error = await removeSuppression(actor, bounce.id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SuppressionError);
    expect((error as SuppressionError).status).toBe(409);
    expect((error as Error).message).toMatch(/hard bounce entry cannot be removed. Mail to this address bounced permanently/);

    const removed = await removeSuppression(actor, manual.id);
    expect(removed).toEqual({ email, reason: "MANUAL", stillSuppressedBy: ["HARD_BOUNCE"] });
    expect(await db.suppression.count({ where: { emailHash: addressHash(email) } })).toBe(1);
    const audit = (await audits("suppression.remove")).at(-1)!;
    expect(audit.target).toBe(`suppression:${manual.id}`);
    await expect(removeSuppression(actor, manual.id)).rejects.toThrow(/no longer there/);
  });

  it("lists, filters and removes a repeated-soft-bounce entry: the mailbox may work again", async () => {
    const email = address();
    await applyConsentChange({ kind: "suppress", email, reason: "SOFT_BOUNCE", note: "3 soft bounces in 14 days" }, { source: "BOUNCE" });
    await applyConsentChange({ kind: "suppress", email, reason: "COMPLAINT" }, { source: "COMPLAINT" });
    const listed = await listSuppressions({ address: email, reason: "SOFT_BOUNCE" });
    expect(listed.entries.map((e) => [e.reason, e.removable])).toEqual([["SOFT_BOUNCE", true]]);
    expect((await listSuppressions({ address: email })).entries.map((e) => [e.reason, e.removable])).toEqual([
      ["COMPLAINT", false],
      ["SOFT_BOUNCE", true],
    ]);

    const removed = await removeSuppression(actor, listed.entries[0].id);
    expect(removed).toEqual({ email, reason: "SOFT_BOUNCE", stillSuppressedBy: ["COMPLAINT"] });
    const event = await db.consentEvent.findFirstOrThrow({ where: { action: "UNSUPPRESS", actor: "user:42" }, orderBy: { id: "desc" } });
    expect(JSON.parse(event.detail!)).toMatchObject({ reason: "SOFT_BOUNCE" });
    expect(JSON.parse((await audits("suppression.remove")).at(-1)!.detail!)).toMatchObject({ reason: "SOFT_BOUNCE" });
    expect(await db.suppression.count({ where: { emailHash: addressHash(email), reason: "SOFT_BOUNCE" } })).toBe(0);
  });

  it("finds an erased address by its hash and never stores it again", async () => {
    const contact = await createContact();
    await addManualSuppression(actor, { email: contact.email, note: "before erasure" });
    await eraseContact(contact.email, { source: "PREFERENCE_CENTER" });
    const found = await listSuppressions({ address: ` ${contact.email.toUpperCase()} ` });
    expect(found.entries.map((e) => [e.reason, e.email])).toEqual([
      ["ERASED", null],
      ["MANUAL", null],
    ]);
    await expect(addManualSuppression(actor, { email: contact.email, note: "again" })).rejects.toThrow(/erased/);
    const manual = found.entries.find((e) => e.reason === "MANUAL")!;
    await expect(removeSuppression(actor, manual.id)).rejects.toThrow(/erased/);
  });

  it("imports a file once: a second run writes no suppression and no ledger event, only its audit entry", async () => {
    const emails = [address(), address(), address()];
    const erased = address();
    await applyConsentChange({ kind: "suppress", email: erased, reason: "ERASED" }, { source: "PREFERENCE_CENTER" });
    const content = [
      "email,reason,note",
      `${emails[0]},,`,
      `${emails[1]},complaint,from the old ESP`,
      `${emails[2]},hard_bounce,`,
      `${emails[0]},manual,repeat`,
      `${erased},manual,`,
      "nope,manual,",
    ].join("\n");
    const counts = async () => ({ suppressions: await db.suppression.count(), events: await db.consentEvent.count() });

    const before = await counts();
    const first = await importSuppressions(actor, { name: "old-esp.csv", content });
    expect(first).toMatchObject({
      rows: 6,
      added: 3,
      addedByReason: { MANUAL: 1, COMPLAINT: 1, HARD_BOUNCE: 1, SOFT_BOUNCE: 0 },
      alreadySuppressed: 1,
      erased: 1,
      bad: 1,
    });
    expect(first.badLines).toEqual([{ line: 7, reason: expect.stringMatching(/^email "nope"/) }]);
    const afterFirst = await counts();
    expect(afterFirst).toEqual({ suppressions: before.suppressions + 3, events: before.events + 3 });
    expect(await db.suppression.findFirst({ where: { emailHash: addressHash(erased), reason: "MANUAL" } })).toBeNull();
    const note = (await db.suppression.findFirstOrThrow({ where: { email: emails[0] } })).note;
    expect(note).toBe("Imported from old-esp.csv");

    const second = await importSuppressions(actor, { name: "old-esp.csv", content });
    expect(second).toMatchObject({ added: 0, alreadySuppressed: 4, erased: 1, bad: 1 });
    expect(await counts()).toEqual(afterFirst);
    const [a, b] = (await audits("suppression.import")).slice(-2).map((e) => JSON.parse(e.detail!));
    expect(a).toMatchObject({ file: "old-esp.csv", added: 3, bad: 1 });
    expect(b).toMatchObject({ added: 0, alreadySuppressed: 4 });
  });

  it("exports every entry with an address, never an erased one or a hash, in the import's format", async () => {
    const kept = address();
    await addManualSuppression(actor, { email: kept, note: "=cmd|' /C calc'!A0" });
    const erasedContact = await createContact();
    await applyConsentChange({ kind: "suppress", email: erasedContact.email, reason: "COMPLAINT" }, { source: "COMPLAINT" });
    await eraseContact(erasedContact.email, { source: "PREFERENCE_CENTER" });

    const exported = await exportSuppressions(adminActor(CLI_ACTOR), { batchSize: 2 });
    const [header, ...rows] = parse(await fileText(exported.csv)) as string[][];
    expect(header).toEqual(["email", "reason", "note", "added_at"]);
    const expected = await db.suppression.count({ where: { reason: { not: "ERASED" }, email: { not: null } } });
    expect(rows).toHaveLength(expected);
    expect(exported.rows).toBe(expected);
    expect(rows.map((r) => r[0])).toContain(kept);
    expect(rows.find((r) => r[0] === kept)![2]).toBe("'=cmd|' /C calc'!A0");
    expect(rows.map((r) => r[0])).not.toContain(erasedContact.email);
    expect(rows.every((r) => r[0].includes("@") && r[1] !== "erased")).toBe(true);
    const hashes = new Set((await db.suppression.findMany({ select: { emailHash: true } })).map((s) => s.emailHash));
    expect(rows.flat().some((cell) => hashes.has(cell))).toBe(false);
    const audit = (await audits("suppression.export")).at(-1)!;
    expect(JSON.parse(audit.detail!)).toEqual({ rows: expected, reason: "all" });

    // The file goes back in unchanged: nothing new.
    const reimport = await importSuppressions(actor, { name: "export.csv", content: await fileText((await exportSuppressions(actor)).csv) });
    expect(reimport).toMatchObject({ added: 0, bad: 0, alreadySuppressed: expected });
  });

  it("imports 20,000 lines in one transaction within seconds", async () => {
    const content = [
      "email,reason,note",
      ...Array.from({ length: 20_000 }, (_, i) => `bulk-${i}@example.org,${i % 3 === 0 ? "hard_bounce" : ""},`),
    ].join("\n");
    const started = performance.now();
    const report = await importSuppressions(actor, { name: "bulk.csv", content });
    const seconds = (performance.now() - started) / 1000;
    expect(report.added).toBe(20_000);
    console.log(`imported 20,000 suppressions in ${seconds.toFixed(1)} s`);
    expect(seconds).toBeLessThan(30);
  }, 60_000);
});
