import { beforeEach, describe, expect, it } from "vitest";
import { db, readDb } from "~/utils/db.server.ts";
import type { Staff } from "~/domain/accounts/staff.server.ts";
import { applyConsentChange } from "~/domain/consent/changes.server.ts";
import { createSendStore } from "./send-store.server.ts";
import { listAudit } from "~/domain/audit/audit.server.ts";
import { ensureSigningKey } from "~/domain/tokens/keyring.server.ts";
import { createContact, createTopic, createUnit } from "../../../tests/helpers/fixtures.ts";
import { listFromStart, listWholeAudienceAsPending } from "../../../tests/helpers/campaign-sender.ts";
import {
  archiveDraft,
  campaignReport,
  cancelSchedule,
  createCampaign,
  duplicateCampaign,
  listCampaignLibrary,
  pauseCampaign,
  resumeCampaign,
  scheduleCampaign,
  sendNow,
  sendTestMessage,
  stopCampaign,
  updateDraft,
  type CampaignInput,
} from "./campaigns.server.ts";

// The campaign library (ADR 052): the listing is scoped, filtered and paged by key; a campaign
// is copied, archived, edited until it starts and stopped for good; each step is audited.

const staffOf = (unitIds: number[] | null): Staff => ({ sessionId: "s", id: 0, email: "m@example.com", name: null, role: unitIds ? "MARKETER" : "ADMIN", contactId: null, unitIds });
const failure = (promise: Promise<unknown>) => promise.then(() => "it succeeded", (error: unknown) => error);
const store = createSendStore(db, readDb);

let unitA: { id: number };
let unitB: { id: number };
let topicA: { id: number };
let topicB: { id: number };
let marketerOfA: Staff;

const input = (subject = "Spring offers", topicId = topicA.id): CampaignInput => ({
  unitId: unitA.id,
  topicId,
  subject,
  preheader: "",
  bodyMarkdown: "# Spring\n\nOur **best** offers.",
  advertisementLabel: false,
});

async function subscribe(topicId: number, n: number) {
  for (let i = 0; i < n; i++) {
    const contact = await createContact();
    await applyConsentChange({ kind: "subscribe", contactId: contact.id, topicId, channel: "EMAIL", basis: "EXPRESS" }, { source: "IMPORT" });
  }
}

/** Starts the campaign and lists its whole audience as pending deliveries. */
async function startAndList(id: number) {
  await sendNow(marketerOfA, id);
  await listWholeAudienceAsPending(id);
}

beforeEach(async () => {
  // The test send's links are signed.
  await ensureSigningKey();
  unitA = await createUnit();
  unitB = await createUnit();
  topicA = await createTopic(unitA.id);
  topicB = await createTopic(unitB.id);
  marketerOfA = staffOf([unitA.id]);
});

describe("the library listing", () => {
  it("shows only the marketer's units, newest first, a page at a time by key, with filters by unit, status and date", async () => {
    const mine = [];
    for (let i = 0; i < 5; i++) mine.push((await createCampaign(marketerOfA, input(`Mine ${i}`))).id);
    const theirs = await createCampaign(staffOf([unitB.id]), { ...input("Theirs", topicB.id), unitId: unitB.id });

    const first = await listCampaignLibrary(marketerOfA, {}, undefined, 2);
    expect(first.campaigns.map((c) => c.id)).toEqual([mine[4], mine[3]]);
    const second = await listCampaignLibrary(marketerOfA, {}, first.nextBeforeId!, 2);
    expect(second.campaigns.map((c) => c.id)).toEqual([mine[2], mine[1]]);
    const third = await listCampaignLibrary(marketerOfA, {}, second.nextBeforeId!, 2);
    expect(third.campaigns.map((c) => c.id)).toEqual([mine[0]]);
    expect(third.nextBeforeId).toBeNull();

    // Another unit's campaign is never listed, even when its unit is asked for.
    expect((await listCampaignLibrary(marketerOfA, { unitId: unitB.id })).campaigns).toEqual([]);
    const admin = await listCampaignLibrary(staffOf(null), { unitId: unitB.id });
    expect(admin.campaigns.map((c) => c.id)).toEqual([theirs.id]);

    await scheduleCampaign(marketerOfA, mine[1], new Date(Date.now() + 3_600_000));
    expect((await listCampaignLibrary(marketerOfA, { status: "SCHEDULED" })).campaigns.map((c) => c.id)).toEqual([mine[1]]);

    await db.campaign.update({ where: { id: mine[0] }, data: { createdAt: new Date("2026-01-10T00:00:00Z") } });
    const january = await listCampaignLibrary(marketerOfA, { from: new Date("2026-01-01T00:00:00Z"), to: new Date("2026-02-01T00:00:00Z") });
    expect(january.campaigns.map((c) => c.id)).toEqual([mine[0]]);
  });

  it("gives each sent campaign its unsubscribe, bounce and complaint rates, read for the page at once", async () => {
    await subscribe(topicA.id, 4);
    const { id } = await createCampaign(marketerOfA, input());
    await startAndList(id);
    await db.campaign.update({ where: { id }, data: { sentCount: 4 } });
    const [contact] = await db.delivery.findMany({ where: { campaignId: id }, take: 1 });
    await db.inboundMessage.create({ data: { kind: "COMPLAINT", via: "SES", campaignId: id, unitId: unitA.id, contactId: contact.contactId, effect: "test" } });
    const [row] = (await listCampaignLibrary(marketerOfA)).campaigns;
    expect(row.feedback?.sent).toBe(4);
    expect(row.feedback?.rates.COMPLAINT).toBe(0.25);
  });
});

describe("duplicate and archive", () => {
  it("copies a sent campaign into a new draft named 'Copy of …', and archives a draft out of the default listing", async () => {
    await subscribe(topicA.id, 2);
    const { id } = await createCampaign(marketerOfA, input("Autumn sale"));
    await startAndList(id);
    const copy = await duplicateCampaign(marketerOfA, id);
    expect(await db.campaign.findUniqueOrThrow({ where: { id: copy.id } })).toMatchObject({
      status: "DRAFT",
      name: "Copy of Autumn sale",
      subject: "Autumn sale",
      unitId: unitA.id,
      topicId: topicA.id,
      startedAt: null,
      sentCount: 0,
    });

    // Only a draft is archived.
    expect(await failure(archiveDraft(marketerOfA, id))).toMatchObject({ name: "CampaignError" });
    await archiveDraft(marketerOfA, copy.id);
    expect((await listCampaignLibrary(marketerOfA)).campaigns.map((c) => c.id)).toEqual([id]);
    expect((await listCampaignLibrary(marketerOfA, { archived: true })).campaigns.map((c) => c.id)).toEqual([copy.id, id]);
    // An archived draft is neither edited nor scheduled.
    expect(await failure(updateDraft(marketerOfA, copy.id, input("Changed")))).toMatchObject({ name: "CampaignError" });
    expect(await failure(scheduleCampaign(marketerOfA, copy.id, new Date(Date.now() + 3_600_000)))).toMatchObject({ name: "CampaignError" });
  });

  it("another unit's campaign is not found to copy or archive", async () => {
    const theirs = await createCampaign(staffOf([unitB.id]), { ...input("Theirs", topicB.id), unitId: unitB.id });
    expect(await failure(duplicateCampaign(marketerOfA, theirs.id))).toMatchObject({ name: "NotFoundError" });
    expect(await failure(archiveDraft(marketerOfA, theirs.id))).toMatchObject({ name: "NotFoundError" });
  });
});

describe("editing a scheduled campaign", () => {
  it("is allowed until the sender starts it, and refused once it has", async () => {
    await subscribe(topicA.id, 2);
    const { id } = await createCampaign(marketerOfA, input("Before"));
    await scheduleCampaign(marketerOfA, id, new Date(Date.now() + 3_600_000));
    await updateDraft(marketerOfA, id, input("Edited while scheduled"));
    expect(await db.campaign.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: "SCHEDULED", subject: "Edited while scheduled" });

    expect(await store.startCampaign(id, new Date())).toBe(true);
    expect(await failure(updateDraft(marketerOfA, id, input("Too late")))).toMatchObject({ name: "CampaignError" });
    expect(await db.campaign.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: "SENDING", subject: "Edited while scheduled" });
  });

  it("racing the start: either the edit lands before it or is refused; a started campaign's audience is always its own topic's", async () => {
    const topicA2 = await createTopic(unitA.id);
    await subscribe(topicA.id, 2);
    await subscribe(topicA2.id, 2);
    for (let round = 0; round < 6; round++) {
      const { id } = await createCampaign(marketerOfA, input("Race"));
      await scheduleCampaign(marketerOfA, id, new Date(Date.now() + 3_600_000));
      const [edit, started] = await Promise.all([failure(updateDraft(marketerOfA, id, input("Moved", topicA2.id))), store.startCampaign(id, new Date())]);
      const campaign = await db.campaign.findUniqueOrThrow({ where: { id } });
      if (edit === "it succeeded") expect(campaign).toMatchObject({ subject: "Moved", topicId: topicA2.id });
      else expect(campaign).toMatchObject({ subject: "Race", topicId: topicA.id, status: "SENDING" });
      if (started) expect(JSON.parse(campaign.audienceRule!).topicId).toBe(campaign.topicId);
    }
  });
});

describe("stopping for good", () => {
  it("a stopped campaign has no batch claimed after the stop, never resumes, and says how many were sent and how many never will be", async () => {
    await subscribe(topicA.id, 6);
    const { id } = await createCampaign(marketerOfA, input());
    await startAndList(id);
    const first = await store.claimDueDeliveries(id, "sender-1", 2, new Date());
    expect(first).toHaveLength(2);
    await store.recordOutcomes(id, "sender-1", {
      outcomes: first.map((d) => ({ id: d.id, result: "sent" as const, messageId: `<${d.id}@test>` })),
      untouched: [],
      pausedReason: null,
      now: new Date(),
      leaseUntil: new Date(Date.now() + 30_000),
    });

    await stopCampaign(marketerOfA, id);
    expect(await store.claimDueDeliveries(id, "sender-1", 10, new Date())).toEqual([]);
    expect(await store.holdsCampaign(id, "sender-1")).toBe(false);
    expect(await failure(resumeCampaign(marketerOfA, id))).toMatchObject({ name: "CampaignError" });
    expect(await failure(stopCampaign(marketerOfA, id))).toMatchObject({ name: "CampaignError" });

    const report = await campaignReport(marketerOfA, id);
    expect(report.campaign.status).toBe("STOPPED");
    expect(report.counts.sent).toBe(2);
    expect(report.neverSent).toBe(4);
    expect(await db.delivery.count({ where: { campaignId: id, status: "PENDING" } })).toBe(4);
  });

  it("a paused campaign can be stopped too", async () => {
    await subscribe(topicA.id, 2);
    const { id } = await createCampaign(marketerOfA, input());
    await startAndList(id);
    await pauseCampaign(marketerOfA, id);
    await stopCampaign(marketerOfA, id);
    expect(await store.claimDueDeliveries(id, "sender-1", 10, new Date())).toEqual([]);
    expect((await db.campaign.findUniqueOrThrow({ where: { id } })).status).toBe("STOPPED");
  });

  it("a stopped or paused campaign lists nobody more: its listing stays where it was", async () => {
    await subscribe(topicA.id, 3);
    for (const halt of [stopCampaign, pauseCampaign]) {
      const { id } = await createCampaign(marketerOfA, input());
      await sendNow(marketerOfA, id);
      await halt(marketerOfA, id);
      expect(await listFromStart(id, "sender-1", 10)).toEqual([]);
      expect(await db.delivery.count({ where: { campaignId: id } })).toBe(0);
      expect(await db.campaign.findUniqueOrThrow({ where: { id }, select: { lastContactId: true, listedCount: true } })).toEqual({ lastContactId: 0, listedCount: 0 });
    }
  });

  it("racing senders: no claim that begins after the stop has returned gets a delivery", async () => {
    await subscribe(topicA.id, 40);
    const { id } = await createCampaign(marketerOfA, input());
    await startAndList(id);
    let stopped = false;
    const lateClaims: number[] = [];
    const claimer = async (owner: string) => {
      for (let i = 0; i < 40; i++) {
        const afterStop = stopped;
        const won = await store.claimDueDeliveries(id, owner, 1, new Date());
        if (afterStop) lateClaims.push(won.length);
      }
    };
    await Promise.all([
      claimer("sender-1"),
      claimer("sender-2"),
      (async () => {
        await stopCampaign(marketerOfA, id);
        stopped = true;
      })(),
    ]);
    expect(stopped).toBe(true);
    expect(lateClaims.every((n) => n === 0)).toBe(true);
    // Whatever was claimed before the stop is all that may still go out.
    const claimed = await db.delivery.count({ where: { campaignId: id, status: "SENDING" } });
    expect(claimed + (await db.delivery.count({ where: { campaignId: id, status: "PENDING" } }))).toBe(40);
  });
});

describe("the audit trail of one campaign", () => {
  it("records create, edit, schedule, unschedule, test, send, pause, resume, stop, duplicate and archive with the actor, found by the campaign's target", async () => {
    await subscribe(topicA.id, 2);
    const marketer = { ...marketerOfA, email: "anna@example.com" };
    const requester = { ip: "192.0.2.7", userAgent: "test" };
    const { id } = await createCampaign(marketer, input(), requester);
    await updateDraft(marketer, id, input("Edited"), requester);
    await scheduleCampaign(marketer, id, new Date(Date.now() + 3_600_000), new Date(), { requester });
    await cancelSchedule(marketer, id, requester);
    await sendTestMessage(marketer, id, undefined, "me", requester);
    await sendNow(marketer, id, undefined, new Date(), requester);
    await pauseCampaign(marketer, id, requester);
    await resumeCampaign(marketer, id, requester);
    await stopCampaign(marketer, id, new Date(), requester);
    const copy = await duplicateCampaign(marketer, id, requester);
    await archiveDraft(marketer, copy.id, new Date(), requester);
    // A refused step writes nothing.
    await failure(resumeCampaign(marketer, id, requester));

    const { events } = await listAudit({ target: `campaign:${id}` });
    expect(events.map((e) => e.action).reverse()).toEqual([
      "campaign.create",
      "campaign.edit",
      "campaign.schedule",
      "campaign.unschedule",
      "campaign.test",
      "campaign.send",
      "campaign.pause",
      "campaign.resume",
      "campaign.stop",
    ]);
    expect(events.every((e) => e.actorEmail === "anna@example.com" && e.ip === "192.0.2.7")).toBe(true);
    // A test send says how many addresses, never which.
    expect(JSON.parse(events.find((e) => e.action === "campaign.test")!.detail!)).toEqual({ addresses: 1 });
    const copyEvents = await listAudit({ target: `campaign:${copy.id}` });
    expect(copyEvents.events.map((e) => e.action).reverse()).toEqual(["campaign.duplicate", "campaign.archive"]);
    expect(JSON.parse(copyEvents.events[1].detail!)).toEqual({ from: `campaign:${id}` });
  });
});
