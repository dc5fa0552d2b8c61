import { parse } from "csv-parse/sync";
import { toE164 } from "~/utils/phone-numbers.ts";
import { beforeAll, describe, expect, it } from "vitest";
import { isEligible, type ConsentState } from "~/domain/consent/eligibility.ts";
import { nextIp } from "../helpers/accounts-http.ts";
import { DEMO } from "../helpers/demo-logins.ts";
import { useRunningApp } from "../helpers/running-app.ts";

// Postal and phone lists over real HTTP against the production build, on the demo data: the
// file holds exactly the people isEligible() allows (computed here from the tables, not by the
// app's query), and each download is a ledger event.

const { app, appDb, http } = useRunningApp();
let taxMarketer: string;

beforeAll(async () => {
  taxMarketer = await http.signInAs(DEMO.taxMarketer);
});

type Contact = { id: number; name: string | null; email: string; postalAddress: string | null; phone: string | null };

/** Every contact's consent state, read straight from the tables. */
async function consentStates(): Promise<Map<number, ConsentState>> {
  const db = appDb.db;
  const states = new Map<number, ConsentState>();
  const state = (id: number) => {
    if (!states.has(id)) states.set(id, { subscriptions: [], unitOptOuts: [], globalOptOuts: [], snoozes: [], suppressions: [], frequencyChoices: [], recentSends: [] });
    return states.get(id)!;
  };
  for (const { id } of await db.contact.findMany({ select: { id: true } })) state(id);
  for (const s of await db.subscription.findMany({ select: { contactId: true, topicId: true, channel: true, status: true, expiresAt: true } })) {
    state(s.contactId).subscriptions.push(s);
  }
  for (const o of await db.unitOptOut.findMany({ select: { contactId: true, unitId: true, channel: true } })) state(o.contactId).unitOptOuts.push(o);
  for (const o of await db.globalOptOut.findMany({ select: { contactId: true, channel: true } })) state(o.contactId).globalOptOuts.push(o);
  for (const s of await db.snooze.findMany({ select: { contactId: true, unitId: true, until: true } })) {
    state(s.contactId).snoozes.push({ unitId: s.unitId, until: s.until });
  }
  for (const s of await db.suppression.findMany({ where: { contactId: { not: null } }, select: { contactId: true, reason: true } })) {
    state(s.contactId!).suppressions.push({ reason: s.reason });
  }
  return states;
}

const inert = (cell: string) => (/^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell);

/** The file the rule says a list must give, row by row, in contact order. */
async function expectedCsvRows(unitSlug: string, topicSlug: string, channel: "POSTAL" | "PHONE") {
  const topic = await appDb.db.topic.findFirstOrThrow({ where: { slug: topicSlug, unit: { slug: unitSlug } }, select: { id: true, unitId: true } });
  const { unitId, id: topicId } = topic;
  const now = new Date();
  const states = await consentStates();
  const eligible = (await appDb.db.contact.findMany({ select: { id: true, name: true, email: true, postalAddress: true, phone: true }, orderBy: { id: "asc" } })).filter(
    (c) => isEligible(states.get(c.id)!, { unitId, topicId, channel }, now),
  );
  const detailOf = (c: Contact) => (channel === "POSTAL" ? c.postalAddress : c.phone);
  const withDetail = eligible.filter((c) => detailOf(c));
  const rows: string[][] = [];
  for (const c of withDetail) {
    const s = await appDb.db.subscription.findUniqueOrThrow({
      where: { contactId_topicId_channel: { contactId: c.id, topicId, channel } },
      select: { basis: true, consentedAt: true, expiresAt: true },
    });
    const row = [c.name ?? "", c.email, detailOf(c)!, s.basis.toLowerCase(), s.consentedAt.toISOString(), s.expiresAt ? s.expiresAt.toISOString() : ""].map(inert);
    // A phone list's number is E.164 and written bare: dialers read an apostrophe as part of it (ADR 056).
    if (channel === "PHONE") {
      const reading = toE164(c.phone!);
      row[2] = reading.ok ? reading.e164 : inert(c.phone!);
    }
    rows.push(row);
  }
  return { unitId, topicId, rows, missingDetail: eligible.length - withDetail.length };
}

async function download(fields: Record<string, string>, cookie = taxMarketer, headers: Record<string, string> = {}) {
  return fetch(`${app.url}/contacts/export/csv`, {
    method: "POST",
    body: new URLSearchParams(fields),
    redirect: "manual",
    headers: { cookie, "x-forwarded-for": nextIp(), ...headers },
  });
}

const exportEvents = () => appDb.db.consentEvent.count({ where: { action: "EXPORT" } });

describe("postal and phone lists over HTTP", () => {
  it("downloads exactly the people the rule allows on every list of the marketer's unit", async () => {
    for (const [topic, channel] of [["offers", "POSTAL"], ["offers", "PHONE"], ["product-news", "POSTAL"], ["webinars", "PHONE"]] as const) {
      const expected = await expectedCsvRows("example-tax", topic, channel);
      expect(expected.rows.length, `${topic} ${channel} has people on it in the demo`).toBeGreaterThan(5);
      const response = await download({ unit: "example-tax", topic, channel });
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
      expect(response.headers.get("content-disposition")).toMatch(new RegExp(`^attachment; filename="example-tax-${topic}-${channel.toLowerCase()}-\\d{4}-\\d{2}-\\d{2}\\.csv"$`));
      const [header, ...rows] = parse(await response.text()) as string[][];
      expect(header).toEqual(["name", "email", channel === "POSTAL" ? "postal_address" : "phone", "basis", "consented_at", "consent_expires_at"]);
      expect(rows).toEqual(expected.rows);
    }
  });

  it("never exports someone who opted out of the unit, everywhere, of the topic, paused, or whose consent lapsed", async () => {
    const before = await expectedCsvRows("example-tax", "offers", "POSTAL");
    const { unitId, topicId } = before;
    const people = await Promise.all(before.rows.slice(0, 6).map((row) => appDb.db.contact.findUniqueOrThrow({ where: { email: row[1] }, select: { id: true, email: true } })));
    const [unitOptOut, globalOptOut, unsubscribed, snoozed, lapsed, hostile] = people;
    const now = new Date();
    const db = appDb.db;
    const postalSubscription = (contactId: number) => ({ contactId_topicId_channel: { contactId, topicId, channel: "POSTAL" as const } });
    await db.unitOptOut.create({ data: { contactId: unitOptOut.id, unitId, channel: "POSTAL", createdAt: now } });
    await db.globalOptOut.create({ data: { contactId: globalOptOut.id, channel: "POSTAL", createdAt: now } });
    await db.subscription.update({ where: postalSubscription(unsubscribed.id), data: { status: "UNSUBSCRIBED" } });
    const until = new Date(now.getTime() + 86_400_000);
    await db.snooze.upsert({
      where: { contactId_unitId: { contactId: snoozed.id, unitId } },
      create: { contactId: snoozed.id, unitId, until, createdAt: now },
      update: { until, createdAt: now },
    });
    await db.subscription.update({ where: postalSubscription(lapsed.id), data: { basis: "IMPLIED_PURCHASE", expiresAt: new Date(now.getTime() - 60_000) } });
    await db.contact.update({ where: { id: hostile.id }, data: { name: '=HYPERLINK("https://evil.example","Click")', postalAddress: "@1 Formula Street" } });

    const response = await download({ unit: "example-tax", topic: "offers", channel: "POSTAL" });
    const rows = (parse(await response.text()) as string[][]).slice(1);
    const emails = rows.map((r) => r[1]);
    for (const person of [unitOptOut, globalOptOut, unsubscribed, snoozed, lapsed]) expect(emails).not.toContain(person.email);
    expect(rows.find((r) => r[1] === hostile.email)!.slice(0, 3)).toEqual([`'=HYPERLINK("https://evil.example","Click")`, hostile.email, "'@1 Formula Street"]);
    expect(rows).toEqual((await expectedCsvRows("example-tax", "offers", "POSTAL")).rows);
    expect(rows).toHaveLength(before.rows.length - 5);
  });

  it("records each download in the ledger: who, from where, which list, how many rows", async () => {
    const countBefore = await exportEvents();
    const response = await download({ unit: "example-tax", topic: "webinars", channel: "PHONE" }, taxMarketer, {
      "x-forwarded-for": "203.0.113.44",
      "user-agent": "Export-Test/1.0",
    });
    const rows = (parse(await response.text()) as string[][]).length - 1;
    expect(await exportEvents()).toBe(countBefore + 1);
    const event = await appDb.db.consentEvent.findFirstOrThrow({ where: { action: "EXPORT" }, orderBy: { id: "desc" } });
    const marketerId = (await appDb.db.user.findUniqueOrThrow({ where: { email: "marketer.tax@example.com" }, select: { id: true } })).id;
    const { unitId, topicId } = await expectedCsvRows("example-tax", "webinars", "PHONE");
    expect(event).toMatchObject({
      action: "EXPORT",
      changed: false,
      source: "ADMIN",
      contactId: null,
      unitId,
      topicId,
      channel: "PHONE",
      actor: `user:${marketerId}`,
      ip: "203.0.113.44",
      userAgent: "Export-Test/1.0",
    });
    expect(JSON.parse(event.detail!)).toEqual({ rows });
  });

  it("shows the list's size and how many lack an address before the download, and writes nothing for it", async () => {
    const countBefore = await exportEvents();
    const expected = await expectedCsvRows("example-tax", "product-news", "POSTAL");
    expect(expected.missingDetail).toBeGreaterThan(0);
    const response = await http.get("/contacts/export?list=example-tax/product-news/POSTAL", { cookie: taxMarketer });
    expect(response.status).toBe(200);
    const page = (await response.text()).replace(/<!-- -->/g, "");
    const people = (n: number) => `${n} ${n === 1 ? "person" : "people"}`;
    expect(page).toContain(`${people(expected.rows.length + expected.missingDetail)} may get postal mail from Example Tax about Product news.`);
    expect(page).toContain(`${expected.missingDetail} of them ${expected.missingDetail === 1 ? "has" : "have"} no postal address on file and`);
    expect(page).toContain(`The file has ${expected.rows.length} rows`);
    expect(page).toMatch(/<form method="post" action="\/contacts\/export\/csv">/);
    // The picker offers the marketer's own unit's lists only.
    const picker = await (await http.get("/contacts/export", { cookie: taxMarketer })).text();
    expect(picker).toContain('value="example-tax/offers/PHONE"');
    expect(picker).not.toContain("example-travel");
    expect((await http.get("/contacts/export/csv", { cookie: taxMarketer })).status).toBe(302);
    expect(await exportEvents()).toBe(countBefore);
  });

  it("answers 404 for another unit's list, and for subscribers; people signed out go to sign in", async () => {
    const countBefore = await exportEvents();
    expect((await download({ unit: "example-travel", topic: "deals", channel: "PHONE" })).status).toBe(404);
    expect((await http.get("/contacts/export?list=example-travel/deals/PHONE", { cookie: taxMarketer })).status).toBe(404);
    // A topic slug of another unit, asked under the marketer's own unit, is not theirs either.
    expect((await download({ unit: "example-tax", topic: "magazine", channel: "POSTAL" })).status).toBe(404);

    const subscriber = await http.signInAs(DEMO.subscriber);
    expect((await download({ unit: "example-tax", topic: "offers", channel: "POSTAL" }, subscriber)).status).toBe(404);
    expect((await http.get("/contacts/export", { cookie: subscriber })).status).toBe(404);

    const signedOut = await download({ unit: "example-tax", topic: "offers", channel: "POSTAL" }, "");
    expect(signedOut.status).toBe(302);
    expect(signedOut.headers.get("location")).toMatch(/^\/login\?redirectTo=/);
    expect(await exportEvents()).toBe(countBefore);

    // Admins may export any unit's list.
    const admin = await http.signInAs(DEMO.admin);
    const travel = await download({ unit: "example-travel", topic: "deals", channel: "PHONE" }, admin);
    expect(travel.status).toBe(200);
    expect((parse(await travel.text()) as string[][]).slice(1)).toEqual((await expectedCsvRows("example-travel", "deals", "PHONE")).rows);
  });

  it("answers bad requests with a 400 that says what is wrong", async () => {
    const email = await download({ unit: "example-tax", topic: "offers", channel: "EMAIL" });
    expect(email.status).toBe(400);
    expect(await email.text()).toContain("channel must be POSTAL or PHONE");
    const notOffered = await download({ unit: "example-tax", topic: "tax-tips", channel: "POSTAL" });
    expect(notOffered.status).toBe(400);
    expect(await notOffered.text()).toContain("“Tax tips” is not offered by postal mail");
    const missing = await download({ channel: "POSTAL" });
    expect(missing.status).toBe(400);
    expect(await missing.text()).toContain("unit is missing");
    const badPick = await http.get("/contacts/export?list=nonsense", { cookie: taxMarketer });
    expect(badPick.status).toBe(400);
    expect(await badPick.text()).toContain("Pick a list from the menu.");
  });
});
