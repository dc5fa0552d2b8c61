// The send pipeline (docs/decisions/010-campaign-send-pipeline.md). A campaign that starts
// freezes its audience rule and its bounds (the highest contact id). A sender holding the
// campaign's lease then repeats: enumerate the next keyset batch of eligible contacts into
// Delivery rows (unique on campaign + contact, written before anything is sent), claim due
// deliveries, re-check each one's consent at dispatch, send within the shared rate, record
// the outcome. Every step is a database write, so a crash anywhere resumes where it stopped.

import crypto from "node:crypto";
import os from "node:os";
import { Prisma } from "~/generated/prisma/client.ts";
import { db, type Db, type Tx } from "~/utils/db.server.ts";
import { getEnv } from "~/utils/env.server.ts";
import { findAudienceBatch, loadConsentStates } from "~/domain/consent/audience.server.ts";
import { ineligibilityReasons, type PromotionalTarget } from "~/domain/consent/eligibility.ts";
import { describeFailure, MailDeliveryError, type MailTransport } from "~/domain/mail/outgoing-mail.server.ts";
import { getKeyring } from "~/domain/tokens/keyring.server.ts";
import { signedPreferencesUrl, signedUnsubscribeUrl } from "~/domain/tokens/links.server.ts";
import { personalize, prepareCampaignMessage, subscriptionReason, type CampaignRecipient, type PreparedCampaignMessage } from "./message.server.ts";
import { RateLimiter } from "./rate-limit.ts";

const LEASE_MS = 30_000;
const STEP_SECONDS = 5;
const RETRY_BASE_MS = 5_000;
const RETRY_MAX_MS = 10 * 60_000;
// How often a step being sent asks whether the campaign is still this sender's to send: a pause
// or a cancel stops new messages within this (plus one query), not at the next outcome write.
const HOLD_CHECK_MS = 200;

export type SenderSettings = {
  /** Who holds leases and claims: unique per process. */
  owner: string;
  transport: MailTransport;
  limiter: RateLimiter;
  /** The configured rate for all senders together; each takes its share. */
  ratePerSecond: number;
  concurrency: number;
  /** Contacts listed as deliveries per step. */
  batchSize?: number;
  /** Deliveries claimed, re-checked and signed per step (default 400): smaller means opt-outs are seen sooner. */
  dispatchBatchSize?: number;
  /** Outcomes are written every this many messages within a step (default 50); about twice this can be unrecorded when a sender dies. */
  recordEvery?: number;
  /** Attempts before a temporary failure is recorded as failed. */
  maxAttempts?: number;
  /** The campaign pauses itself after this many failures in a row. */
  pauseAfterFailures?: number;
  /** First retry delay; each further attempt doubles it (capped at ten minutes). */
  retryBaseMs?: number;
  now?: () => Date;
  /** Asked before each step: true when the process is shutting down. */
  stopping?: () => boolean;
};

export function senderId(): string {
  return `${os.hostname()}:${process.pid}:${crypto.randomBytes(4).toString("hex")}`;
}

/** True when the lease holder was a process on this machine that no longer runs (killed, crashed). */
function holderIsGone(owner: string | null): boolean {
  const [host, pidText] = owner?.split(":") ?? [];
  const pid = Number(pidText);
  if (host !== os.hostname() || !Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}

/**
 * The Message-ID's local part for a delivery: the same on every attempt, so the copy a crashed
 * sender may leave behind (ADR 010) can be recognised and dropped by the receiving mailbox.
 * Keyed, so it reveals neither the delivery's id nor how many messages were sent.
 */
export function deliveryMessageIdLocalPart(deliveryId: number): string {
  messageIdKey ??= crypto.createSecretKey(Buffer.from(getEnv().SESSION_SECRET));
  return crypto.createHmac("sha256", messageIdKey).update(`delivery:${deliveryId}`).digest("base64url").slice(0, 32);
}
let messageIdKey: crypto.KeyObject | undefined;

/** What a draft says, written as the campaign starts when the marketer confirmed edits not yet saved. */
export type StartingDraft = { unitId: number; topicId: number; name: string; subject: string; preheader: string; bodyMarkdown: string; advertisementLabel: boolean };

/** Starts a campaign now: freezes who may get it (rule and bounds). Only drafts and scheduled campaigns start. */
export async function startCampaign(campaignId: number, now = new Date(), draft?: StartingDraft): Promise<boolean> {
  const campaign = await db.campaign.findUnique({ where: { id: campaignId }, select: { unitId: true, topicId: true, channel: true } });
  if (!campaign) return false;
  const newest = await db.contact.findFirst({ orderBy: { id: "desc" }, select: { id: true } });
  const rule: PromotionalTarget = { unitId: draft?.unitId ?? campaign.unitId, topicId: draft?.topicId ?? campaign.topicId, channel: campaign.channel };
  return db.$transaction(async (tx) => {
    // The edits are kept even if the start is then refused: the draft holds what the marketer wrote.
    if (draft && (await tx.campaign.updateMany({ where: { id: campaignId, status: "DRAFT" }, data: draft })).count !== 1) return false;
    const started = await tx.campaign.updateMany({
      // An archived topic takes no new campaigns (the composer refuses them; this is the backstop).
      where: { id: campaignId, status: { in: ["DRAFT", "SCHEDULED"] }, topic: { archivedAt: null } },
      data: { status: "SENDING", startedAt: now, maxContactId: newest?.id ?? 0, lastContactId: 0, audienceRule: JSON.stringify(rule) },
    });
    return started.count === 1;
  });
}

/** Starts every scheduled campaign whose time has come. */
export async function startDueCampaigns(now = new Date()): Promise<number[]> {
  const due = await db.campaign.findMany({ where: { status: "SCHEDULED", scheduledAt: { lte: now } }, select: { id: true } });
  const started: number[] = [];
  for (const { id } of due) if (await startCampaign(id, now)) started.push(id);
  return started;
}

/** Takes the lease of one sending campaign that no live sender holds. */
export async function claimNextCampaign(owner: string, now = new Date()): Promise<number | null> {
  const free = { OR: [{ leaseUntil: null }, { leaseUntil: { lt: now } }, { leaseOwner: owner }] };
  const sending = await db.campaign.findMany({ where: { status: "SENDING" }, orderBy: { startedAt: "asc" }, select: { id: true, leaseOwner: true, leaseUntil: true } });
  const candidates = sending
    .map((c) => ({ ...c, holderGone: holderIsGone(c.leaseOwner) }))
    .filter((c) => !c.leaseUntil || c.leaseUntil < now || c.leaseOwner === owner || c.holderGone);
  for (const { id, leaseOwner, holderGone } of candidates.slice(0, 5)) {
    // A dead holder's lease is taken only if it is still that holder's: another sender may have been quicker.
    const stillFree = holderGone ? { OR: [...free.OR, { leaseOwner }] } : free;
    const taken = await db.campaign.updateMany({
      where: { id, status: "SENDING", ...stillFree },
      data: { leaseOwner: owner, leaseUntil: new Date(now.getTime() + LEASE_MS) },
    });
    if (taken.count === 1) {
      // Deliveries the previous holder handed to the transport without recording the answer:
      // send them again (at least once; ADR 010 explains why not at most once).
      await db.delivery.updateMany({ where: { campaignId: id, status: "SENDING" }, data: { status: "PENDING", claimedBy: null } });
      return id;
    }
  }
  return null;
}

export type RunOutcome = "finished" | "paused" | "stopped";

type Campaign = NonNullable<Awaited<ReturnType<typeof loadCampaign>>>;

function loadCampaign(id: number) {
  return db.campaign.findUnique({
    where: { id },
    include: {
      topic: { select: { name: true } },
      unit: true,
    },
  });
}

/** Sends a campaign this sender holds the lease of, until it finishes, pauses, or is taken away. */
export async function runCampaign(campaignId: number, settings: SenderSettings): Promise<RunOutcome> {
  const now = settings.now ?? (() => new Date());
  const batchSize = settings.batchSize ?? 500;
  const campaign = await loadCampaign(campaignId);
  if (!campaign?.audienceRule || campaign.maxContactId === null) return "stopped";
  const rule = JSON.parse(campaign.audienceRule) as PromotionalTarget;
  // Rendered once per campaign; each recipient is a cheap substitution (ADR 010).
  const prepared = await prepareCampaignMessage(
    {
      subject: campaign.subject,
      preheader: campaign.preheader,
      bodyMarkdown: campaign.bodyMarkdown,
      advertisementLabel: campaign.advertisementLabel,
      topicName: campaign.topic.name,
    },
    campaign.unit,
  );
  const step: StepContext = { campaign, rule, prepared, settings, now, batchSize, run: { failuresInARow: 0 } };
  // While one step's messages are on the wire, the next step is claimed, re-checked and signed,
  // so the transport does not wait for the database between steps (ADR 010).
  let next = await prepareStep(step);
  while (next.kind === "step") {
    const [sent, upcoming] = await Promise.allSettled([sendStep(step, next), prepareStep(step)]);
    if (sent.status === "rejected" || upcoming.status === "rejected") {
      // Nothing of the prepared step was sent: it goes back to the queue before the error goes on.
      if (upcoming.status === "fulfilled" && upcoming.value.kind === "step") await releaseDeliveries(upcoming.value.claimed.map((d) => d.id));
      throw sent.status === "rejected" ? sent.reason : (upcoming as PromiseRejectedResult).reason;
    }
    const following = upcoming.value;
    // The campaign may have been paused (by itself or a marketer) while the next step was prepared.
    next = sent.value ? { kind: "done", outcome: "paused" } : following.kind === "step" ? ((await lostHold(step)) ?? following) : following;
    // A step prepared in vain (paused, shutting down, paused by a marketer meanwhile) goes back to the queue.
    if (following.kind === "step" && next !== following) await releaseDeliveries(following.claimed.map((d) => d.id));
  }
  if (next.kind === "stopping") {
    // Let another sender take over at once rather than after the lease runs out.
    await db.campaign.updateMany({ where: { id: campaignId, leaseOwner: settings.owner }, data: { leaseOwner: null, leaseUntil: null } });
    return "stopped";
  }
  return next.outcome;
}

type StepContext = {
  campaign: Campaign;
  rule: PromotionalTarget;
  prepared: PreparedCampaignMessage;
  settings: SenderSettings;
  now: () => Date;
  batchSize: number;
  run: { failuresInARow: number };
};

/** Why there is no step to send: shutting down (the lease is handed back), or the run is over. */
type NoStep = { kind: "stopping" } | { kind: "done"; outcome: RunOutcome };

type StepMessage = { delivery: ClaimedDelivery; recipient: CampaignRecipient };
type Step = { kind: "step"; claimed: ClaimedDelivery[]; skipped: Outcome[]; messages: StepMessage[] };

/** Why this sender may not go on (shutting down, or the lease is gone: paused, cancelled, taken); null when it may. Renews the lease. */
async function lostHold(step: StepContext): Promise<NoStep | null> {
  if (step.settings.stopping?.()) return { kind: "stopping" };
  if (!(await renewLease(step.campaign.id, step.settings.owner, step.now()))) return { kind: "done", outcome: "stopped" };
  return null;
}

/** The next claimed step, ready to send; or why there is none. */
async function prepareStep(step: StepContext): Promise<Step | NoStep> {
  const { campaign, rule, settings, now, batchSize } = step;
  for (;;) {
    const lost = await lostHold(step);
    if (lost) return lost;
    await shareRate(settings, now());
    const current = await db.campaign.findUnique({ where: { id: campaign.id }, select: { lastContactId: true, maxContactId: true } });
    if (!current) return { kind: "done", outcome: "stopped" };
    const enumerating = current.lastContactId < (current.maxContactId ?? 0);
    if (enumerating) await enumerateNextBatch(campaign.id, rule, current.lastContactId, current.maxContactId ?? 0, batchSize, now());
    // A step lasts about STEP_SECONDS at most at this sender's rate: the lease, renewed at
    // every write, never runs out mid-step, and a low rate does not hold many claims.
    const stepSize = Math.max(1, Math.min(settings.dispatchBatchSize ?? Math.min(batchSize, 400), Math.floor(settings.limiter.rate * STEP_SECONDS)));
    const claimed = await claimDueDeliveries(campaign.id, settings.owner, stepSize, now());
    if (claimed.length > 0) return recheckAndSign(step, claimed);
    if (enumerating) continue;
    const waiting = await db.delivery.findFirst({
      where: { campaignId: campaign.id, status: { in: ["PENDING", "SENDING"] } },
      orderBy: { nextAttemptAt: "asc" },
      select: { nextAttemptAt: true },
    });
    if (!waiting) {
      await db.campaign.updateMany({
        where: { id: campaign.id, status: "SENDING" },
        data: { status: "SENT", finishedAt: now(), leaseOwner: null, leaseUntil: null },
      });
      return { kind: "done", outcome: "finished" };
    }
    // Only retries later on, another sender's claims, or the step being sent: wait, a second at most.
    const waitMs = waiting.nextAttemptAt ? Math.min(1000, Math.max(50, waiting.nextAttemptAt.getTime() - now().getTime())) : 200;
    await new Promise((resolve) => setTimeout(resolve, waitMs));
  }
}

async function renewLease(campaignId: number, owner: string, now: Date): Promise<boolean> {
  const renewed = await db.campaign.updateMany({
    where: { id: campaignId, status: "SENDING", leaseOwner: owner },
    data: { leaseUntil: new Date(now.getTime() + LEASE_MS) },
  });
  return renewed.count === 1;
}

/** One rate for every sender on this database: each takes an equal share of it. */
async function shareRate(settings: SenderSettings, now: Date): Promise<void> {
  const senders = await db.campaign.findMany({
    where: { status: "SENDING", leaseUntil: { gt: now } },
    distinct: ["leaseOwner"],
    select: { leaseOwner: true },
  });
  const share = settings.ratePerSecond / Math.max(1, senders.length);
  if (share !== settings.limiter.rate) settings.limiter.setRate(share);
}

/** Writes the next keyset batch of eligible contacts as PENDING deliveries and moves the checkpoint, atomically. */
async function enumerateNextBatch(campaignId: number, rule: PromotionalTarget, after: number, max: number, take: number, now: Date) {
  await db.$transaction(async (tx) => {
    const batch = await findAudienceBatch(tx, rule, now, { afterContactId: after, maxContactId: max, take });
    const checkpoint = batch.length < take ? max : batch[batch.length - 1].id;
    if (batch.length > 0) {
      // Portable SQL (SQLite and PostgreSQL): a retried step must not fail on rows it already
      // wrote. One parameter per contact: each costs the Prisma client time.
      await tx.$executeRaw`INSERT INTO "Delivery" ("campaignId", "contactId", "status", "attempts", "createdAt")
        SELECT ${campaignId}, "id", 'PENDING', 0, ${now} FROM "Contact" WHERE "id" IN (${Prisma.join(batch.map((contact) => contact.id))})
        ON CONFLICT ("campaignId", "contactId") DO NOTHING`;
    }
    // The checkpoint only moves forward from where this step read it: a second writer changes nothing.
    await tx.campaign.updateMany({ where: { id: campaignId, lastContactId: after }, data: { lastContactId: checkpoint } });
  });
}

type ClaimedDelivery = { id: number; attempts: number; contact: { id: number; email: string } };

/** Marks due deliveries as being sent by this sender; only the ones it won are returned. */
async function claimDueDeliveries(campaignId: number, owner: string, take: number, now: Date): Promise<ClaimedDelivery[]> {
  const due = await db.delivery.findMany({
    where: { campaignId, status: "PENDING", OR: [{ nextAttemptAt: null }, { nextAttemptAt: { lte: now } }] },
    orderBy: { id: "asc" },
    take,
    select: { id: true, attempts: true, contact: { select: { id: true, email: true } } },
  });
  if (due.length === 0) return [];
  const claim = `${owner}:${crypto.randomBytes(4).toString("hex")}`;
  // Portable SQL (SQLite and PostgreSQL): a delivery another sender claimed first is no longer
  // PENDING, so it is not returned, and this sender leaves it alone. The attempts come from the
  // claimed row itself, in case another sender tried it since it was read.
  const won = await db.$queryRaw<{ id: number | bigint; attempts: number | bigint }[]>`
    UPDATE "Delivery" SET "status" = 'SENDING', "claimedBy" = ${claim}
    WHERE "id" IN (${Prisma.join(due.map((d) => d.id))}) AND "status" = 'PENDING' RETURNING "id", "attempts"`;
  const attemptsOf = new Map(won.map((row) => [Number(row.id), Number(row.attempts)]));
  return due.filter((d) => attemptsOf.has(d.id)).map((d) => ({ ...d, attempts: attemptsOf.get(d.id)! }));
}

type Outcome =
  | { id: number; result: "sent"; messageId: string }
  | { id: number; result: "skipped"; reason: string }
  | { id: number; result: "retry"; error: string; attempts: number }
  | { id: number; result: "failed"; error: string; attempts: number };

/** Re-checks each claimed delivery's consent, and signs the links of each that may still be sent. */
async function recheckAndSign(step: StepContext, claimed: ClaimedDelivery[]): Promise<Step> {
  const { campaign, rule, now } = step;
  // Invariant 5: consent is read again now, so an opt-out made mid-send stops the remaining deliveries.
  const states = await loadConsentStates(db, claimed.map((d) => d.contact.id));
  const checkedAt = now();
  const skipped: Outcome[] = [];
  const toSend: ClaimedDelivery[] = [];
  for (const delivery of claimed) {
    const state = states.get(delivery.contact.id);
    const reasons = state ? ineligibilityReasons(state, rule, checkedAt) : ["CONTACT_ERASED"];
    if (reasons.length > 0) skipped.push({ id: delivery.id, result: "skipped", reason: reasons.join(", ") });
    else toSend.push(delivery);
  }
  // Each message itself is made just before it is sent, so it is garbage as soon as it is gone.
  const keyring = await getKeyring();
  const messages = toSend.map((delivery): StepMessage => {
    const subscription = states.get(delivery.contact.id)!.subscriptions.find((s) => s.topicId === rule.topicId && s.channel === rule.channel)!;
    const link = { contactId: delivery.contact.id, unitId: rule.unitId };
    return {
      delivery,
      recipient: {
        email: delivery.contact.email,
        unsubscribeUrl: signedUnsubscribeUrl(keyring, { ...link, topicId: rule.topicId, campaignId: campaign.id, channel: rule.channel }),
        preferencesUrl: signedPreferencesUrl(keyring, link),
        reason: subscriptionReason({ topicName: campaign.topic.name, unitName: campaign.unit.displayName, consentedAt: subscription.consentedAt }),
      },
    };
  });
  return { kind: "step", claimed, skipped, messages };
}

/**
 * Sends one step's messages within the shared rate, and records every outcome. Returns true when
 * the campaign paused itself. Outcomes are written every `recordEvery` messages while the lanes
 * go on sending, so a sender that dies leaves at most about two such groups unrecorded (ADR 010).
 */
async function sendStep(step: StepContext, { skipped, messages }: Step): Promise<boolean> {
  const { settings, run } = step;
  const maxAttempts = settings.maxAttempts ?? 5;
  const pauseAfter = settings.pauseAfterFailures ?? 20;
  const recordEvery = settings.recordEvery ?? 50;
  // Outcomes not yet handed to a write, and the write in progress (writes run one at a time).
  let outcomes: Outcome[] = [...skipped];
  let recording: Promise<void> = Promise.resolve();
  let recordError: unknown = null;
  // Set when a write found the lease gone (paused or cancelled by a marketer, taken over) or
  // the process stopping: the lanes take no more messages.
  let holdLost = false;
  let lastError = "";
  let pausedReason: string | null = null;
  let next = 0;
  const recordSoFar = () => {
    const batch = outcomes;
    outcomes = [];
    recording = recording.then(async () => {
      if (recordError !== null) return;
      try {
        const held = await recordOutcomes(step, batch, [], null);
        if (!held || settings.stopping?.()) holdLost = true;
      } catch (error) {
        // The lanes stop and the step fails; its deliveries stay claimed until a sender takes
        // the campaign again, as after a crash.
        recordError = error;
      }
    });
  };
  // Taken by a lane but not sent, because the hold was lost while the lane waited for its turn.
  const notSent: number[] = [];
  let checking = false;
  const holdCheck = setInterval(() => {
    if (checking || holdLost) return;
    checking = true;
    stillHeld(step)
      .then((held) => {
        if (!held) holdLost = true;
      })
      // A failed check is not a lost hold: the outcome writes meet any real database failure.
      .catch(() => {})
      .finally(() => (checking = false));
  }, HOLD_CHECK_MS);
  const lane = async () => {
    while (next < messages.length && pausedReason === null && !holdLost && recordError === null) {
      const { delivery, recipient } = messages[next++];
      const mail = { ...personalize(step.prepared, recipient), messageIdLocalPart: deliveryMessageIdLocalPart(delivery.id) };
      await settings.limiter.take();
      if (holdLost || pausedReason !== null || recordError !== null) {
        notSent.push(delivery.id);
        break;
      }
      try {
        const sent = await settings.transport.send(mail);
        run.failuresInARow = 0;
        outcomes.push({ id: delivery.id, result: "sent", messageId: sent.messageId });
      } catch (error) {
        lastError = describeFailure(error);
        run.failuresInARow += 1;
        const attempts = delivery.attempts + 1;
        const permanent = error instanceof MailDeliveryError ? error.permanent : false;
        outcomes.push({ id: delivery.id, result: permanent || attempts >= maxAttempts ? "failed" : "retry", error: lastError, attempts });
        if (run.failuresInARow >= pauseAfter) pausedReason = `Paused after ${run.failuresInARow} failed deliveries in a row. Last error: ${lastError}`;
      }
      if (outcomes.length >= recordEvery) {
        // One write waits for the one before it, so the unrecorded never exceed two groups.
        await recording;
        if (outcomes.length >= recordEvery) recordSoFar();
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(settings.concurrency, Math.max(1, messages.length)) }, lane));
  } finally {
    clearInterval(holdCheck);
  }
  await recording;
  if (recordError !== null) throw recordError;
  // Lanes take messages in order: those after `next` were not attempted (the campaign paused,
  // the lease was lost), nor those a lane gave up while waiting; they go back to the queue.
  const untouched = [...notSent, ...messages.slice(next).map((m) => m.delivery.id)];
  await recordOutcomes(step, outcomes, untouched, pausedReason);
  return pausedReason !== null;
}

/** True while the campaign is sending and this sender holds it; false once paused, cancelled or taken over, or when shutting down. */
async function stillHeld(step: StepContext): Promise<boolean> {
  if (step.settings.stopping?.()) return false;
  const held = await db.campaign.count({ where: { id: step.campaign.id, status: "SENDING", leaseOwner: step.settings.owner } });
  return held === 1;
}

/** Claimed deliveries that will not be sent now go back to the queue. */
async function releaseDeliveries(ids: number[], client: Db | Tx = db): Promise<void> {
  await client.delivery.updateMany({ where: { id: { in: ids }, status: "SENDING" }, data: { status: "PENDING", claimedBy: null } });
}

/**
 * Writes outcomes and the campaign's counts in one transaction, and renews the lease with them.
 * Returns false when this sender no longer holds the campaign (paused, cancelled, taken over).
 */
async function recordOutcomes(step: StepContext, outcomes: Outcome[], untouched: number[], pausedReason: string | null): Promise<boolean> {
  const { campaign, settings } = step;
  const retryBaseMs = settings.retryBaseMs ?? RETRY_BASE_MS;
  const now = step.now();
  const count = (result: Outcome["result"]) => outcomes.filter((o) => o.result === result).length;
  return db.$transaction(async (tx) => {
    const sent = outcomes.filter((o): o is Extract<Outcome, { result: "sent" }> => o.result === "sent");
    if (sent.length > 0) {
      // One statement for the whole batch: a per-row update costs more than the send itself.
      await tx.$executeRaw`UPDATE "Delivery" SET "status" = 'SENT', "sentAt" = ${now}, "claimedBy" = NULL, "attempts" = "attempts" + 1,
        "messageId" = CASE "id" ${Prisma.join(sent.map((o) => Prisma.sql`WHEN ${o.id} THEN ${o.messageId}`), " ")} END
        WHERE "id" IN (${Prisma.join(sent.map((o) => o.id))})`;
    }
    for (const outcome of outcomes) {
      if (outcome.result === "skipped") {
        await tx.delivery.update({ where: { id: outcome.id }, data: { status: "SKIPPED", error: outcome.reason, claimedBy: null } });
      } else if (outcome.result === "failed") {
        await tx.delivery.update({ where: { id: outcome.id }, data: { status: "FAILED", error: outcome.error, attempts: outcome.attempts, claimedBy: null } });
      } else if (outcome.result === "retry") {
        const backoff = Math.min(RETRY_MAX_MS, retryBaseMs * 2 ** (outcome.attempts - 1));
        await tx.delivery.update({
          where: { id: outcome.id },
          data: { status: "PENDING", error: outcome.error, attempts: outcome.attempts, nextAttemptAt: new Date(now.getTime() + backoff), claimedBy: null },
        });
      }
    }
    if (untouched.length > 0) await releaseDeliveries(untouched, tx);
    // Portable SQL (SQLite and PostgreSQL): the counts always move; the lease is renewed only
    // if this sender still holds it, in the same statement (one query fewer per write, ADR 010).
    const [held] = await tx.$queryRaw<{ held: boolean | number | bigint }[]>`UPDATE "Campaign"
      SET "sentCount" = "sentCount" + ${count("sent")}, "failedCount" = "failedCount" + ${count("failed")},
        "skippedCount" = "skippedCount" + ${count("skipped")}, "updatedAt" = ${now},
        "leaseUntil" = CASE WHEN "status" = 'SENDING' AND "leaseOwner" = ${settings.owner} THEN ${new Date(now.getTime() + LEASE_MS)} ELSE "leaseUntil" END
      WHERE "id" = ${campaign.id}
      RETURNING ("status" = 'SENDING' AND "leaseOwner" = ${settings.owner}) AS "held"`;
    if (pausedReason) {
      await tx.campaign.updateMany({
        where: { id: campaign.id, status: "SENDING" },
        data: { status: "PAUSED", pausedReason, leaseOwner: null, leaseUntil: null },
      });
    }
    return Number(held?.held ?? 0) === 1;
  });
}
