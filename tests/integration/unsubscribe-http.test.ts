import fs from "node:fs";
import PostalMime from "postal-mime";
import { beforeAll, describe, expect, it } from "vitest";
import { createDb } from "~/utils/db.server.ts";
import { findAudienceBatch } from "~/domain/consent/audience.server.ts";
import { useRunningApp } from "../helpers/running-app.ts";

// The unsubscribe link over real HTTP against the production build with the demo data.

const { app, appDb } = useRunningApp();
let units: Record<string, number>;
let revokedKey: { kid: string; secret: string };
let retiredKey: { kid: string; secret: string };

type SubscribedContact = { contactId: number; topicId: number };

/** A demo contact subscribed by email to a topic of each given unit, with no opt-out anywhere. */
async function subscriberOf(...unitSlugs: string[]): Promise<SubscribedContact> {
  const unitIds = unitSlugs.map((slug) => units[slug]);
  const subscribedTo = (unitId: number) => ({ ...activeEmailSubscription(), topic: { unitId } });
  const match = await appDb.db.contact.findFirst({
    where: {
      id: { notIn: [...usedContacts] },
      unitOptOuts: { none: {} },
      globalOptOuts: { none: {} },
      snoozes: { none: {} },
      suppressions: { none: {} },
      AND: unitIds.map((unitId) => ({ subscriptions: { some: subscribedTo(unitId) } })),
    },
    orderBy: { id: "asc" },
    select: { id: true, subscriptions: { where: subscribedTo(unitIds[0]), orderBy: { topicId: "asc" }, take: 1, select: { topicId: true } } },
  });
  if (!match) throw new Error(`No demo contact subscribed to ${unitSlugs.join(" and ")}`);
  usedContacts.add(match.id);
  return { contactId: match.id, topicId: match.subscriptions[0].topicId };
}
const usedContacts = new Set<number>();

/** Subscribed by email, and the consent not lapsed (the demo has implied consents past their two years). */
const activeEmailSubscription = () => ({
  channel: "EMAIL" as const,
  status: "SUBSCRIBED" as const,
  OR: [{ expiresAt: null }, { expiresAt: { gt: new Date() } }],
});

function oneClick(url: string, encoding: "urlencoded" | "multipart") {
  const body = encoding === "urlencoded" ? new URLSearchParams({ "List-Unsubscribe": "One-Click" }) : formData({ "List-Unsubscribe": "One-Click" });
  return fetch(url, { method: "POST", body, redirect: "manual" });
}

function formData(fields: Record<string, string>): FormData {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) form.append(key, value);
  return form;
}

const ledger = (contactId: number) =>
  appDb.db.consentEvent.findMany({
    where: { contactId, source: { not: "IMPORT" } },
    select: { action: true, source: true, changed: true, tokenId: true, ip: true, userAgent: true },
    orderBy: { id: "asc" },
  });

const stateCounts = async () => ({
  events: await appDb.db.consentEvent.count(),
  unitOptOuts: await appDb.db.unitOptOut.count(),
  globalOptOuts: await appDb.db.globalOptOut.count(),
  snoozes: await appDb.db.snooze.count(),
  subscriptions: await appDb.db.subscription.count({ where: { status: "SUBSCRIBED" } }),
  sessions: await appDb.db.session.count(),
  throttles: await appDb.db.throttle.count(),
  messages: await appDb.db.transactionalMessage.count(),
});

beforeAll(async () => {
  units = Object.fromEntries((await appDb.db.businessUnit.findMany({ select: { slug: true, id: true } })).map((u) => [u.slug, u.id]));
  // Added before the app first reads its keyring, so the app knows this kid as revoked.
  revokedKey = await appDb.addKey("revoked");
  retiredKey = await appDb.addKey("retired");
});

describe("RFC 8058 one-click", () => {
  it.each(["urlencoded", "multipart"] as const)("opts out of the whole unit with a %s body: 200, no redirect, no cookie", async (encoding) => {
    const { contactId, topicId } = await subscriberOf("example-tax");
    const url = await appDb.link("unsubscribe", { contactId, unitId: units["example-tax"], topicId, campaignId: 7 });
    const response = await oneClick(url, encoding);
    expect(response.status).toBe(200);
    expect(response.headers.get("location")).toBeNull();
    expect(response.headers.get("set-cookie")).toBeNull();
    expect(await appDb.db.unitOptOut.findMany({ where: { contactId }, select: { unitId: true, channel: true } })).toEqual([
      { unitId: units["example-tax"], channel: "EMAIL" },
    ]);
    const [event] = await ledger(contactId);
    expect(event).toMatchObject({ action: "UNIT_OPT_OUT", source: "ONE_CLICK", changed: true, ip: "127.0.0.1", userAgent: "node" });
    expect(event.tokenId).toMatch(/^[\w-]{16}$/);
    expect(await appDb.db.consentEvent.findFirst({ where: { contactId, source: "ONE_CLICK" }, select: { campaignId: true } })).toEqual({ campaignId: 7 });
  });

  it("is idempotent: a repeat answers the same and changes nothing (the ledger records it as unchanged)", async () => {
    const { contactId, topicId } = await subscriberOf("example-tax");
    const url = await appDb.link("unsubscribe", { contactId, unitId: units["example-tax"], topicId });
    const first = await oneClick(url, "urlencoded");
    const again = await oneClick(url, "urlencoded");
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(await again.text()).toBe(await first.text());
    expect(await appDb.db.unitOptOut.count({ where: { contactId } })).toBe(1);
    expect((await ledger(contactId)).map((e) => [e.action, e.changed])).toEqual([
      ["UNIT_OPT_OUT", true],
      ["UNIT_OPT_OUT", false],
    ]);
  });

  it("takes effect for the very next audience query, and leaves the other unit's mail alone", async () => {
    const { contactId, topicId } = await subscriberOf("example-tax", "example-travel");
    const appClient = createDb(app.databaseUrl);
    const now = new Date();
    const travelTopic = (
      await appDb.db.subscription.findFirstOrThrow({
        where: { contactId, topic: { unitId: units["example-travel"] }, ...activeEmailSubscription() },
        orderBy: { id: "asc" },
        select: { topicId: true },
      })
    ).topicId;
    const taxTarget = { unitId: units["example-tax"], topicId, channel: "EMAIL" as const };
    const travelTarget = { unitId: units["example-travel"], topicId: travelTopic, channel: "EMAIL" as const };
    // Is the contact in the audience the sender would query right now?
    const audience = async (target: typeof taxTarget) =>
      (await findAudienceBatch(appClient, target, now, { afterContactId: contactId - 1, maxContactId: contactId, take: 1 })).length === 1;
    expect(await audience(taxTarget)).toBe(true);
    const subscriptions = () => appDb.db.subscription.findMany({ where: { contactId }, select: { topicId: true, channel: true, status: true }, orderBy: { id: "asc" } });
    const subscriptionsBefore = await subscriptions();

    const response = await oneClick(await appDb.link("unsubscribe", { contactId, unitId: units["example-tax"], topicId }), "urlencoded");
    expect(response.status).toBe(200);
    expect(await audience(taxTarget)).toBe(false);
    expect(await audience(travelTarget)).toBe(true);
    // The opt-out overrides the subscriptions without touching them, in either unit.
    expect(await subscriptions()).toEqual(subscriptionsBefore);
    await appClient.$disconnect();
  });

  it("answers a burst of concurrent one-clicks (written together) with one opt-out per link, repeats unchanged", async () => {
    const contacts: SubscribedContact[] = [];
    for (let i = 0; i < 40; i++) contacts.push(await subscriberOf("example-travel"));
    const links = await Promise.all(contacts.map(({ contactId, topicId }) => appDb.link("unsubscribe", { contactId, unitId: units["example-travel"], topicId })));
    // Every link twice, all in flight at once: the server batches whatever arrives together.
    const answers = await Promise.all([...links, ...links].map((url, i) => oneClick(url, i % 2 ? "multipart" : "urlencoded")));
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
    // Same unit, so the same confirmation for every answer, first or repeat.
    expect(new Set(await Promise.all(answers.map((a) => a.text()))).size).toBe(1);
    const ids = contacts.map((c) => c.contactId);
    expect(await appDb.db.unitOptOut.count({ where: { contactId: { in: ids } } })).toBe(40);
    const oneClicks = await appDb.db.consentEvent.groupBy({ by: ["changed"], where: { contactId: { in: ids }, source: "ONE_CLICK" }, _count: { _all: true }, orderBy: { changed: "asc" } });
    expect(oneClicks.map((g) => ({ changed: g.changed, n: g._count._all }))).toEqual([
      { changed: false, n: 40 },
      { changed: true, n: 40 },
    ]);
  });

  it("says which unit the person left, in a page with no cookie and no caching", async () => {
    const { contactId, topicId } = await subscriberOf("example-tax");
    const response = await oneClick(await appDb.link("unsubscribe", { contactId, unitId: units["example-tax"], topicId }), "multipart");
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await response.text()).toContain("You are unsubscribed from Example Tax promotional email");
  });

  it("unsubscribes only the link's topic when the unit chose topic scope", async () => {
    await appDb.db.businessUnit.update({ where: { id: units["example-insurance"] }, data: { oneClickScope: "TOPIC" } });
    try {
      const { contactId, topicId } = await subscriberOf("example-insurance");
      const response = await oneClick(await appDb.link("unsubscribe", { contactId, unitId: units["example-insurance"], topicId }), "urlencoded");
      expect(response.status).toBe(200);
      expect(await appDb.db.unitOptOut.count({ where: { contactId } })).toBe(0);
      expect(await appDb.db.subscription.findUnique({ where: { contactId_topicId_channel: { contactId, topicId, channel: "EMAIL" } }, select: { status: true } })).toEqual({
        status: "UNSUBSCRIBED",
      });
      expect((await ledger(contactId)).map((e) => [e.action, e.source, e.changed])).toEqual([["UNSUBSCRIBE", "ONE_CLICK", true]]);
    } finally {
      await appDb.db.businessUnit.update({ where: { id: units["example-insurance"] }, data: { oneClickScope: "UNIT" } });
    }
  });
});

describe("what scanners must not do", () => {
  it("20 GET and HEAD requests with scanner user agents change nothing", async () => {
    const { contactId, topicId } = await subscriberOf("example-insurance");
    const url = await appDb.link("unsubscribe", { contactId, unitId: units["example-insurance"], topicId });
    const before = await stateCounts();
    const agents = [
      "Mozilla/5.0 (compatible; Barracuda Sentinel)",
      "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0)",
      "Mozilla/5.0 (compatible; Proofpoint URL Defense)",
      "Mimecast-URL-Protect/1.0",
      "Googlebot/2.1 (+http://www.google.com/bot.html)",
    ];
    for (let i = 0; i < 20; i++) {
      const response = await fetch(url, { method: i % 2 ? "HEAD" : "GET", headers: { "user-agent": agents[i % agents.length] } });
      expect(response.status).toBe(200);
    }
    expect(await stateCounts()).toEqual(before);
  });
});

describe("form posts from other sites", () => {
  it("refuses a cross-site post and Origin: null with a clear 403, and accepts our own origin", async () => {
    const { contactId, topicId } = await subscriberOf("example-insurance");
    const url = await appDb.link("unsubscribe", { contactId, unitId: units["example-insurance"], topicId });
    const choose = (origin: string) =>
      fetch(url, { method: "POST", body: new URLSearchParams({ intent: "choose", choice: "everywhere" }), headers: { origin } });
    const foreign = await choose("https://evil.example");
    expect(foreign.status).toBe(403);
    expect(await foreign.text()).toMatch(/sent from another site/);
    expect(await appDb.db.globalOptOut.count({ where: { contactId } })).toBe(0);
    expect((await choose("null")).status).toBe(403);
    expect((await choose(app.url)).status).toBe(200);
    expect(await appDb.db.globalOptOut.count({ where: { contactId } })).toBe(1);
  });
});

describe("oversized requests", () => {
  it("refuses a body over 64 KiB with 413 before reading it", async () => {
    const response = await fetch(`${app.url}/links/new`, { method: "POST", body: new URLSearchParams({ email: "x".repeat(70_000) }) });
    expect(response.status).toBe(413);
  });
});

describe("bad links", () => {
  it.each([
    ["tampered", 400],
    ["truncated", 400],
    ["unknown kid", 400],
    ["revoked kid", 410],
    ["expired", 410],
    ["made for the preferences page", 400],
    ["alg none", 400],
    ["gibberish", 400],
  ])("a %s token gets the 'no longer works' page with status %i, and a way to get a new link", async (kind, status) => {
    const { contactId } = await subscriberOf("example-tax");
    const claims = { contactId, unitId: units["example-tax"] };
    const good = await appDb.link("unsubscribe", claims);
    const token = good.split("/u/")[1];
    const [header, payload, signature] = token.split(".");
    const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
    const bad: Record<string, () => Promise<string>> = {
      tampered: async () => `${header}.${encode({ ...JSON.parse(Buffer.from(payload, "base64url").toString()), sub: "1" })}.${signature}`,
      truncated: async () => token.slice(0, -10),
      "unknown kid": async () => (await appDb.link("unsubscribe", claims, { kid: "nobody", secret: "x".repeat(43) })).split("/u/")[1],
      "revoked kid": async () => (await appDb.link("unsubscribe", claims, revokedKey)).split("/u/")[1],
      expired: async () => (await appDb.link("unsubscribe", { ...claims, now: new Date("2020-01-01") })).split("/u/")[1],
      "made for the preferences page": async () => (await appDb.link("preferences", claims)).split("/p/")[1],
      "alg none": async () => `${encode({ alg: "none", kid: header })}.${payload}.`,
      gibberish: async () => "hello",
    };
    const before = await stateCounts();
    const url = `${app.url}/u/${await bad[kind]()}`;
    for (const response of [await fetch(url), await oneClick(url, "urlencoded")]) {
      expect(response.status).toBe(status);
      const html = await response.text();
      expect(html).toContain("This link no longer works");
      expect(html).toContain('action="/links/new"');
    }
    expect(await stateCounts()).toEqual(before);
  });
});

describe("links of an erased contact", () => {
  it("answer 410 with the new-link page for GET, page posts and one-click, never 500", async () => {
    const created = new Date("2026-01-01T00:00:00.000Z");
    const contactId = (await appDb.db.contact.create({ data: { email: "soon-erased@example.com", locale: "en", createdAt: created, updatedAt: created } })).id;
    const url = await appDb.link("unsubscribe", { contactId, unitId: units["example-tax"] });
    const preferences = await appDb.link("preferences", { contactId, unitId: units["example-tax"] });
    await appDb.db.contact.delete({ where: { id: contactId } });
    const answers = [
      await fetch(url),
      await oneClick(url, "urlencoded"),
      await fetch(url, { method: "POST", body: new URLSearchParams({ intent: "choose", choice: "unit" }) }),
      await fetch(url, { method: "POST", body: new URLSearchParams({ intent: "manage" }), redirect: "manual" }),
      await fetch(preferences, { method: "POST", redirect: "manual" }),
    ];
    expect(answers.map((a) => a.status)).toEqual([410, 410, 410, 410, 410]);
    expect(answers[1].headers.get("set-cookie")).toBeNull();
  });
});

describe("page posts the page never sends", () => {
  it("answer a 400 in plain words and change nothing; a missing choice is named beside the choices", async () => {
    const { contactId, topicId } = await subscriberOf("example-tax");
    const url = await appDb.link("unsubscribe", { contactId, unitId: units["example-tax"], topicId });
    const post = (fields: Record<string, string>) => fetch(url, { method: "POST", body: new URLSearchParams(fields), headers: { origin: app.url } });
    const crafted: Record<string, string>[] = [{ intent: "bogus" }, { intent: "undo", event: "x" }, { choice: "unit" }];
    for (const fields of crafted) {
      const answer = await post(fields);
      expect(answer.status).toBe(400);
      expect((await answer.text()).replaceAll("<!-- -->", "")).toContain("That request was not understood. Please reload the page and try again.");
    }
    const missing = await post({ intent: "choose" });
    expect(missing.status).toBe(400);
    expect(await missing.text()).toContain("Choose one of the options.");
    expect(await ledger(contactId)).toEqual([]);
  });
});

describe("a link whose key was retired", () => {
  it("still unsubscribes from its page, but offers no undo and no way into the preference center", async () => {
    const { contactId, topicId } = await subscriberOf("example-tax");
    const url = await appDb.link("unsubscribe", { contactId, unitId: units["example-tax"], topicId }, retiredKey);
    const page = await fetch(url);
    expect(page.status).toBe(200);
    const html = (await page.text()).replaceAll("<!-- -->", "");
    expect(html).not.toContain("Manage all my preferences");
    expect(html).toContain('action="/links/new"');

    const chosen = await fetch(url, { method: "POST", body: new URLSearchParams({ intent: "choose", choice: "unit" }), headers: { origin: app.url } });
    expect(chosen.status).toBe(200);
    expect(await chosen.text()).not.toContain('name="intent" value="undo"');
    expect((await ledger(contactId)).map((e) => [e.action, e.source])).toEqual([["UNIT_OPT_OUT", "LINK_PAGE"]]);
    const eventId = (await appDb.db.consentEvent.findFirstOrThrow({ where: { contactId, source: "LINK_PAGE" }, select: { id: true } })).id;
    const undo = await fetch(url, { method: "POST", body: new URLSearchParams({ intent: "undo", event: String(eventId) }), headers: { origin: app.url } });
    expect(undo.status).toBe(410);
    expect(await appDb.db.unitOptOut.count({ where: { contactId } })).toBe(1);
  });
});

describe("email me a new link", () => {
  const ask = (email: string, ip: string) =>
    fetch(`${app.url}/links/new`, {
      method: "POST",
      body: new URLSearchParams({ email }),
      // The server trusts X-Forwarded-For from loopback only; each case uses its own address.
      headers: { "x-forwarded-for": ip },
    });

  it("answers identically for a known and an unknown address, and mails only the known one", async () => {
    const known = (await appDb.db.contact.findFirstOrThrow({ where: { suppressions: { none: {} } }, orderBy: { id: "desc" }, select: { email: true } })).email;
    const knownAnswer = await ask(known, "198.51.100.1");
    const unknownAnswer = await ask("nobody-here@example.org", "198.51.100.2");
    expect([knownAnswer.status, unknownAnswer.status]).toEqual([200, 200]);
    expect(await knownAnswer.text()).toBe(await unknownAnswer.text());

    await expect.poll(() => appDb.db.transactionalMessage.findMany({ select: { toEmail: true, template: true, status: true }, orderBy: { id: "asc" } }), { timeout: 10_000 }).toEqual([
      { toEmail: known, template: "preference-link", status: "SENT" },
    ]);
    const files = fs.readdirSync(app.outboxDir);
    expect(files).toHaveLength(1);
    const message = await PostalMime.parse(fs.readFileSync(`${app.outboxDir}/${files[0]}`));
    expect(message.to?.[0].address).toBe(known);
    expect(message.text).toMatch(/\/p\/[\w-]+\.[\w-]+\.[\w-]+/);
  });

  it("limits requests per address and per IP", async () => {
    for (let i = 0; i < 3; i++) expect((await ask("limited@example.org", `198.51.100.${10 + i}`)).status).toBe(200);
    const limited = await ask("limited@example.org", "198.51.100.20");
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);

    const statuses = [];
    for (let i = 0; i < 21; i++) statuses.push((await ask(`person${i}@example.org`, "203.0.113.99")).status);
    expect(statuses.slice(0, 20).every((s) => s === 200)).toBe(true);
    expect(statuses[20]).toBe(429);
  });

  it("explains a malformed address with a 400", async () => {
    const response = await ask("not-an-address", "198.51.100.30");
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("Enter a valid email address");
  });
});
