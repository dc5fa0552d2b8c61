// The optional "why?" after unsubscribing (ADR 043). It records a reason and nothing else: not
// consent state, so not through the consent core. One answer per link: the row is keyed by the
// link's token id, so a second answer replaces the first and a link can touch only its own row.

import { db } from "~/utils/db.server.ts";
import type { LinkClaims } from "~/domain/tokens/link-tokens.server.ts";
import { UNSUBSCRIBE_REASONS, type UnsubscribeReason } from "./choices.ts";

/** Records (or replaces) the reason given with this link, for its contact, unit and campaign. */
export async function recordUnsubscribeReason(claims: LinkClaims, reason: UnsubscribeReason, now = new Date()): Promise<void> {
  const row = { contactId: claims.contactId, unitId: claims.unitId, campaignId: claims.campaignId, reason, createdAt: now };
  // One statement: two answers at once leave one row, the later one (ADR 039).
  await db.unsubscribeReason.upsert({ where: { tokenId: claims.tokenId }, create: { tokenId: claims.tokenId, ...row }, update: { reason, createdAt: now } });
}

export type ReasonCounts = Record<UnsubscribeReason, number>;

/** How many gave each reason, for a campaign or a unit (staff pages). */
export async function countUnsubscribeReasons(where: { campaignId: number } | { unitId: number }): Promise<ReasonCounts> {
  const groups = await db.unsubscribeReason.groupBy({ by: ["reason"], where, _count: { _all: true } });
  const counts = Object.fromEntries(UNSUBSCRIBE_REASONS.map((r) => [r, 0])) as ReasonCounts;
  for (const group of groups) counts[group.reason] = group._count._all;
  return counts;
}
