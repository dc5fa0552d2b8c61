import { parse } from "csv-parse/sync";
import { beforeAll, describe, expect, it } from "vitest";
import type { ConsentEvent, Prisma } from "~/generated/prisma/client.ts";
import { nextIp } from "../helpers/accounts-http.ts";
import { DEMO } from "../helpers/demo-logins.ts";
import { useRunningApp } from "../helpers/running-app.ts";

// /admin/ledger and /admin/ledger.csv over real HTTP against the production build: the demo's
// ledger plus generated events (spread over 45 days, on day boundaries, with awkward text),
// checked against the rows read straight from the table and filtered here, not by the app.

const { app, appDb, http } = useRunningApp();
let admin: string;
let adminId: number;

type Row = ConsentEvent;
let events: Row[];
let units: { id: number; slug: string; topics: { id: number; slug: string }[] }[];
const DAY = 86_400_000;
const ACTIONS: ConsentEvent["action"][] = [
  "SUBSCRIBE",
  "UNSUBSCRIBE",
  "UNIT_OPT_OUT",
  "UNIT_OPT_IN",
  "GLOBAL_OPT_OUT",
  "GLOBAL_OPT_IN",
  "SNOOZE",
  "SNOOZE_END",
  "SUPPRESS",
  "EXPORT",
];
const SOURCES: ConsentEvent["source"][] = ["ONE_CLICK", "LINK_PAGE", "PREFERENCE_CENTER", "IMPORT", "ADMIN", "API", "BOUNCE", "COMPLAINT", "EXPIRY"];
const today = new Date().toISOString().slice(0, 10);
const dayOf = (offset: number) => new Date(Date.parse(`${today}T00:00:00Z`) + offset * DAY).toISOString().slice(0, 10);

/** Small deterministic PRNG (mulberry32): the same events every run. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function generateEvents(count: number) {
  const rand = random(7421);
  const pick = <T>(items: readonly T[]) => items[Math.floor(rand() * items.length)];
  const contactIds = (await appDb.db.contact.findMany({ orderBy: { id: "asc" }, select: { id: true } })).map((c) => c.id);
  const rows: Prisma.ConsentEventCreateManyInput[] = [];
  const add = (at: Date, overrides: Partial<Prisma.ConsentEventCreateManyInput> = {}) => {
    const unit = rand() < 0.15 ? null : pick(units);
    const topic = unit && rand() < 0.6 ? pick(unit.topics) : null;
    rows.push({
      contactId: rand() < 0.1 ? null : pick(contactIds),
      unitId: unit?.id ?? null,
      topicId: topic?.id ?? null,
      channel: pick(["EMAIL", "POSTAL", "PHONE"] as const),
      action: pick(ACTIONS),
      changed: rand() < 0.8,
      source: pick(SOURCES),
      actor: pick([`user:${adminId}`, "contact:12", "system", "=cmd|' /C calc'!A0"]),
      ip: pick(["203.0.113.5", "2001:db8::7", null]),
      userAgent: pick(['Mozilla/5.0 (X11; Linux) "quoted", with commas', "Line one\nline two", null]),
      tokenId: rand() < 0.4 ? `tok-${Math.floor(rand() * 1e9).toString(36)}` : null,
      campaignId: rand() < 0.3 ? pick([9001, 9002, 9003]) : null,
      detail: pick([JSON.stringify({ reason: "MANUAL", note: 'said "stop", twice' }), JSON.stringify({ basis: "EXPRESS" }), null]),
      createdAt: at,
      ...overrides,
    });
  };
  const now = Date.now();
  for (let i = 0; i < count; i++) add(new Date(now - Math.floor(rand() * 45 * DAY)));
  // On the edges of the day range the date tests use: [dayOf(-10) 00:00, dayOf(-3) 24:00).
  for (const [day, time] of [
    [dayOf(-11), "23:59:59.999"],
    [dayOf(-10), "00:00:00.000"],
    [dayOf(-3), "23:59:59.999"],
    [dayOf(-2), "00:00:00.000"],
  ]) {
    add(new Date(`${day}T${time}Z`), { unitId: units[0].id, topicId: null, action: "UNIT_OPT_OUT", changed: true, source: "ONE_CLICK" });
  }
  await appDb.db.consentEvent.createMany({ data: rows });
}

beforeAll(async () => {
  admin = await http.signInAs(DEMO.admin);
  adminId = (await appDb.db.user.findUnique({ where: { email: "admin@example.com" } }))!.id;
  units = await appDb.db.businessUnit.findMany({
    orderBy: { id: "asc" },
    select: { id: true, slug: true, topics: { orderBy: { id: "asc" }, select: { id: true, slug: true } } },
  });
  await generateEvents(1500);
  events = await appDb.db.consentEvent.findMany({ orderBy: { id: "desc" } });
});

const decode = (text: string) => text.replace(/&amp;/g, "&");

/** Every event id the page lists for a search, following "Older events" to the end. */
async function listedIds(query: string): Promise<number[]> {
  const ids: number[] = [];
  let next: string | null = `/admin/ledger${query}`;
  while (next) {
    const response = await http.get(next, { cookie: admin });
    expect(response.status, next).toBe(200);
    const html = await response.text();
    ids.push(...[...html.matchAll(/data-event-id="(\d+)"/g)].map((m) => Number(m[1])));
    next = html.match(/href="(\/admin\/ledger\?[^"]*before=\d+[^"]*)"/)?.[1] ?? null;
    if (next) next = decode(next);
  }
  return ids;
}

async function downloadCsv(query: string, ip = nextIp()) {
  return fetch(`${app.url}/admin/ledger.csv${query}`, { method: "POST", redirect: "manual", headers: { cookie: admin, "x-forwarded-for": ip } });
}

const at = (row: Row) => row.createdAt.getTime();
const unitId = (slug: string) => units.find((u) => u.slug === slug)!.id;

describe("searching the ledger", () => {
  it("by each filter lists exactly the matching events, newest first", async () => {
    const tax = unitId("example-tax");
    const taxTopic = units.find((u) => u.id === tax)!.topics[1];
    // The contact with the most events.
    const [busiest] = await appDb.db.consentEvent.groupBy({
      by: ["contactId"],
      where: { contactId: { not: null } },
      orderBy: [{ _count: { contactId: "desc" } }, { contactId: "asc" }],
      take: 1,
    });
    const person = (await appDb.db.contact.findUnique({ where: { id: busiest.contactId! }, select: { id: true, email: true } }))!;
    const from = Date.parse(`${dayOf(-10)}T00:00:00Z`);
    const to = Date.parse(`${dayOf(-2)}T00:00:00Z`);
    const cases: [string, (r: Row) => boolean][] = [
      [`?email=${encodeURIComponent(`  ${person.email.toUpperCase()} `)}`, (r) => r.contactId === person.id],
      ["?unit=example-tax", (r) => r.unitId === tax],
      [`?unit=example-tax&topic=${taxTopic.id}`, (r) => r.topicId === taxTopic.id],
      [`?topic=${taxTopic.id}`, (r) => r.topicId === taxTopic.id],
      ["?source=ADMIN", (r) => r.source === "ADMIN"],
      ["?action=UNIT_OPT_OUT", (r) => r.action === "UNIT_OPT_OUT"],
      ["?campaign=9002", (r) => r.campaignId === 9002],
      [`?from=${dayOf(-10)}&to=${dayOf(-3)}`, (r) => at(r) >= from && at(r) < to],
      [
        `?unit=example-tax&source=ONE_CLICK&from=${dayOf(-10)}&to=${dayOf(-3)}`,
        (r) => r.unitId === tax && r.source === "ONE_CLICK" && at(r) >= from && at(r) < to,
      ],
    ];
    for (const [query, matches] of cases) {
      const expected = events.filter(matches).map((r) => r.id);
      expect(expected.length, `${query} matches something`).toBeGreaterThan(0);
      expect(await listedIds(query), query).toEqual(expected);
    }
  });

  it("includes the whole 'to' day and nothing of the day after, nor of the day before 'from'", async () => {
    const edge = async (day: string, time: string) => (await appDb.db.consentEvent.findFirst({ where: { createdAt: new Date(`${day}T${time}Z`) } }))!.id;
    const listed = new Set(await listedIds(`?action=UNIT_OPT_OUT&source=ONE_CLICK&from=${dayOf(-10)}&to=${dayOf(-3)}`));
    const inside = [await edge(dayOf(-10), "00:00:00.000"), await edge(dayOf(-3), "23:59:59.999")];
    const outside = [await edge(dayOf(-11), "23:59:59.999"), await edge(dayOf(-2), "00:00:00.000")];
    expect(inside).toHaveLength(2);
    expect(outside).toHaveLength(2);
    for (const id of inside) expect(listed.has(id), `event ${id}`).toBe(true);
    for (const id of outside) expect(listed.has(id), `event ${id}`).toBe(false);
  });

  it("shows each event's facts: time, contact, unit, topic, channel, action, source, result, actor, IP, token, campaign", async () => {
    const row = events.find(
      (r) => r.contactId !== null && r.topicId !== null && r.tokenId !== null && r.campaignId !== null && r.actor === `user:${adminId}` && r.ip,
    )!;
    const emailOf = async (contactId: number | null) => (await appDb.db.contact.findUnique({ where: { id: contactId! } }))!.email;
    const html = await (
      await http.get(
        `/admin/ledger?campaign=${row.campaignId}&email=${encodeURIComponent(await emailOf(row.contactId))}`,
        { cookie: admin },
      )
    ).text();
    const tr = html.match(new RegExp(`<tr data-event-id="${row.id}">([\\s\\S]*?)</tr>`))![1];
    const cells = [...tr.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((m) => m[1].replace(/<!-- -->/g, "").replace(/<[^>]+>/g, ""));
    const topic = (await appDb.db.topic.findUnique({ where: { id: row.topicId! }, select: { name: true, unit: { select: { displayName: true } } } }))!;
    expect(cells).toHaveLength(12);
    expect(cells[1]).toBe(await emailOf(row.contactId));
    expect(cells[2]).toBe(
      row.unitId === null ? "—" : (await appDb.db.businessUnit.findUnique({ where: { id: row.unitId } }))!.displayName,
    );
    expect(decode(cells[3])).toBe(decode(topic.name));
    expect(cells[7]).toBe(row.changed ? "changed" : "no-op (already so)");
    expect(cells[8]).toBe(`admin@example.com (user:${adminId})`);
    expect(cells[9]).toBe(row.ip);
    expect(cells[10]).toBe(row.tokenId);
    expect(cells[11]).toBe(`#${row.campaignId}`);
  });

  it("says why an address finds nothing, and refuses a bad search with a 400 that names the field", async () => {
    const unknown = await (await http.get("/admin/ledger?email=nobody%40example.com", { cookie: admin })).text();
    expect(unknown).toContain("No contact has this address");
    const cases: [string, string][] = [
      ["?unit=no-such-unit", "There is no unit “no-such-unit”."],
      [
        `?unit=example-travel&topic=${units.find((u) => u.slug === "example-tax")!.topics[0].id}`,
        "is a topic of Example Tax, not of Example Travel.",
      ],
      ["?from=2026-02-30", "From is not a date in the calendar."],
      ["?from=2026-05-02&to=2026-05-01", "To must not be before the from date."],
      ["?source=CARRIER_PIGEON", "Source is not a source of the ledger."],
      ["?campaign=abc", "Campaign must be a campaign number."],
      ["?email=ja", "Type at least 3 characters of the address."],
    ];
    for (const [query, message] of cases) {
      const response = await http.get(`/admin/ledger${query}`, { cookie: admin });
      expect(response.status, query).toBe(400);
      expect(decode(await response.text()).replace(/<!-- -->/g, ""), query).toContain(message);
      const csv = await downloadCsv(query);
      expect(csv.status, `csv ${query}`).toBe(400);
    }
  });
});

describe("the CSV export", () => {
  it("holds exactly what the page lists for the same filters, with every field as stored, and is recorded with its row count", async () => {
    for (const query of ["?unit=example-insurance", `?source=LINK_PAGE&from=${dayOf(-20)}&to=${dayOf(-1)}`, "?campaign=9001&action=SUBSCRIBE"]) {
      const auditsBefore = await appDb.db.auditEvent.count({ where: { action: "ledger.export" } });
      const response = await downloadCsv(query, "203.0.113.90");
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
      expect(response.headers.get("content-disposition")).toMatch(/^attachment; filename="ledger-[\w.-]+\.csv"$/);
      const [header, ...rows] = parse(await response.text()) as string[][];
      expect(header).toEqual([
        "event_id",
        "created_at",
        "contact_id",
        "email",
        "unit",
        "topic",
        "channel",
        "action",
        "source",
        "changed",
        "actor",
        "actor_email",
        "ip",
        "user_agent",
        "token_id",
        "campaign_id",
        "consent_text_id",
        "detail",
      ]);
      expect(
        rows.map((r) => Number(r[0])),
        query,
      ).toEqual(await listedIds(query));

      const byId = new Map(events.map((e) => [e.id, e]));
      for (const r of rows) {
        const e = byId.get(Number(r[0]))!;
        expect(r[1]).toBe(new Date(e.createdAt).toISOString());
        expect(r[7]).toBe(e.action);
        expect(r[8]).toBe(e.source);
        expect(r[9]).toBe(e.changed ? "1" : "0");
        expect(r[10]).toBe(e.actor?.startsWith("=") ? `'${e.actor}` : (e.actor ?? ""));
        expect(r[13]).toBe(e.userAgent ?? "");
        expect(r[17]).toBe(e.detail ?? "");
      }
      expect(await appDb.db.auditEvent.count({ where: { action: "ledger.export" } })).toBe(auditsBefore + 1);
      const audit = (await appDb.db.auditEvent.findFirst({ where: { action: "ledger.export" }, orderBy: { id: "desc" } }))!;
      expect(audit).toMatchObject({ actorUserId: adminId, ip: "203.0.113.90" });
      const detail = JSON.parse(audit.detail!) as { filters: Record<string, unknown>; rows: number };
      expect(detail.rows).toBe(rows.length);
      expect(detail.filters).toEqual(Object.fromEntries([...new URLSearchParams(query)].map(([k, v]) => [k, k === "campaign" ? Number(v) : v])));
    }
  });

  it("takes a filter posted in the form over the same one in the query, and refuses a filter posted twice with a 400 that says so", async () => {
    const post = (query: string, body: string) =>
      fetch(`${app.url}/admin/ledger.csv${query}`, {
        method: "POST",
        body,
        redirect: "manual",
        headers: { cookie: admin, origin: app.url, "content-type": "application/x-www-form-urlencoded", "x-forwarded-for": nextIp() },
      });
    const posted = await post("?unit=no-such-unit", "unit=example-tax&source=ADMIN");
    expect(posted.status).toBe(200);
    expect(Number(posted.headers.get("x-row-count"))).toBe(Number((await downloadCsv("?unit=example-tax&source=ADMIN")).headers.get("x-row-count")));
    const twice = await post("", "unit=example-tax&unit=example-travel");
    expect(twice.status).toBe(400);
    expect(await twice.text()).toContain("Each filter may be given once.");
  });

  it("quotes as RFC 4180 says: commas, double quotes and line breaks survive", async () => {
    const body = await (await downloadCsv("?action=SUPPRESS")).text();
    expect(body).toContain('"Mozilla/5.0 (X11; Linux) ""quoted"", with commas"');
    expect(body).toContain('"Line one\nline two"');
    expect(body).toContain('"{""reason"":""MANUAL"",""note"":""said \\""stop\\"", twice""}"');
  });

  it("answers a GET with the page for the same filters, never a file", async () => {
    const response = await http.get("/admin/ledger.csv?unit=example-tax&source=ADMIN", { cookie: admin });
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/admin/ledger?unit=example-tax&source=ADMIN");
  });
});

describe("the daily chart", () => {
  type Table = Map<string, { optIns: number; optOuts: number; bySource: Map<string, [number, number]> }>;

  /** The numbers in the chart's table: per day, totals and per source in/out. */
  function chartTable(html: string): Table {
    const table = html.match(/<table class="staff-table chart-table">([\s\S]*?)<\/table>/)![1];
    const heads = [...table.matchAll(/<th[^>]*data-source="(\w+)" data-direction="(in|out)"/g)].map((m) => [m[1], m[2]] as const);
    const body = table.match(/<tbody>([\s\S]*?)<\/tbody>/)![1];
    const result: Table = new Map();
    for (const tr of body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)) {
      const day = tr[1].match(/<th scope="row">([\d-]+)<\/th>/)![1];
      const numbers = [...tr[1].matchAll(/<td class="number">([\d,]+)<\/td>/g)].map((m) => Number(m[1].replace(/,/g, "")));
      const bySource = new Map<string, [number, number]>();
      heads.forEach(([source, direction], i) => {
        const pair = bySource.get(source) ?? [0, 0];
        pair[direction === "in" ? 0 : 1] = numbers[2 + i];
        bySource.set(source, pair);
      });
      result.set(day, { optIns: numbers[0], optOuts: numbers[1], bySource });
    }
    return result;
  }

  const IN = new Set(["SUBSCRIBE", "UNIT_OPT_IN", "GLOBAL_OPT_IN"]);
  const OUT = new Set(["UNSUBSCRIBE", "UNIT_OPT_OUT", "GLOBAL_OPT_OUT"]);

  /** The same numbers counted here from the raw rows. */
  function expectedTable(unit: number | null, from: string, to: string): Table {
    const result: Table = new Map();
    for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += DAY) {
      result.set(new Date(t).toISOString().slice(0, 10), { optIns: 0, optOuts: 0, bySource: new Map() });
    }
    for (const e of events) {
      const day = new Date(e.createdAt).toISOString().slice(0, 10);
      const counted = result.get(day);
      if (!counted || e.unitId !== unit || !e.changed || !(IN.has(e.action) || OUT.has(e.action))) continue;
      const pair = counted.bySource.get(e.source) ?? [0, 0];
      if (IN.has(e.action)) {
        counted.optIns++;
        pair[0]++;
      } else {
        counted.optOuts++;
        pair[1]++;
      }
      counted.bySource.set(e.source, pair);
    }
    // Sources with no events in the period are not columns of the page's table.
    const present = new Set([...result.values()].flatMap((d) => [...d.bySource.keys()]));
    for (const d of result.values()) for (const source of present) if (!d.bySource.has(source)) d.bySource.set(source, [0, 0]);
    return result;
  }

  it("shows a unit's daily opt-ins and opt-outs by source that equal a direct count, for a chosen period", async () => {
    const from = dayOf(-44);
    const html = await (await http.get(`/admin/ledger?unit=example-travel&from=${from}&to=${today}`, { cookie: admin })).text();
    // The chart kit's image is named by its title and described by the summary (ADR 053).
    expect(html).toMatch(/<svg viewBox="0 0 960 \d+" role="img" aria-labelledby="ledger-chart-title ledger-chart-desc"/);
    expect(html).toMatch(/<desc id="ledger-chart-desc">\d+ opt-ins and \d+ opt-outs for Example Travel/);
    const shown = chartTable(html);
    const expected = expectedTable(unitId("example-travel"), from, today);
    expect(shown).toEqual(expected);
    const total = [...expected.values()].reduce((n, d) => n + d.optIns + d.optOuts, 0);
    expect(total).toBeGreaterThan(30);
    // And one direct count over the whole period, as an auditor would run it.
    const directTotal = await appDb.db.consentEvent.count({
      where: {
        unitId: unitId("example-travel"),
        changed: true,
        action: { in: ["SUBSCRIBE", "UNIT_OPT_IN", "GLOBAL_OPT_IN", "UNSUBSCRIBE", "UNIT_OPT_OUT", "GLOBAL_OPT_OUT"] },
        createdAt: { gte: new Date(`${from}T00:00:00.000Z`), lt: new Date(`${dayOf(1)}T00:00:00.000Z`) },
      },
    });
    expect(total).toBe(directTotal);
  });

  it("covers the last 30 days by default, and every unit at once (global changes) when no unit is chosen", async () => {
    const html = await (await http.get("/admin/ledger", { cookie: admin })).text();
    const shown = chartTable(html);
    expect([...shown.keys()]).toHaveLength(30);
    expect([...shown.keys()].at(-1)).toBe(today);
    expect(shown).toEqual(expectedTable(null, dayOf(-29), today));
    expect(html).toContain("every unit at once");
  });

  it("refuses a period longer than a year for the chart but still searches", async () => {
    const response = await http.get("/admin/ledger?unit=example-tax&from=2024-01-01&to=2026-01-01", { cookie: admin });
    expect(response.status).toBe(200);
    const html = decode(await response.text());
    expect(html).toContain("The chart covers at most 366 days; this period has 732.");
  });
});
