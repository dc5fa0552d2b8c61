// The demo group: three business units of a fictional company on example.com domains,
// ~200 contacts with varied consent, and one login per role. Preference state is written
// through the consent core (source IMPORT), exactly as a real import would.

import type { PrismaClient } from "../app/generated/prisma/client.ts";
import type { Channel, ConsentBasis, ExemptClass } from "../app/generated/prisma/enums.ts";
import { applyConsentChanges, type ConsentChange } from "../app/domain/consent/changes.server.ts";
import { hashPassword } from "../app/domain/accounts/passwords.server.ts";
import { ensureSigningKey } from "../app/domain/tokens/keyring.server.ts";
import { ensureGroupCategories } from "../app/domain/transactional/group-categories.server.ts";

type TopicSeed = { slug: string; name: string; description: string; channels: Channel[] };

const UNITS: {
  slug: string;
  displayName: string;
  legalName: string;
  postalAddress: string;
  brandColor: string;
  topics: TopicSeed[];
}[] = [
  {
    slug: "example-tax",
    displayName: "Example Tax",
    legalName: "Example Tax Services Ltd",
    postalAddress: "12 Ledger Lane, Suite 400, Springfield, EX1 2TX",
    brandColor: "#1f6f4a",
    topics: [
      { slug: "product-news", name: "Product news", description: "New features in our tax software, a few times a year.", channels: ["EMAIL", "POSTAL"] },
      { slug: "tax-tips", name: "Tax tips", description: "Seasonal tips to get ready for filing deadlines.", channels: ["EMAIL"] },
      { slug: "webinars", name: "Webinars and events", description: "Invitations to free online sessions with our tax experts.", channels: ["EMAIL", "PHONE"] },
      { slug: "offers", name: "Offers", description: "Discounts on upgrades and add-ons.", channels: ["EMAIL", "POSTAL", "PHONE"] },
    ],
  },
  {
    slug: "example-insurance",
    displayName: "Example Insurance",
    legalName: "Example Insurance Company plc",
    postalAddress: "1 Harbour Square, Port Example, EX9 4IN",
    brandColor: "#8b2f1f",
    topics: [
      { slug: "offers", name: "Offers and discounts", description: "Savings on new cover and multi-policy discounts.", channels: ["EMAIL", "POSTAL", "PHONE"] },
      { slug: "safety-tips", name: "Home and travel safety tips", description: "Practical advice to prevent a claim before it happens.", channels: ["EMAIL"] },
      { slug: "newsletter", name: "Monthly newsletter", description: "Our monthly round-up of news and stories.", channels: ["EMAIL", "POSTAL"] },
    ],
  },
  {
    slug: "example-travel",
    displayName: "Example Travel",
    legalName: "Example Travel GmbH",
    postalAddress: "Beispielstraße 5, 10115 Example City",
    brandColor: "#2a4fa8",
    topics: [
      { slug: "deals", name: "Travel deals", description: "Weekly hand-picked deals on flights and hotels.", channels: ["EMAIL", "PHONE"] },
      { slug: "guides", name: "Destination guides", description: "Long reads about places worth the trip.", channels: ["EMAIL", "POSTAL"] },
      { slug: "loyalty", name: "Loyalty programme news", description: "Points promotions and member-only events.", channels: ["EMAIL"] },
      { slug: "last-minute", name: "Last-minute escapes", description: "Short-notice trips at short-notice prices.", channels: ["EMAIL", "PHONE"] },
      { slug: "magazine", name: "Printed magazine", description: "Our quarterly travel magazine, by post.", channels: ["POSTAL"] },
    ],
  },
];

/** The identity account mail is sent as; admins change it at /admin/group. */
export const DEMO_GROUP = {
  name: "Example Group",
  fromEmail: "accounts@example-group.com",
  legalName: "Example Group Holdings Ltd",
  postalAddress: "1 Group Square, Springfield, EX1 1GR",
};

export const UNIT_CATEGORIES: { slug: string; name: string; reason: string; legalClass: ExemptClass }[] = [
  {
    slug: "tax-compliance",
    name: "Tax and compliance notices",
    reason: "The law requires us to send you tax documents and compliance notices about your account.",
    legalClass: "ACCOUNT_CHANGE_OR_STATEMENT",
  },
  {
    slug: "renewal",
    name: "Renewal notices",
    reason: "You need to know before a subscription or policy you hold renews or ends.",
    legalClass: "TRANSACTION",
  },
  {
    slug: "support-reply",
    name: "Replies to your requests",
    reason: "When you contact us, we answer by email.",
    legalClass: "DELIVERY_OF_GOODS_OR_SERVICES",
  },
  {
    slug: "security-alert",
    name: "Security alerts",
    reason: "We warn you about sign-ins and changes to your account to keep it safe.",
    legalClass: "WARRANTY_SAFETY_SECURITY",
  },
  {
    slug: "policy-change",
    name: "Policy changes",
    reason: "We tell you about significant changes to our terms or privacy policy at least 30 days before they take effect.",
    legalClass: "ACCOUNT_CHANGE_OR_STATEMENT",
  },
];


const CONSENT_TEXTS = [
  { key: "preference-center", body: "I would like to receive the promotional messages I have selected, on the channels I have selected. I can change this at any time." },
  { key: "sharing-group-companies", body: "Other companies of the Example Group may send me their own offers." },
  { key: "sharing-third-party-offers", body: "I would like to receive offers from carefully selected third parties." },
];

export const DEMO_LOGINS = [
  { role: "ADMIN" as const, email: "admin@example.com", password: "demo-orchard-keeper-7421", units: [] as string[] },
  { role: "MARKETER" as const, email: "marketer.tax@example.com", password: "demo-tax-marketer-lantern-58", units: ["example-tax"] },
  { role: "MARKETER" as const, email: "marketer.insurance@example.com", password: "demo-insurance-harbour-93", units: ["example-insurance"] },
  { role: "MARKETER" as const, email: "marketer.travel@example.com", password: "demo-travel-compass-1176", units: ["example-travel"] },
  { role: "SUBSCRIBER" as const, email: "jane.doe@example.com", password: "demo-subscriber-meadow-264", units: [] as string[] },
];

const FIRST_NAMES = ["Ada", "Ben", "Chloé", "Dev", "Emil", "Farah", "Gus", "Hana", "Ivo", "Jun", "Kai", "Lena", "Mo", "Nia", "Oskar", "Pia", "Quinn", "Rosa", "Sami", "Tomás"];
const LAST_NAMES = ["Adler", "Brooks", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Horvat", "Ito", "Jensen"];
const BASES: ConsentBasis[] = ["EXPRESS", "EXPRESS", "EXPRESS", "IMPLIED_PURCHASE", "IMPLIED_INQUIRY", "SOFT_OPT_IN", "LEGITIMATE_INTEREST"];
const CONTACT_COUNT = 200;
const STREETS = ["Orchard Row", "Mill Lane", "Station Road", "Harbour View", "Linden Avenue", "Quarry Close", "Bell Street", "Meadow Way"];
const TOWNS = ["Springfield, EX1 4AB", "Port Example, EX9 2CD", "Northbrook, EX4 7EF", "Example City, EX2 9GH", "Westmere, EX7 3JK"];

/** Small deterministic PRNG (mulberry32) so every demo database looks the same. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function isDatabaseEmpty(db: PrismaClient): Promise<boolean> {
  return (await db.businessUnit.count()) === 0 && (await db.user.count()) === 0;
}

export async function seedDemoData(db: PrismaClient, log: (line: string) => void = console.log): Promise<void> {
  const rand = random(20261122);
  // Postal and phone details draw from their own sequence, so everything drawn from `rand` is as before.
  const extra = random(20260501);
  const pick = <T,>(items: readonly T[]) => items[Math.floor(rand() * items.length)];
  const now = new Date();
  const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000);

  await ensureSigningKey(db);
  const consentTexts = new Map<string, number>();
  for (const text of CONSENT_TEXTS) {
    const row = await db.consentText.create({ data: { ...text, version: 1 } });
    consentTexts.set(text.key, row.id);
  }

  const units = [];
  for (const { topics, ...unit } of UNITS) {
    const domain = `${unit.slug.replace("example-", "")}.example.com`;
    const created = await db.businessUnit.create({
      data: {
        ...unit,
        contactEmail: `help@${domain}`,
        contactPhone: "+1 555 0100",
        contactUrl: `https://${domain}/contact`,
        fromName: unit.displayName,
        fromEmail: `news@${domain}`,
        replyTo: `help@${domain}`,
        sendingDomain: domain,
        topics: {
          create: topics.map(({ channels, ...topic }) => ({
            ...topic,
            offersEmail: channels.includes("EMAIL"),
            offersPostal: channels.includes("POSTAL"),
            offersPhone: channels.includes("PHONE"),
          })),
        },
        exemptCategories: { create: UNIT_CATEGORIES },
      },
      // In the order they were made, so the demo is the same on SQLite and PostgreSQL.
      include: { topics: { orderBy: { id: "asc" } } },
    });
    units.push({ ...created, channelsBySlug: new Map(topics.map((t) => [t.slug, t.channels])) });
  }
  await ensureGroupCategories(db);

  // The group's own identity (ADR 044): account mail goes out as the group, not as a unit.
  await db.groupIdentity.upsert({ where: { id: 1 }, create: { id: 1, ...DEMO_GROUP }, update: DEMO_GROUP });

  const contactIds: number[] = [];
  const postalAndPhone: ConsentChange[] = [];
  for (let i = 0; i < CONTACT_COUNT; i++) {
    const first = FIRST_NAMES[i % FIRST_NAMES.length];
    const last = LAST_NAMES[Math.floor(i / FIRST_NAMES.length) % LAST_NAMES.length];
    const email = i === 0 ? "jane.doe@example.com" : `${first}.${last}.${i}`.normalize("NFKD").replace(/[^\w.]/g, "").toLowerCase() + "@example.com";
    // Most contacts have a postal address and a phone number; some lack one, so exports leave them out.
    const postalAddress = extra() < 0.12 ? null : `${1 + Math.floor(extra() * 98)} ${STREETS[Math.floor(extra() * STREETS.length)]}, ${TOWNS[Math.floor(extra() * TOWNS.length)]}`;
    // 020 7946 0000–0999 is set aside for fiction: no real person gets these calls.
    // Stored in E.164, as every entry point now keeps phone numbers (ADR 056).
    const phone = extra() < 0.2 ? null : `+442079460${String(i).padStart(3, "0")}`;
    const contact = await db.contact.create({ data: { email, name: i === 0 ? "Jane Doe" : `${first} ${last}`, postalAddress, phone } });
    contactIds.push(contact.id);

    const changes: ConsentChange[] = [];
    for (const unit of units) {
      if (rand() < 0.35) continue; // no relationship with this unit
      for (const topic of unit.topics) {
        for (const channel of unit.channelsBySlug.get(topic.slug)!) {
          if (rand() < (channel === "EMAIL" ? 0.5 : 0.2)) continue;
          const basis = pick(BASES);
          const consentedAt = daysAgo(Math.floor(rand() * 900));
          // Implied consent lapses two years after the purchase or inquiry that implied it.
          const implied = basis === "IMPLIED_PURCHASE" || basis === "IMPLIED_INQUIRY";
          const expiresAt = implied ? new Date(consentedAt.getTime() + 730 * 86_400_000) : null;
          changes.push({ kind: "subscribe", contactId: contact.id, topicId: topic.id, channel, basis, consentedAt, expiresAt });
        }
      }
      if (rand() < 0.08) changes.push({ kind: "optOutOfUnit", contactId: contact.id, unitId: unit.id, channel: "EMAIL" });
      if (rand() < 0.04) changes.push({ kind: "snooze", contactId: contact.id, unitId: unit.id, until: daysAgo(-30) });
    }
    if (rand() < 0.03) changes.push({ kind: "optOutEverywhere", contactId: contact.id, channel: "EMAIL" });
    if (rand() < 0.05) changes.push({ kind: "optOutEverywhere", contactId: contact.id, channel: "PHONE" });
    if (rand() < 0.25) changes.push({ kind: "setSharing", contactId: contact.id, purpose: "GROUP_COMPANIES", granted: true });
    if (rand() < 0.1) changes.push({ kind: "setSharing", contactId: contact.id, purpose: "THIRD_PARTY_OFFERS", granted: true });
    if (i > 0 && rand() < 0.02) changes.push({ kind: "suppress", email, reason: rand() < 0.5 ? "HARD_BOUNCE" : "COMPLAINT" });
    await applyConsentChanges(changes, { source: "IMPORT", actor: "seed" }, db);
    postalAndPhone.push(...changes.filter((c) => c.kind === "subscribe" && c.channel !== "EMAIL"));
  }

  // A few postal and phone unsubscribes and unit opt-outs (the loop above opts out of units by
  // email only), so those lists have people to leave out. Added after the loop: earlier rows are unchanged.
  const unitOptOuts = new Set<string>();
  for (const change of postalAndPhone) {
    if (change.kind !== "subscribe" || change.contactId === contactIds[0]) continue;
    const roll = extra();
    const { contactId, topicId, channel } = change;
    const unitId = units.find((u) => u.topics.some((t) => t.id === topicId))!.id;
    const key = `${contactId}:${unitId}:${channel}`;
    let optOut: ConsentChange | null = null;
    if (roll < 0.04) optOut = { kind: "unsubscribe", contactId, topicId, channel };
    else if (roll < 0.07 && !unitOptOuts.has(key)) optOut = { kind: "optOutOfUnit", contactId, unitId, channel };
    if (optOut?.kind === "optOutOfUnit") unitOptOuts.add(key);
    if (optOut) await applyConsentChanges([optOut], { source: "IMPORT", actor: "seed" }, db);
  }

  const unitIdBySlug = new Map(units.map((u) => [u.slug, u.id]));
  for (const login of DEMO_LOGINS) {
    const contact = login.role === "SUBSCRIBER" ? await db.contact.findUnique({ where: { email: login.email } }) : null;
    await db.user.create({
      data: {
        email: login.email,
        name: login.role === "SUBSCRIBER" ? "Jane Doe" : login.email.split("@")[0],
        role: login.role,
        passwordHash: await hashPassword(login.password),
        emailVerifiedAt: now,
        contactId: contact?.id ?? null,
        memberships: { create: login.units.map((slug) => ({ unitId: unitIdBySlug.get(slug)! })) },
      },
    });
  }

  log(`Seeded demo data: ${units.length} business units, ${units.reduce((n, u) => n + u.topics.length, 0)} topics, ${contactIds.length} contacts.`);
  log("Demo logins (role, email, password):");
  for (const login of DEMO_LOGINS) log(`  ${login.role.padEnd(10)} ${login.email.padEnd(32)} ${login.password}`);
}
