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
function subscriberOf(...unitSlugs: string[]): SubscribedContact {
  const unitIds = unitSlugs.map((slug) => units[slug]);
  const used = usedContacts.size ? `AND c.id NOT IN (${[...usedContacts].join(",")})` : "";
  const match = appDb.row<{ contactId: number; topicId: number } | undefined>(
    `SELECT c.id AS contactId, MIN(s.topicId) AS topicId FROM Contact c
       JOIN Subscription s ON s.contactId = c.id AND s.channel = 'EMAIL' AND s.status = 'SUBSCRIBED'
       JOIN Topic t ON t.id = s.topicId AND t.unitId = ?
     WHERE NOT EXISTS (SELECT 1 FROM UnitOptOut o WHERE o.contactId = c.id)
       AND NOT EXISTS (SELECT 1 FROM GlobalOptOut g WHERE g.contactId = c.id)
       AND NOT EXISTS (SELECT 1 FROM Snooze z WHERE z.contactId = c.id)
       AND NOT EXISTS (SELECT 1 FROM Suppression x WHERE x.contactId = c.id)
       AND (SELECT COUNT(DISTINCT t2.unitId) FROM Subscription s2 JOIN Topic t2 ON t2.id = s2.topicId
            WHERE s2.contactId = c.id AND s2.channel = 'EMAIL' AND s2.status = 'SUBSCRIBED' AND t2.unitId IN (${unitIds.join(",")})) = ?
       ${used}
     GROUP BY c.id ORDER BY c.id LIMIT 1`,
    unitIds[0],
    unitIds.length,
  );
  if (!match) throw new Error(`No demo contact subscribed to ${unitSlugs.join(" and ")}`);
  usedContacts.add(match.contactId);
  return match;
}
const usedContacts = new Set<number>();

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
  appDb.rows<{ action: string; source: string; changed: number; tokenId: string | null; ip: string | null; userAgent: string | null }>(
    "SELECT action, source, changed, tokenId, ip, userAgent FROM ConsentEvent WHERE contactId = ? AND source != 'IMPORT' ORDER BY id",
    contactId,
  );

const stateCounts = () => ({
  events: appDb.count("SELECT COUNT(*) AS n FROM ConsentEvent"),
  unitOptOuts: appDb.count("SELECT COUNT(*) AS n FROM UnitOptOut"),
  globalOptOuts: appDb.count("SELECT COUNT(*) AS n FROM GlobalOptOut"),
  snoozes: appDb.count("SELECT COUNT(*) AS n FROM Snooze"),
  subscriptions: appDb.count("SELECT COUNT(*) AS n FROM Subscription WHERE status = 'SUBSCRIBED'"),
  sessions: appDb.count("SELECT COUNT(*) AS n FROM Session"),
  throttles: appDb.count("SELECT COUNT(*) AS n FROM Throttle"),
  messages: appDb.count("SELECT COUNT(*) AS n FROM TransactionalMessage"),
});

beforeAll(async () => {
  units = Object.fromEntries(appDb.rows<{ slug: string; id: number }>("SELECT slug, id FROM BusinessUnit").map((u) => [u.slug, u.id]));
  // Added before the app first reads its keyring, so the app knows this kid as revoked.
  revokedKey = await appDb.addKey("revoked");
  retiredKey = await appDb.addKey("retired");
});

describe("RFC 8058 one-click", () => {
  it.each(["urlencoded", "multipart"] as const)("opts out of the whole unit with a %s body: 200, no redirect, no cookie", async (encoding) => {
    const { contactId, topicId } = subscriberOf("example-tax");
    const url = await appDb.link("unsubscribe", { contactId, unitId: units["example-tax"], topicId, campaignId: 7 });
    const response = await oneClick(url, encoding);
    expect(response.status).toBe(200);
    expect(response.headers.get("location")).toBeNull();
    expect(response.headers.get("set-cookie")).toBeNull();
    expect(appDb.rows("SELECT unitId, channel FROM UnitOptOut WHERE contactId = ?", contactId)).toEqual([
      { unitId: units["example-tax"], channel: "EMAIL" },
    ]);
    const [event] = ledger(contactId);
    expect(event).toMatchObject({ action: "UNIT_OPT_OUT", source: "ONE_CLICK", changed: 1, ip: "127.0.0.1", userAgent: "node" });
    expect(event.tokenId).toMatch(/^[\w-]{16}$/);
    expect(appDb.row("SELECT campaignId FROM ConsentEvent WHERE contactId = ? AND source = 'ONE_CLICK'", contactId)).toEqual({ campaignId: 7 });
  });

  it("is idempotent: a repeat answers the same and changes nothing (the ledger records it as unchanged)", async () => {
    const { contactId, topicId } = subscriberOf("example-tax");
    const url = await appDb.link("unsubscribe", { contactId, unitId: units["example-tax"], topicId });
    const first = await oneClick(url, "urlencoded");
    const again = await oneClick(url, "urlencoded");
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(await again.text()).toBe(await first.text());
    expect(appDb.count("SELECT COUNT(*) AS n FROM UnitOptOut WHERE contactId = ?", contactId)).toBe(1);
    expect(ledger(contactId).map((e) => [e.action, e.changed])).toEqual([
      ["UNIT_OPT_OUT", 1],
      ["UNIT_OPT_OUT", 0],
    ]);
  });

  it("takes effect for the very next audience query, and leaves the other unit's mail alone", async () => {
    const { contactId, topicId } = subscriberOf("example-tax", "example-travel");
    const appClient = createDb(app.databaseUrl);
    const now = new Date();
    const travelTopic = appDb.row<{ topicId: number }>(
      "SELECT s.topicId FROM Subscription s JOIN Topic t ON t.id = s.topicId WHERE s.contactId = ? AND t.unitId = ? AND s.channel = 'EMAIL' AND s.status = 'SUBSCRIBED'",
      contactId,
      units["example-travel"],
    ).topicId;
    const taxTarget = { unitId: units["example-tax"], topicId, channel: "EMAIL" as const };
    const travelTarget = { unitId: units["example-travel"], topicId: travelTopic, channel: "EMAIL" as const };
    // Is the contact in the audience the sender would query right now?
    const audience = async (target: typeof taxTarget) =>
      (await findAudienceBatch(appClient, target, now, { afterContactId: contactId - 1, maxContactId: contactId, take: 1 })).length === 1;
    expect(await audience(taxTarget)).toBe(true);
    const subscriptionsBefore = appDb.rows("SELECT topicId, channel, status FROM Subscription WHERE contactId = ? ORDER BY id", contactId);

    const response = await oneClick(await appDb.link("unsubscribe", { contactId, unitId: units["example-tax"], topicId }), "urlencoded");
    expect(response.status).toBe(200);
    expect(await audience(taxTarget)).toBe(false);
    expect(await audience(travelTarget)).toBe(true);
    // The opt-out overrides the subscriptions without touching them, in either unit.
    expect(appDb.rows("SELECT topicId, channel, status FROM Subscription WHERE contactId = ? ORDER BY id", contactId)).toEqual(subscriptionsBefore);
    await appClient.$disconnect();
  });

  it("answers a burst of concurrent one-clicks (written together) with one opt-out per link, repeats unchanged", async () => {
    const contacts = Array.from({ length: 40 }, () => subscriberOf("example-travel"));
    const links = await Promise.all(contacts.map(({ contactId, topicId }) => appDb.link("unsubscribe", { contactId, unitId: units["example-travel"], topicId })));
    // Every link twice, all in flight at once: the server batches whatever arrives together.
    const answers = await Promise.all([...links, ...links].map((url, i) => oneClick(url, i % 2 ? "multipart" : "urlencoded")));
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
    // Same unit, so the same confirmation for every answer, first or repeat.
    expect(new Set(await Promise.all(answers.map((a) => a.text()))).size).toBe(1);
    const ids = contacts.map((c) => c.contactId).join(",");
    expect(appDb.count(`SELECT COUNT(*) AS n FROM UnitOptOut WHERE contactId IN (${ids})`)).toBe(40);
    const ledgerRows = appDb.rows<{ changed: number; n: number }>(
      `SELECT changed, COUNT(*) AS n FROM ConsentEvent WHERE contactId IN (${ids}) AND source = 'ONE_CLICK' GROUP BY changed ORDER BY changed`,
    );
    expect(ledgerRows).toEqual([
      { changed: 0, n: 40 },
      { changed: 1, n: 40 },
    ]);
  });

  it("says which unit the person left, in a page with no cookie and no caching", async () => {
    const { contactId, topicId } = subscriberOf("example-tax");
    const response = await oneClick(await appDb.link("unsubscribe", { contactId, unitId: units["example-tax"], topicId }), "multipart");
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await response.text()).toContain("You are unsubscribed from Example Tax promotional email");
  });

  it("unsubscribes only the link's topic when the unit chose topic scope", async () => {
    appDb.sqlite.prepare("UPDATE BusinessUnit SET oneClickScope = 'TOPIC' WHERE id = ?").run(units["example-insurance"]);
    try {
      const { contactId, topicId } = subscriberOf("example-insurance");
      const response = await oneClick(await appDb.link("unsubscribe", { contactId, unitId: units["example-insurance"], topicId }), "urlencoded");
      expect(response.status).toBe(200);
      expect(appDb.count("SELECT COUNT(*) AS n FROM UnitOptOut WHERE contactId = ?", contactId)).toBe(0);
      expect(appDb.row("SELECT status FROM Subscription WHERE contactId = ? AND topicId = ? AND channel = 'EMAIL'", contactId, topicId)).toEqual({ status: "UNSUBSCRIBED" });
      expect(ledger(contactId).map((e) => [e.action, e.source, e.changed])).toEqual([["UNSUBSCRIBE", "ONE_CLICK", 1]]);
    } finally {
      appDb.sqlite.prepare("UPDATE BusinessUnit SET oneClickScope = 'UNIT' WHERE id = ?").run(units["example-insurance"]);
    }
  });
});

describe("what scanners must not do", () => {
  it("20 GET and HEAD requests with scanner user agents change nothing", async () => {
    const { contactId, topicId } = subscriberOf("example-insurance");
    const url = await appDb.link("unsubscribe", { contactId, unitId: units["example-insurance"], topicId });
    const before = stateCounts();
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
    expect(stateCounts()).toEqual(before);
  });
});

describe("form posts from other sites", () => {
  it("refuses a cross-site post and Origin: null with a clear 403, and accepts our own origin", async () => {
    const { contactId, topicId } = subscriberOf("example-insurance");
    const url = await appDb.link("unsubscribe", { contactId, unitId: units["example-insurance"], topicId });
    const choose = (origin: string) =>
      fetch(url, { method: "POST", body: new URLSearchParams({ intent: "choose", choice: "everywhere" }), headers: { origin } });
    const foreign = await choose("https://evil.example");
    expect(foreign.status).toBe(403);
    expect(await foreign.text()).toMatch(/sent from another site/);
    expect(appDb.count("SELECT COUNT(*) AS n FROM GlobalOptOut WHERE contactId = ?", contactId)).toBe(0);
    expect((await choose("null")).status).toBe(403);
    expect((await choose(app.url)).status).toBe(200);
    expect(appDb.count("SELECT COUNT(*) AS n FROM GlobalOptOut WHERE contactId = ?", contactId)).toBe(1);
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
    const { contactId } = subscriberOf("example-tax");
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
    const before = stateCounts();
    const url = `${app.url}/u/${await bad[kind]()}`;
    for (const response of [await fetch(url), await oneClick(url, "urlencoded")]) {
      expect(response.status).toBe(status);
      const html = await response.text();
      expect(html).toContain("This link no longer works");
      expect(html).toContain('action="/links/new"');
    }
    expect(stateCounts()).toEqual(before);
  });
});

describe("links of an erased contact", () => {
  it("answer 410 with the new-link page for GET, page posts and one-click, never 500", async () => {
    const contact = appDb.sqlite
      .prepare("INSERT INTO Contact (email, locale, createdAt, updatedAt) VALUES ('soon-erased@example.com', 'en', '2026-01-01T00:00:00.000+00:00', '2026-01-01T00:00:00.000+00:00')")
      .run();
    const contactId = Number(contact.lastInsertRowid);
    const url = await appDb.link("unsubscribe", { contactId, unitId: units["example-tax"] });
    const preferences = await appDb.link("preferences", { contactId, unitId: units["example-tax"] });
    appDb.sqlite.prepare("DELETE FROM Contact WHERE id = ?").run(contactId);
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
    const { contactId, topicId } = subscriberOf("example-tax");
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
    expect(ledger(contactId)).toEqual([]);
  });
});

describe("a link whose key was retired", () => {
  it("still unsubscribes from its page, but offers no undo and no way into the preference center", async () => {
    const { contactId, topicId } = subscriberOf("example-tax");
    const url = await appDb.link("unsubscribe", { contactId, unitId: units["example-tax"], topicId }, retiredKey);
    const page = await fetch(url);
    expect(page.status).toBe(200);
    const html = (await page.text()).replaceAll("<!-- -->", "");
    expect(html).not.toContain("Manage all my preferences");
    expect(html).toContain('action="/links/new"');

    const chosen = await fetch(url, { method: "POST", body: new URLSearchParams({ intent: "choose", choice: "unit" }), headers: { origin: app.url } });
    expect(chosen.status).toBe(200);
    expect(await chosen.text()).not.toContain('name="intent" value="undo"');
    expect(ledger(contactId).map((e) => [e.action, e.source])).toEqual([["UNIT_OPT_OUT", "LINK_PAGE"]]);
    const eventId = appDb.row<{ id: number }>("SELECT id FROM ConsentEvent WHERE contactId = ? AND source = 'LINK_PAGE'", contactId).id;
    const undo = await fetch(url, { method: "POST", body: new URLSearchParams({ intent: "undo", event: String(eventId) }), headers: { origin: app.url } });
    expect(undo.status).toBe(410);
    expect(appDb.count("SELECT COUNT(*) AS n FROM UnitOptOut WHERE contactId = ?", contactId)).toBe(1);
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
    const known = appDb.row<{ email: string }>(
      "SELECT email FROM Contact c WHERE NOT EXISTS (SELECT 1 FROM Suppression x WHERE x.contactId = c.id) ORDER BY id DESC LIMIT 1",
    ).email;
    const knownAnswer = await ask(known, "198.51.100.1");
    const unknownAnswer = await ask("nobody-here@example.org", "198.51.100.2");
    expect([knownAnswer.status, unknownAnswer.status]).toEqual([200, 200]);
    expect(await knownAnswer.text()).toBe(await unknownAnswer.text());

    await expect.poll(() => appDb.rows("SELECT toEmail, template, status FROM TransactionalMessage"), { timeout: 10_000 }).toEqual([
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
