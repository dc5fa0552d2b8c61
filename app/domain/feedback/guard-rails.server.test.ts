import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "~/utils/db.server.ts";
import { addressHash } from "~/domain/consent/address-hash.server.ts";
import { processTransactionalQueue } from "~/domain/transactional/queue.server.ts";
import { createMailingUnit } from "../../../tests/helpers/accounts.ts";
import { cameBack, sentCampaign } from "../../../tests/helpers/feedback-fixtures.ts";
import { createTopic } from "../../../tests/helpers/fixtures.ts";
import { recordFeedback } from "./record.server.ts";
import {
  checkGuardRails,
  evaluateGuardRails,
  guardRailChecksSettled,
  guardRailThresholds,
  judgeComplaints,
  judgeHardBounces,
} from "./guard-rails.server.ts";

const DAY = 86_400_000;
const thresholds = guardRailThresholds();
const figures = (sent: number, kinds: { COMPLAINT?: number; HARD_BOUNCE?: number }) => ({
  sent,
  counts: { HARD_BOUNCE: kinds.HARD_BOUNCE ?? 0, SOFT_BOUNCE: 0, POLICY_BOUNCE: 0, COMPLAINT: kinds.COMPLAINT ?? 0, unsubscribes: 0 },
});

const admins: { email: string; id: number }[] = [];
async function createStaff(options: { role?: "ADMIN" | "MARKETER"; verified?: boolean; revoked?: boolean } = {}) {
  const email = `staff-${crypto.randomBytes(4).toString("hex")}@example.com`;
  return db.user.create({
    data: {
      email,
      name: "Sam Admin",
      role: options.role ?? "ADMIN",
      emailVerifiedAt: options.verified === false ? null : new Date(),
      accessRevokedAt: options.revoked ? new Date() : null,
    },
  });
}

beforeAll(async () => {
  admins.push(await createStaff(), await createStaff());
  await createStaff({ verified: false });
  await createStaff({ revoked: true });
  await createStaff({ role: "MARKETER" });
  const bounced = await createStaff();
  await db.suppression.create({ data: { emailHash: addressHash(bounced.email), email: bounced.email, reason: "HARD_BOUNCE" } });
  admins.push(bounced);
});

/** A unit whose running campaign sent `sent` messages at `sentAt`, plus a finished and a draft campaign. */
async function unitSending(sent: number, sentAt: Date) {
  const made = await unitSendingWithDeliveries(sent, sentAt);
  return { ...made, deliveries: undefined };
}

async function unitSendingWithDeliveries(sent: number, sentAt: Date) {
  const unit = await createMailingUnit();
  const topic = await createTopic(unit.id);
  const running = await sentCampaign(unit, topic, { sent, sentAt, status: "SENDING", name: "Spring offers" });
  await db.campaign.update({ where: { id: running.campaign.id }, data: { leaseOwner: "sender-1", leaseUntil: new Date(Date.now() + 60_000) } });
  const second = await sentCampaign(unit, topic, { sent: 0, sentAt, status: "SENDING", name: "Summer offers" });
  const finished = await sentCampaign(unit, topic, { sent: 0, sentAt, status: "SENT" });
  const draft = await sentCampaign(unit, topic, { sent: 0, sentAt, status: "DRAFT" });
  return { unit, topic, running: running.campaign, second: second.campaign, finished: finished.campaign, draft: draft.campaign, deliveries: running.deliveries };
}

const statuses = async (...ids: number[]) =>
  (await db.campaign.findMany({ where: { id: { in: ids } }, orderBy: { id: "asc" }, select: { status: true } })).map((c) => c.status);
const pauseAudits = (unitId: number) => db.auditEvent.findMany({ where: { action: "campaign.guard-rail-pause", target: `unit:${unitId}` }, orderBy: { id: "asc" } });
const noticesOf = (auditId: number) =>
  db.transactionalMessage.findMany({ where: { idempotencyKey: { startsWith: `guard-rails:pause:${auditId}:` } }, orderBy: { id: "asc" } });

describe("the thresholds", () => {
  it("warns at the warn rate and pauses at the pause rate, from 1,000 sent in the window", () => {
    expect(thresholds).toEqual({ complaintWarnRate: 0.001, complaintPauseRate: 0.003, hardBouncePauseRate: 0.05 });
    expect(judgeComplaints(figures(1000, { COMPLAINT: 0 }), thresholds).level).toBe("ok");
    expect(judgeComplaints(figures(1001, { COMPLAINT: 1 }), thresholds).level).toBe("ok");
    expect(judgeComplaints(figures(1000, { COMPLAINT: 1 }), thresholds).level).toBe("warn");
    expect(judgeComplaints(figures(1000, { COMPLAINT: 2 }), thresholds).level).toBe("warn");
    expect(judgeComplaints(figures(3001, { COMPLAINT: 9 }), thresholds).level).toBe("warn");
    expect(judgeComplaints(figures(3000, { COMPLAINT: 9 }), thresholds).level).toBe("pause");
    expect(judgeComplaints(figures(1000, { COMPLAINT: 3 }), thresholds)).toEqual({
      level: "pause",
      sent: 1000,
      rate: 0.003,
      reason: "Spam complaints reached 0.30 % of the 1,000 messages sent in the last 7 days (3 complaints; pause at 0.30 %).",
    });
    // Too few sent to judge: one complaint would already be over the warn rate.
    expect(judgeComplaints(figures(999, { COMPLAINT: 50 }), thresholds)).toEqual({ level: "too-few", sent: 999 });
  });

  it("pauses on a campaign's hard bounces over 5 %, once it sent 100 or had 20 hard bounces", () => {
    expect(judgeHardBounces(figures(100, { HARD_BOUNCE: 5 }), thresholds)).toBeNull();
    expect(judgeHardBounces(figures(100, { HARD_BOUNCE: 6 }), thresholds)).toBe(
      "Hard bounces reached 6.00 % of the 100 messages this campaign sent (6 addresses do not exist; pause above 5.00 %).",
    );
    expect(judgeHardBounces(figures(99, { HARD_BOUNCE: 19 }), thresholds)).toBeNull();
    expect(judgeHardBounces(figures(3, { HARD_BOUNCE: 1 }), thresholds)).toBeNull();
    expect(judgeHardBounces(figures(60, { HARD_BOUNCE: 20 }), thresholds)).toMatch(/^Hard bounces reached 33.33 %/);
    expect(judgeHardBounces(figures(0, {}), thresholds)).toBeNull();
  });
});

describe("pausing a unit's running campaigns", () => {
  it("at the complaint pause rate: pauses what is sending, audits as system, and emails each admin once", async () => {
    const now = new Date("2026-06-15T12:00:00Z");
    const u = await unitSending(1000, new Date(now.getTime() - DAY));
    await cameBack("COMPLAINT", 2, { unitId: u.unit.id, campaignId: u.running.id, at: new Date(now.getTime() - DAY) });
    expect(await evaluateGuardRails({ unitId: u.unit.id, campaignId: u.running.id, now })).toBeNull();
    expect(await statuses(u.running.id, u.second.id)).toEqual(["SENDING", "SENDING"]);

    await cameBack("COMPLAINT", 1, { unitId: u.unit.id, campaignId: u.running.id, at: new Date(now.getTime() - 1) });
    const pause = await evaluateGuardRails({ unitId: u.unit.id, campaignId: u.running.id, now });
    expect(pause).toMatchObject({ unitId: u.unit.id, campaignIds: [u.running.id, u.second.id], rule: "complaints" });
    expect(await statuses(u.running.id, u.second.id, u.finished.id, u.draft.id)).toEqual(["PAUSED", "PAUSED", "SENT", "DRAFT"]);
    const paused = await db.campaign.findUniqueOrThrow({ where: { id: u.running.id } });
    expect(paused).toMatchObject({ leaseOwner: null, leaseUntil: null });
    expect(paused.pausedReason).toBe(
      "Paused on its own: Spam complaints reached 0.30 % of the 1,000 messages sent in the last 7 days (3 complaints; pause at 0.30 %).",
    );

    const [audit] = await pauseAudits(u.unit.id);
    expect(audit).toMatchObject({ actorEmail: "system", actorUserId: null });
    expect(JSON.parse(audit.detail!)).toMatchObject({ rule: "complaints", campaignIds: [u.running.id, u.second.id], sent: 1000, rate: 0.003 });
    const notices = await noticesOf(audit.id);
    // Verified admins with access: two get it; the bounced one is refused as the send path refuses it.
    expect(notices.map((n) => [n.toEmail, n.status, n.template])).toEqual([
      [admins[0].email, "QUEUED", "sending-paused"],
      [admins[1].email, "QUEUED", "sending-paused"],
      [admins[2].email, "REFUSED", "sending-paused"],
    ]);

    // The transactional queue sends them like any account mail.
    await processTransactionalQueue();
    const sent = await noticesOf(audit.id);
    expect(sent.map((n) => n.status)).toEqual(["SENT", "SENT", "REFUSED"]);
    const outbox = fs.readdirSync(process.env.OUTBOX_DIR!).map((f) => fs.readFileSync(path.join(process.env.OUTBOX_DIR!, f), "utf8"));
    const mine = outbox.filter((m) => m.includes(`Sending paused for ${u.unit.displayName}`));
    expect(mine.length).toBe(2);

    // Once per pause: another complaint, another check: nothing is running, nothing is written or sent.
    await cameBack("COMPLAINT", 1, { unitId: u.unit.id, campaignId: u.running.id, at: new Date(now.getTime() - 1) });
    expect(await evaluateGuardRails({ unitId: u.unit.id, campaignId: u.running.id, now })).toBeNull();
    expect(await pauseAudits(u.unit.id)).toHaveLength(1);
    expect(await db.transactionalMessage.count({ where: { template: "sending-paused", data: { contains: u.unit.displayName } } })).toBe(3);
  });

  it("counts only the last seven days", async () => {
    const now = new Date("2026-06-15T12:00:00Z");
    const weekAgo = new Date(now.getTime() - 7 * DAY);
    const u = await unitSending(1000, weekAgo);
    await cameBack("COMPLAINT", 2, { unitId: u.unit.id, campaignId: u.running.id, at: weekAgo });
    // A millisecond before the window: not counted (with them it would be 7 of 1,000).
    await cameBack("COMPLAINT", 5, { unitId: u.unit.id, campaignId: u.running.id, at: new Date(weekAgo.getTime() - 1) });
    expect(await evaluateGuardRails({ unitId: u.unit.id, now })).toBeNull();
    await cameBack("COMPLAINT", 1, { unitId: u.unit.id, campaignId: u.running.id, at: new Date(now.getTime() - 1) });
    // A millisecond later the 1,000 messages have left the window: too few sent to judge.
    expect(await evaluateGuardRails({ unitId: u.unit.id, now: new Date(now.getTime() + 1) })).toBeNull();
    expect(await statuses(u.running.id)).toEqual(["SENDING"]);
    // At the window's very start they all count: 3 complaints of 1,000.
    expect(await evaluateGuardRails({ unitId: u.unit.id, now })).toMatchObject({ rule: "complaints" });
  });

  it("on one campaign's hard bounces over 5 %, with its sample, and not for a campaign of another unit", async () => {
    const now = new Date("2026-06-15T12:00:00Z");
    const u = await unitSending(100, new Date(now.getTime() - DAY));
    await db.campaign.update({ where: { id: u.running.id }, data: { startedAt: new Date(now.getTime() - DAY) } });
    await cameBack("HARD_BOUNCE", 5, { unitId: u.unit.id, campaignId: u.running.id, at: now });
    expect(await evaluateGuardRails({ unitId: u.unit.id, campaignId: u.running.id, now })).toBeNull();
    const other = await unitSending(10, new Date(now.getTime() - DAY));
    await cameBack("HARD_BOUNCE", 30, { unitId: other.unit.id, campaignId: other.running.id, at: now });
    // Named with the wrong unit: not this unit's campaign, nothing pauses.
    expect(await evaluateGuardRails({ unitId: u.unit.id, campaignId: other.running.id, now })).toBeNull();
    expect(await statuses(u.running.id)).toEqual(["SENDING"]);

    await cameBack("HARD_BOUNCE", 1, { unitId: u.unit.id, campaignId: u.running.id, at: now });
    const pause = await evaluateGuardRails({ unitId: u.unit.id, campaignId: u.running.id, now });
    expect(pause).toMatchObject({ rule: "hard-bounces", campaignIds: [u.running.id, u.second.id] });
    expect((await db.campaign.findUniqueOrThrow({ where: { id: u.second.id } })).pausedReason).toMatch(/^Paused on its own: Hard bounces reached 6.00 %/);
    // 30 hard bounces of 10 sent: past the minimum of 20 bounces, so it is judged though fewer than 100 were sent.
    expect(await evaluateGuardRails({ unitId: other.unit.id, campaignId: other.running.id, now })).toMatchObject({ rule: "hard-bounces" });
  });

  it("a campaign resumed while still over pauses again at the next signal: a new pause, a new email", async () => {
    const now = new Date("2026-06-15T12:00:00Z");
    const u = await unitSending(1000, new Date(now.getTime() - DAY));
    await cameBack("COMPLAINT", 3, { unitId: u.unit.id, campaignId: u.running.id, at: now });
    await evaluateGuardRails({ unitId: u.unit.id, now: new Date(now.getTime() + 1) });
    // The marketer resumes, as the campaign page does.
    await db.campaign.update({ where: { id: u.running.id }, data: { status: "SENDING", pausedReason: null } });
    const again = await evaluateGuardRails({ unitId: u.unit.id, now: new Date(now.getTime() + 2) });
    expect(again?.campaignIds).toEqual([u.running.id]);
    const audits = await pauseAudits(u.unit.id);
    expect(audits).toHaveLength(2);
    expect(await noticesOf(audits[1].id)).toHaveLength(3);
  });
});

describe("checking after every signal stays cheap", () => {
  it("judges a unit at most once per interval, and runs the put-off check at its end", async () => {
    const u = await unitSending(1000, new Date(Date.now() - DAY));
    const first = await checkGuardRails({ unitId: u.unit.id, campaignId: u.running.id, now: new Date() });
    expect(first).toBeNull();
    await cameBack("COMPLAINT", 3, { unitId: u.unit.id, campaignId: u.running.id, at: new Date(Date.now() - 1) });
    // Inside the interval: not judged now...
    expect(await checkGuardRails({ unitId: u.unit.id, campaignId: u.running.id, now: new Date() })).toBeNull();
    expect(await checkGuardRails({ unitId: u.unit.id, campaignId: u.running.id, now: new Date() })).toBeNull();
    expect(await statuses(u.running.id)).toEqual(["SENDING"]);
    // ...but once, at the interval's end.
    await guardRailChecksSettled();
    expect(await statuses(u.running.id, u.second.id)).toEqual(["PAUSED", "PAUSED"]);
    expect(await pauseAudits(u.unit.id)).toHaveLength(1);
    expect(await checkGuardRails({ unitId: null, now: new Date() })).toBeNull();
  });
});

describe("recordFeedback calls the guard rails", () => {
  it("complaints recorded one by one pause the unit once the rate is reached", async () => {
    const u = await unitSendingWithDeliveries(1000, new Date(Date.now() - DAY));
    for (const delivery of u.deliveries.slice(0, 3)) {
      await recordFeedback({ kind: "COMPLAINT", via: "SMTP", ref: { stream: "campaign", deliveryId: delivery.id }, raw: "Feedback-Type: abuse" });
    }
    await guardRailChecksSettled();
    expect(await statuses(u.running.id, u.second.id)).toEqual(["PAUSED", "PAUSED"]);
    const audits = await pauseAudits(u.unit.id);
    expect(audits).toHaveLength(1);
    expect(await noticesOf(audits[0].id)).toHaveLength(3);
  });

  it("a soft bounce or an unsubscribe never pauses, whatever the rates", async () => {
    const u = await unitSendingWithDeliveries(1000, new Date(Date.now() - DAY));
    await cameBack("COMPLAINT", 5, { unitId: u.unit.id, campaignId: u.running.id, at: new Date(Date.now() - 1000) });
    await recordFeedback({ kind: "SOFT_BOUNCE", via: "SMTP", ref: { stream: "campaign", deliveryId: u.deliveries[0].id }, status: "4.2.2" });
    await recordFeedback({ kind: "MAILTO_UNSUBSCRIBE", via: "SMTP", ref: { stream: "campaign", deliveryId: u.deliveries[1].id } });
    await guardRailChecksSettled();
    expect(await statuses(u.running.id)).toEqual(["SENDING"]);
  });
});
