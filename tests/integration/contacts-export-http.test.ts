import { parse } from "csv-parse/sync";
import { beforeAll, describe, expect, it } from "vitest";
import type { Channel } from "~/domain/consent/channels.ts";
import { isEligible, type ConsentState } from "~/domain/consent/eligibility.ts";
import { sqliteTime } from "../helpers/app-database.ts";
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
function consentStates(): Map<number, ConsentState> {
  const states = new Map<number, ConsentState>();
  const state = (id: number) => {
    if (!states.has(id)) states.set(id, { subscriptions: [], unitOptOuts: [], globalOptOuts: [], snoozes: [], suppressions: [] });
    return states.get(id)!;
  };
  for (const id of appDb.rows<{ id: number }>("SELECT id FROM Contact").map((c) => c.id)) state(id);
  for (const s of appDb.rows<{ contactId: number; topicId: number; channel: Channel; status: "SUBSCRIBED"; expiresAt: string | null }>(
    "SELECT contactId, topicId, channel, status, expiresAt FROM Subscription",
  )) {
    state(s.contactId).subscriptions.push({ ...s, expiresAt: s.expiresAt ? new Date(s.expiresAt) : null });
  }
  for (const o of appDb.rows<{ contactId: number; unitId: number; channel: Channel }>("SELECT contactId, unitId, channel FROM UnitOptOut")) state(o.contactId).unitOptOuts.push(o);
  for (const o of appDb.rows<{ contactId: number; channel: Channel }>("SELECT contactId, channel FROM GlobalOptOut")) state(o.contactId).globalOptOuts.push(o);
  for (const s of appDb.rows<{ contactId: number; unitId: number; until: string }>("SELECT contactId, unitId, until FROM Snooze")) {
    state(s.contactId).snoozes.push({ unitId: s.unitId, until: new Date(s.until) });
  }
  for (const s of appDb.rows<{ contactId: number; reason: "HARD_BOUNCE" }>("SELECT contactId, reason FROM Suppression WHERE contactId IS NOT NULL")) {
    state(s.contactId).suppressions.push({ reason: s.reason });
  }
  return states;
}

const inert = (cell: string) => (/^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell);

/** The file the rule says a list must give, row by row, in contact order. */
function expectedCsvRows(unitSlug: string, topicSlug: string, channel: "POSTAL" | "PHONE") {
  const { unitId, topicId } = appDb.row<{ unitId: number; topicId: number }>(
    "SELECT u.id AS unitId, t.id AS topicId FROM Topic t JOIN BusinessUnit u ON u.id = t.unitId WHERE u.slug = ? AND t.slug = ?",
    unitSlug,
    topicSlug,
  );
  const now = new Date();
  const states = consentStates();
  const eligible = appDb
    .rows<Contact>("SELECT id, name, email, postalAddress, phone FROM Contact ORDER BY id")
    .filter((c) => isEligible(states.get(c.id)!, { unitId, topicId, channel }, now));
  const detailOf = (c: Contact) => (channel === "POSTAL" ? c.postalAddress : c.phone);
  const withDetail = eligible.filter((c) => detailOf(c));
  const rows = withDetail.map((c) => {
    const s = appDb.row<{ basis: string; consentedAt: string; expiresAt: string | null }>(
      "SELECT basis, consentedAt, expiresAt FROM Subscription WHERE contactId = ? AND topicId = ? AND channel = ?",
      c.id,
      topicId,
      channel,
    );
    return [c.name ?? "", c.email, detailOf(c)!, s.basis.toLowerCase(), new Date(s.consentedAt).toISOString(), s.expiresAt ? new Date(s.expiresAt).toISOString() : ""].map(inert);
  });
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

const exportEvents = () => appDb.count("SELECT COUNT(*) AS n FROM ConsentEvent WHERE action = 'EXPORT'");

describe("postal and phone lists over HTTP", () => {
  it("downloads exactly the people the rule allows on every list of the marketer's unit", async () => {
    for (const [topic, channel] of [["offers", "POSTAL"], ["offers", "PHONE"], ["product-news", "POSTAL"], ["webinars", "PHONE"]] as const) {
      const expected = expectedCsvRows("example-tax", topic, channel);
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
    const before = expectedCsvRows("example-tax", "offers", "POSTAL");
    const { unitId, topicId } = before;
    const people = before.rows.slice(0, 6).map((row) => appDb.row<{ id: number; email: string }>("SELECT id, email FROM Contact WHERE email = ?", row[1]));
    const [unitOptOut, globalOptOut, unsubscribed, snoozed, lapsed, hostile] = people;
    const now = new Date();
    appDb.sqlite.prepare("INSERT INTO UnitOptOut (contactId, unitId, channel, createdAt) VALUES (?, ?, 'POSTAL', ?)").run(unitOptOut.id, unitId, sqliteTime(now));
    appDb.sqlite.prepare("INSERT INTO GlobalOptOut (contactId, channel, createdAt) VALUES (?, 'POSTAL', ?)").run(globalOptOut.id, sqliteTime(now));
    appDb.sqlite.prepare("UPDATE Subscription SET status = 'UNSUBSCRIBED' WHERE contactId = ? AND topicId = ? AND channel = 'POSTAL'").run(unsubscribed.id, topicId);
    appDb.sqlite
      .prepare("INSERT OR REPLACE INTO Snooze (contactId, unitId, until, createdAt) VALUES (?, ?, ?, ?)")
      .run(snoozed.id, unitId, sqliteTime(new Date(now.getTime() + 86_400_000)), sqliteTime(now));
    appDb.sqlite
      .prepare("UPDATE Subscription SET basis = 'IMPLIED_PURCHASE', expiresAt = ? WHERE contactId = ? AND topicId = ? AND channel = 'POSTAL'")
      .run(sqliteTime(new Date(now.getTime() - 60_000)), lapsed.id, topicId);
    appDb.sqlite.prepare("UPDATE Contact SET name = ?, postalAddress = ? WHERE id = ?").run('=HYPERLINK("https://evil.example","Click")', "@1 Formula Street", hostile.id);

    const response = await download({ unit: "example-tax", topic: "offers", channel: "POSTAL" });
    const rows = (parse(await response.text()) as string[][]).slice(1);
    const emails = rows.map((r) => r[1]);
    for (const person of [unitOptOut, globalOptOut, unsubscribed, snoozed, lapsed]) expect(emails).not.toContain(person.email);
    expect(rows.find((r) => r[1] === hostile.email)!.slice(0, 3)).toEqual([`'=HYPERLINK("https://evil.example","Click")`, hostile.email, "'@1 Formula Street"]);
    expect(rows).toEqual(expectedCsvRows("example-tax", "offers", "POSTAL").rows);
    expect(rows).toHaveLength(before.rows.length - 5);
  });

  it("records each download in the ledger: who, from where, which list, how many rows", async () => {
    const countBefore = exportEvents();
    const response = await download({ unit: "example-tax", topic: "webinars", channel: "PHONE" }, taxMarketer, {
      "x-forwarded-for": "203.0.113.44",
      "user-agent": "Export-Test/1.0",
    });
    const rows = (parse(await response.text()) as string[][]).length - 1;
    expect(exportEvents()).toBe(countBefore + 1);
    const event = appDb.row<Record<string, unknown>>("SELECT * FROM ConsentEvent WHERE action = 'EXPORT' ORDER BY id DESC LIMIT 1");
    const marketerId = appDb.row<{ id: number }>("SELECT id FROM User WHERE email = 'marketer.tax@example.com'").id;
    const { unitId, topicId } = expectedCsvRows("example-tax", "webinars", "PHONE");
    expect(event).toMatchObject({
      action: "EXPORT",
      changed: 0,
      source: "ADMIN",
      contactId: null,
      unitId,
      topicId,
      channel: "PHONE",
      actor: `user:${marketerId}`,
      ip: "203.0.113.44",
      userAgent: "Export-Test/1.0",
    });
    expect(JSON.parse(event.detail as string)).toEqual({ rows });
  });

  it("shows the list's size and how many lack an address before the download, and writes nothing for it", async () => {
    const countBefore = exportEvents();
    const expected = expectedCsvRows("example-tax", "product-news", "POSTAL");
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
    expect(exportEvents()).toBe(countBefore);
  });

  it("answers 404 for another unit's list, and for subscribers; people signed out go to sign in", async () => {
    const countBefore = exportEvents();
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
    expect(exportEvents()).toBe(countBefore);

    // Admins may export any unit's list.
    const admin = await http.signInAs(DEMO.admin);
    const travel = await download({ unit: "example-travel", topic: "deals", channel: "PHONE" }, admin);
    expect(travel.status).toBe(200);
    expect((parse(await travel.text()) as string[][]).slice(1)).toEqual(expectedCsvRows("example-travel", "deals", "PHONE").rows);
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
