// The guard rails: when what comes back says a unit's mail is hurting everyone's delivery, its
// running campaigns pause themselves, the audit log says why, and every admin gets one email per
// pause. At a lower complaint rate the unit only shows a warning.
// docs/decisions/030-feedback-rates-and-guard-rails.md.
//
// feedback may not import campaigns or transactional (they import feedback), so the pause and
// the admins' messages are written here with Prisma, in the states those modules write: a
// campaign PAUSED with its reason and no lease (the sender stops at its next write), and a
// QUEUED service message the transactional queue renders and sends like any account mail.

import { recordAudit, type AuditActor } from "~/domain/audit/audit.server.ts";
import { addressBlock, serviceMailRefusal } from "~/domain/consent/service-mail-block.server.ts";
import { db, readDb, type Db, type Tx } from "~/utils/db.server.ts";
import { getEnv } from "~/utils/env.server.ts";
import { SendingPausedData } from "~emails/transactional/sending-paused.tsx";
import { campaignFeedback, RATE_WINDOW_DAYS, unitFeedback, type FeedbackFigures } from "./rates.server.ts";

const DAY_MS = 86_400_000;

/**
 * Below this many messages sent in the window a complaint rate says nothing yet: one complaint
 * would already be over the warn rate (1 / 0.1 % = 1,000).
 */
export const COMPLAINT_MIN_SENT = 1000;
/** A campaign's hard-bounce rate is judged once it sent this many, or had this many hard bounces. */
export const HARD_BOUNCE_MIN_SENT = 100;
export const HARD_BOUNCE_MIN_COUNT = 20;
/** Each unit is checked at most once in this time; a check asked for meanwhile runs at its end. */
export const CHECK_INTERVAL_MS = 2_000;

/** The audit log's actor for what the product does on its own. */
export const SYSTEM_ACTOR: AuditActor = { userId: null, email: "system", ip: null, userAgent: null };

export type GuardRailThresholds = { complaintWarnRate: number; complaintPauseRate: number; hardBouncePauseRate: number };

export function guardRailThresholds(): GuardRailThresholds {
  const env = getEnv();
  return { complaintWarnRate: env.COMPLAINT_WARN_RATE, complaintPauseRate: env.COMPLAINT_PAUSE_RATE, hardBouncePauseRate: env.HARD_BOUNCE_PAUSE_RATE };
}

export const percent = (rate: number) => `${(rate * 100).toFixed(2)} %`;
const count = (n: number) => n.toLocaleString("en-GB");

/** What a unit's complaint rate over the window means. */
export type ComplaintStanding =
  | { level: "too-few"; sent: number }
  | { level: "ok" | "warn" | "pause"; sent: number; rate: number; reason: string };

export function judgeComplaints(figures: Pick<FeedbackFigures, "sent" | "counts">, thresholds: GuardRailThresholds): ComplaintStanding {
  const { sent } = figures;
  if (sent < COMPLAINT_MIN_SENT) return { level: "too-few", sent };
  const complaints = figures.counts.COMPLAINT;
  const rate = complaints / sent;
  const level = rate >= thresholds.complaintPauseRate ? "pause" : rate >= thresholds.complaintWarnRate ? "warn" : "ok";
  const line = level === "pause" ? `pause at ${percent(thresholds.complaintPauseRate)}` : `warning at ${percent(thresholds.complaintWarnRate)}`;
  const reason = `Spam complaints reached ${percent(rate)} of the ${count(sent)} messages sent in the last ${RATE_WINDOW_DAYS} days (${count(complaints)} complaints; ${line}).`;
  return { level, sent, rate, reason };
}

/** Why a campaign's hard bounces pause sending, or null. */
export function judgeHardBounces(figures: Pick<FeedbackFigures, "sent" | "counts">, thresholds: GuardRailThresholds): string | null {
  const { sent } = figures;
  const hard = figures.counts.HARD_BOUNCE;
  if (sent === 0 || (sent < HARD_BOUNCE_MIN_SENT && hard < HARD_BOUNCE_MIN_COUNT)) return null;
  const rate = hard / sent;
  if (rate <= thresholds.hardBouncePauseRate) return null;
  return `Hard bounces reached ${percent(rate)} of the ${count(sent)} messages this campaign sent (${count(hard)} addresses do not exist; pause above ${percent(thresholds.hardBouncePauseRate)}).`;
}

/**
 * The unit's standing for its pages: the seven-day figures and what the complaint rate means.
 * On readDb: the campaign page polls it, and a unit's week of sends is a long count.
 */
export async function unitStanding(unitId: number, now: Date, client: Db = readDb) {
  const figures = await unitFeedback(unitId, now, client);
  return { figures, complaints: judgeComplaints(figures, guardRailThresholds()) };
}

export type GuardRailPause = { unitId: number; campaignIds: number[]; reason: string; rule: "complaints" | "hard-bounces" };

/** The facts a pause is decided on: who was asked about, and when. */
export type GuardRailCheck = { unitId: number | null; campaignId?: number | null; now: Date };

/**
 * Judges the unit's complaints over the window and, when a campaign is named, its hard bounces;
 * pauses the unit's running campaigns when either is over. Unthrottled: checkGuardRails is the
 * one to call after each signal.
 */
export async function evaluateGuardRails(check: GuardRailCheck & { campaignIds?: number[] }, client: Db = db): Promise<GuardRailPause | null> {
  const { unitId, now } = check;
  if (unitId === null) return null;
  const thresholds = guardRailThresholds();
  const named = [...new Set([...(check.campaignIds ?? []), ...(check.campaignId ? [check.campaignId] : [])])];
  for (const campaignId of named) {
    // A campaign of another unit, or one that finished before the window, does not pause this unit.
    const campaign = await client.campaign.findFirst({
      where: { id: campaignId, unitId, OR: [{ status: "SENDING" }, { startedAt: { gte: new Date(now.getTime() - RATE_WINDOW_DAYS * DAY_MS) } }] },
      select: { id: true },
    });
    if (!campaign) continue;
    const figures = await campaignFeedback(campaignId, client);
    const reason = figures && judgeHardBounces(figures, thresholds);
    if (reason) return pauseUnit(client, { unitId, reason, rule: "hard-bounces", now, about: { campaignId } });
  }
  const standing = judgeComplaints(await unitFeedback(unitId, now, client), thresholds);
  if (standing.level === "pause") return pauseUnit(client, { unitId, reason: standing.reason, rule: "complaints", now, about: { rate: standing.rate, sent: standing.sent } });
  return null;
}

/**
 * Pauses every SENDING campaign of the unit, writes one audit entry and queues one message per
 * admin, in one transaction. The flip from SENDING is the pause: a second check finds nothing
 * running, so it writes and sends nothing (once per pause, never per complaint).
 */
async function pauseUnit(
  client: Db,
  pause: { unitId: number; reason: string; rule: GuardRailPause["rule"]; now: Date; about: Record<string, unknown> },
): Promise<GuardRailPause | null> {
  const pausedReason = `Paused on its own: ${pause.reason}`;
  return client.$transaction(async (tx) => {
    // The state the sender writes when it pauses itself (send-store recordOutcomes): PAUSED, the reason, no lease.
    const paused = await tx.$queryRaw<{ id: number | bigint; name: string }[]>`UPDATE "Campaign"
      SET "status" = 'PAUSED', "pausedReason" = ${pausedReason}, "leaseOwner" = NULL, "leaseUntil" = NULL, "updatedAt" = ${pause.now}
      WHERE "unitId" = ${pause.unitId} AND "status" = 'SENDING'
      RETURNING "id", "name"`;
    if (paused.length === 0) return null;
    const campaigns = paused.map((c) => ({ id: Number(c.id), name: c.name })).sort((a, b) => a.id - b.id);
    const audit = await tx.auditEvent.create({
      data: {
        actorUserId: null,
        actorEmail: SYSTEM_ACTOR.email,
        action: "campaign.guard-rail-pause",
        target: `unit:${pause.unitId}`,
        detail: JSON.stringify({ rule: pause.rule, reason: pause.reason, campaignIds: campaigns.map((c) => c.id), ...pause.about }),
        createdAt: pause.now,
      },
      select: { id: true },
    });
    await queueAdminNotices(tx, { unitId: pause.unitId, reason: pause.reason, campaigns, now: pause.now, pauseId: audit.id });
    return { unitId: pause.unitId, campaignIds: campaigns.map((c) => c.id), reason: pause.reason, rule: pause.rule };
  });
}

/**
 * One QUEUED service message per admin, keyed by the pause's audit entry: the idempotency key
 * is unique, so the same pause can never be mailed twice. An address with a hard bounce or an
 * erasure gets nothing, as the transactional send path would refuse it.
 */
async function queueAdminNotices(tx: Tx, notice: { unitId: number; reason: string; campaigns: { name: string }[]; now: Date; pauseId: number }): Promise<void> {
  const category = await tx.exemptCategory.findFirst({ where: { slug: "staff-alert", unitId: null, archivedAt: null }, select: { id: true } });
  if (!category) {
    // Every start creates the group categories; without it the pause still stands and is audited.
    console.error("Guard rails: no staff-alert category, so no admin was emailed about the pause.");
    return;
  }
  const unit = await tx.businessUnit.findUniqueOrThrow({ where: { id: notice.unitId }, select: { displayName: true, slug: true } });
  const admins = await tx.user.findMany({
    where: { role: "ADMIN", accessRevokedAt: null, emailVerifiedAt: { not: null } },
    select: { id: true, email: true, name: true, contactId: true },
    orderBy: { id: "asc" },
  });
  for (const admin of admins) {
    const blocked = await addressBlock(admin.email, {}, tx);
    const data = SendingPausedData.parse({
      ...(admin.name ? { recipientName: admin.name.slice(0, 100) } : {}),
      unitName: unit.displayName.slice(0, 120),
      reason: notice.reason.slice(0, 300),
      campaigns: notice.campaigns.slice(0, 50).map((c) => c.name.replace(/\s+/g, " ").slice(0, 200)),
      pausedAt: notice.now.toISOString(),
      url: `${getEnv().PUBLIC_URL}/admin/units/${unit.slug}`,
    });
    await tx.transactionalMessage.create({
      data: {
        unitId: notice.unitId,
        categoryId: category.id,
        contactId: admin.contactId,
        toEmail: admin.email,
        template: "sending-paused",
        data: JSON.stringify(data),
        idempotencyKey: `guard-rails:pause:${notice.pauseId}:admin:${admin.id}`,
        status: blocked ? "REFUSED" : "QUEUED",
        refusedReason: blocked ? serviceMailRefusal(blocked) : null,
        createdAt: notice.now,
      },
    });
  }
}

// Throttle: the last check of each unit (wall clock), and the check waiting to run at the end of the interval.
const lastChecked = new Map<number, number>();
const waiting = new Map<number, { campaignIds: Set<number>; now: Date }>();
const running = new Set<Promise<unknown>>();

/**
 * Called after each hard bounce or complaint is recorded. A unit is judged at most once per
 * CHECK_INTERVAL_MS: a burst of 20,000 bounces costs a few checks, not 20,000. A check asked for
 * inside the interval is not dropped: it runs once at the interval's end, in the background, for
 * every campaign named meanwhile, so the last signal of a burst is always judged. Resolves to the
 * pause it made now, or null (nothing over, or judged later).
 */
export async function checkGuardRails(check: GuardRailCheck, client: Db = db): Promise<GuardRailPause | null> {
  const { unitId } = check;
  if (unitId === null) return null;
  const pending = waiting.get(unitId);
  if (pending) {
    if (check.campaignId) pending.campaignIds.add(check.campaignId);
    pending.now = check.now;
    return null;
  }
  const since = Date.now() - (lastChecked.get(unitId) ?? 0);
  if (since >= CHECK_INTERVAL_MS) {
    lastChecked.set(unitId, Date.now());
    return evaluateGuardRails(check, client);
  }
  const later = { campaignIds: new Set<number>(check.campaignId ? [check.campaignId] : []), now: check.now };
  waiting.set(unitId, later);
  const timer = setTimeout(() => {
    waiting.delete(unitId);
    lastChecked.set(unitId, Date.now());
    const run = evaluateGuardRails({ unitId, campaignIds: [...later.campaignIds], now: later.now }, client)
      .catch((error) => console.error(`Guard rails (unit ${unitId}): ${(error as Error).message}`))
      .finally(() => running.delete(run));
    running.add(run);
  }, CHECK_INTERVAL_MS - since);
  timer.unref();
  return null;
}

/** Resolves when every check put off by the throttle has run (tests, and a process about to exit). */
export async function guardRailChecksSettled(): Promise<void> {
  while (waiting.size > 0 || running.size > 0) {
    if (running.size > 0) await Promise.all([...running]);
    else await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
