import crypto from "node:crypto";
import type { InboundKind, InboundVia } from "~/generated/prisma/enums.ts";
import { db } from "~/utils/db.server.ts";
import { createTopic, createUnit } from "./fixtures.ts";

// Campaigns that sent, and what came back from them, written straight to the tables the rates
// and guard rails read (the inbound server and recordFeedback are tested on their own).

/** A unit with one topic. */
export async function unitWithTopic() {
  const unit = await createUnit();
  const topic = await createTopic(unit.id);
  return { unit, topic };
}

/** A campaign of the unit with `sent` deliveries sent at `sentAt` (and sentCount to match). */
export async function sentCampaign(
  unit: { id: number },
  topic: { id: number },
  options: { sent: number; sentAt: Date; status?: "SENDING" | "SENT" | "PAUSED" | "DRAFT"; name?: string },
) {
  const campaign = await db.campaign.create({
    data: {
      unitId: unit.id,
      topicId: topic.id,
      name: options.name ?? "Spring offers",
      subject: "Spring offers",
      status: options.status ?? "SENT",
      startedAt: options.sentAt,
      sentCount: options.sent,
    },
  });
  const tag = crypto.randomBytes(4).toString("hex");
  await db.contact.createMany({ data: Array.from({ length: options.sent }, (_, i) => ({ email: `sent-${tag}-${i}@example.com` })) });
  const contacts = await db.contact.findMany({ where: { email: { startsWith: `sent-${tag}-` } }, select: { id: true } });
  if (contacts.length > 0) {
    await db.delivery.createMany({
      data: contacts.map((c) => ({ campaignId: campaign.id, contactId: c.id, status: "SENT" as const, sentAt: options.sentAt, messageId: `<d${c.id}@test>` })),
    });
  }
  const deliveries = await db.delivery.findMany({ where: { campaignId: campaign.id }, orderBy: { id: "asc" }, include: { contact: true } });
  return { campaign, deliveries };
}

/** `count` inbound messages of a kind about the campaign (or the unit alone), received at `at`. */
export async function cameBack(
  kind: InboundKind,
  count: number,
  where: { unitId: number; campaignId?: number | null; at: Date; via?: InboundVia; recipient?: string; raw?: string },
) {
  await db.inboundMessage.createMany({
    data: Array.from({ length: count }, () => ({
      kind,
      via: where.via ?? "SMTP",
      receivedAt: where.at,
      unitId: where.unitId,
      campaignId: where.campaignId ?? null,
      recipient: where.recipient ?? null,
      raw: where.raw ?? null,
      effect: `test ${kind.toLowerCase()}`,
    })),
  });
}
