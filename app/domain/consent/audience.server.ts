import { Prisma } from "~/generated/prisma/client.ts";
import type { ConsentBasis } from "~/generated/prisma/enums.ts";
import type { Db, Tx } from "~/utils/db.server.ts";
import { CHANNELS, type Channel } from "./channels.ts";
import { FREQUENCY_WINDOW_MS, recentlySentSince, targetTopicIds, type ConsentState, type PromotionalTarget } from "./eligibility.ts";

/** Contacts with afterContactId < id <= maxContactId (either end open when not given). */
export type ContactRange = { afterContactId?: number; maxContactId?: number };

// The audience query: isEligible() from eligibility.ts in SQL (the property test holds them
// equal), read from the side of the smallest set: the topic's subscriptions on the
// channel, walked in the index Subscription(topicId, channel, status, contactId, expiresAt), rather
// than every contact. Quoted names, the channel as a literal and dates bound as the client binds
// them keep it plain SQL that PostgreSQL reads as well.
//
// A target of several topics (ADR 055) walks each topic's range of the same index: the batch takes
// the first `take` of each topic and merges them (UNION drops a contact on two topics), the counts
// add up, topic by topic, the subscriptions whose contact has no active one on an earlier topic
// (probed by Subscription's unique key). With one topic every statement is the one it always was.

function channelLiteral(channel: Channel): Prisma.Sql {
  // A literal, not a parameter: PostgreSQL compares an enum column with a literal but not with a text parameter.
  if (!CHANNELS.includes(channel)) throw new Error(`Unknown channel ${String(channel)}`);
  return Prisma.raw(`'${channel}'`);
}

function contactRange(column: Prisma.Sql, range: ContactRange): Prisma.Sql {
  const after = range.afterContactId === undefined ? Prisma.empty : Prisma.sql` AND ${column} > ${range.afterContactId}`;
  const max = range.maxContactId === undefined ? Prisma.empty : Prisma.sql` AND ${column} <= ${range.maxContactId}`;
  return Prisma.sql`${after}${max}`;
}

/** Subscriptions s of the target's first topic that count now (isActiveSubscription), in the range. */
function activeSubscriptions(target: PromotionalTarget, now: Date, range: ContactRange): Prisma.Sql {
  return firstActiveSubscriptions(target, 0, now, range);
}

/**
 * Subscriptions s of the target's topic number `index` that count now, in the range, whose contact
 * has none that counts on an earlier topic of the target: over every index, each contact once.
 */
function firstActiveSubscriptions(target: PromotionalTarget, index: number, now: Date, range: ContactRange): Prisma.Sql {
  const topics = targetTopicIds(target);
  const channel = channelLiteral(target.channel);
  const earlier = topics.slice(0, index);
  const notOnEarlier =
    earlier.length === 0
      ? Prisma.empty
      : Prisma.sql`
    AND NOT EXISTS (SELECT 1 FROM "Subscription" p WHERE p."contactId" = s."contactId" AND p."topicId" IN (${Prisma.join(earlier)})
      AND p."channel" = ${channel} AND p."status" = 'SUBSCRIBED' AND (p."expiresAt" IS NULL OR p."expiresAt" > ${now}))`;
  return Prisma.sql`s."topicId" = ${topics[index]} AND s."channel" = ${channel} AND s."status" = 'SUBSCRIBED'
    AND (s."expiresAt" IS NULL OR s."expiresAt" > ${now})${contactRange(Prisma.raw(`s."contactId"`), range)}${notOnEarlier}`;
}

/** 0, 1, … for each topic of the target. */
const topicIndexes = (target: PromotionalTarget) => targetTopicIds(target).map((_, index) => index);

/**
 * recentlySent() in SQL, for the contact in `contact`: an email of the unit sent after the target's
 * window start, probed by Delivery(contactId, sentAt). Null when the target leaves nobody out.
 */
function recentlySentTo(contact: Prisma.Sql, target: PromotionalTarget, now: Date): Prisma.Sql | null {
  const since = recentlySentSince(target, now);
  if (!since || target.channel !== "EMAIL") return null;
  return Prisma.sql`EXISTS (SELECT 1 FROM "Delivery" d JOIN "Campaign" c ON c."id" = d."campaignId"
        WHERE d."contactId" = ${contact} AND d."status" = 'SENT' AND d."sentAt" > ${since} AND c."unitId" = ${target.unitId} AND c."channel" = 'EMAIL')`;
}

/** The contacts who got an email of the unit within the target's window (in the range): none when it has no window. */
function recentlySentContacts(target: PromotionalTarget, now: Date, range: ContactRange): Prisma.Sql {
  const since = recentlySentSince(target, now);
  if (!since || target.channel !== "EMAIL") return Prisma.empty;
  return Prisma.sql`UNION SELECT d."contactId" FROM "Delivery" d JOIN "Campaign" c ON c."id" = d."campaignId"
      WHERE c."unitId" = ${target.unitId} AND c."channel" = 'EMAIL' AND d."status" = 'SENT' AND d."sentAt" > ${since}${contactRange(Prisma.raw(`d."contactId"`), range)}`;
}

/**
 * frequencyUsedUp() in SQL, for the contact in `contact`: a "send me less" choice for the unit, and an
 * email of the unit sent within its window. Probed only through the few contacts with a choice
 * (FrequencyChoice's key), then their own sends (Delivery(contactId, sentAt)), so the audience
 * walk stays on the subscription index (ADR 033, ADR 043).
 */
function frequencyUsedUp(contact: Prisma.Sql, target: PromotionalTarget, now: Date): Prisma.Sql {
  const weekAgo = new Date(now.getTime() - FREQUENCY_WINDOW_MS.WEEKLY);
  const monthAgo = new Date(now.getTime() - FREQUENCY_WINDOW_MS.MONTHLY);
  return Prisma.sql`EXISTS (SELECT 1 FROM "FrequencyChoice" f WHERE f."contactId" = ${contact} AND f."unitId" = ${target.unitId}
      AND EXISTS (SELECT 1 FROM "Delivery" d JOIN "Campaign" c ON c."id" = d."campaignId"
        WHERE d."contactId" = ${contact} AND d."status" = 'SENT' AND c."unitId" = ${target.unitId} AND c."channel" = 'EMAIL'
          AND ((f."frequency" = 'WEEKLY' AND d."sentAt" > ${weekAgo}) OR (f."frequency" = 'MONTHLY' AND d."sentAt" > ${monthAgo}))))`;
}

/** The contacts whose other state rules the target out: unit or global opt-out, a pause, a suppressed address, a used-up frequency. */
function excludedContacts(target: PromotionalTarget, now: Date, range: ContactRange): Prisma.Sql {
  const channel = channelLiteral(target.channel);
  const inRange = contactRange(Prisma.raw(`"contactId"`), range);
  return Prisma.sql`SELECT "contactId" FROM "UnitOptOut" WHERE "unitId" = ${target.unitId} AND "channel" = ${channel}${inRange}
    UNION SELECT "contactId" FROM "GlobalOptOut" WHERE "channel" = ${channel}${inRange}
    UNION SELECT "contactId" FROM "Snooze" WHERE "unitId" = ${target.unitId} AND "until" > ${now}${inRange}
    ${target.channel === "EMAIL" ? Prisma.sql`UNION SELECT "contactId" FROM "Suppression" WHERE "contactId" IS NOT NULL${inRange}` : Prisma.empty}
    ${target.channel === "EMAIL" ? Prisma.sql`UNION SELECT fc."contactId" FROM "FrequencyChoice" fc WHERE fc."unitId" = ${target.unitId}${contactRange(Prisma.raw(`fc."contactId"`), range)} AND ${frequencyUsedUp(Prisma.raw(`fc."contactId"`), target, now)}` : Prisma.empty}
    ${recentlySentContacts(target, now, range)}`;
}

/** What else rules out the contact of subscription s: a unit or global opt-out, a pause, a suppressed address, a used-up frequency, a recent email; each probed by key. */
function notExcluded(target: PromotionalTarget, now: Date): Prisma.Sql {
  const recent = recentlySentTo(Prisma.raw(`s."contactId"`), target, now);
  return Prisma.sql`${notOptedOut(target, now)}
      ${target.channel === "EMAIL" ? Prisma.sql`AND NOT ${frequencyUsedUp(Prisma.raw(`s."contactId"`), target, now)}` : Prisma.empty}
      ${recent ? Prisma.sql`AND NOT ${recent}` : Prisma.empty}`;
}

/** notExcluded() without the frequency choice: who the target would reach but for "send me less". */
function notOptedOut(target: PromotionalTarget, now: Date): Prisma.Sql {
  const channel = channelLiteral(target.channel);
  return Prisma.sql`NOT EXISTS (SELECT 1 FROM "UnitOptOut" u WHERE u."contactId" = s."contactId" AND u."unitId" = ${target.unitId} AND u."channel" = ${channel})
      AND NOT EXISTS (SELECT 1 FROM "GlobalOptOut" g WHERE g."contactId" = s."contactId" AND g."channel" = ${channel})
      AND NOT EXISTS (SELECT 1 FROM "Snooze" z WHERE z."contactId" = s."contactId" AND z."unitId" = ${target.unitId} AND z."until" > ${now})
      ${target.channel === "EMAIL" ? Prisma.sql`AND NOT EXISTS (SELECT 1 FROM "Suppression" x WHERE x."contactId" = s."contactId")` : Prisma.empty}`;
}

/** The SQL of one batch of the audience: contact ids in id order, walking the topic's index from the checkpoint. */
function audienceBatchSql(target: PromotionalTarget, now: Date, page: ContactRange & { take: number }): Prisma.Sql {
  const topics = targetTopicIds(target);
  const range = { afterContactId: page.afterContactId ?? 0, maxContactId: page.maxContactId };
  const oneTopic = (topicId: number) => Prisma.sql`SELECT s."contactId" AS "id" FROM "Subscription" s
    WHERE ${activeSubscriptions({ ...target, topicId, topicIds: [topicId] }, now, range)}
      AND ${notExcluded(target, now)}
    ORDER BY s."contactId" LIMIT ${page.take}`;
  if (topics.length === 1) return oneTopic(topics[0]);
  // The first `take` of each topic, each an ordered walk of its index range; the smallest `take` of
  // their union are the batch. No topic's range is read past what one batch can need.
  const perTopic = topics.map((topicId, i) => Prisma.sql`SELECT "id" FROM (${oneTopic(topicId)}) AS ${Prisma.raw(`"t${i}"`)}`);
  return Prisma.sql`SELECT "id" FROM (${Prisma.join(perTopic, " UNION ")}) AS "topics" ORDER BY "id" LIMIT ${page.take}`;
}

export type AudienceMember = { id: number };

/** One keyset batch of eligible contacts (their ids) with afterContactId < id <= maxContactId, in id order. */
export async function findAudienceBatch(
  client: Db | Tx,
  target: PromotionalTarget,
  now: Date,
  page: ContactRange & { take: number },
): Promise<AudienceMember[]> {
  const rows = await client.$queryRaw<{ id: number | bigint }[]>(audienceBatchSql(target, now, page));
  return rows.map((row) => ({ id: Number(row.id) }));
}

/**
 * How many contacts the target reaches (in the range, when given). Counted as the subscriptions
 * that count now, less those whose contact is in one of the small exclusion sets: two walks of
 * one index and of the exclusion tables, instead of four probes for every subscriber.
 */
export async function countAudience(client: Db | Tx, target: PromotionalTarget, now: Date, range: ContactRange = {}): Promise<number> {
  // Topic by topic, each contact on the first of the target's topics they count on.
  const perTopic = topicIndexes(target).map(
    (i) => Prisma.sql`(SELECT COUNT(*) FROM "Subscription" s WHERE ${firstActiveSubscriptions(target, i, now, range)})
    - (SELECT COUNT(*) FROM "Subscription" s WHERE ${firstActiveSubscriptions(target, i, now, range)}
        AND s."contactId" IN (${excludedContacts(target, now, range)}))`,
  );
  const [row] = await client.$queryRaw<{ count: number | bigint }[]>`SELECT ${Prisma.join(perTopic, " + ")} AS "count"`;
  return Number(row.count);
}

/**
 * How many contacts the target would reach but for their "send me less" choice (in the range):
 * counted once as a campaign starts, for its results (ADR 043).
 */
export async function countFrequencyLimited(client: Db | Tx, target: PromotionalTarget, now: Date, range: ContactRange = {}): Promise<number> {
  if (target.channel !== "EMAIL") return 0;
  const perTopic = topicIndexes(target).map(
    (i) => Prisma.sql`(SELECT COUNT(*) FROM "FrequencyChoice" fc
    JOIN "Subscription" s ON s."contactId" = fc."contactId"
    WHERE fc."unitId" = ${target.unitId} AND ${firstActiveSubscriptions(target, i, now, range)}
      AND ${notOptedOut(target, now)} AND ${frequencyUsedUp(Prisma.raw(`fc."contactId"`), target, now)})`,
  );
  const [row] = await client.$queryRaw<{ count: number | bigint }[]>`SELECT ${Prisma.join(perTopic, " + ")} AS "count"`;
  return Number(row.count);
}

/** A contact column a list needs filled in: the postal address for postal mail, the phone number for calls. */
export type ContactDetail = "postalAddress" | "phone";

/** The audience (in the range), and how many of them have the detail filled in: one walk of the topic's subscribers. */
export async function countAudienceWithDetail(
  client: Db | Tx,
  target: PromotionalTarget,
  now: Date,
  detail: ContactDetail,
  range: ContactRange = {},
): Promise<{ audience: number; withDetail: number }> {
  const column = Prisma.raw(`c."${detail === "phone" ? "phone" : "postalAddress"}"`);
  const perTopic = topicIndexes(target).map(
    (i) => Prisma.sql`SELECT COUNT(*) AS "audience",
      SUM(CASE WHEN ${column} IS NOT NULL AND ${column} <> '' THEN 1 ELSE 0 END) AS "withDetail"
    FROM "Subscription" s JOIN "Contact" c ON c."id" = s."contactId"
    WHERE ${firstActiveSubscriptions(target, i, now, range)} AND ${notExcluded(target, now)}`,
  );
  const rows = await client.$queryRaw<{ audience: number | bigint; withDetail: number | bigint | null }[]>`${Prisma.join(perTopic, " UNION ALL ")}`;
  return rows.reduce<{ audience: number; withDetail: number }>((sum, row) => ({ audience: sum.audience + Number(row.audience), withDetail: sum.withDetail + Number(row.withDetail ?? 0) }), { audience: 0, withDetail: 0 });
}

/** A contact's consent state, with each subscription's consent record (basis and when: the footer's "why you got this"). */
export type ConsentStateWithDates = Omit<ConsentState, "subscriptions"> & {
  subscriptions: (ConsentState["subscriptions"][number] & { consentedAt: Date; basis: ConsentBasis })[];
};

/**
 * The consent state isEligible() reads at `now`, for each of the given contacts (absent ids are
 * omitted). With a `target` that leaves out recent recipients (ADR 055), everyone's recent sends
 * are read, back to its window when longer than a month.
 */
export async function loadConsentStates(client: Db | Tx, contactIds: number[], now = new Date(), target?: PromotionalTarget): Promise<Map<number, ConsentStateWithDates>> {
  const contacts = await client.contact.findMany({
    where: { id: { in: contactIds } },
    select: {
      id: true,
      subscriptions: { select: { topicId: true, channel: true, status: true, expiresAt: true, consentedAt: true, basis: true } },
      unitOptOuts: { select: { unitId: true, channel: true } },
      globalOptOuts: { select: { channel: true } },
      snoozes: { select: { unitId: true, until: true } },
      suppressions: { select: { reason: true } },
      frequencyChoices: { select: { unitId: true, frequency: true } },
    },
  });
  // Recent sends matter only to someone who chose "send me less": most batches (the sender's
  // re-check) have nobody who did, and then read no Delivery rows at all.
  const excludingSince = target ? recentlySentSince(target, now) : null;
  const limited = contacts.filter((contact) => excludingSince || contact.frequencyChoices.length > 0).map((contact) => contact.id);
  const recentSends = new Map<number, ConsentState["recentSends"]>();
  if (limited.length > 0) {
    // Sends older than the longest window use up no frequency choice, and leave nobody out.
    const monthAgo = new Date(now.getTime() - FREQUENCY_WINDOW_MS.MONTHLY);
    const since = excludingSince && excludingSince < monthAgo ? excludingSince : monthAgo;
    const deliveries = await client.delivery.findMany({
      where: { contactId: { in: limited }, status: "SENT", sentAt: { gt: since }, campaign: { channel: "EMAIL" } },
      select: { contactId: true, sentAt: true, campaign: { select: { unitId: true } } },
    });
    for (const delivery of deliveries) {
      if (!delivery.sentAt) continue;
      const sends = recentSends.get(delivery.contactId) ?? [];
      sends.push({ unitId: delivery.campaign.unitId, sentAt: delivery.sentAt });
      recentSends.set(delivery.contactId, sends);
    }
  }
  return new Map(contacts.map(({ id, ...state }) => [id, { ...state, recentSends: recentSends.get(id) ?? [] }]));
}
