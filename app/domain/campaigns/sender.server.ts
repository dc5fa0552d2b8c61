// The send pipeline (docs/decisions/010-campaign-send-pipeline.md). A campaign that starts
// freezes its audience rule and its bounds (the highest contact id). A sender holding the
// campaign's lease then repeats: claim the deliveries due again (retries, handed back), fill the
// step with the next keyset batch of eligible contacts, listed as Delivery rows already claimed
// (unique on campaign + contact, written before anything is sent; ADR 057), re-check each one's
// consent at dispatch, send within the shared rate, record the outcome. Every step is a database
// write, so a crash anywhere resumes where it stopped.

// This module is the pipeline (steps, lanes, rate, retries, pauses); what it reads and writes
// is the store's (send-store.server.ts), and the mail goes through the messenger: both are
// passed in with the settings, as listmonk's manager takes its store and messengers.

import crypto from "node:crypto";
import os from "node:os";
import { getEnv } from "~/utils/env.server.ts";
import type { Tx } from "~/utils/db.server.ts";
import { recordAudit, type AuditActor } from "~/domain/audit/audit.server.ts";
import { ineligibilityReasons, isActiveSubscription, targetTopicIds, type PromotionalTarget } from "~/domain/consent/eligibility.ts";
import { describeFailure, MailDeliveryError, type MailTransport } from "~/domain/mail/outgoing-mail.server.ts";
import { mailtoUnsubscribeFor, returnPathFor } from "~/domain/feedback/addresses.server.ts";
import { sendTimeSignal } from "~/domain/feedback/send-time.ts";
import type { FeedbackSignal } from "~/domain/feedback/signals.ts";
import { getKeyring } from "~/domain/tokens/keyring.server.ts";
import { unitBounceDomain } from "~/domain/units/sender-facts.server.ts";
import { signedPreferencesUrl, signedUnsubscribeUrl } from "~/domain/tokens/links.server.ts";
import { languageOfLocale } from "~/i18n/languages.ts";
import { personalize, prepareCampaignMessage, type CampaignRecipient, type PreparedCampaignMessage } from "./message.server.ts";
import type { RateLimiter } from "./rate-limit.ts";
import { liveSince, type Heartbeat } from "./heartbeat.server.ts";
import { sendStore, type ClaimedDelivery, type DeliveryOutcome, type SendingCampaign, type SendStore, type StartOptions } from "./send-store.server.ts";

export type { StartingDraft } from "./send-store.server.ts";

const LEASE_MS = 30_000;
const STEP_SECONDS = 5;
const RETRY_BASE_MS = 5_000;
const RETRY_MAX_MS = 10 * 60_000;
// How often a step being sent asks whether the campaign is still this sender's to send: a pause
// or a cancel stops new messages within this (plus one query), not at the next outcome write.
const HOLD_CHECK_MS = 200;

/** The mail transport as the sender sees it. */
export type Messenger = Pick<MailTransport, "send" | "close">;

export type SenderSettings = {
  /** Who holds leases and claims: unique per process. */
  owner: string;
  /** Where campaigns, deliveries and leases are read and written. */
  store: SendStore;
  /** Hands each message to the mail server. */
  messenger: Messenger;
  limiter: RateLimiter;
  /** The configured rate for all senders together; each takes its share. */
  ratePerSecond: number;
  concurrency: number;
  /** Contacts listed as deliveries per step, at most. */
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
  /** This sender's heartbeat (ADR 040): says which campaign it sends; a lapse ends the run in hand. */
  heartbeat?: Pick<Heartbeat, "lapses" | "sending">;
};

export function senderId(): string {
  return `${os.hostname()}:${process.pid}:${crypto.randomBytes(4).toString("hex")}`;
}

/**
 * True when the lease holder is dead: its heartbeat lapsed (on any host, ADR 040), or it was a
 * process on this machine that no longer runs (killed, crashed: known at once).
 */
async function holderIsGone(owner: string | null, store: SendStore, now: Date): Promise<boolean> {
  return processIsGone(owner) || (owner !== null && (await store.senderLapsed(owner, liveSince(now))));
}

function processIsGone(owner: string | null): boolean {
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

/** When a lease taken or renewed at `now` runs out. */
const leaseFrom = (now: Date) => new Date(now.getTime() + LEASE_MS);

/** Starts a campaign now: freezes who may get it (rule and bounds). Only drafts and scheduled campaigns start. */
export function startCampaign(campaignId: number, now = new Date(), options: StartOptions = {}, store: SendStore = sendStore): Promise<boolean> {
  return store.startCampaign(campaignId, now, options);
}

/** Who starts a campaign at its scheduled time, in the audit log: no person acts then. */
const SCHEDULER: AuditActor = { userId: null, email: "scheduler", ip: null, userAgent: null };

/** Starts every scheduled campaign whose time has come; each start is in the audit log, in its own transaction. */
export async function startDueCampaigns(now = new Date(), store: SendStore = sendStore): Promise<number[]> {
  const started: number[] = [];
  for (const { id, scheduledAt } of await store.dueScheduledCampaigns(now)) {
    const onStarted = (tx: Tx) => recordAudit(tx, SCHEDULER, { action: "campaign.send", target: `campaign:${id}`, detail: { scheduledAt: scheduledAt?.toISOString() } });
    if (await store.startCampaign(id, now, { onStarted })) started.push(id);
  }
  return started;
}

/** Takes the lease of one sending campaign that no live sender holds. */
export async function claimNextCampaign(owner: string, now = new Date(), store: SendStore = sendStore): Promise<number | null> {
  const candidates = [];
  for (const c of await store.sendingCampaigns()) {
    const free = !c.leaseUntil || c.leaseUntil < now || c.leaseOwner === owner;
    const holderGone = !free && (await holderIsGone(c.leaseOwner, store, now));
    if (free || holderGone) candidates.push({ ...c, holderGone });
    if (candidates.length === 5) break;
  }
  for (const { id, leaseOwner, holderGone } of candidates) {
    // A dead holder's lease is taken only if it is still that holder's: another sender may have been quicker.
    if (await store.takeLease(id, owner, now, leaseFrom(now), holderGone ? leaseOwner : undefined)) {
      // Deliveries the previous holder handed to the transport without recording the answer:
      // send them again (at least once; ADR 010 explains why not at most once). Where senders
      // share the campaign, only the claims of dead ones (ADR 040), and this sender's own, left by
      // a run of it that failed: it sends one campaign at a time, so none of them is in flight (ADR 057).
      await store.requeueUnrecordedDeliveries(id, liveSince(now), owner);
      return id;
    }
  }
  return null;
}

export type RunOutcome = "finished" | "paused" | "stopped";

/** One campaign being sent by this sender: what every step reads, and the failures in a row so far. */
type CampaignRun = {
  campaign: SendingCampaign;
  rule: PromotionalTarget;
  prepared: PreparedCampaignMessage;
  /** Where this campaign's bounces and mailto unsubscribes come back (the unit's bounce domain). */
  bounceDomain: string;
  settings: SenderSettings;
  store: SendStore;
  now: () => Date;
  batchSize: number;
  failuresInARow: number;
  /** The heartbeat's lapses when the run began: another means others may have taken this sender's claims. */
  lapsesAtStart: number;
};

/** Why there is no step to send: shutting down (the lease is handed back), or the run is over. */
type NoStep = { kind: "stopping" } | { kind: "done"; outcome: RunOutcome };

type StepMessage = { delivery: ClaimedDelivery; recipient: CampaignRecipient };
type Step = { kind: "step"; claimed: ClaimedDelivery[]; skipped: Outcome[]; messages: StepMessage[] };

/** An outcome as the lanes note it; a retry's time is set when it is written. */
type Outcome = Exclude<DeliveryOutcome, { result: "retry" }> | { id: number; result: "retry"; error: string; attempts: number };

const STOPPING: NoStep = { kind: "stopping" };
const done = (outcome: RunOutcome): NoStep => ({ kind: "done", outcome });

/** Sends a campaign this sender holds the lease of, until it finishes, pauses, or is taken away. */
export async function runCampaign(campaignId: number, settings: SenderSettings): Promise<RunOutcome> {
  const { store } = settings;
  const campaign = await store.loadCampaign(campaignId);
  if (!campaign?.audienceRule || campaign.maxContactId === null) return "stopped";
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
    { campaignId: campaign.id, topic: { id: campaign.topicId, slug: campaign.topic.slug } },
  );
  const run: CampaignRun = {
    campaign,
    rule: JSON.parse(campaign.audienceRule) as PromotionalTarget,
    prepared,
    bounceDomain: unitBounceDomain(campaign.unit),
    settings,
    store,
    now: settings.now ?? (() => new Date()),
    batchSize: settings.batchSize ?? 500,
    failuresInARow: 0,
    lapsesAtStart: settings.heartbeat?.lapses ?? 0,
  };
  settings.heartbeat?.sending(campaignId);
  try {
    return await sendSteps(run);
  } finally {
    settings.heartbeat?.sending(null);
  }
}

async function sendSteps(run: CampaignRun): Promise<RunOutcome> {
  const { store, settings } = run;
  const campaignId = run.campaign.id;
  // While one step's messages are on the wire, the next step is claimed, re-checked and signed,
  // so the transport does not wait for the database between steps (ADR 010).
  let next = await prepareStep(run);
  while (next.kind === "step") {
    const [sent, upcoming] = await Promise.allSettled([new StepSending(run, next).send(), prepareStep(run)]);
    if (sent.status === "rejected" || upcoming.status === "rejected") {
      // Nothing of the prepared step was sent: it goes back to the queue before the error goes on.
      if (upcoming.status === "fulfilled" && upcoming.value.kind === "step") await store.releaseDeliveries(upcoming.value.claimed.map((d) => d.id));
      throw sent.status === "rejected" ? sent.reason : (upcoming as PromiseRejectedResult).reason;
    }
    next = await afterStep(run, sent.value, upcoming.value);
  }
  if (next.kind === "stopping") {
    // Let another sender take over at once rather than after the lease runs out.
    await store.releaseLease(campaignId, settings.owner);
    return "stopped";
  }
  return next.outcome;
}

/**
 * What to send next once a step is sent: the step prepared meanwhile, unless the campaign paused
 * itself, or was paused by a marketer, taken over, or the process began stopping while it was
 * prepared. A step prepared in vain goes back to the queue.
 */
async function afterStep(run: CampaignRun, pausedItself: boolean, following: Step | NoStep): Promise<Step | NoStep> {
  if (following.kind !== "step") return pausedItself ? done("paused") : following;
  const stop = pausedItself ? done("paused") : await lostHold(run);
  if (stop === null) return following;
  await run.store.releaseDeliveries(following.claimed.map((d) => d.id));
  return stop;
}

/** Why this sender may not go on (shutting down, or the lease is gone: paused, cancelled, taken); null when it may. Renews the lease. */
async function lostHold(run: CampaignRun): Promise<NoStep | null> {
  if (run.settings.stopping?.()) return STOPPING;
  if (heartbeatLapsed(run)) return done("stopped");
  if (!(await run.store.renewLease(run.campaign.id, run.settings.owner, leaseFrom(run.now())))) return done("stopped");
  return null;
}

/** True while the campaign is sending and this sender holds it; false once paused, cancelled or taken over, or when shutting down. */
async function stillHeld(run: CampaignRun): Promise<boolean> {
  if (run.settings.stopping?.() || heartbeatLapsed(run)) return false;
  return run.store.holdsCampaign(run.campaign.id, run.settings.owner);
}

/** True once this sender was presumed dead during the run: its claims may be another's now. */
const heartbeatLapsed = (run: CampaignRun): boolean => (run.settings.heartbeat?.lapses ?? 0) !== run.lapsesAtStart;

/** The next claimed step, ready to send; or why there is none. */
async function prepareStep(run: CampaignRun): Promise<Step | NoStep> {
  const { campaign, rule, settings, store, now, batchSize } = run;
  for (;;) {
    const lost = await lostHold(run);
    if (lost) return lost;
    await shareRate(run);
    const checkpoint = await store.readCheckpoint(campaign.id);
    if (!checkpoint) return done("stopped");
    const maxContactId = checkpoint.maxContactId ?? 0;
    const enumerating = checkpoint.lastContactId < maxContactId;
    // Deliveries due again first (retries, those handed back), then the step is filled from the
    // audience, listed straight into this sender's hands.
    const size = stepSize(run);
    const claimed = await store.claimDueDeliveries(campaign.id, settings.owner, size, now());
    if (enumerating && claimed.length < size) {
      const take = Math.min(batchSize, size - claimed.length);
      claimed.push(...(await store.listAndClaimNextBatch(campaign.id, settings.owner, rule, checkpoint.lastContactId, maxContactId, take, now())));
    }
    if (claimed.length > 0) return recheckAndSign(run, claimed);
    if (enumerating) continue;
    const waiting = await store.nextUnfinishedDelivery(campaign.id);
    if (!waiting) {
      await store.markCampaignSent(campaign.id, now());
      return done("finished");
    }
    // Only retries later on, another sender's claims, or the step being sent: wait, a second at most.
    const waitMs = waiting.nextAttemptAt ? Math.min(1000, Math.max(50, waiting.nextAttemptAt.getTime() - now().getTime())) : 200;
    await new Promise((resolve) => setTimeout(resolve, waitMs));
  }
}

/**
 * How many deliveries a step claims: about STEP_SECONDS at this sender's rate at most, so the
 * lease, renewed at every write, never runs out mid-step, and a low rate does not hold many claims.
 */
function stepSize({ settings, batchSize }: CampaignRun): number {
  return Math.max(1, Math.min(settings.dispatchBatchSize ?? Math.min(batchSize, 400), Math.floor(settings.limiter.rate * STEP_SECONDS)));
}

/** One rate for every sender on this database: each takes an equal share of it. */
async function shareRate({ settings, store, now }: CampaignRun): Promise<void> {
  const senders = await store.countActiveSenders(liveSince(now()));
  const share = settings.ratePerSecond / Math.max(1, senders);
  if (share !== settings.limiter.rate) settings.limiter.setRate(share);
}

/** Re-checks each claimed delivery's consent, and signs the links of each that may still be sent. */
async function recheckAndSign(run: CampaignRun, claimed: ClaimedDelivery[]): Promise<Step> {
  const { campaign, rule, now } = run;
  // Consent is read again now, so an opt-out made mid-send stops the remaining deliveries.
  const checkedAt = now();
  // With the rule: one that leaves out recent recipients reads everyone's recent sends (ADR 055).
  const states = await run.store.loadConsentStates(claimed.map((d) => d.contact.id), checkedAt, rule);
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
    // The first of the campaign's topics the person counts on: its consent is the footer's "why",
    // its unsubscribe link the one they are offered (ADR 055).
    const subscriptions = states.get(delivery.contact.id)!.subscriptions;
    const subscription = targetTopicIds(rule)
      .map((topicId) => subscriptions.find((s) => s.topicId === topicId && s.channel === rule.channel && isActiveSubscription(s, checkedAt)))
      .find((s) => s !== undefined)!;
    const link = { contactId: delivery.contact.id, unitId: rule.unitId };
    // VERP: the envelope sender and the mailto unsubscribe each name this delivery, signed.
    const ref = { stream: "campaign", deliveryId: delivery.id } as const;
    return {
      delivery,
      recipient: {
        email: delivery.contact.email,
        // For the {{name}} and {{first_name}} merge fields (ADR 054).
        name: delivery.contact.name,
        returnPath: returnPathFor(ref, run.bounceDomain),
        mailtoUnsubscribe: mailtoUnsubscribeFor(ref, run.bounceDomain),
        unsubscribeUrl: signedUnsubscribeUrl(keyring, { ...link, topicId: subscription.topicId, campaignId: campaign.id, channel: rule.channel }),
        preferencesUrl: signedPreferencesUrl(keyring, link),
        consent: { basis: subscription.basis, consentedAt: subscription.consentedAt },
        // The footer in their language, its day in their zone (ADR 047): English and UTC when they never chose.
        language: languageOfLocale(delivery.contact.locale) ?? undefined,
        timeZone: delivery.contact.timeZone,
      },
    };
  });
  return { kind: "step", claimed, skipped, messages };
}

/**
 * One step's messages on their way. Lanes (as many as the concurrency) take the messages in
 * order within the shared rate; the outcomes are written every `recordEvery` messages while the
 * lanes go on sending, so a sender that dies leaves at most about two such groups unrecorded
 * (ADR 010). Every lane stops taking messages once the campaign paused itself, the hold is
 * lost, or a write failed; what the lanes share is the fields below.
 */
class StepSending {
  /** The next message a lane takes; those from here on were not attempted. */
  private next = 0;
  /** Outcomes not yet handed to a write. */
  private unrecorded: Outcome[];
  /** What the permanent refusals among those outcomes say about their addresses (hard bounces...). */
  private unreported: FeedbackSignal[] = [];
  /** The write in progress: writes run one at a time. */
  private recording: Promise<void> = Promise.resolve();
  /** Feedback being recorded, after the outcome writes it follows; the lanes never wait for it. */
  private reporting: Promise<void> = Promise.resolve();
  /** A failed write: the lanes stop and the step fails. */
  private recordError: unknown = null;
  /** The lease is gone (paused or cancelled by a marketer, taken over) or the process is stopping. */
  private holdLost = false;
  /** Set when this step's failures paused the campaign. */
  private pausedReason: string | null = null;
  /** Taken by a lane but not sent, because the lanes stopped while it waited for its turn. */
  private readonly notSent: number[] = [];
  private checkingHold = false;
  private readonly messages: StepMessage[];
  private readonly maxAttempts: number;
  private readonly pauseAfter: number;
  private readonly recordEvery: number;

  constructor(
    private readonly run: CampaignRun,
    step: Step,
  ) {
    this.messages = step.messages;
    this.unrecorded = [...step.skipped];
    this.maxAttempts = run.settings.maxAttempts ?? 5;
    this.pauseAfter = run.settings.pauseAfterFailures ?? 20;
    this.recordEvery = run.settings.recordEvery ?? 50;
  }

  /** Sends the step and records every outcome. True when the campaign paused itself. */
  async send(): Promise<boolean> {
    const holdCheck = setInterval(() => this.checkHold(), HOLD_CHECK_MS);
    try {
      const lanes = Math.min(this.run.settings.concurrency, Math.max(1, this.messages.length));
      await Promise.all(Array.from({ length: lanes }, () => this.lane()));
    } finally {
      clearInterval(holdCheck);
    }
    await this.recording;
    if (this.recordError !== null) throw this.recordError;
    // Those not attempted (the campaign paused, the lease was lost) and those a lane gave up
    // while waiting go back to the queue.
    const untouched = [...this.notSent, ...this.messages.slice(this.next).map((m) => m.delivery.id)];
    await recordOutcomes(this.run, this.unrecorded, untouched, this.pausedReason);
    this.report(this.unreported);
    await this.reporting;
    return this.pausedReason !== null;
  }

  private get stopped(): boolean {
    return this.holdLost || this.pausedReason !== null || this.recordError !== null;
  }

  private async lane(): Promise<void> {
    while (this.next < this.messages.length && !this.stopped) {
      const { delivery, recipient } = this.messages[this.next++];
      const mail = { ...personalize(this.run.prepared, recipient), messageIdLocalPart: deliveryMessageIdLocalPart(delivery.id) };
      await this.run.settings.limiter.take();
      if (this.stopped) {
        this.notSent.push(delivery.id);
        break;
      }
      try {
        const sent = await this.run.settings.messenger.send(mail);
        this.run.failuresInARow = 0;
        this.unrecorded.push({ id: delivery.id, result: "sent", messageId: sent.messageId });
      } catch (error) {
        const outcome = this.failed(delivery, error);
        this.unrecorded.push(outcome);
        const signal = outcome.result === "failed" ? sendTimeFeedback(delivery, mail.returnPath, error) : null;
        if (signal) this.unreported.push(signal);
      }
      if (this.unrecorded.length >= this.recordEvery) {
        // One write waits for the one before it, so the unrecorded never exceed two groups.
        await this.recording;
        if (this.unrecorded.length >= this.recordEvery) this.recordSoFar();
      }
    }
  }

  /** A message the messenger refused: to retry later, or failed for good; enough in a row pause the campaign. */
  private failed(delivery: ClaimedDelivery, error: unknown): Outcome {
    const lastError = describeFailure(error);
    this.run.failuresInARow += 1;
    if (this.run.failuresInARow >= this.pauseAfter) {
      this.pausedReason = `Paused after ${this.run.failuresInARow} failed deliveries in a row. Last error: ${lastError}`;
    }
    const attempts = delivery.attempts + 1;
    const permanent = error instanceof MailDeliveryError ? error.permanent : false;
    return { id: delivery.id, result: permanent || attempts >= this.maxAttempts ? "failed" : "retry", error: lastError, attempts };
  }

  /** Hands the outcomes so far to a write, after the one in progress; then their feedback, once they are written. */
  private recordSoFar(): void {
    const batch = this.unrecorded;
    const signals = this.unreported;
    this.unrecorded = [];
    this.unreported = [];
    this.recording = this.recording.then(async () => {
      if (this.recordError !== null) return;
      try {
        const held = await recordOutcomes(this.run, batch, [], null);
        if (!held || this.run.settings.stopping?.()) this.holdLost = true;
        this.report(signals);
      } catch (error) {
        // Its deliveries stay claimed until a sender takes the campaign again, as after a crash.
        this.recordError = error;
      }
    });
  }

  /**
   * Records the feedback of outcomes already written, one batch after another, beside the
   * lanes. A failure is logged, not thrown: the delivery's own outcome is written already.
   */
  private report(signals: FeedbackSignal[]): void {
    if (signals.length === 0) return;
    this.reporting = this.reporting.then(() =>
      this.run.store.recordSendTimeFeedback(signals).catch((error: unknown) => {
        console.error(`campaign ${this.run.campaign.id}: could not record ${signals.length} refusals as feedback: ${describeFailure(error)}`);
      }),
    );
  }

  /** Asked every HOLD_CHECK_MS, one at a time: a pause or cancel stops the lanes without waiting for a write. */
  private checkHold(): void {
    if (this.checkingHold || this.holdLost) return;
    this.checkingHold = true;
    stillHeld(this.run)
      .then((held) => {
        if (!held) this.holdLost = true;
      })
      // A failed check is not a lost hold: the outcome writes meet any real database failure.
      .catch(() => {})
      .finally(() => (this.checkingHold = false));
  }
}

/** What a permanent refusal says about the delivery's address, when the server said something about it (MailDeliveryError.refusal). */
function sendTimeFeedback(delivery: ClaimedDelivery, returnPath: string | undefined, error: unknown): FeedbackSignal | null {
  if (!(error instanceof MailDeliveryError) || !error.refusal) return null;
  return sendTimeSignal(error.refusal, { ref: { stream: "campaign", deliveryId: delivery.id }, recipient: delivery.contact.email, mailFrom: returnPath });
}

/**
 * Writes outcomes and the campaign's counts, renews the lease and, with a reason, pauses the
 * campaign, in one write; a retry is due after an exponential backoff from now. Returns false
 * when this sender no longer holds the campaign (paused, cancelled, taken over).
 */
function recordOutcomes(run: CampaignRun, outcomes: Outcome[], untouched: number[], pausedReason: string | null): Promise<boolean> {
  const now = run.now();
  const retryBaseMs = run.settings.retryBaseMs ?? RETRY_BASE_MS;
  const written = outcomes.map((outcome): DeliveryOutcome => {
    if (outcome.result !== "retry") return outcome;
    const backoff = Math.min(RETRY_MAX_MS, retryBaseMs * 2 ** (outcome.attempts - 1));
    return { ...outcome, nextAttemptAt: new Date(now.getTime() + backoff) };
  });
  return run.store.recordOutcomes(run.campaign.id, run.settings.owner, { outcomes: written, untouched, pausedReason, now, leaseUntil: leaseFrom(now) });
}
