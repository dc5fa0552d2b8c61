import { parse } from "csv-parse/sync";
import { beforeEach, describe, expect, it } from "vitest";
import { db } from "~/utils/db.server.ts";
import type { Staff } from "~/domain/accounts/staff.server.ts";
import { applyConsentChange, type ConsentChange } from "~/domain/consent/changes.server.ts";
import { createContact, createTopic, createUnit } from "../../../tests/helpers/fixtures.ts";
import { NotFoundError } from "~/domain/not-found.ts";
import { inertCell } from "~/utils/csv-cells.ts";
import { ContactListError, csvRow, exportContactList, exportableLists, findContactList, sizeOfContactList, type ContactList } from "./contact-lists.server.ts";

const DAY = 86_400_000;
const requester = { ip: "203.0.113.9", userAgent: "Export test" };

let unit: Awaited<ReturnType<typeof createUnit>>;
let otherUnit: Awaited<ReturnType<typeof createUnit>>;
let topic: Awaited<ReturnType<typeof createTopic>>;
let marketer: Staff;

beforeEach(async () => {
  unit = await createUnit();
  otherUnit = await createUnit();
  topic = await createTopic(unit.id, { offersPhone: false });
  marketer = { sessionId: "s", id: 4242, email: "m@example.com", name: null, role: "MARKETER", contactId: null, unitIds: [unit.id] };
});

const postalList = async (): Promise<ContactList> => findContactList(marketer, { unit: unit.slug, topic: topic.slug, channel: "POSTAL" });

/** A contact subscribed to the topic by post, with an address, then put in the given state. */
async function postalSubscriber(options: { address?: string | null; name?: string; then?: (contactId: number) => ConsentChange | null; expiresAt?: Date } = {}) {
  const contact = await createContact();
  await db.contact.update({
    where: { id: contact.id },
    data: { name: options.name ?? "Pat Doe", postalAddress: options.address === undefined ? `${contact.id} High Street, Example City` : options.address },
  });
  await applyConsentChange(
    { kind: "subscribe", contactId: contact.id, topicId: topic.id, channel: "POSTAL", basis: "EXPRESS", consentedAt: new Date(Date.now() - 400 * DAY), expiresAt: options.expiresAt ?? null },
    { source: "IMPORT" },
  );
  const change = options.then?.(contact.id);
  if (change) await applyConsentChange(change, { source: "IMPORT" });
  return contact;
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new Response(stream).text();
}

describe("postal and phone lists", () => {
  it("exports exactly the people the eligibility rule allows, in keyset batches, and leaves out and counts those without an address", async () => {
    const eligible = [await postalSubscriber(), await postalSubscriber(), await postalSubscriber()];
    // Email-only blocks do not stop postal mail: the rule is per channel.
    eligible.push(await postalSubscriber({ then: (contactId) => ({ kind: "optOutOfUnit", contactId, unitId: unit.id, channel: "EMAIL" }) }));
    const withoutAddress = [await postalSubscriber({ address: null }), await postalSubscriber({ address: "" })];
    const optedOut = [
      await postalSubscriber({ then: (contactId) => ({ kind: "optOutOfUnit", contactId, unitId: unit.id, channel: "POSTAL" }) }),
      await postalSubscriber({ then: (contactId) => ({ kind: "optOutEverywhere", contactId, channel: "POSTAL" }) }),
      await postalSubscriber({ then: (contactId) => ({ kind: "unsubscribe", contactId, topicId: topic.id, channel: "POSTAL" }) }),
      await postalSubscriber({ then: (contactId) => ({ kind: "snooze", contactId, unitId: unit.id, until: new Date(Date.now() + 30 * DAY) }) }),
      await postalSubscriber({ expiresAt: new Date(Date.now() - DAY) }), // implied consent that has lapsed
    ];
    // Another unit's opt-out does not count here.
    eligible.push(await postalSubscriber({ then: (contactId) => ({ kind: "optOutOfUnit", contactId, unitId: otherUnit.id, channel: "POSTAL" }) }));

    const list = await postalList();
    expect(await sizeOfContactList(list)).toEqual({ mayBeContacted: eligible.length + withoutAddress.length, rows: eligible.length, missingDetail: 2 });

    const exported = await exportContactList(marketer, list, requester, { batchSize: 2 });
    const rows = parse(await readAll(exported.csv), { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => r.email)).toEqual(eligible.map((c) => c.email));
    expect(Object.keys(rows[0])).toEqual(["name", "email", "postal_address", "basis", "consented_at", "consent_expires_at"]);
    expect(rows[0]).toMatchObject({ name: "Pat Doe", postal_address: `${eligible[0].id} High Street, Example City`, basis: "express", consent_expires_at: "" });
    for (const contact of [...optedOut, ...withoutAddress]) expect(rows.map((r) => r.email)).not.toContain(contact.email);
    expect(exported).toMatchObject({ rows: eligible.length, missingDetail: 2 });
    expect(exported.fileName).toMatch(new RegExp(`^${unit.slug}-${topic.slug}-postal-\\d{4}-\\d{2}-\\d{2}\\.csv$`));
  });

  it("records every export in the ledger as an access by the marketer, before the file streams", async () => {
    await postalSubscriber();
    await postalSubscriber({ address: null });
    const exported = await exportContactList(marketer, await postalList(), requester);
    const event = await db.consentEvent.findFirstOrThrow({ where: { action: "EXPORT" }, orderBy: { id: "desc" } });
    expect(event).toMatchObject({
      action: "EXPORT",
      changed: false,
      source: "ADMIN",
      contactId: null,
      unitId: unit.id,
      topicId: topic.id,
      channel: "POSTAL",
      actor: "user:4242",
      ip: "203.0.113.9",
      userAgent: "Export test",
    });
    expect(JSON.parse(event.detail!)).toEqual({ rows: 1 });
    await exported.csv.cancel();
  });

  it("asks the rule again for every batch: someone who opts out while the file streams is not in it", async () => {
    const people = [await postalSubscriber(), await postalSubscriber(), await postalSubscriber(), await postalSubscriber()];
    const exported = await exportContactList(marketer, await postalList(), requester, { batchSize: 2 });
    const reader = exported.csv.getReader();
    const decoder = new TextDecoder();
    let text = decoder.decode((await reader.read()).value); // the header
    text += decoder.decode((await reader.read()).value); // first batch: people 0 and 1
    await applyConsentChange({ kind: "optOutOfUnit", contactId: people[3].id, unitId: unit.id, channel: "POSTAL" }, { source: "PREFERENCE_CENTER" });
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) text += decoder.decode(chunk.value);
    const emails = (parse(text, { columns: true }) as { email: string }[]).map((r) => r.email);
    expect(emails).toEqual([people[0].email, people[1].email, people[2].email]);
  });

  it("exports phone lists with the phone number in E.164, without the formula guard's apostrophe", async () => {
    const phoneTopic = await createTopic(unit.id, { offersPostal: false });
    const contact = await createContact();
    await db.contact.update({ where: { id: contact.id }, data: { name: "Lou", phone: "+44 20 7946 0123" } });
    await applyConsentChange({ kind: "subscribe", contactId: contact.id, topicId: phoneTopic.id, channel: "PHONE", basis: "SOFT_OPT_IN" }, { source: "IMPORT" });
    const list = await findContactList(marketer, { unit: unit.slug, topic: phoneTopic.slug, channel: "PHONE" });
    const rows = parse(await readAll((await exportContactList(marketer, list, requester)).csv), { columns: true }) as Record<string, string>[];
    expect(rows).toEqual([expect.objectContaining({ name: "Lou", email: contact.email, phone: "+442079460123", basis: "soft_opt_in" })]);
  });
});

describe("which lists a marketer may export", () => {
  it("offers only their units' topics that have postal mail or phone, per channel", async () => {
    await createTopic(unit.id, { offersPostal: false, offersPhone: false }); // email only
    await createTopic(unit.id, { archivedAt: new Date() });
    await createTopic(otherUnit.id);
    const lists = await exportableLists(marketer);
    expect(lists.map((l) => l.unit.id)).toEqual([unit.id]);
    expect(lists[0].lists.map((l) => `${l.topic.slug}/${l.channel}`)).toEqual([`${topic.slug}/POSTAL`]);
  });

  it("does not find another unit's topic (the route answers 404), and gives a clear error for a channel the topic does not offer", async () => {
    const otherTopic = await createTopic(otherUnit.id);
    const thrown = await findContactList(marketer, { unit: otherUnit.slug, topic: otherTopic.slug, channel: "POSTAL" }).catch((e) => e);
    expect(thrown).toBeInstanceOf(NotFoundError);
    // The other unit's topic slug asked under the marketer's own unit is not found either.
    expect(await findContactList(marketer, { unit: unit.slug, topic: otherTopic.slug, channel: "POSTAL" }).catch((e) => e)).toBeInstanceOf(NotFoundError);
    await expect(findContactList(marketer, { unit: unit.slug, topic: topic.slug, channel: "PHONE" })).rejects.toThrow(ContactListError);
    await expect(findContactList(marketer, { unit: unit.slug, topic: topic.slug, channel: "PHONE" })).rejects.toThrow(/not offered by phone/);
    const admin: Staff = { ...marketer, role: "ADMIN", unitIds: null };
    expect((await findContactList(admin, { unit: otherUnit.slug, topic: otherTopic.slug, channel: "POSTAL" })).topic.id).toBe(otherTopic.id);
  });
});

describe("CSV injection", () => {
  it("starts every cell a spreadsheet would run as a formula with an apostrophe", () => {
    for (const hostile of ["=HYPERLINK(\"https://evil.example\",\"x\")", "+1+1", "-2+3", "@SUM(A1:A2)", "\t=1", "\r=1"]) {
      expect(inertCell(hostile)).toBe(`'${hostile}`);
    }
    for (const plain of ["Pat Doe", "12 High Street", "pat@example.com", "", "O'Brien", "a=b"]) expect(inertCell(plain)).toBe(plain);
  });

  it("applies to every column of a row", () => {
    const row = csvRow("POSTAL", {
      name: "=cmd|' /C calc'!A0",
      email: "@pat@example.com",
      postalAddress: "-1 Minus Road",
      phone: null,
      subscriptions: [{ basis: "EXPRESS", consentedAt: new Date("2026-01-02T03:04:05Z"), expiresAt: null }],
    });
    expect(row).toEqual(["'=cmd|' /C calc'!A0", "'@pat@example.com", "'-1 Minus Road", "express", "2026-01-02T03:04:05.000Z", ""]);
  });

  it("leaves a phone list's E.164 number bare, and guards everything else, a number-looking name and an unreadable stored phone included", () => {
    const consent = [{ basis: "EXPRESS", consentedAt: new Date("2026-01-02T03:04:05Z"), expiresAt: null }];
    const phoneRow = (name: string, phone: string) => csvRow("PHONE", { name, email: "pat@example.com", postalAddress: null, phone, subscriptions: consent });
    expect(phoneRow("Pat", "+442079460123")[2]).toBe("+442079460123");
    // Stored before entry was normalised: written in E.164 when it can be read.
    expect(phoneRow("Pat", "+44 20 7946 0123")[2]).toBe("+442079460123");
    expect(phoneRow("+442079460123", "+442079460123")[0]).toBe("'+442079460123");
    for (const hostile of ["+1+1", "=1+2", "+44 20 7946 0123 =A1", "-2079460123", "@SUM(A1)"]) expect(phoneRow("Pat", hostile)[2]).toBe(`'${hostile}`);
    expect(csvRow("POSTAL", { name: "Pat", email: "pat@example.com", postalAddress: "+442079460123", phone: null, subscriptions: consent })[2]).toBe("'+442079460123");
  });
});
