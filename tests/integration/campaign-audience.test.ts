import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { db } from "~/utils/db.server.ts";
import { applyConsentChange } from "~/domain/consent/changes.server.ts";
import { createMailTransport, type MailTransport } from "~/domain/mail/transport.server.ts";
import { ensureSigningKey } from "~/domain/tokens/keyring.server.ts";
import { CLI_OPERATOR, createCampaign, findCampaign, sendNow, type CampaignInput } from "~/domain/campaigns/campaigns.server.ts";
import { createContact, createTopic, createUnit } from "../helpers/fixtures.ts";
import { startSmtpSink, type SmtpSink } from "../helpers/smtp-sink.ts";
import { runSendersUntilDone } from "../helpers/campaign-sender.ts";

// Audience beyond one topic (ADR 055), end to end: the marketer's campaign through the real
// sender to a real SMTP server. Someone on two of the campaign's topics gets one copy; someone
// who got an email of the unit within the chosen days gets none.

const DAY = 86_400_000;
let sink: SmtpSink;
let transport: MailTransport;
let unit: { id: number };
let news: { id: number };
let offers: { id: number };

beforeEach(async () => {
  await ensureSigningKey();
  sink = await startSmtpSink();
  transport = createMailTransport({ MAIL_TRANSPORT: "smtp", SMTP_URL: sink.url, OUTBOX_DIR: "unused" });
  unit = await createUnit();
  news = await createTopic(unit.id);
  offers = await createTopic(unit.id);
});

afterEach(async () => {
  await db.campaign.updateMany({ where: { status: { in: ["SENDING", "SCHEDULED"] } }, data: { status: "CANCELLED" } });
  await transport.close();
  await sink.close();
});

async function subscribed(...topicIds: number[]) {
  const contact = await createContact();
  for (const topicId of topicIds) {
    await applyConsentChange({ kind: "subscribe", contactId: contact.id, topicId, channel: "EMAIL", basis: "EXPRESS" }, { source: "IMPORT" });
  }
  return contact;
}

const input = (more: Partial<CampaignInput> = {}): CampaignInput => ({
  unitId: unit.id,
  topicId: news.id,
  moreTopicIds: [offers.id],
  subject: "Spring offers",
  preheader: "",
  bodyMarkdown: "# Spring\n\nOur **best** offers.",
  advertisementLabel: false,
  ...more,
});

/** Sends the campaign now as a marketer would, and runs a sender until it leaves SENDING. */
async function sendAndFinish(campaignId: number) {
  await sendNow(CLI_OPERATOR, campaignId);
  return runSendersUntilDone(campaignId, { transport, batchSize: 2 });
}

const recipients = () => sink.received.map((m) => m.to).sort();

describe("a campaign to several topics of its unit", () => {
  it("reaches everyone on any of its topics, once", async () => {
    const both = await subscribed(news.id, offers.id);
    const newsOnly = await subscribed(news.id);
    const offersOnly = await subscribed(offers.id);
    const neither = await subscribed(await createTopic(unit.id).then((t) => t.id));
    const { id } = await createCampaign(CLI_OPERATOR, input());

    expect(await sendAndFinish(id)).toBe("SENT");

    expect(recipients()).toEqual([both.email, newsOnly.email, offersOnly.email].sort());
    expect(recipients()).not.toContain(neither.email);
    const campaign = await findCampaign(CLI_OPERATOR, id);
    expect(campaign).toMatchObject({ audienceCount: 3, sentCount: 3 });
    expect(JSON.parse(campaign.audienceRule!)).toMatchObject({ topicId: news.id, topicIds: [news.id, offers.id] });
  });
});

describe("leaving out people who got an email of the unit lately", () => {
  it("sends nothing to someone the unit emailed within the chosen days, and sends to someone emailed before", async () => {
    const recent = await subscribed(news.id);
    const earlier = await subscribed(offers.id);
    const never = await subscribed(news.id, offers.id);
    // Last week's campaign of the unit: one got it two days ago, the other ten days ago.
    const last = await db.campaign.create({ data: { unitId: unit.id, topicId: news.id, name: "Last week", subject: "Last week", status: "SENT" } });
    const now = Date.now();
    await db.delivery.createMany({
      data: [
        { campaignId: last.id, contactId: recent.id, status: "SENT", sentAt: new Date(now - 2 * DAY) },
        { campaignId: last.id, contactId: earlier.id, status: "SENT", sentAt: new Date(now - 10 * DAY) },
      ],
    });
    const { id } = await createCampaign(CLI_OPERATOR, input({ excludeRecentDays: 7 }));

    expect(await sendAndFinish(id)).toBe("SENT");

    expect(recipients()).toEqual([earlier.email, never.email].sort());
    expect(await db.delivery.count({ where: { campaignId: id, contactId: recent.id } })).toBe(0);
    expect(await findCampaign(CLI_OPERATOR, id)).toMatchObject({ audienceCount: 2, sentCount: 2 });
  });
});
