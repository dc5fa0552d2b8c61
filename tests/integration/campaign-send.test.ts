import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { db } from "~/utils/db.server.ts";
import { applyConsentChange, applyConsentChanges } from "~/domain/consent/changes.server.ts";
import { countAudience } from "~/domain/consent/audience.server.ts";
import { createMailTransport, type MailTransport } from "~/domain/mail/transport.server.ts";
import { ensureSigningKey } from "~/domain/tokens/keyring.server.ts";
import os from "node:os";
import { spawnSync } from "node:child_process";
import { claimNextCampaign, deliveryMessageIdLocalPart, startCampaign, startDueCampaigns } from "~/domain/campaigns/sender.server.ts";
import { startCampaignSender } from "~/domain/campaigns/worker.server.ts";
import type { RunOutcome } from "~/domain/campaigns/sender.server.ts";
import { createSendStore } from "~/domain/campaigns/send-store.server.ts";
import {
  campaignReport,
  cancelSchedule,
  CLI_OPERATOR,
  findCampaign,
  listCampaigns,
  pauseCampaign,
  resumeCampaign,
  scheduleCampaign,
} from "~/domain/campaigns/campaigns.server.ts";
import type { Staff } from "~/domain/accounts/staff.server.ts";
import { NotFoundError } from "~/domain/not-found.ts";
import { createContact, createTopic, createUnit } from "../helpers/fixtures.ts";
import { readOwnAddress } from "~/domain/feedback/addresses.server.ts";
import { headerValues, startSmtpSink, type SmtpSink } from "../helpers/smtp-sink.ts";
import { testsOnPostgresql } from "../helpers/test-database.ts";
import { listWholeAudienceAsPending, runSendersUntilDone } from "../helpers/campaign-sender.ts";
import { DEAD_AFTER_MS } from "~/domain/campaigns/heartbeat.server.ts";

// The send pipeline end to end: real SQLite, a real SMTP server, the real sender loop.

let sink: SmtpSink;
let transport: MailTransport;
let unit: { id: number };
let topic: { id: number };

beforeEach(async () => {
  await ensureSigningKey();
  sink = await startSmtpSink();
  transport = createMailTransport({ MAIL_TRANSPORT: "smtp", SMTP_URL: sink.url, OUTBOX_DIR: "unused" });
  unit = await createUnit();
  topic = await createTopic(unit.id);
});

afterEach(async () => {
  // A campaign a test left sending would be picked up by the next test's senders.
  await db.campaign.updateMany({ where: { status: { in: ["SENDING", "SCHEDULED"] } }, data: { status: "CANCELLED" } });
  await transport.close();
  await sink.close();
});

async function subscribedContacts(n: number, topicId = topic.id) {
  const contacts = [];
  for (let i = 0; i < n; i++) {
    const contact = await createContact();
    await applyConsentChange({ kind: "subscribe", contactId: contact.id, topicId, channel: "EMAIL", basis: "EXPRESS" }, { source: "IMPORT" });
    contacts.push(contact);
  }
  return contacts;
}

function createCampaign(unitId = unit.id, topicId = topic.id) {
  return db.campaign.create({
    data: { unitId, topicId, name: "Spring offers", subject: "Spring offers", bodyMarkdown: "# Spring\n\nOur **best** offers." },
  });
}

type SenderOptions = Parameters<typeof startCampaignSender>[0];

/** Runs senders through this file's SMTP sink until the campaign leaves SENDING; returns its final status. */
const sendUntilDone = (campaignId: number, options: SenderOptions = {}, senders = 1) => runSendersUntilDone(campaignId, { transport, ...options }, senders);

const recipients = () => sink.received.map((m) => m.to).sort();

describe("the send pipeline", () => {
  it("sends exactly one message to each eligible contact, each with its unsubscribe headers", async () => {
    const eligible = await subscribedContacts(8);
    const [unitOptOut, globalOptOut, snoozed, suppressed, unsubscribed, expired] = await subscribedContacts(6);
    const elsewhere = await createContact();
    await applyConsentChange({ kind: "subscribe", contactId: elsewhere.id, topicId: (await createTopic((await createUnit()).id)).id, channel: "EMAIL", basis: "EXPRESS" }, { source: "IMPORT" });
    await applyConsentChanges(
      [
        { kind: "optOutOfUnit", contactId: unitOptOut.id, unitId: unit.id, channel: "EMAIL" },
        { kind: "optOutEverywhere", contactId: globalOptOut.id, channel: "EMAIL" },
        { kind: "snooze", contactId: snoozed.id, unitId: unit.id, until: new Date(Date.now() + 86_400_000) },
        { kind: "suppress", email: suppressed.email, reason: "HARD_BOUNCE" },
        { kind: "unsubscribe", contactId: unsubscribed.id, topicId: topic.id, channel: "EMAIL" },
      ],
      { source: "ADMIN" },
    );
    await db.subscription.updateMany({ where: { contactId: expired.id }, data: { basis: "IMPLIED_INQUIRY", expiresAt: new Date(Date.now() - 1000) } });
    const campaign = await createCampaign();
    expect(await countAudience(db, { unitId: unit.id, topicId: topic.id, channel: "EMAIL" }, new Date())).toBe(8);

    await startCampaign(campaign.id);
    expect(await sendUntilDone(campaign.id, { batchSize: 3 })).toBe("SENT");

    expect(recipients()).toEqual(eligible.map((c) => c.email).sort());
    const deliveryOf = new Map(
      (await db.delivery.findMany({ where: { campaignId: campaign.id }, select: { id: true, contact: { select: { email: true } } } })).map((d) => [d.contact.email, d.id]),
    );
    const bounceDomain = `bounces.${(await db.businessUnit.findUniqueOrThrow({ where: { id: unit.id } })).sendingDomain}`;
    for (const message of sink.received) {
      const listUnsubscribe = await headerValues(message.raw, "List-Unsubscribe");
      expect(listUnsubscribe).toHaveLength(1);
      const [, mailto] = /^<https?:\/\/[^>]+\/u\/[\w-]+\.[\w-]+\.[\w-]+>, <mailto:([^?>]+)\?subject=unsubscribe>$/.exec(listUnsubscribe[0]) ?? [];
      expect(await headerValues(message.raw, "List-Unsubscribe-Post")).toEqual(["List-Unsubscribe=One-Click"]);
      // VERP: MAIL FROM and the mailto each name this recipient's delivery, signed.
      const ref = { stream: "campaign", deliveryId: deliveryOf.get(message.to) };
      expect(readOwnAddress(message.from)).toEqual({ kind: "bounce", ref, domain: bounceDomain });
      expect(readOwnAddress(mailto)).toEqual({ kind: "unsubscribe", ref, domain: bounceDomain });
    }
    const final = await db.campaign.findUniqueOrThrow({ where: { id: campaign.id } });
    expect(final).toMatchObject({ status: "SENT", sentCount: 8, failedCount: 0, leaseOwner: null });
    expect(await db.delivery.count({ where: { campaignId: campaign.id, status: "SENT" } })).toBe(8);
  });

  it("honours an opt-out made during the send: the remaining deliveries to that contact are skipped", async () => {
    const contacts = await subscribedContacts(10);
    const last = contacts[contacts.length - 1];
    const campaign = await createCampaign();
    sink.onMessage = async () => {
      if (sink.received.length === 1) {
        await applyConsentChange({ kind: "optOutOfUnit", contactId: last.id, unitId: unit.id, channel: "EMAIL" }, { source: "ONE_CLICK" });
      }
    };
    await startCampaign(campaign.id);
    // Every contact listed as a delivery before the first send, then dispatched one at a time:
    // only the re-check at dispatch can catch the opt-out.
    await listWholeAudienceAsPending(campaign.id);
    expect(await sendUntilDone(campaign.id, { dispatchBatchSize: 1, concurrency: 1 })).toBe("SENT");
    expect(recipients()).not.toContain(last.email);
    expect(sink.received).toHaveLength(9);
    expect(await db.delivery.findFirst({ where: { campaignId: campaign.id, contactId: last.id } })).toMatchObject({ status: "SKIPPED", error: "UNIT_OPT_OUT" });
  });

  it("lists each step straight into the sender's hands: no delivery waits as PENDING while others are sent", async () => {
    const contacts = await subscribedContacts(12);
    const campaign = await createCampaign();
    const pendingAtEachSend: number[] = [];
    sink.onMessage = async () => {
      pendingAtEachSend.push(await db.delivery.count({ where: { campaignId: campaign.id, status: "PENDING" } }));
    };
    await startCampaign(campaign.id);
    // Up to ten listed per step, four sent per step.
    expect(await sendUntilDone(campaign.id, { batchSize: 10, dispatchBatchSize: 4, concurrency: 1 })).toBe("SENT");
    expect(recipients()).toEqual(contacts.map((c) => c.email).sort());
    expect(pendingAtEachSend).toEqual(contacts.map(() => 0));
    expect(await db.campaign.findUniqueOrThrow({ where: { id: campaign.id }, select: { listedCount: true, sentCount: true } })).toEqual({ listedCount: 12, sentCount: 12 });
  });

  it("retries a temporary refusal with backoff and records a permanent one", async () => {
    const [refused, later, fine] = await subscribedContacts(3);
    let laterTries = 0;
    sink.refuse = (address) => {
      if (address === refused.email) return 550;
      if (address === later.email && ++laterTries === 1) return 451;
    };
    const campaign = await createCampaign();
    await startCampaign(campaign.id);
    expect(await sendUntilDone(campaign.id, { retryBaseMs: 50 })).toBe("SENT");
    expect(recipients()).toEqual([later.email, fine.email].sort());
    const deliveries = await db.delivery.findMany({ where: { campaignId: campaign.id }, orderBy: { contactId: "asc" } });
    expect(deliveries.map((d) => [d.contactId, d.status, d.attempts])).toEqual([
      [refused.id, "FAILED", 1],
      [later.id, "SENT", 2],
      [fine.id, "SENT", 1],
    ]);
    expect(deliveries[0].error).toMatch(/550/);
  });

  it("records a 5xx at RCPT as the bounce its DSN would be: hard ones suppress the address, so the next campaign skips them", async () => {
    const [gone, alsoGone, blocked, busy, fine] = await subscribedContacts(5);
    let busyTries = 0;
    sink.refuse = (address) => {
      if (address === gone.email || address === alsoGone.email) return { code: 550, text: "5.1.1 <" + address + ">: Recipient address rejected: User unknown" };
      if (address === blocked.email) return { code: 550, text: "5.7.1 Client host rejected: blocked by policy" };
      if (address === busy.email && ++busyTries === 1) return 451;
    };
    const campaign = await createCampaign();
    await startCampaign(campaign.id);
    // Outcomes written every 2 messages: feedback follows the writes within a step and at its end.
    expect(await sendUntilDone(campaign.id, { retryBaseMs: 50, recordEvery: 2 })).toBe("SENT");

    // The deliveries' own outcomes are as before: the refused ones failed.
    const deliveries = await db.delivery.findMany({ where: { campaignId: campaign.id }, select: { id: true, contactId: true, status: true } });
    const deliveryOf = (contact: { id: number }) => deliveries.find((d) => d.contactId === contact.id)!;
    expect([gone, alsoGone, blocked, busy, fine].map((c) => deliveryOf(c).status)).toEqual(["FAILED", "FAILED", "FAILED", "SENT", "SENT"]);

    // Each permanent refusal is also feedback, naming its delivery; the temporary one is not.
    const inbound = await db.inboundMessage.findMany({ where: { campaignId: campaign.id }, orderBy: { deliveryId: "asc" } });
    expect(inbound.map((m) => [m.deliveryId, m.via, m.kind, m.status, m.contactId])).toEqual([
      [deliveryOf(gone).id, "SEND_TIME", "HARD_BOUNCE", "5.1.1", gone.id],
      [deliveryOf(alsoGone).id, "SEND_TIME", "HARD_BOUNCE", "5.1.1", alsoGone.id],
      [deliveryOf(blocked).id, "SEND_TIME", "POLICY_BOUNCE", "5.7.1", blocked.id],
    ]);
    expect(inbound[0].diagnostic).toBe(`smtp; 550 5.1.1 <${gone.email}>: Recipient address rejected: User unknown`);
    expect(readOwnAddress(inbound[0].mailFrom!)).toMatchObject({ kind: "bounce", ref: { stream: "campaign", deliveryId: deliveryOf(gone).id } });
    const suppressions = await db.suppression.findMany({ where: { email: { in: [gone.email, alsoGone.email, blocked.email] } }, select: { email: true, reason: true } });
    expect(suppressions.map((x) => [x.email, x.reason]).sort()).toEqual([[gone.email, "HARD_BOUNCE"], [alsoGone.email, "HARD_BOUNCE"]].sort());

    // The next campaign to the same topic leaves the hard-bounced addresses out; the policy bounce is not the address's fault.
    sink.refuse = null;
    sink.received.length = 0;
    const next = await createCampaign();
    await startCampaign(next.id);
    expect(await sendUntilDone(next.id)).toBe("SENT");
    expect(recipients()).toEqual([blocked.email, busy.email, fine.email].sort());
  });

  it("pauses itself after a run of failures and says why", async () => {
    await subscribedContacts(6);
    sink.refuse = () => 550;
    const campaign = await createCampaign();
    await startCampaign(campaign.id);
    expect(await sendUntilDone(campaign.id, { pauseAfterFailures: 3, concurrency: 1 })).toBe("PAUSED");
    const paused = await db.campaign.findUniqueOrThrow({ where: { id: campaign.id } });
    expect(paused.pausedReason).toMatch(/^Paused after 3 failed deliveries in a row\. Last error: .*550/);
    expect(paused.failedCount).toBe(3);
  });

  it("two senders on one database send each message once", async () => {
    const contacts = await subscribedContacts(40);
    const campaign = await createCampaign();
    await startCampaign(campaign.id);
    expect(await sendUntilDone(campaign.id, { batchSize: 5 }, 2)).toBe("SENT");
    expect(recipients()).toEqual(contacts.map((c) => c.email).sort());
    expect(await db.campaign.findUniqueOrThrow({ where: { id: campaign.id }, select: { audienceCount: true, listedCount: true, sentCount: true } })).toEqual({ audienceCount: 40, listedCount: 40, sentCount: 40 });
  });

  it("resumes after a crash without a gap and without resending what was recorded as sent", async () => {
    const contacts = await subscribedContacts(12);
    const campaign = await createCampaign();
    await startCampaign(campaign.id);
    // What a sender killed mid-campaign leaves: a lease run out, the first four recorded as sent,
    // two handed to the transport without an answer, listing stopped after the eighth contact.
    const at = (i: number) => contacts[i].id;
    await db.campaign.update({
      where: { id: campaign.id },
      data: { leaseOwner: "dead-sender", leaseUntil: new Date(Date.now() - 1000), lastContactId: at(7), listedCount: 8, sentCount: 4 },
    });
    await db.delivery.createMany({
      data: contacts.slice(0, 8).map((c, i) => ({
        campaignId: campaign.id,
        contactId: c.id,
        status: i < 4 ? "SENT" : i < 6 ? "SENDING" : "PENDING",
        claimedBy: i >= 4 && i < 6 ? "dead-sender:1" : null,
      })),
    });
    expect((await campaignReport(CLI_OPERATOR, campaign.id)).counts).toEqual({ audience: 12, listed: 8, sent: 4, failed: 0, skipped: 0, waiting: 4, remaining: 8 });
    expect(await sendUntilDone(campaign.id)).toBe("SENT");
    expect(recipients()).toEqual(contacts.slice(4).map((c) => c.email).sort());
    expect(await db.delivery.count({ where: { campaignId: campaign.id, status: "SENT" } })).toBe(12);
    // The re-sent two are counted once each: the counts kept with the campaign match its deliveries.
    expect((await campaignReport(CLI_OPERATOR, campaign.id)).counts).toEqual({ audience: 12, listed: 12, sent: 12, failed: 0, skipped: 0, waiting: 0, remaining: 0 });
    // A re-sent delivery keeps the Message-ID its first attempt had, so the mailbox can drop the copy.
    const resent = await db.delivery.findFirstOrThrow({ where: { campaignId: campaign.id, contactId: at(4) } });
    const message = sink.received.find((m) => m.to === contacts[4].email)!;
    expect(await headerValues(message.raw, "message-id")).toEqual([`<${deliveryMessageIdLocalPart(resent.id)}@${(await db.businessUnit.findUniqueOrThrow({ where: { id: unit.id } })).sendingDomain}>`]);
    expect(resent.messageId).toBe(`<${deliveryMessageIdLocalPart(resent.id)}@${(await db.businessUnit.findUniqueOrThrow({ where: { id: unit.id } })).sendingDomain}>`);
  });

  // On PostgreSQL senders share a campaign (ADR 040): there is no lease to take over or keep.
  it.skipIf(testsOnPostgresql)("takes over at once from a sender on this machine that was killed, without waiting for its lease", async () => {
    await subscribedContacts(2);
    const campaign = await createCampaign();
    await startCampaign(campaign.id);
    // The pid of a process that has exited: what a SIGKILLed sender leaves in the lease.
    const deadPid = spawnSync(process.execPath, ["-e", "0"]).pid!;
    await db.campaign.update({ where: { id: campaign.id }, data: { leaseOwner: `${os.hostname()}:${deadPid}:abcd`, leaseUntil: new Date(Date.now() + 30_000) } });
    expect(await claimNextCampaign("sender-b")).toBe(campaign.id);
    // A live process's lease (this one's) is respected until it runs out.
    await db.campaign.update({ where: { id: campaign.id }, data: { leaseOwner: `${os.hostname()}:${process.ppid}:abcd`, leaseUntil: new Date(Date.now() + 30_000) } });
    expect(await claimNextCampaign("sender-c")).toBeNull();
  });

  it.skipIf(testsOnPostgresql)("a live lease keeps other senders away", async () => {
    await subscribedContacts(2);
    const campaign = await createCampaign();
    await startCampaign(campaign.id);
    expect(await claimNextCampaign("sender-a")).toBe(campaign.id);
    expect(await claimNextCampaign("sender-b")).toBeNull();
  });
});

describe("senders on many hosts (ADR 040)", () => {
  const slowSink = async () => {
    const other = await startSmtpSink();
    // A relay's latency, so that each sender has messages on the wire while the other claims.
    other.onMessage = () => new Promise((resolve) => setTimeout(resolve, 5));
    return other;
  };

  it("two senders on one campaign: on PostgreSQL both send, in disjoint batches; on SQLite one holds it; every delivery is sent exactly once", async () => {
    const contacts = await subscribedContacts(60);
    const campaign = await createCampaign();
    await startCampaign(campaign.id);
    // Each sender mails through its own sink: what each sink received is what that sender sent.
    const sinks = [await slowSink(), await slowSink()];
    const transports = sinks.map((s) => createMailTransport({ MAIL_TRANSPORT: "smtp", SMTP_URL: s.url, OUTBOX_DIR: "unused" }));
    const senders = transports.map((t) => startCampaignSender({ transport: t, pollMs: 10, ratePerSecond: 5000, concurrency: 2, dispatchBatchSize: 4, batchSize: 10, recordEvery: 2 }));
    try {
      await vi.waitFor(async () => expect((await db.campaign.findUniqueOrThrow({ where: { id: campaign.id } })).status).toBe("SENT"), { timeout: 30_000, interval: 25 });
    } finally {
      await Promise.all(senders.map((s) => s.stop()));
      await Promise.all(transports.map((t) => t.close()));
      await Promise.all(sinks.map((s) => s.close()));
    }
    const each = sinks.map((s) => s.received.map((m) => m.to));
    expect([...each[0], ...each[1]].sort()).toEqual(contacts.map((c) => c.email).sort());
    if (testsOnPostgresql) expect(each.map((to) => to.length > 0)).toEqual([true, true]);
    else expect(each.filter((to) => to.length > 0)).toHaveLength(1);
    const statuses = await db.delivery.groupBy({ by: ["status"], where: { campaignId: campaign.id }, _count: true });
    expect(Object.fromEntries(statuses.map((d) => [d.status, d._count]))).toEqual({ SENT: 60 });
    expect(await db.campaign.findUniqueOrThrow({ where: { id: campaign.id }, select: { listedCount: true, sentCount: true } })).toEqual({ listedCount: 60, sentCount: 60 });
    // Stopped cleanly, the senders' heartbeat rows are gone.
    expect(await db.sender.count({ where: { id: { in: senders.map((s) => s.owner) } } })).toBe(0);
  });

  it("a sender on another host that stops beating is noticed within 10 s of its last beat, and what it had claimed is sent by another", async () => {
    const contacts = await subscribedContacts(10);
    const campaign = await createCampaign();
    await startCampaign(campaign.id);
    // What a sender on another host leaves when it is killed mid-step: its last beat, its
    // claims of five deliveries never answered, and (one sender per campaign) its lease.
    const dead = "host-b:4242:dead";
    const store = createSendStore(db);
    const lastBeat = new Date();
    await db.sender.create({ data: { id: dead, host: "host-b", pid: 4242, startedAt: lastBeat, beatAt: lastBeat, campaignId: campaign.id } });
    await db.campaign.update({ where: { id: campaign.id }, data: { leaseOwner: dead, leaseUntil: new Date(lastBeat.getTime() + 30_000) } });
    const rule = { unitId: unit.id, topicId: topic.id, channel: "EMAIL" as const };
    const claimed = await store.listAndClaimNextBatch(campaign.id, dead, rule, 0, contacts.at(-1)!.id, 5, lastBeat);
    expect(claimed).toHaveLength(5);

    expect(await sendUntilDone(campaign.id)).toBe("SENT");
    expect(recipients()).toEqual(contacts.map((c) => c.email).sort());
    const claimedEmails = new Set(claimed.map((d) => d.contact.email));
    const resent = sink.received.filter((m) => claimedEmails.has(m.to));
    expect(resent).toHaveLength(5);
    for (const message of resent) {
      // Not before its beat had lapsed (a live sender's claims are left alone), and within 10 s of it.
      expect(message.at - lastBeat.getTime()).toBeGreaterThanOrEqual(DEAD_AFTER_MS);
      expect(message.at - lastBeat.getTime()).toBeLessThanOrEqual(10_000);
    }
    expect(await db.campaign.findUniqueOrThrow({ where: { id: campaign.id }, select: { sentCount: true } })).toEqual({ sentCount: 10 });
  });

  it("a listing written but not answered (the connection lost after the commit) is sent once the sender takes the campaign again", async () => {
    const contacts = await subscribedContacts(6);
    const campaign = await createCampaign();
    await startCampaign(campaign.id);
    const real = createSendStore(db);
    let lostAnswers = 0;
    const store: typeof real = {
      ...real,
      async listAndClaimNextBatch(...args) {
        const listed = await real.listAndClaimNextBatch(...args);
        if (listed.length > 0 && lostAnswers === 0) {
          lostAnswers += 1;
          throw new Error("Connection terminated unexpectedly");
        }
        return listed;
      },
    };
    // The sender lives on (it beats), so only its own return to the campaign can hand these claims back.
    expect(await sendUntilDone(campaign.id, { store, batchSize: 3, dispatchBatchSize: 3 })).toBe("SENT");
    expect(lostAnswers).toBe(1);
    expect(recipients()).toEqual(contacts.map((c) => c.email).sort());
  });

  it("a sender that finds its own beat lapsed stops the campaign in hand: others may have taken its claims", async () => {
    const contacts = await subscribedContacts(50);
    const campaign = await createCampaign();
    await startCampaign(campaign.id);
    let ended: RunOutcome | null = null;
    // 10 a second: the campaign lasts five seconds, longer than the two until the next beat finds the lapse set up below.
    const sender = startCampaignSender({ transport, pollMs: 10, ratePerSecond: 10, concurrency: 1, onRun: (id, outcome) => id === campaign.id && (ended ??= outcome) });
    try {
      await vi.waitFor(() => expect(sink.received.length).toBeGreaterThanOrEqual(2), { timeout: 10_000, interval: 5 });
      // As if its beats had not reached the database for longer than DEAD_AFTER_MS.
      await db.sender.update({ where: { id: sender.owner }, data: { beatAt: new Date(Date.now() - DEAD_AFTER_MS - 1000) } });
      await vi.waitFor(() => expect(ended).toBe("stopped"), { timeout: 10_000, interval: 10 });
      // It beats anew, takes the campaign again, and finishes it, each contact mailed once.
      await vi.waitFor(async () => expect((await db.campaign.findUniqueOrThrow({ where: { id: campaign.id } })).status).toBe("SENT"), { timeout: 20_000, interval: 25 });
    } finally {
      await sender.stop();
    }
    expect(recipients()).toEqual(contacts.map((c) => c.email).sort());
  });
});

describe("schedule, cancel, pause and resume", () => {
  const statusOf = async (id: number) => (await db.campaign.findUniqueOrThrow({ where: { id } })).status;

  it("a scheduled campaign starts when its time comes, not before; a cancelled one never starts", async () => {
    await subscribedContacts(2);
    const now = new Date();
    const at = new Date(now.getTime() + 3_600_000);
    const scheduled = await createCampaign();
    const cancelled = await createCampaign();
    await expect(scheduleCampaign(CLI_OPERATOR, scheduled.id, new Date(now.getTime() + 10_000), now)).rejects.toThrow(/at least a minute from now/);
    await scheduleCampaign(CLI_OPERATOR, scheduled.id, at, now);
    await scheduleCampaign(CLI_OPERATOR, cancelled.id, at, now);
    await cancelSchedule(CLI_OPERATOR, cancelled.id);
    expect(await statusOf(cancelled.id)).toBe("DRAFT");
    await expect(cancelSchedule(CLI_OPERATOR, cancelled.id)).rejects.toThrow(/Only a scheduled campaign/);

    expect(await startDueCampaigns(new Date(at.getTime() - 1000))).toEqual([]);
    expect(await statusOf(scheduled.id)).toBe("SCHEDULED");
    expect(await startDueCampaigns(at)).toEqual([scheduled.id]);
    expect(await statusOf(scheduled.id)).toBe("SENDING");
    expect(await statusOf(cancelled.id)).toBe("DRAFT");
    // Once it has started it can no longer be cancelled.
    await expect(cancelSchedule(CLI_OPERATOR, scheduled.id)).rejects.toThrow(/may have started already/);
  });

  it("a paused campaign stops sending; resumed, it finishes with each contact mailed once", async () => {
    const contacts = await subscribedContacts(10);
    const campaign = await createCampaign();
    await startCampaign(campaign.id);
    let paused = false;
    sink.onMessage = async () => {
      if (sink.received.length === 3 && !paused) {
        paused = true;
        await pauseCampaign(CLI_OPERATOR, campaign.id);
      }
    };
    // Steps of two messages, one at a time: the pause is seen at the next step.
    expect(await sendUntilDone(campaign.id, { dispatchBatchSize: 2, concurrency: 1 })).toBe("PAUSED");
    const whilePaused = sink.received.length;
    expect(whilePaused).toBeGreaterThanOrEqual(3);
    expect(whilePaused).toBeLessThan(contacts.length);
    expect((await db.campaign.findUniqueOrThrow({ where: { id: campaign.id } })).pausedReason).toBe("Paused by a marketer.");
    await expect(pauseCampaign(CLI_OPERATOR, campaign.id)).rejects.toThrow(/Only a campaign that is sending/);
    // What the page shows while paused: the listed are those with a delivery row, the rest still to go.
    const listedWhilePaused = await db.delivery.count({ where: { campaignId: campaign.id } });
    expect((await campaignReport(CLI_OPERATOR, campaign.id)).counts).toEqual({
      audience: 10,
      listed: listedWhilePaused,
      sent: whilePaused,
      failed: 0,
      skipped: 0,
      waiting: listedWhilePaused - whilePaused,
      remaining: 10 - whilePaused,
    });

    // Nothing goes out while it is paused, whoever is running. A campaign due now with nobody to
    // mail shows a sender's passes: once it has started, been claimed and finished, the paused one was passed over.
    const due = await db.campaign.update({
      where: { id: (await createCampaign(unit.id, (await createTopic(unit.id)).id)).id },
      data: { status: "SCHEDULED", scheduledAt: new Date(Date.now() - 1000) },
    });
    let finishedDue!: () => void;
    const dueFinished = new Promise<void>((resolve) => (finishedDue = resolve));
    const idle = startCampaignSender({ transport, pollMs: 10, onRun: (id, outcome) => id === due.id && outcome === "finished" && finishedDue() });
    let giveUp: NodeJS.Timeout | undefined;
    const finished = await Promise.race([dueFinished.then(() => true), new Promise<false>((resolve) => (giveUp = setTimeout(() => resolve(false), 10_000)))]);
    clearTimeout(giveUp);
    await idle.stop();
    expect(sink.received.length).toBe(whilePaused);
    expect(finished, "the sender did not finish the due campaign within 10 s").toBe(true);
    expect(await statusOf(due.id)).toBe("SENT");

    await resumeCampaign(CLI_OPERATOR, campaign.id);
    expect(await sendUntilDone(campaign.id)).toBe("SENT");
    expect(recipients()).toEqual(contacts.map((c) => c.email).sort());
    expect((await campaignReport(CLI_OPERATOR, campaign.id)).counts).toEqual({ audience: 10, listed: 10, sent: 10, failed: 0, skipped: 0, waiting: 0, remaining: 0 });
  });
});

describe("the counts the campaign page shows", () => {
  it("come from the campaign: an opt-out after the start leaves the frozen audience and 'still to go' as counted, an estimate that listing settles", async () => {
    const contacts = await subscribedContacts(6);
    const campaign = await createCampaign();
    await startCampaign(campaign.id);
    // Not listed yet: the page says at most 6 remain, as counted at the start; it does not recount.
    await applyConsentChange({ kind: "unsubscribe", contactId: contacts[5].id, topicId: topic.id, channel: "EMAIL" }, { source: "PREFERENCE_CENTER" });
    expect((await campaignReport(CLI_OPERATOR, campaign.id)).counts).toEqual({ audience: 6, listed: 0, sent: 0, failed: 0, skipped: 0, waiting: 0, remaining: 6 });
    expect(await sendUntilDone(campaign.id, { batchSize: 2 })).toBe("SENT");
    expect((await campaignReport(CLI_OPERATOR, campaign.id)).counts).toEqual({ audience: 6, listed: 5, sent: 5, failed: 0, skipped: 0, waiting: 0, remaining: 0 });
  });

  it("count each delivery once when a sender that lost its lease writes an outcome another sender already wrote", async () => {
    const [contact] = await subscribedContacts(1);
    const campaign = await createCampaign();
    await startCampaign(campaign.id);
    const store = createSendStore(db);
    const now = new Date();
    const lease = new Date(now.getTime() + 30_000);
    // A sender lists and claims it and sends; its lease runs out before it writes; another takes over, sends it again and writes first.
    const [slow] = await store.listAndClaimNextBatch(campaign.id, "slow", { unitId: unit.id, topicId: topic.id, channel: "EMAIL" }, 0, contact.id, 10, now);
    await store.requeueUnrecordedDeliveries(campaign.id, new Date());
    const [quick] = await store.claimDueDeliveries(campaign.id, "quick", 10, now);
    expect(quick.id).toBe(slow.id);
    await store.recordOutcomes(campaign.id, "quick", { outcomes: [{ id: quick.id, result: "sent", messageId: "<b@x>" }], untouched: [], pausedReason: null, now, leaseUntil: lease });
    await store.recordOutcomes(campaign.id, "slow", { outcomes: [{ id: slow.id, result: "failed", error: "timeout", attempts: 1 }], untouched: [], pausedReason: null, now, leaseUntil: lease });
    await store.recordOutcomes(campaign.id, "slow", { outcomes: [{ id: slow.id, result: "sent", messageId: "<a@x>" }], untouched: [], pausedReason: null, now, leaseUntil: lease });
    expect(await db.delivery.findUniqueOrThrow({ where: { id: quick.id }, select: { status: true, messageId: true } })).toEqual({ status: "SENT", messageId: "<b@x>" });
    expect(await db.campaign.findUniqueOrThrow({ where: { id: campaign.id }, select: { listedCount: true, sentCount: true, failedCount: true } })).toEqual({ listedCount: 1, sentCount: 1, failedCount: 0 });
  });
});

describe("send me less (ADR 043)", () => {
  /** Records that the contact got a campaign of the unit `daysAgo` days ago, as the sender would have. */
  async function sentEarlier(contactId: number, unitId: number, topicId: number, daysAgo: number) {
    const earlier = await db.campaign.create({ data: { unitId, topicId, name: "Earlier", subject: "Earlier", status: "SENT" } });
    await db.delivery.create({ data: { campaignId: earlier.id, contactId, status: "SENT", sentAt: new Date(Date.now() - daysAgo * 86_400_000) } });
  }

  it("a weekly choice that got the unit's campaign 2 days ago is left out of the unit's next campaign, counted, but not of another unit's", async () => {
    const [weekly, everything] = await subscribedContacts(2);
    const otherUnit = await createUnit();
    const otherTopic = await createTopic(otherUnit.id);
    for (const contact of [weekly, everything]) {
      await applyConsentChange({ kind: "subscribe", contactId: contact.id, topicId: otherTopic.id, channel: "EMAIL", basis: "EXPRESS" }, { source: "IMPORT" });
      await sentEarlier(contact.id, unit.id, topic.id, 2);
      await sentEarlier(contact.id, otherUnit.id, otherTopic.id, 2);
    }
    await applyConsentChange({ kind: "setFrequency", contactId: weekly.id, unitId: unit.id, frequency: "WEEKLY" }, { source: "LINK_PAGE" });

    const same = await createCampaign();
    await startCampaign(same.id);
    expect(await sendUntilDone(same.id)).toBe("SENT");
    expect(recipients()).toEqual([everything.email]);
    expect((await campaignReport(CLI_OPERATOR, same.id)).leftOutByFrequency).toBe(1);

    // Another unit's campaign, also sent to them 2 days ago: the choice was for the first unit only.
    const other = await createCampaign(otherUnit.id, otherTopic.id);
    await startCampaign(other.id);
    expect(await sendUntilDone(other.id)).toBe("SENT");
    expect(recipients()).toEqual([everything.email, everything.email, weekly.email].sort());
    expect((await campaignReport(CLI_OPERATOR, other.id)).leftOutByFrequency).toBe(0);
  });

  it("a choice made during the send is honoured by the re-check at dispatch, and counted as left out", async () => {
    const contacts = await subscribedContacts(6);
    const last = contacts[contacts.length - 1];
    await sentEarlier(last.id, unit.id, topic.id, 2);
    const campaign = await createCampaign();
    sink.onMessage = async () => {
      if (sink.received.length === 1) await applyConsentChange({ kind: "setFrequency", contactId: last.id, unitId: unit.id, frequency: "WEEKLY" }, { source: "LINK_PAGE" });
    };
    await startCampaign(campaign.id);
    await listWholeAudienceAsPending(campaign.id);
    expect(await sendUntilDone(campaign.id, { dispatchBatchSize: 1, concurrency: 1 })).toBe("SENT");
    expect(recipients()).not.toContain(last.email);
    expect(await db.delivery.findFirst({ where: { campaignId: campaign.id, contactId: last.id } })).toMatchObject({ status: "SKIPPED", error: "FREQUENCY_LIMIT" });
    expect((await campaignReport(CLI_OPERATOR, campaign.id)).leftOutByFrequency).toBe(1);
  });
});

describe("a pause in the middle of a step", () => {
  it("stops new messages within a second of the pause, hands the unsent claims back, and resume sends each of them exactly once", async () => {
    const contacts = await subscribedContacts(60);
    const campaign = await createCampaign();
    await startCampaign(campaign.id);
    let ended: RunOutcome | null = null;
    // 20 a second: the whole audience is claimed as one step that takes three seconds to send,
    // and outcomes are written every 50 messages, so only a check within the step can see the pause.
    const sender = startCampaignSender({ transport, pollMs: 10, ratePerSecond: 20, concurrency: 4, onRun: (id, outcome) => id === campaign.id && (ended = outcome) });
    let pausedAt = 0;
    try {
      await vi.waitFor(() => expect(sink.received.length).toBeGreaterThanOrEqual(10), { timeout: 10_000, interval: 5 });
      await pauseCampaign(CLI_OPERATOR, campaign.id);
      pausedAt = Date.now();
      // The sender's run of this campaign has ended: nothing more can go out from it.
      await vi.waitFor(() => expect(ended).not.toBeNull(), { timeout: 10_000, interval: 10 });
    } finally {
      await sender.stop();
    }
    const late = sink.received.filter((m) => m.at > pausedAt + 1000);
    expect(late.map((m) => `${m.to} ${m.at - pausedAt} ms after the pause`)).toEqual([]);
    expect(sink.received.length).toBeLessThan(contacts.length);
    const byStatus = await db.delivery.groupBy({ by: ["status"], where: { campaignId: campaign.id }, _count: true });
    expect(Object.fromEntries(byStatus.map((d) => [d.status, d._count]))).toEqual({ SENT: sink.received.length, PENDING: contacts.length - sink.received.length });
    expect((await db.campaign.findUniqueOrThrow({ where: { id: campaign.id } })).status).toBe("PAUSED");

    await resumeCampaign(CLI_OPERATOR, campaign.id);
    expect(await sendUntilDone(campaign.id)).toBe("SENT");
    expect(recipients()).toEqual(contacts.map((c) => c.email).sort());
  });
});

describe("outcomes within a step", () => {
  it("are written every few messages while the step is sent, and a pause is seen at the next write", async () => {
    const contacts = await subscribedContacts(14);
    const campaign = await createCampaign();
    await startCampaign(campaign.id);
    let sentInDatabaseAtFifth = -1;
    sink.onMessage = async () => {
      if (sink.received.length === 5) {
        sentInDatabaseAtFifth = await db.delivery.count({ where: { campaignId: campaign.id, status: "SENT" } });
        await pauseCampaign(CLI_OPERATOR, campaign.id);
      }
    };
    // One step for every contact, sent one at a time, outcomes written every two messages.
    expect(await sendUntilDone(campaign.id, { dispatchBatchSize: 14, recordEvery: 2, concurrency: 1 })).toBe("PAUSED");
    // Earlier messages were on record before the fifth was sent, not only once the step ended.
    expect(sentInDatabaseAtFifth).toBeGreaterThanOrEqual(2);
    // The pause is seen by the write after it, while the next group is being sent: at most
    // three more messages go out (6 with it, then 7 and 8 while that write runs).
    expect(sink.received.length).toBeGreaterThanOrEqual(5);
    expect(sink.received.length).toBeLessThanOrEqual(8);
    const deliveries = await db.delivery.groupBy({ by: ["status"], where: { campaignId: campaign.id }, _count: true });
    expect(Object.fromEntries(deliveries.map((d) => [d.status, d._count]))).toEqual({ SENT: sink.received.length, PENDING: contacts.length - sink.received.length });
    expect((await db.campaign.findUniqueOrThrow({ where: { id: campaign.id } })).sentCount).toBe(sink.received.length);
  });
});

describe("who may see a campaign", () => {
  const staffOf = (unitIds: number[] | null): Staff => ({ sessionId: "s", id: 1, email: "m@example.com", name: null, role: unitIds ? "MARKETER" : "ADMIN", contactId: null, unitIds });

  it("a marketer reads only their units' campaigns; another unit's id is not found", async () => {
    const other = await createUnit();
    const otherCampaign = await createCampaign(other.id, (await createTopic(other.id)).id);
    const own = await createCampaign();
    const marketer = staffOf([unit.id]);
    expect((await listCampaigns(marketer)).map((c) => c.id)).toEqual([own.id]);
    expect((await findCampaign(marketer, own.id)).id).toBe(own.id);
    for (const attempt of [() => findCampaign(marketer, otherCampaign.id), () => campaignReport(marketer, otherCampaign.id)]) {
      const thrown = await attempt().catch((error: unknown) => error);
      expect(thrown).toBeInstanceOf(NotFoundError);
    }
    const seenByAdmin = (await listCampaigns(staffOf(null))).map((c) => c.id);
    expect(seenByAdmin).toEqual(expect.arrayContaining([own.id, otherCampaign.id]));
  });
});
