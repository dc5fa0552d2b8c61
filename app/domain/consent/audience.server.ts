import type { Prisma } from "~/generated/prisma/client.ts";
import type { Db, Tx } from "~/utils/db.server.ts";
import type { ConsentState, PromotionalTarget } from "./eligibility.ts";

// The audience query: isEligible() from eligibility.ts, written as a Prisma filter so the
// database applies it. Keep the two in step; the property test holds them equal.
export function audienceWhere(target: PromotionalTarget, now: Date): Prisma.ContactWhereInput {
  const { unitId, topicId, channel } = target;
  return {
    subscriptions: {
      some: { topicId, channel, status: "SUBSCRIBED", OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] },
    },
    unitOptOuts: { none: { unitId, channel } },
    globalOptOuts: { none: { channel } },
    snoozes: { none: { unitId, until: { gt: now } } },
    ...(channel === "EMAIL" ? { suppressions: { none: {} } } : {}),
  };
}

export type AudienceMember = { id: number };

/** One keyset batch of eligible contacts (their ids) with afterContactId < id <= maxContactId, in id order. */
export function findAudienceBatch(
  client: Db | Tx,
  target: PromotionalTarget,
  now: Date,
  page: { afterContactId?: number; maxContactId?: number; take: number },
): Promise<AudienceMember[]> {
  return client.contact.findMany({
    where: {
      id: { gt: page.afterContactId ?? 0, ...(page.maxContactId === undefined ? {} : { lte: page.maxContactId }) },
      ...audienceWhere(target, now),
    },
    orderBy: { id: "asc" },
    take: page.take,
    select: { id: true },
  });
}

export function countAudience(client: Db | Tx, target: PromotionalTarget, now: Date): Promise<number> {
  return client.contact.count({ where: audienceWhere(target, now) });
}

/** A contact's consent state, with when each subscription was given (the footer's "why you got this"). */
export type ConsentStateWithDates = Omit<ConsentState, "subscriptions"> & { subscriptions: (ConsentState["subscriptions"][number] & { consentedAt: Date })[] };

/** The consent state isEligible() reads, for each of the given contacts (absent ids are omitted). */
export async function loadConsentStates(client: Db | Tx, contactIds: number[]): Promise<Map<number, ConsentStateWithDates>> {
  const contacts = await client.contact.findMany({
    where: { id: { in: contactIds } },
    select: {
      id: true,
      subscriptions: { select: { topicId: true, channel: true, status: true, expiresAt: true, consentedAt: true } },
      unitOptOuts: { select: { unitId: true, channel: true } },
      globalOptOuts: { select: { channel: true } },
      snoozes: { select: { unitId: true, until: true } },
      suppressions: { select: { reason: true } },
    },
  });
  return new Map(contacts.map(({ id, ...state }) => [id, state]));
}
