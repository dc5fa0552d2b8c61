import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { db } from "~/utils/db.server.ts";
import { applyConsentChange } from "~/domain/consent/changes.server.ts";
import { createContact, createTopic, createUnit } from "../../../tests/helpers/fixtures.ts";
import { recordFeedback, recordFeedbackBatch } from "./record.server.ts";
import { toJudge } from "./record-batch.server.ts";
import type { FeedbackSignal } from "./signals.ts";

// Recording a batch must give exactly the outcome of recording its signals one after another:
// the same mixed sequence is recorded both ways, each on its own fresh copy of the same data.

const CONTACTS = 12;
const DAY = 86_400_000;

/** Two units (one with topic-scoped one-click), two campaigns each, every contact subscribed and sent each campaign. */
async function buildWorld(label: string) {
  const units = [await createUnit(), await createUnit({ oneClickScope: "TOPIC" })];
  const topics = [await createTopic(units[0].id), await createTopic(units[1].id)];
  const campaigns = [];
  for (const [u, unit] of units.entries()) {
    for (const name of ["A", "B"]) {
      campaigns.push(await db.campaign.create({ data: { unitId: unit.id, topicId: topics[u].id, name, subject: name, status: "SENT" } }));
    }
  }
  const contacts = [];
  const deliveries: { id: number; messageId: string | null }[][] = [];
  for (let c = 0; c < CONTACTS; c++) {
    // Same first letter and domain in both worlds: the masked address in an effect is the same.
    const contact = await createContact(`p${c}.${label}@example.test`);
    contacts.push(contact);
    for (const topic of topics) await applyConsentChange({ kind: "subscribe", contactId: contact.id, topicId: topic.id, channel: "EMAIL", basis: "EXPRESS" }, { source: "IMPORT" });
    deliveries.push(
      await Promise.all(
        campaigns.map((campaign, k) =>
          db.delivery.create({ data: { campaignId: campaign.id, contactId: contact.id, status: "SENT", sentAt: new Date(), messageId: `<${label}.${c}.${k}@example.test>` } }),
        ),
      ),
    );
  }
  // State before any signal: one address already hard-bounced, one person already opted out.
  await applyConsentChange({ kind: "suppress", email: contacts[0].email, reason: "HARD_BOUNCE" }, { source: "ADMIN" });
  await applyConsentChange({ kind: "optOutOfUnit", contactId: contacts[1].id, unitId: units[0].id, channel: "EMAIL" }, { source: "ADMIN" });
  return { label, units, topics, campaigns, contacts, deliveries };
}
type World = Awaited<ReturnType<typeof buildWorld>>;

type Step = { kind: FeedbackSignal["kind"]; contact: number; campaign: number; how: "ref" | "messageId" | "recipient" | "provider"; day: number; event?: number };

/** A fixed pseudo-random mix, weighted towards a few contacts so their signals meet in one batch. */
function generateSteps(count: number): Step[] {
  let state = 7;
  const random = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const pick = <T,>(items: readonly T[]) => items[Math.floor(random() * items.length)];
  const kinds = ["HARD_BOUNCE", "SOFT_BOUNCE", "SOFT_BOUNCE", "SOFT_BOUNCE", "SOFT_BOUNCE", "POLICY_BOUNCE", "COMPLAINT", "MAILTO_UNSUBSCRIBE", "UNSUBSCRIBE", "DELIVERED", "IGNORED", "UNREADABLE"] as const;
  const steps: Step[] = [];
  let day = 0;
  for (let i = 0; i < count; i++) {
    day += random() < 0.2 ? 3 : 0;
    const kind = pick(kinds);
    const how = kind === "UNSUBSCRIBE" ? "provider" : pick(["ref", "ref", "ref", "messageId", "recipient"] as const);
    // A provider event now and then delivered twice.
    const event = kind === "UNSUBSCRIBE" || random() < 0.15 ? Math.floor(random() * 6) : undefined;
    steps.push({ kind, contact: Math.floor(random() * random() * CONTACTS), campaign: Math.floor(random() * 4), how, day, event });
  }
  return steps;
}

function signalIn(world: World, step: Step, start: number): FeedbackSignal {
  const delivery = world.deliveries[step.contact][step.campaign];
  const receivedAt = new Date(start + step.day * DAY);
  const base = { kind: step.kind, receivedAt, status: step.kind === "HARD_BOUNCE" ? "5.1.1" : "4.2.2", diagnostic: "smtp; test" };
  const externalId = step.event !== undefined ? `${world.label}-evt-${step.event}` : undefined;
  switch (step.how) {
    case "ref":
      return { ...base, via: "SMTP", ref: { stream: "campaign", deliveryId: delivery.id } };
    case "messageId":
      return { ...base, via: "SMTP", messageId: delivery.messageId!, recipient: world.contacts[step.contact].email };
    case "recipient":
      return { ...base, via: "SES", recipient: world.contacts[step.contact].email.toUpperCase(), externalId };
    case "provider":
      return { ...base, via: "SENDGRID", ref: { stream: "campaign", deliveryId: delivery.id }, externalId };
  }
}

/** Everything the signals changed, in the world's own terms (contact, unit and campaign by index). */
async function outcome(world: World) {
  const contactIndex = new Map(world.contacts.map((c, i) => [c.id, i]));
  const campaignIndex = new Map(world.campaigns.map((c, i) => [c.id, i]));
  const unitIndex = new Map(world.units.map((u, i) => [u.id, i]));
  const topicIndex = new Map(world.topics.map((t, i) => [t.id, i]));
  const contactIds = world.contacts.map((c) => c.id);
  const ix = (map: Map<number, number>, id: number | null) => (id == null ? null : (map.get(id) ?? "other"));
  const suppressions = await db.suppression.findMany({ where: { contactId: { in: contactIds } }, orderBy: { id: "asc" } });
  const optOuts = await db.unitOptOut.findMany({ where: { contactId: { in: contactIds } } });
  const subscriptions = await db.subscription.findMany({ where: { contactId: { in: contactIds } } });
  const events = await db.consentEvent.findMany({ where: { contactId: { in: contactIds }, source: { notIn: ["IMPORT", "ADMIN"] } }, orderBy: { id: "asc" } });
  const inbound = await db.inboundMessage.findMany({
    where: { OR: [{ contactId: { in: contactIds } }, { recipient: { contains: `.${world.label}@` } }] },
    orderBy: { id: "asc" },
  });
  return {
    suppressions: suppressions.map((s) => `${ix(contactIndex, s.contactId)} ${s.reason} ${s.note}`).sort(),
    optOuts: optOuts.map((o) => `${ix(contactIndex, o.contactId)} ${ix(unitIndex, o.unitId)} ${o.channel}`).sort(),
    subscriptions: subscriptions.map((s) => `${ix(contactIndex, s.contactId)} ${ix(topicIndex, s.topicId)} ${s.status}`).sort(),
    events: events.map((e) => ({
      contact: ix(contactIndex, e.contactId),
      action: e.action,
      source: e.source,
      changed: e.changed,
      campaign: ix(campaignIndex, e.campaignId),
      unit: ix(unitIndex, e.unitId),
      topic: ix(topicIndex, e.topicId),
      detail: e.detail,
    })),
    inbound: inbound.map((m) => ({ kind: m.kind, effect: m.effect, contact: ix(contactIndex, m.contactId), campaign: ix(campaignIndex, m.campaignId), via: m.via })),
  };
}

describe("recording signals in batches", () => {
  it("gives exactly the outcome of recording the same signals one after another", async () => {
    const steps = generateSteps(160);
    const start = Date.now() - 30 * DAY;
    const oneByOne = await buildWorld(`s${crypto.randomBytes(3).toString("hex")}`);
    const batched = await buildWorld(`b${crypto.randomBytes(3).toString("hex")}`);

    const single = [];
    for (const step of steps) single.push(await recordFeedback(signalIn(oneByOne, step, start)));
    // Batches of varied sizes, one of them a single signal and one large.
    const sizes = [1, 7, 40, 3, 64, 2];
    const batches = [];
    let at = 0;
    for (let b = 0; at < steps.length; b++) {
      const size = sizes[b % sizes.length];
      batches.push(await recordFeedbackBatch(steps.slice(at, at + size).map((step) => signalIn(batched, step, start))));
      at += size;
    }
    const inBatches = batches.flat();

    const expected = await outcome(oneByOne);
    const actual = await outcome(batched);
    // The mix really has what could go wrong: suppressions by soft bounces, repeats, duplicates.
    expect(expected.suppressions.some((s) => s.includes("SOFT_BOUNCE"))).toBe(true);
    expect(expected.events.some((e) => !e.changed)).toBe(true);
    expect(expected.events.some((e) => e.action === "UNSUBSCRIBE" && e.changed)).toBe(true);
    expect(single.some((r) => r.duplicate)).toBe(true);
    expect(actual.suppressions).toEqual(expected.suppressions);
    expect(actual.optOuts).toEqual(expected.optOuts);
    expect(actual.subscriptions).toEqual(expected.subscriptions);
    expect(actual.events).toEqual(expected.events);
    expect(actual.inbound).toEqual(expected.inbound);
    expect(inBatches.map((r) => [r.effect, r.duplicate])).toEqual(single.map((r) => [r.effect, r.duplicate]));
    // Each result names its own stored message (a duplicate names the first).
    const stored = await db.inboundMessage.findMany({ where: { id: { in: inBatches.map((r) => r.id) } }, select: { id: true, effect: true } });
    const effectOf = new Map(stored.map((m) => [m.id, m.effect]));
    expect(inBatches.map((r) => effectOf.get(r.id))).toEqual(inBatches.map((r) => r.effect));
  });
});

describe("after a batch is recorded", () => {
  it("judges each unit and campaign once, at its latest hard bounce or complaint", () => {
    const at = (ms: number) => new Date(ms);
    const rows = [
      { kind: "HARD_BOUNCE" as const, unitId: 1, campaignId: 10, now: at(1) },
      { kind: "SOFT_BOUNCE" as const, unitId: 1, campaignId: 11, now: at(2) },
      { kind: "COMPLAINT" as const, unitId: 1, campaignId: 10, now: at(3) },
      { kind: "COMPLAINT" as const, unitId: 2, campaignId: null, now: at(4) },
      { kind: "MAILTO_UNSUBSCRIBE" as const, unitId: 2, campaignId: 20, now: at(5) },
    ];
    expect(toJudge(rows)).toEqual([rows[2], rows[3]]);
  });
});
