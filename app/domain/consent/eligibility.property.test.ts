import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { db } from "~/utils/db.server.ts";
import { createTopic, createUnit } from "../../../tests/helpers/fixtures.ts";
import { countAudience, countAudienceWithDetail, findAudienceBatch, loadConsentStates, type ContactRange } from "./audience.server.ts";
import { CHANNELS, type Channel } from "./channels.ts";
import { isEligible, type PromotionalTarget } from "./eligibility.ts";

// Invariant 2 (docs/invariants.md): the audience query and isEligible() are the same rule. Generated
// contact states are written straight to the tables (including states the consent core
// would refuse, such as expired pauses), then both sides are asked about every target.

const NOW = new Date("2026-06-01T12:00:00Z");
const DAY = 86_400_000;
// Exactly now, and a millisecond either side, are where "until now" and "from now" part: a
// consent expiring now has expired, a pause ending now has ended.
const at = (ms: number) => new Date(NOW.getTime() + ms);
const when = fc.constantFrom(-30 * DAY, -DAY, -1, 0, 1, DAY, 30 * DAY).map(at);
const channel = fc.constantFrom<Channel>(...CHANNELS);
// "Send me less": a week and 30 days back are where a send stops using up the choice (ADR 043).
// "Leave out who got an email lately" (ADR 055) adds 2 and 45 days.
const sentAt = fc
  .constantFrom(-46 * DAY, -45 * DAY - 1, -45 * DAY, -45 * DAY + 1, -31 * DAY, -30 * DAY - 1, -30 * DAY, -30 * DAY + 1, -7 * DAY - 1, -7 * DAY, -7 * DAY + 1, -2 * DAY - 1, -2 * DAY, -2 * DAY + 1, -1)
  .map(at);

const detail = fc.constantFrom(null, "", "on file");
const contactState = fc.record({
  postalAddress: detail,
  phone: detail,
  subscriptions: fc.uniqueArray(
    fc.record({
      topic: fc.nat(3),
      channel,
      status: fc.constantFrom("SUBSCRIBED", "SUBSCRIBED", "UNSUBSCRIBED", "PENDING" as const),
      expiresAt: fc.option(when, { nil: null }),
    }),
    { selector: (s) => `${s.topic}:${s.channel}`, maxLength: 6 },
  ),
  unitOptOuts: fc.uniqueArray(fc.record({ unit: fc.nat(1), channel }), { selector: (o) => `${o.unit}:${o.channel}`, maxLength: 2 }),
  globalOptOuts: fc.uniqueArray(channel, { maxLength: 2 }),
  snoozes: fc.uniqueArray(fc.record({ unit: fc.nat(1), until: when }), { selector: (s) => s.unit, maxLength: 2 }),
  suppressions: fc.uniqueArray(fc.constantFrom("HARD_BOUNCE", "SOFT_BOUNCE", "COMPLAINT", "MANUAL" as const), { maxLength: 2 }),
  frequencyChoices: fc.uniqueArray(fc.record({ unit: fc.nat(1), frequency: fc.constantFrom("WEEKLY", "MONTHLY" as const) }), { selector: (c) => c.unit, maxLength: 2 }),
  // Deliveries of the campaigns (0, 1 of the first unit; 2 of the second; 3 a postal one of the first), around each window's edge.
  sends: fc.uniqueArray(
    fc.record({ campaign: fc.nat(3), status: fc.constantFrom("SENT", "SENT", "SKIPPED" as const), sentAt: sentAt }),
    { selector: (d) => d.campaign, maxLength: 3 },
  ),
});
type ContactState = typeof contactState extends fc.Arbitrary<infer T> ? T : never;

/** Contacts each subscribed to topic 0 by email, with one date at the boundary: always tried first. */
const BOUNDARY_CONTACTS: ContactState[] = [-1, 0, 1].flatMap((ms) => [
  { postalAddress: null, phone: null, subscriptions: [{ topic: 0, channel: "EMAIL", status: "SUBSCRIBED", expiresAt: at(ms) }], unitOptOuts: [], globalOptOuts: [], snoozes: [], suppressions: [], frequencyChoices: [], sends: [] },
  { postalAddress: null, phone: null, subscriptions: [{ topic: 0, channel: "EMAIL", status: "SUBSCRIBED", expiresAt: null }], unitOptOuts: [], globalOptOuts: [], snoozes: [{ unit: 0, until: at(ms) }], suppressions: [], frequencyChoices: [], sends: [] },
  // A weekly and a monthly choice whose last send is a millisecond either side of, or exactly at, the window's start.
  ...(["WEEKLY", "MONTHLY"] as const).map((frequency) => ({
    postalAddress: null, phone: null, subscriptions: [{ topic: 0, channel: "EMAIL" as const, status: "SUBSCRIBED" as const, expiresAt: null }], unitOptOuts: [], globalOptOuts: [], snoozes: [], suppressions: [],
    frequencyChoices: [{ unit: 0, frequency }],
    sends: [{ campaign: 0, status: "SENT" as const, sentAt: at((frequency === "WEEKLY" ? -7 : -30) * DAY + ms) }],
  })),
]);

/** Where the range starts and ends, as positions in the list of contacts, and the batch size. */
const bounds = fc.record({ after: fc.nat(26), max: fc.nat(26), take: fc.integer({ min: 1, max: 5 }) });

/** Reads the audience in small keyset batches from the range's start, as the sender does. */
async function readInBatches(target: PromotionalTarget, range: ContactRange, take: number): Promise<number[]> {
  const ids: number[] = [];
  for (let after = range.afterContactId ?? 0; ; ) {
    const batch = await findAudienceBatch(db, target, NOW, { afterContactId: after, maxContactId: range.maxContactId, take });
    expect(batch.length).toBeLessThanOrEqual(take);
    if (batch.length === 0) return ids;
    ids.push(...batch.map((c) => c.id));
    after = batch[batch.length - 1].id;
  }
}

describe("eligibility", () => {
  it("the audience query returns exactly the contacts isEligible() accepts", async () => {
    const units = [await createUnit(), await createUnit()];
    // Topics 0 and 1 belong to the first unit, 2 and 3 to the second.
    const topics = [
      await createTopic(units[0].id),
      await createTopic(units[0].id),
      await createTopic(units[1].id),
      await createTopic(units[1].id),
    ];
    const campaigns = await Promise.all(
      ([[0, "EMAIL"], [0, "EMAIL"], [2, "EMAIL"], [0, "POSTAL"]] as const).map(([topic, ch]) =>
        db.campaign.create({ data: { unitId: topics[topic].unitId, topicId: topics[topic].id, channel: ch, name: "c", subject: "c", status: "SENT" } }),
      ),
    );
    const oneTopic: PromotionalTarget[] = topics.flatMap((topic) =>
      CHANNELS.map((ch) => ({ unitId: topic.unitId, topicId: topic.id, channel: ch })),
    );
    // Several topics of one unit, in either order, and each kind of target leaving out recent recipients (ADR 055).
    const severalTopics: PromotionalTarget[] = [[0, 1], [1, 0], [2, 3]].flatMap(([first, second]) =>
      CHANNELS.map((ch) => ({ unitId: topics[first].unitId, topicId: topics[first].id, topicIds: [topics[first].id, topics[second].id], channel: ch })),
    );
    const targets: PromotionalTarget[] = [
      ...oneTopic,
      ...severalTopics,
      ...[2, 7, 45].flatMap((days) => [oneTopic[0], oneTopic[CHANNELS.length * 2], severalTopics[0], severalTopics[CHANNELS.length * 2]].map((t) => ({ ...t, excludeRecentDays: days }))),
    ];

    await fc.assert(
      fc.asyncProperty(fc.array(contactState, { minLength: 1, maxLength: 25 }), bounds, async (states, bounds) => {
        await db.contact.deleteMany();
        await db.suppression.deleteMany();
        for (const [index, state] of states.entries()) {
          const email = `p${index}@example.com`;
          const { id } = await db.contact.create({ data: { email, postalAddress: state.postalAddress, phone: state.phone } });
          await db.subscription.createMany({
            data: state.subscriptions.map((s) => ({
              contactId: id,
              topicId: topics[s.topic].id,
              channel: s.channel,
              status: s.status,
              basis: "EXPRESS" as const,
              consentedAt: NOW,
              expiresAt: s.expiresAt,
            })),
          });
          await db.unitOptOut.createMany({ data: state.unitOptOuts.map((o) => ({ contactId: id, unitId: units[o.unit].id, channel: o.channel })) });
          await db.globalOptOut.createMany({ data: state.globalOptOuts.map((ch) => ({ contactId: id, channel: ch })) });
          await db.snooze.createMany({ data: state.snoozes.map((s) => ({ contactId: id, unitId: units[s.unit].id, until: s.until })) });
          await db.suppression.createMany({
            data: state.suppressions.map((reason) => ({ contactId: id, email, emailHash: `${email}:${reason}`, reason })),
          });
          await db.frequencyChoice.createMany({ data: state.frequencyChoices.map((c) => ({ contactId: id, unitId: units[c.unit].id, frequency: c.frequency })) });
          await db.delivery.createMany({
            data: state.sends.map((d) => ({ contactId: id, campaignId: campaigns[d.campaign].id, status: d.status, sentAt: d.status === "SENT" ? d.sentAt : null })),
          });
        }

        // In id order, as the audience is read: without orderBy SQLite may scan the email index instead.
        const contactIds = (await db.contact.findMany({ select: { id: true }, orderBy: { id: "asc" } })).map((c) => c.id);
        const plainLoad = await loadConsentStates(db, contactIds, NOW);
        // The sender's bounds: after a checkpoint, up to the id frozen at the start (either may cut mid-list).
        const after = bounds.after === 0 ? undefined : contactIds[Math.min(bounds.after, contactIds.length) - 1];
        const max = bounds.max >= contactIds.length ? undefined : contactIds[bounds.max];
        const inRange = (id: number) => (after === undefined || id > after) && (max === undefined || id <= max);
        for (const target of targets) {
          // The sender's re-check loads with its rule: a target leaving out recent recipients reads everyone's sends.
          const loaded = target.excludeRecentDays ? await loadConsentStates(db, contactIds, NOW, target) : plainLoad;
          const expected = contactIds.filter((id) => isEligible(loaded.get(id)!, target, NOW));
          expect(await readInBatches(target, {}, bounds.take)).toEqual(expected);
          expect(await countAudience(db, target, NOW)).toBe(expected.length);
          const expectedInRange = expected.filter(inRange);
          expect(await readInBatches(target, { afterContactId: after, maxContactId: max }, bounds.take)).toEqual(expectedInRange);
          expect(await countAudience(db, target, NOW, { afterContactId: after, maxContactId: max })).toBe(expectedInRange.length);
          // The postal and phone lists: the same audience, and those of it with the detail filled in.
          const detail = target.channel === "PHONE" ? "phone" : "postalAddress";
          const withDetail = expectedInRange.filter((id) => Boolean(states[contactIds.indexOf(id)][detail]));
          expect(await countAudienceWithDetail(db, target, NOW, detail, { afterContactId: after, maxContactId: max })).toEqual({ audience: expectedInRange.length, withDetail: withDetail.length });
        }
      }),
      { numRuns: 40, examples: [[BOUNDARY_CONTACTS, { after: 0, max: 99, take: 4 }]] },
    );
    // Forty runs of 34 targets, four reads each: longer than the default on PostgreSQL.
  }, 180_000);

  it("freezes the upper bound: contacts above maxContactId are not in the batch", async () => {
    const unit = await createUnit();
    const topic = await createTopic(unit.id);
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) {
      const { id } = await db.contact.create({ data: { email: `frozen${i}@example.com` } });
      await db.subscription.create({ data: { contactId: id, topicId: topic.id, channel: "EMAIL", status: "SUBSCRIBED", basis: "EXPRESS", consentedAt: NOW } });
      ids.push(id);
    }
    const target = { unitId: unit.id, topicId: topic.id, channel: "EMAIL" as const };
    const batch = await findAudienceBatch(db, target, NOW, { afterContactId: ids[0], maxContactId: ids[3], take: 10 });
    expect(batch.map((c) => c.id)).toEqual(ids.slice(1, 4));
  });
});
