// What the campaign sender reads and writes, and nothing else: each statement is one function
// named for what it does. The sender (sender.server.ts) decides when and why; this module only
// knows how, so the pipeline can be read without the SQL and the SQL without the pipeline.
// Raw statements are portable SQL (SQLite and PostgreSQL).

import { Prisma } from "~/generated/prisma/client.ts";
import { db, onPostgresql, readDb, type Db, type Tx } from "~/utils/db.server.ts";
import { countAudience, countFrequencyLimited, findAudienceBatch, loadConsentStates } from "~/domain/consent/audience.server.ts";
import type { PromotionalTarget } from "~/domain/consent/eligibility.ts";
import { recordFeedback } from "~/domain/feedback/record.server.ts";
import type { FeedbackSignal } from "~/domain/feedback/signals.ts";

/** What a draft says, written as the campaign starts when the marketer confirmed edits not yet saved. */
export type StartingDraft = { unitId: number; topicId: number; name: string; subject: string; preheader: string; bodyMarkdown: string; advertisementLabel: boolean; excludeRecentDays?: number | null };

/** A delivery this sender holds (SENDING under its claim); the contact's locale and time zone word the footer (ADR 047). */
export type ClaimedDelivery = { id: number; attempts: number; contact: { id: number; email: string; locale: string | null; timeZone: string | null; name?: string | null } };

/** What a step reads of each claimed delivery's contact (SQLite's claim and every listing). */
const CLAIMED_CONTACT = { id: true, email: true, locale: true, timeZone: true, name: true } as const;

/** What became of one delivery, as written down. */
export type DeliveryOutcome =
  | { id: number; result: "sent"; messageId: string }
  | { id: number; result: "skipped"; reason: string }
  | { id: number; result: "retry"; error: string; attempts: number; nextAttemptAt: Date }
  | { id: number; result: "failed"; error: string; attempts: number };

/** The campaign's topics become exactly these, in this order (the first is Campaign.topicId): ADR 055. */
export async function replaceCampaignTopics(tx: Tx, campaignId: number, topicIds: number[]): Promise<void> {
  await tx.campaignTopic.deleteMany({ where: { campaignId } });
  await tx.campaignTopic.createMany({ data: topicIds.map((topicId, position) => ({ campaignId, topicId, position })) });
}

export type SendingCampaign = NonNullable<Awaited<ReturnType<SendStore["loadCampaign"]>>>;

export type SendStore = ReturnType<typeof createSendStore>;

/** How a campaign starts: the draft as confirmed, and the audience already counted for it (counted here when not given). */
export type StartOptions = {
  draft?: StartingDraft;
  audience?: number;
  topicIds?: number[];
  /** Written in the start's own transaction once it has started (the audit entry, ADR 052). */
  onStarted?: (tx: Tx) => Promise<void>;
};

/** A sender process as its heartbeat row says (ADR 040). */
export type SenderBeat = { owner: string; host: string; pid: number; now: Date; campaignId: number | null };

/**
 * `reader` takes the long read-only counts (the audience at start), `client` everything else.
 * `manySendersPerCampaign`: several senders send one campaign at once, each claiming its own
 * batches (PostgreSQL's row locks and SKIP LOCKED); otherwise one sender holds a campaign's lease
 * (SQLite: its single writer gains nothing from more). ADR 040.
 */
export function createSendStore(client: Db, reader: Db = client, { manySendersPerCampaign = onPostgresql() }: { manySendersPerCampaign?: boolean } = {}) {
  /** Claimed deliveries that will not be sent now go back to the queue. */
  async function releaseDeliveries(ids: number[], within: Db | Tx = client): Promise<void> {
    await within.delivery.updateMany({ where: { id: { in: ids }, status: "SENDING" }, data: { status: "PENDING", claimedBy: null } });
  }

  return {
    /** True when several senders send one campaign at once (PostgreSQL), each with its own claims. */
    manySendersPerCampaign,

    /**
     * Freezes who may get the campaign (rule and bounds) and how many that is now, and marks it
     * SENDING; false when it may not start. The count is outside the write: it must not hold the lock.
     */
    async startCampaign(campaignId: number, now: Date, { draft, audience, topicIds: draftTopicIds, onStarted }: StartOptions = {}): Promise<boolean> {
      const campaign = await client.campaign.findUnique({
        where: { id: campaignId },
        select: {
          unitId: true,
          topicId: true,
          channel: true,
          status: true,
          excludeRecentDays: true,
          updatedAt: true,
          topics: { select: { topicId: true }, orderBy: { position: "asc" } },
        },
      });
      if (!campaign || (campaign.status !== "DRAFT" && campaign.status !== "SCHEDULED")) return false;
      // The bound first, then the count: whoever joins in between is counted but never listed, so "still to go" stays an upper bound.
      const newest = await client.contact.findFirst({ orderBy: { id: "desc" }, select: { id: true } });
      // Every topic (ADR 055): the confirmed draft's, else the saved ones, else the one topic of a campaign made before.
      const savedTopicIds = campaign.topics.length > 0 ? campaign.topics.map((t) => t.topicId) : [campaign.topicId];
      const topicIds = draftTopicIds && draftTopicIds.length > 0 ? draftTopicIds : draft ? [draft.topicId] : savedTopicIds;
      const excludeRecentDays = draft && draft.excludeRecentDays !== undefined ? draft.excludeRecentDays : campaign.excludeRecentDays;
      // A one-topic rule with no exclusion is frozen exactly as before: older readers and pages read it unchanged.
      const rule: PromotionalTarget = {
        unitId: draft?.unitId ?? campaign.unitId,
        topicId: topicIds[0],
        channel: campaign.channel,
        ...(topicIds.length > 1 ? { topicIds } : {}),
        ...(excludeRecentDays ? { excludeRecentDays } : {}),
      };
      const audienceCount = audience ?? (await countAudience(reader, rule, now));
      // Those "send me less" leaves out now are never listed: counted here, for the results (ADR 043).
      const frequencyLimitedCount = await countFrequencyLimited(reader, rule, now);
      return client.$transaction(async (tx) => {
        // The edits are kept even if the start is then refused: the draft holds what the marketer wrote.
        if (draft && (await tx.campaign.updateMany({ where: { id: campaignId, status: "DRAFT" }, data: { ...draft, topicId: topicIds[0] } })).count !== 1) return false;
        if (draft) await replaceCampaignTopics(tx, campaignId, topicIds);
        const started = await tx.campaign.updateMany({
          // An archived topic takes no new campaigns (the composer refuses them; this is the backstop).
          // The campaign as counted above: a scheduled campaign edited meanwhile (its topics, its
          // exclusion) starts at the next tick, on its new audience (ADR 052). The draft sent with a
          // start was saved just above, in this transaction.
          where: {
            id: campaignId,
            status: { in: ["DRAFT", "SCHEDULED"] },
            archivedAt: null,
            unitId: rule.unitId,
            topicId: topicIds[0],
            ...(draft ? {} : { updatedAt: campaign.updatedAt }),
            topic: { archivedAt: null },
            topics: { none: { topic: { archivedAt: { not: null } } } },
          },
          data: { status: "SENDING", startedAt: now, maxContactId: newest?.id ?? 0, lastContactId: 0, audienceRule: JSON.stringify(rule), audienceCount, listedCount: 0, frequencyLimitedCount },
        });
        if (started.count !== 1) return false;
        await onStarted?.(tx);
        return true;
      });
    },

    /** Scheduled campaigns whose time has come. */
    dueScheduledCampaigns(now: Date): Promise<{ id: number; scheduledAt: Date | null }[]> {
      return client.campaign.findMany({ where: { status: "SCHEDULED", scheduledAt: { lte: now } }, select: { id: true, scheduledAt: true } });
    },

    /** Every sending campaign with its lease, oldest start first. */
    sendingCampaigns(): Promise<{ id: number; leaseOwner: string | null; leaseUntil: Date | null }[]> {
      return client.campaign.findMany({ where: { status: "SENDING" }, orderBy: { startedAt: "asc" }, select: { id: true, leaseOwner: true, leaseUntil: true } });
    },

    /**
     * Takes a sending campaign's lease if it is free (none, run out, or already this owner's) or
     * still held by `goneHolder`, a holder known to be dead. True when taken.
     */
    async takeLease(campaignId: number, owner: string, now: Date, leaseUntil: Date, goneHolder?: string | null): Promise<boolean> {
      // Shared: a sending campaign is every sender's to join; there is no lease to take.
      if (manySendersPerCampaign) return (await client.campaign.count({ where: { id: campaignId, status: "SENDING" } })) === 1;
      const free: Prisma.CampaignWhereInput[] = [{ leaseUntil: null }, { leaseUntil: { lt: now } }, { leaseOwner: owner }];
      if (goneHolder !== undefined) free.push({ leaseOwner: goneHolder });
      const taken = await client.campaign.updateMany({ where: { id: campaignId, status: "SENDING", OR: free }, data: { leaseOwner: owner, leaseUntil } });
      return taken.count === 1;
    },

    /**
     * Deliveries a previous holder handed to the transport without recording the answer go back to
     * PENDING. With one sender per campaign, every claim is the previous holder's; shared, only
     * the claims of senders with no beat since `liveSince` (dead, on any host), and those of
     * `takenBy`, a sender taking the campaign: it has nothing in flight, so its claims are left
     * from a run that failed (a lost connection mid-step) and would otherwise wait until it stops.
     * Returns how many.
     */
    async requeueUnrecordedDeliveries(campaignId: number, liveSince: Date, takenBy?: string): Promise<number> {
      if (!manySendersPerCampaign) return (await client.delivery.updateMany({ where: { campaignId, status: "SENDING" }, data: { status: "PENDING", claimedBy: null } })).count;
      const ownLeftovers = takenBy === undefined ? Prisma.sql`1 = 0` : Prisma.sql`"claimedBy" = ${takenBy}`;
      return client.$executeRaw`UPDATE "Delivery" SET "status" = 'PENDING', "claimedBy" = NULL
        WHERE "campaignId" = ${campaignId} AND "status" = 'SENDING'
        AND (${ownLeftovers} OR NOT EXISTS (SELECT 1 FROM "Sender" WHERE "Sender"."id" = "Delivery"."claimedBy" AND "Sender"."beatAt" > ${liveSince}))`;
    },

    /** Writes this sender's first beat (or a new one after it was presumed dead). */
    async registerSender({ owner, host, pid, now, campaignId }: SenderBeat): Promise<void> {
      await client.sender.upsert({ where: { id: owner }, create: { id: owner, host, pid, startedAt: now, beatAt: now, campaignId }, update: { beatAt: now, campaignId } });
    },

    /**
     * Renews this sender's beat, only if it has not lapsed (a beat at or before `liveSince` means
     * others may already have taken its claims). False when it had lapsed or was removed.
     */
    async beat(owner: string, now: Date, liveSince: Date, campaignId: number | null): Promise<boolean> {
      return (await client.sender.updateMany({ where: { id: owner, beatAt: { gt: liveSince } }, data: { beatAt: now, campaignId } })).count === 1;
    },

    /** A sender that stops cleanly removes its row (and rows dead for long are swept), so the live are quickly counted. */
    async retireSenders(owner: string | null, deadBefore: Date): Promise<void> {
      await client.sender.deleteMany({ where: { OR: [...(owner ? [{ id: owner }] : []), { beatAt: { lt: deadBefore } }] } });
    },

    /** True when this owner is a sender whose last beat is at or before `liveSince`: it died (on any host). */
    async senderLapsed(owner: string, liveSince: Date): Promise<boolean> {
      return (await client.sender.count({ where: { id: owner, beatAt: { lte: liveSince } } })) === 1;
    },

    /** The campaign with what its message needs (topic name, unit). */
    loadCampaign(campaignId: number) {
      return client.campaign.findUnique({ where: { id: campaignId }, include: { topic: { select: { name: true, slug: true } }, unit: true } });
    },

    /** Moves the lease on to `leaseUntil` if this owner still holds the sending campaign; false when it does not. */
    async renewLease(campaignId: number, owner: string, leaseUntil: Date): Promise<boolean> {
      if (manySendersPerCampaign) return (await client.campaign.count({ where: { id: campaignId, status: "SENDING" } })) === 1;
      const renewed = await client.campaign.updateMany({ where: { id: campaignId, status: "SENDING", leaseOwner: owner }, data: { leaseUntil } });
      return renewed.count === 1;
    },

    /** True while the campaign is sending and this owner holds it. */
    async holdsCampaign(campaignId: number, owner: string): Promise<boolean> {
      if (manySendersPerCampaign) return (await client.campaign.count({ where: { id: campaignId, status: "SENDING" } })) === 1;
      return (await client.campaign.count({ where: { id: campaignId, status: "SENDING", leaseOwner: owner } })) === 1;
    },

    /** How many live senders (a beat since `liveSince`) are sending some campaign: they share the rate. */
    countActiveSenders(liveSince: Date): Promise<number> {
      return client.sender.count({ where: { beatAt: { gt: liveSince }, campaignId: { not: null } } });
    },

    /** Where enumeration of the audience has got to, and where it stops. */
    readCheckpoint(campaignId: number): Promise<{ lastContactId: number; maxContactId: number | null } | null> {
      return client.campaign.findUnique({ where: { id: campaignId }, select: { lastContactId: true, maxContactId: true } });
    },

    /**
     * Lists the next keyset batch of eligible contacts as deliveries this owner holds (SENDING, as
     * a claim leaves them), adds the rows it wrote to the listed count and moves the checkpoint,
     * atomically; returns those deliveries. A delivery is written twice (listed, then its outcome),
     * not three times: on PostgreSQL each write is a row version with entries in every index (ADR 057).
     * Nothing is listed once the campaign is no longer sending.
     */
    async listAndClaimNextBatch(campaignId: number, owner: string, rule: PromotionalTarget, after: number, max: number, take: number, now: Date): Promise<ClaimedDelivery[]> {
      const listed = await client.$transaction(async (tx) => {
        // Senders sharing a campaign list it one at a time: this write locks the campaign's row
        // until the batch is written, and a sender that waited for it finds the checkpoint moved
        // and lists nothing (PostgreSQL re-reads the row after the wait; SQLite has one writer).
        // Only while it is sending: a stop that committed first wins; one that waits for this lock
        // comes after the listing, as after a claim (ADR 052).
        const turn = await tx.$executeRaw`UPDATE "Campaign" SET "lastContactId" = "lastContactId"
          WHERE "id" = ${campaignId} AND "lastContactId" = ${after} AND "status" = 'SENDING'`;
        if (turn !== 1) return [];
        const batch = await findAudienceBatch(tx, rule, now, { afterContactId: after, maxContactId: max, take });
        const checkpoint = batch.length < take ? max : batch[batch.length - 1].id;
        // A retried step must not fail on rows it already wrote, nor count or claim them: only the rows written are.
        // One parameter per contact: each costs the Prisma client time.
        const written =
          batch.length > 0
            ? await tx.$queryRaw<{ id: number | bigint; contactId: number | bigint }[]>`INSERT INTO "Delivery" ("campaignId", "contactId", "status", "claimedBy", "attempts", "createdAt")
            SELECT ${campaignId}, "id", 'SENDING', ${owner}, 0, ${now} FROM "Contact" WHERE "id" IN (${Prisma.join(batch.map((contact) => contact.id))})
            ON CONFLICT ("campaignId", "contactId") DO NOTHING RETURNING "id", "contactId"`
            : [];
        // The checkpoint only moves forward from where this step read it: a second writer moves nothing.
        await tx.$executeRaw`UPDATE "Campaign" SET "listedCount" = "listedCount" + ${written.length},
          "lastContactId" = CASE WHEN "lastContactId" = ${after} THEN ${checkpoint} ELSE "lastContactId" END
          WHERE "id" = ${campaignId}`;
        if (written.length === 0) return [];
        // In the same transaction: if this read fails, nothing stays claimed with nobody to send it.
        const contacts = await tx.contact.findMany({
          where: { id: { in: written.map((row) => Number(row.contactId)) } },
          select: CLAIMED_CONTACT,
        });
        const contactOf = new Map(contacts.map((contact) => [contact.id, contact]));
        return written.map((row) => ({ id: Number(row.id), attempts: 0, contact: contactOf.get(Number(row.contactId))! }));
      });
      return listed.sort((a, b) => a.id - b.id);
    },

    /** Marks up to `take` due deliveries as being sent by this owner; only the ones it won are returned. */
    async claimDueDeliveries(campaignId: number, owner: string, take: number, now: Date): Promise<ClaimedDelivery[]> {
      if (manySendersPerCampaign) {
        // PostgreSQL only: SKIP LOCKED passes over rows another sender is claiming this instant,
        // so senders sharing a campaign take disjoint batches without waiting for one another.
        const won = await client.$queryRaw<{ id: number; attempts: number; contactId: number; email: string; locale: string | null; timeZone: string | null; name: string | null }[]>`
          UPDATE "Delivery" SET "status" = 'SENDING', "claimedBy" = ${owner}
          FROM "Contact"
          WHERE "Contact"."id" = "Delivery"."contactId" AND "Delivery"."id" IN (
            SELECT "id" FROM "Delivery"
            WHERE "campaignId" = ${campaignId} AND "status" = 'PENDING' AND ("nextAttemptAt" IS NULL OR "nextAttemptAt" <= ${now})
            ORDER BY "id" LIMIT ${take} FOR UPDATE SKIP LOCKED)
          -- Only while it is sending: a stop (or pause) that committed first wins; one that waits for
          -- this share lock comes after these claims, so no claim is made once a stop has returned (ADR 052).
          AND EXISTS (SELECT 1 FROM "Campaign" WHERE "id" = ${campaignId} AND "status" = 'SENDING' FOR SHARE)
          RETURNING "Delivery"."id", "Delivery"."attempts", "Delivery"."contactId", "Contact"."email", "Contact"."locale", "Contact"."timeZone", "Contact"."name"`;
        return won
          .map((row) => ({
            id: Number(row.id),
            attempts: Number(row.attempts),
            contact: { id: Number(row.contactId), email: row.email, locale: row.locale, timeZone: row.timeZone, name: row.name },
          }))
          .sort((a, b) => a.id - b.id);
      }
      const due = await client.delivery.findMany({
        where: { campaignId, status: "PENDING", OR: [{ nextAttemptAt: null }, { nextAttemptAt: { lte: now } }] },
        orderBy: { id: "asc" },
        take,
        select: { id: true, attempts: true, contact: { select: CLAIMED_CONTACT } },
      });
      if (due.length === 0) return [];
      // A delivery another sender claimed first is no longer PENDING, so it is not returned, and
      // this sender leaves it alone. The attempts come from the claimed row itself, in case
      // another sender tried it since it was read.
      const won = await client.$queryRaw<{ id: number | bigint; attempts: number | bigint }[]>`
        UPDATE "Delivery" SET "status" = 'SENDING', "claimedBy" = ${owner}
        WHERE "id" IN (${Prisma.join(due.map((d) => d.id))}) AND "status" = 'PENDING'
          AND EXISTS (SELECT 1 FROM "Campaign" WHERE "id" = ${campaignId} AND "status" = 'SENDING') RETURNING "id", "attempts"`;
      const attemptsOf = new Map(won.map((row) => [Number(row.id), Number(row.attempts)]));
      return due.filter((d) => attemptsOf.has(d.id)).map((d) => ({ ...d, attempts: attemptsOf.get(d.id)! }));
    },

    /** The consent state of each of these contacts, read now, with the sends that count at `now`. */
    loadConsentStates(contactIds: number[], now: Date, rule?: PromotionalTarget) {
      return loadConsentStates(client, contactIds, now, rule);
    },

    /** The unfinished delivery due soonest (PENDING or SENDING), or null when every delivery is done. */
    nextUnfinishedDelivery(campaignId: number): Promise<{ nextAttemptAt: Date | null } | null> {
      return client.delivery.findFirst({
        where: { campaignId, status: { in: ["PENDING", "SENDING"] } },
        orderBy: { nextAttemptAt: "asc" },
        select: { nextAttemptAt: true },
      });
    },

    /** Marks a sending campaign SENT and frees its lease. */
    async markCampaignSent(campaignId: number, now: Date): Promise<void> {
      await client.campaign.updateMany({ where: { id: campaignId, status: "SENDING" }, data: { status: "SENT", finishedAt: now, leaseOwner: null, leaseUntil: null } });
    },

    /** Gives the lease back if this owner holds it, so another sender may take over at once. */
    async releaseLease(campaignId: number, owner: string): Promise<void> {
      if (manySendersPerCampaign) return;
      await client.campaign.updateMany({ where: { id: campaignId, leaseOwner: owner }, data: { leaseOwner: null, leaseUntil: null } });
    },

    releaseDeliveries: (ids: number[]) => releaseDeliveries(ids),

    /**
     * Records what refusals while sending said about the addresses (a hard bounce suppresses),
     * one signal after another, each in its own transaction through the feedback core.
     */
    async recordSendTimeFeedback(signals: FeedbackSignal[]): Promise<void> {
      for (const signal of signals) await recordFeedback(signal, client);
    },

    /**
     * Writes outcomes, releases the untouched deliveries, adds to the campaign's counts, renews the
     * lease to `leaseUntil` and, with a reason, pauses the campaign: one transaction. Returns false
     * when this owner no longer holds the campaign (paused, cancelled, taken over). An outcome is
     * written only to a delivery not yet finished, and the counts grow by the rows written, so a
     * sender that lost its lease cannot count a delivery another sender already recorded.
     */
    async recordOutcomes(
      campaignId: number,
      owner: string,
      write: { outcomes: DeliveryOutcome[]; untouched: number[]; pausedReason: string | null; now: Date; leaseUntil: Date },
    ): Promise<boolean> {
      const { outcomes, untouched, pausedReason, now, leaseUntil } = write;
      return client.$transaction(async (tx) => {
        const written = { sent: 0, failed: 0, skipped: 0 };
        const sent = outcomes.filter((o): o is Extract<DeliveryOutcome, { result: "sent" }> => o.result === "sent");
        if (sent.length > 0) {
          // One statement for the whole batch: a per-row update costs more than the send itself.
          written.sent = await tx.$executeRaw`UPDATE "Delivery" SET "status" = 'SENT', "sentAt" = ${now}, "claimedBy" = NULL, "attempts" = "attempts" + 1,
            "messageId" = CASE "id" ${Prisma.join(sent.map((o) => Prisma.sql`WHEN ${o.id} THEN ${o.messageId}`), " ")} END
            WHERE "id" IN (${Prisma.join(sent.map((o) => o.id))}) AND "status" IN ('PENDING', 'SENDING')`;
        }
        for (const outcome of outcomes) {
          const unfinished = { id: outcome.id, status: { in: ["PENDING" as const, "SENDING" as const] } };
          if (outcome.result === "skipped") {
            written.skipped += (await tx.delivery.updateMany({ where: unfinished, data: { status: "SKIPPED", error: outcome.reason, claimedBy: null } })).count;
          } else if (outcome.result === "failed") {
            written.failed += (await tx.delivery.updateMany({ where: unfinished, data: { status: "FAILED", error: outcome.error, attempts: outcome.attempts, claimedBy: null } })).count;
          } else if (outcome.result === "retry") {
            await tx.delivery.updateMany({
              where: unfinished,
              data: { status: "PENDING", error: outcome.error, attempts: outcome.attempts, nextAttemptAt: outcome.nextAttemptAt, claimedBy: null },
            });
          }
        }
        if (untouched.length > 0) await releaseDeliveries(untouched, tx);
        // The counts always move; the lease is renewed only if this owner still holds it, in the
        // same statement (one query fewer per write, ADR 010).
        const [held] = await tx.$queryRaw<{ held: boolean | number | bigint }[]>`UPDATE "Campaign"
          SET "sentCount" = "sentCount" + ${written.sent}, "failedCount" = "failedCount" + ${written.failed},
            "skippedCount" = "skippedCount" + ${written.skipped}, "updatedAt" = ${now},
            "leaseUntil" = CASE WHEN "status" = 'SENDING' AND "leaseOwner" = ${owner} THEN ${leaseUntil} ELSE "leaseUntil" END
          WHERE "id" = ${campaignId}
          RETURNING ("status" = 'SENDING' AND ("leaseOwner" = ${owner} OR ${Prisma.raw(manySendersPerCampaign ? "1 = 1" : "1 = 0")})) AS "held"`;
        if (pausedReason) {
          await tx.campaign.updateMany({ where: { id: campaignId, status: "SENDING" }, data: { status: "PAUSED", pausedReason, leaseOwner: null, leaseUntil: null } });
        }
        return Number(held?.held ?? 0) === 1;
      });
    },
  };
}

/** The store on this process's database. */
export const sendStore: SendStore = createSendStore(db, readDb);

