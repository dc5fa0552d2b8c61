// What came back, as admins see it on /admin/inbound: a filtered list, newest first, and one
// message with its raw text. Admins only (the routes check): raw messages hold addresses and
// the original message.

import type { Prisma } from "~/generated/prisma/client.ts";
import { db, type Db } from "~/utils/db.server.ts";
import { receivedBetween, type InboundQuery } from "./inbound-query.ts";

export const INBOUND_PAGE_SIZE = 50;

/** A filter naming a unit that does not exist. */
export class UnknownUnitError extends Error {
  name = "UnknownUnitError";
}

const LISTED = {
  id: true,
  kind: true,
  via: true,
  receivedAt: true,
  recipient: true,
  status: true,
  diagnostic: true,
  effect: true,
  campaignId: true,
  deliveryId: true,
  transactionalMessageId: true,
  unit: { select: { slug: true, displayName: true } },
} satisfies Prisma.InboundMessageSelect;

/** The units to filter by. */
export function inboundUnitChoices(client: Db = db) {
  return client.businessUnit.findMany({ orderBy: { displayName: "asc" }, select: { id: true, slug: true, displayName: true } });
}

async function campaignNames(ids: (number | null)[], client: Db): Promise<Record<number, string>> {
  const wanted = [...new Set(ids.filter((id): id is number => id !== null))];
  if (wanted.length === 0) return {};
  const campaigns = await client.campaign.findMany({ where: { id: { in: wanted } }, select: { id: true, name: true } });
  return Object.fromEntries(campaigns.map((c) => [c.id, c.name]));
}

/** Newest first, a page at a time (keyset on id); unit, kind and dates narrow it. */
export async function listInbound(query: InboundQuery, client: Db = db) {
  let unitId: number | undefined;
  if (query.unit) {
    const unit = await client.businessUnit.findUnique({ where: { slug: query.unit }, select: { id: true } });
    if (!unit) throw new UnknownUnitError(`There is no unit "${query.unit}".`);
    unitId = unit.id;
  }
  const received = receivedBetween(query);
  const where: Prisma.InboundMessageWhereInput = {
    ...(unitId !== undefined ? { unitId } : {}),
    ...(query.kind ? { kind: query.kind } : {}),
    ...(received ? { receivedAt: received } : {}),
    ...(query.before ? { id: { lt: query.before } } : {}),
  };
  const rows = await client.inboundMessage.findMany({ where, orderBy: { id: "desc" }, take: INBOUND_PAGE_SIZE + 1, select: LISTED });
  const messages = rows.slice(0, INBOUND_PAGE_SIZE);
  return {
    messages,
    campaigns: await campaignNames(messages.map((m) => m.campaignId), client),
    nextBefore: rows.length > INBOUND_PAGE_SIZE ? messages[messages.length - 1].id : null,
  };
}

/** One message with everything stored about it, or null. */
export async function inboundMessage(id: number, client: Db = db) {
  const message = await client.inboundMessage.findUnique({
    where: { id },
    select: { ...LISTED, mailFrom: true, rcptTo: true, contactId: true, externalId: true, raw: true },
  });
  if (!message) return null;
  const campaigns = await campaignNames([message.campaignId], client);
  return { ...message, campaignName: message.campaignId ? (campaigns[message.campaignId] ?? null) : null };
}

/** The raw message as a file: .eml when it came by mail, .json from a provider. */
export function rawFileName(message: { id: number; via: string }): string {
  return `inbound-${message.id}.${message.via === "SES" || message.via === "SENDGRID" ? "json" : "eml"}`;
}
