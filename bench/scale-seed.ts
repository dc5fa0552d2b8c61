// The database `npm run bench:scale` measures: the demo group (units, topics, logins) written
// by the product's own seed, then N contacts and 5 × N ledger events over two years written by
// straight SQL (the consent core would take hours). Seeding a million contacts takes minutes, so
// the file is kept under var/bench/ and reused while the migrations and this seed are unchanged.
//
// Shares, per contact, drawn from a fixed-seed generator so every run sees the same data:
//   1–3 subscriptions (mean 2.3, on different topics) on topics weighted from very large to tiny, mostly email;
//   9 % of subscriptions unsubscribed, 2 % pending, 10 % on an implied basis that expires
//   (a fifth of those already expired);
//   6 % opted out of one unit's email, 1 % of one unit's postal mail, 2 % of all email,
//   1.5 % paused by one unit (two thirds of pauses still running), 1 % suppressed.

import fs from "node:fs";
import path from "node:path";
import crypto from "node:crypto";
import Database from "better-sqlite3";
import { ROOT, int, migrate, prismaDate, step } from "./harness.ts";

/** Bump when the data written here changes, so a cached file is not reused. */
const SEED_VERSION = 1;
const DAY = 86_400_000;

export type ScaleFixture = {
  databaseFile: string;
  contacts: number;
  events: number;
};

function random(seed: number): () => number {
  // mulberry32: small, fast and the same on every machine.
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A cache key: the migrations the file was built with and the seed's version. */
function cacheKey(contacts: number): string {
  const migrations = fs.readdirSync(path.join(ROOT, "prisma/migrations")).filter((name) => /^\d/.test(name)).sort();
  const hash = crypto.createHash("sha256").update(JSON.stringify({ migrations, SEED_VERSION, contacts })).digest("hex").slice(0, 12);
  return `scale-${contacts}-${hash}.db`;
}

/** The seeded database for `contacts` contacts: built once, then reused from var/bench/. */
export async function scaleDatabase(contacts: number): Promise<ScaleFixture> {
  const dir = path.join(ROOT, "var/bench");
  const databaseFile = path.join(dir, cacheKey(contacts));
  const events = contacts * 5;
  if (fs.existsSync(databaseFile)) {
    console.log(`▶ Reusing ${path.relative(ROOT, databaseFile)} (${int(contacts)} contacts, ${int(events)} ledger events)`);
    return { databaseFile, contacts, events };
  }
  fs.mkdirSync(dir, { recursive: true });
  // Older seeds of the same size are stale: they would only fill the disk.
  for (const name of fs.readdirSync(dir)) if (name.startsWith(`scale-${contacts}-`)) fs.rmSync(path.join(dir, name), { force: true });
  const building = `${databaseFile}.building`;
  fs.rmSync(building, { force: true });
  await step("Migrating and writing the demo group", async () => {
    migrate(building);
    const { createDb } = await import("../app/utils/db.server.ts");
    const { seedDemoData } = await import("../prisma/demo-data.ts");
    const db = createDb(building);
    await seedDemoData(db, () => {});
    await db.$disconnect();
  });
  await step(`Writing ${int(contacts)} contacts with their subscriptions, opt-outs, pauses and suppressions`, () => seedContacts(building, contacts));
  await step(`Writing ${int(events)} ledger events over two years`, () => seedLedger(building, contacts, events));
  const sqlite = new Database(building);
  sqlite.pragma("journal_mode = WAL");
  sqlite.close();
  fs.renameSync(building, databaseFile);
  return { databaseFile, contacts, events };
}

type Topic = { id: number; unitId: number; channels: string[] };

function readTopics(sqlite: Database.Database): Topic[] {
  const rows = sqlite.prepare(`SELECT id, unitId, offersEmail, offersPostal, offersPhone FROM Topic ORDER BY id`).all() as {
    id: number;
    unitId: number;
    offersEmail: number;
    offersPostal: number;
    offersPhone: number;
  }[];
  return rows.map((t) => ({
    id: t.id,
    unitId: t.unitId,
    channels: [t.offersEmail ? "EMAIL" : null, t.offersPostal ? "POSTAL" : null, t.offersPhone ? "PHONE" : null].filter((c): c is string => c !== null),
  }));
}

function open(file: string): Database.Database {
  const sqlite = new Database(file);
  // A file being built: nothing to protect until it is renamed into place.
  sqlite.pragma("journal_mode = OFF");
  sqlite.pragma("synchronous = OFF");
  sqlite.pragma("cache_size = -262144");
  return sqlite;
}

function seedContacts(file: string, contacts: number): void {
  const sqlite = open(file);
  const rand = random(18_000_001);
  const topics = readTopics(sqlite);
  const units = [...new Set(topics.map((t) => t.unitId))];
  // Topic popularity: the first topics are large (a few hundred thousand at 1M), the last tiny.
  const weights = topics.map((_, i) => (i === topics.length - 1 ? 0.000005 : 1 / (i + 1) ** 1.1));
  const totalWeight = weights.reduce((a, b) => a + b, 0);
  const pickTopic = () => {
    let r = rand() * totalWeight;
    for (let i = 0; i < topics.length; i++) if ((r -= weights[i]) <= 0) return topics[i];
    return topics[0];
  };
  const firstId = (sqlite.prepare(`SELECT COALESCE(MAX(id), 0) + 1 AS id FROM Contact`).get() as { id: number }).id;
  const now = Date.now();
  const iso = (ms: number) => prismaDate(new Date(ms));
  const domains = ["example.com", "mail.example.net", "post.example.org", "inbox.example.co.uk", "example.de"];
  const contact = sqlite.prepare(`INSERT INTO Contact (id, email, name, locale, createdAt, updatedAt) VALUES (?, ?, ?, ?, ?, ?)`);
  const subscription = sqlite.prepare(
    `INSERT INTO Subscription (contactId, topicId, channel, status, basis, consentedAt, expiresAt, updatedAt) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const unitOptOut = sqlite.prepare(`INSERT OR IGNORE INTO UnitOptOut (contactId, unitId, channel, createdAt) VALUES (?, ?, ?, ?)`);
  const globalOptOut = sqlite.prepare(`INSERT INTO GlobalOptOut (contactId, channel, createdAt) VALUES (?, 'EMAIL', ?)`);
  const snooze = sqlite.prepare(`INSERT INTO Snooze (contactId, unitId, until, createdAt) VALUES (?, ?, ?, ?)`);
  const suppression = sqlite.prepare(`INSERT INTO Suppression (emailHash, email, contactId, reason, note, createdAt) VALUES (?, ?, ?, ?, 'bench', ?)`);
  const reasons = ["HARD_BOUNCE", "COMPLAINT", "MANUAL", "SOFT_BOUNCE"];
  const write = sqlite.transaction((from: number, to: number) => {
    for (let id = from; id < to; id++) {
      const email = `person.${id}@${domains[id % domains.length]}`;
      const joined = now - Math.floor(rand() * 730 * DAY);
      const at = iso(joined);
      contact.run(id, email, rand() < 0.8 ? `Person ${id}` : null, rand() < 0.85 ? "en" : "de", at, at);
      const r0 = rand();
      const count = r0 < 0.2 ? 1 : r0 < 0.5 ? 2 : 3;
      const chosen = new Set<Topic>();
      while (chosen.size < count) chosen.add(pickTopic());
      for (const topic of chosen) {
        const channel = rand() < 0.85 || topic.channels.length === 1 ? topic.channels[0] : topic.channels[1 + Math.floor(rand() * (topic.channels.length - 1))];
        const r = rand();
        const status = r < 0.09 ? "UNSUBSCRIBED" : r < 0.11 ? "PENDING" : "SUBSCRIBED";
        const implied = rand() < 0.1;
        const expiresAt = implied ? iso(now + (rand() < 0.2 ? -1 : 1) * Math.floor(rand() * 365 * DAY)) : null;
        subscription.run(id, topic.id, channel, status, implied ? "IMPLIED_PURCHASE" : "EXPRESS", at, expiresAt, at);
      }
      const unit = units[Math.floor(rand() * units.length)];
      if (rand() < 0.06) unitOptOut.run(id, unit, "EMAIL", at);
      if (rand() < 0.01) unitOptOut.run(id, unit, "POSTAL", at);
      if (rand() < 0.02) globalOptOut.run(id, at);
      if (rand() < 0.015) snooze.run(id, unit, iso(now + (rand() < 0.67 ? 1 : -1) * Math.floor(rand() * 60 * DAY + DAY)), at);
      if (rand() < 0.01) suppression.run(`bench-${id}`, email, id, reasons[Math.floor(rand() * reasons.length)], at);
    }
  });
  const batch = 50_000;
  for (let from = firstId; from < firstId + contacts; from += batch) write(from, Math.min(from + batch, firstId + contacts));
  sqlite.close();
}

function seedLedger(file: string, contacts: number, events: number): void {
  const sqlite = open(file);
  const rand = random(18_000_002);
  const topics = readTopics(sqlite);
  const maxContact = (sqlite.prepare(`SELECT MAX(id) AS id FROM Contact`).get() as { id: number }).id;
  const minContact = Math.max(1, maxContact - contacts + 1);
  const now = Date.now();
  const start = now - 730 * DAY;
  // Sources and actions in roughly the shares a real ledger has: imports and one-clicks dominate.
  const sources = [
    ["IMPORT", 0.45],
    ["ONE_CLICK", 0.18],
    ["PREFERENCE_CENTER", 0.14],
    ["LINK_PAGE", 0.08],
    ["API", 0.06],
    ["BOUNCE", 0.04],
    ["ADMIN", 0.02],
    ["COMPLAINT", 0.01],
    ["EXPIRY", 0.01],
    ["MAILTO", 0.01],
  ] as const;
  const pickSource = () => {
    let r = rand();
    for (const [source, share] of sources) if ((r -= share) <= 0) return source;
    return "IMPORT";
  };
  const actionFor = (source: string): string => {
    switch (source) {
      case "IMPORT":
        return rand() < 0.9 ? "SUBSCRIBE" : "UNSUBSCRIBE";
      case "ONE_CLICK":
      case "MAILTO":
        return rand() < 0.7 ? "UNIT_OPT_OUT" : "UNSUBSCRIBE";
      case "BOUNCE":
      case "COMPLAINT":
        return "SUPPRESS";
      case "EXPIRY":
        return "UNSUBSCRIBE";
      default: {
        const actions = ["SUBSCRIBE", "UNSUBSCRIBE", "UNIT_OPT_OUT", "UNIT_OPT_IN", "SNOOZE", "GLOBAL_OPT_OUT", "SHARING_GRANT"];
        return actions[Math.floor(rand() * actions.length)];
      }
    }
  };
  const insert = sqlite.prepare(
    `INSERT INTO ConsentEvent (contactId, unitId, topicId, channel, action, source, changed, actor, ip, userAgent, detail, createdAt)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const write = sqlite.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      // Ids grow with time, as they do in a real ledger.
      const createdAt = prismaDate(new Date(start + Math.floor(((i + rand()) / events) * 730 * DAY)));
      const contactId = minContact + Math.floor(rand() * contacts);
      const source = pickSource();
      const action = actionFor(source);
      const topic = topics[Math.floor(rand() * topics.length)];
      const unitScoped = action !== "GLOBAL_OPT_OUT" && action !== "SUPPRESS" && action !== "SHARING_GRANT";
      const topicScoped = action === "SUBSCRIBE" || action === "UNSUBSCRIBE";
      const web = source === "ONE_CLICK" || source === "PREFERENCE_CENTER" || source === "LINK_PAGE";
      insert.run(
        contactId,
        unitScoped ? topic.unitId : null,
        topicScoped ? topic.id : null,
        action === "SUPPRESS" || action === "SHARING_GRANT" ? null : topic.channels[0],
        action,
        source,
        rand() < 0.97 ? 1 : 0,
        source === "ADMIN" ? "admin@example.com" : source === "IMPORT" ? "marketer@example.com" : null,
        web ? `198.51.100.${Math.floor(rand() * 254) + 1}` : null,
        web ? "Mozilla/5.0 (X11; Linux x86_64) bench" : null,
        action === "SUBSCRIBE" ? '{"basis":"EXPRESS"}' : null,
        createdAt,
      );
    }
  });
  const batch = 100_000;
  for (let from = 0; from < events; from += batch) write(from, Math.min(from + batch, events));
  sqlite.close();
}
