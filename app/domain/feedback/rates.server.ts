// What came back from sent mail, as counts and rates: per campaign (over everything it sent)
// and per unit over the last seven days. Promotional mail only: the guard rails pause
// campaigns, and the counts must be over the same mail as the rates they judge. Every read
// here is backed by an index (rates.server.test.ts checks each statement's query plan).
// docs/decisions/030-feedback-rates-and-guard-rails.md.

import type { ConsentAction, ConsentSource, InboundKind } from "~/generated/prisma/enums.ts";
import { db, readDb, type Db } from "~/utils/db.server.ts";

const DAY_MS = 86_400_000;
/** The unit's rates look back this far. */
export const RATE_WINDOW_DAYS = 7;
/** The unit's chart looks back this far. */
export const CHART_DAYS = 30;

/** The opt-outs that count as an unsubscribe caused by a message (a repeat changes nothing and is not counted). */
export const OPT_OUT_ACTIONS: ConsentAction[] = ["UNSUBSCRIBE", "UNIT_OPT_OUT", "GLOBAL_OPT_OUT"];

/** Kinds that are rated against what was sent. */
export const RATED_KINDS = ["HARD_BOUNCE", "SOFT_BOUNCE", "POLICY_BOUNCE", "COMPLAINT"] as const satisfies readonly InboundKind[];
export type RatedKind = (typeof RATED_KINDS)[number];

/** Kinds the chart draws, in this order. */
export const CHARTED_KINDS = [
  "HARD_BOUNCE",
  "SOFT_BOUNCE",
  "POLICY_BOUNCE",
  "COMPLAINT",
  "MAILTO_UNSUBSCRIBE",
  "UNSUBSCRIBE",
] as const satisfies readonly InboundKind[];
export type ChartedKind = (typeof CHARTED_KINDS)[number];

export type FeedbackFigures = {
  /**
   * Messages handed to a receiving server: sent, plus those refused with a 5xx while being sent
   * (recorded as SEND_TIME feedback, never counted as sent, yet a bounce all the same).
   */
  sent: number;
  counts: Record<RatedKind, number> & { unsubscribes: number };
  /** Each count over `sent`; null while nothing was sent. */
  rates: Record<RatedKind, number | null> & { unsubscribes: number | null };
  unsubscribesBySource: Partial<Record<ConsentSource, number>>;
};

export type UnitFeedback = FeedbackFigures & { from: Date; to: Date };

function figures(sent: number, kinds: Partial<Record<InboundKind, number>>, unsubscribesBySource: Partial<Record<ConsentSource, number>>): FeedbackFigures {
  const unsubscribes = Object.values(unsubscribesBySource).reduce((a, b) => a + (b ?? 0), 0);
  const counts = {
    HARD_BOUNCE: kinds.HARD_BOUNCE ?? 0,
    SOFT_BOUNCE: kinds.SOFT_BOUNCE ?? 0,
    POLICY_BOUNCE: kinds.POLICY_BOUNCE ?? 0,
    COMPLAINT: kinds.COMPLAINT ?? 0,
    unsubscribes,
  };
  const rate = (count: number) => (sent > 0 ? count / sent : null);
  return {
    sent,
    counts,
    rates: {
      HARD_BOUNCE: rate(counts.HARD_BOUNCE),
      SOFT_BOUNCE: rate(counts.SOFT_BOUNCE),
      POLICY_BOUNCE: rate(counts.POLICY_BOUNCE),
      COMPLAINT: rate(counts.COMPLAINT),
      unsubscribes: rate(unsubscribes),
    },
    unsubscribesBySource,
  };
}

type KindViaGroup = { kind: InboundKind; via: string; _count: { _all: number } };

/** Counts per kind, and how many of them were refusals while sending (never counted as sent). */
function tally(groups: KindViaGroup[]): { kinds: Partial<Record<InboundKind, number>>; refusedWhileSending: number } {
  const kinds: Partial<Record<InboundKind, number>> = {};
  let refusedWhileSending = 0;
  for (const group of groups) {
    kinds[group.kind] = (kinds[group.kind] ?? 0) + group._count._all;
    if (group.via === "SEND_TIME") refusedWhileSending += group._count._all;
  }
  return { kinds, refusedWhileSending };
}

function bySource(groups: { source: ConsentSource; _count: { _all: number } }[]): Partial<Record<ConsentSource, number>> {
  return Object.fromEntries(groups.map((g) => [g.source, g._count._all]));
}

/** A campaign's feedback over everything it sent, or null when there is no such campaign. */
export async function campaignFeedback(campaignId: number, client: Db = db): Promise<FeedbackFigures | null> {
  const campaign = await client.campaign.findUnique({ where: { id: campaignId }, select: { sentCount: true } });
  if (!campaign) return null;
  // (campaignId, kind) index.
  const inbound = await client.inboundMessage.groupBy({
    by: ["kind", "via"],
    where: { campaignId, kind: { in: [...RATED_KINDS] } },
    _count: { _all: true },
  });
  // (campaignId) index.
  const optOuts = await client.consentEvent.groupBy({
    by: ["source"],
    where: { campaignId, changed: true, action: { in: OPT_OUT_ACTIONS } },
    _count: { _all: true },
  });
  const { kinds, refusedWhileSending } = tally(inbound as KindViaGroup[]);
  return figures(campaign.sentCount + refusedWhileSending, kinds, bySource(optOuts));
}

/** Messages of the unit's campaigns sent in [from, to]: (unitId) on Campaign, then (campaignId, sentAt) on Delivery. */
export async function unitSentBetween(unitId: number, from: Date, to: Date, client: Db = db): Promise<number> {
  const [row] = await client.$queryRaw<{ sent: number | bigint }[]>`SELECT COUNT(*) AS "sent"
    FROM "Campaign" c JOIN "Delivery" d ON d."campaignId" = c."id"
    WHERE c."unitId" = ${unitId} AND d."sentAt" >= ${from} AND d."sentAt" <= ${to}`;
  return Number(row?.sent ?? 0);
}

/** The unit's feedback over the `days` up to `now`, both ends included: a signal judged at its own arrival counts (its campaigns' mail only). */
export async function unitFeedback(unitId: number, now: Date, client: Db = db, days = RATE_WINDOW_DAYS): Promise<UnitFeedback> {
  const from = new Date(now.getTime() - days * DAY_MS);
  const sent = await unitSentBetween(unitId, from, now, client);
  // (unitId, receivedAt) index.
  const inbound = await client.inboundMessage.groupBy({
    by: ["kind", "via"],
    where: { unitId, receivedAt: { gte: from, lte: now }, campaignId: { not: null }, kind: { in: [...RATED_KINDS] } },
    _count: { _all: true },
  });
  // (unitId, createdAt) index. A global opt-out names no unit: it shows on its campaign's page only.
  const optOuts = await client.consentEvent.groupBy({
    by: ["source"],
    where: { unitId, createdAt: { gte: from, lte: now }, campaignId: { not: null }, changed: true, action: { in: OPT_OUT_ACTIONS } },
    _count: { _all: true },
  });
  const { kinds, refusedWhileSending } = tally(inbound as KindViaGroup[]);
  return { ...figures(sent + refusedWhileSending, kinds, bySource(optOuts)), from, to: now };
}

export type FeedbackChart = {
  from: string;
  to: string;
  days: { day: string; counts: Partial<Record<ChartedKind, number>> }[];
  /** The kinds with at least one message in the period, in chart order. */
  kinds: ChartedKind[];
  totals: Partial<Record<ChartedKind, number>>;
};

const utcDay = (date: Date) => date.toISOString().slice(0, 10);

/** What came back to the unit each UTC day of the last `days` days, today included (all its mail, promotional and service); a page's chart, so on readDb. */
export async function unitFeedbackByDay(unitId: number, now: Date, client: Db = readDb, days = CHART_DAYS): Promise<FeedbackChart> {
  const today = Date.parse(`${utcDay(now)}T00:00:00Z`);
  const starts = Array.from({ length: days }, (_, i) => new Date(today - (days - 1 - i) * DAY_MS));
  // One grouped count per day on the (unitId, receivedAt) index: no rows are fetched.
  const perDay = await Promise.all(
    starts.map((start) =>
      client.inboundMessage.groupBy({
        by: ["kind"],
        where: { unitId, receivedAt: { gte: start, lt: new Date(start.getTime() + DAY_MS) }, kind: { in: [...CHARTED_KINDS] } },
        _count: { _all: true },
      }),
    ),
  );
  const totals: Partial<Record<ChartedKind, number>> = {};
  const chartDays = perDay.map((groups, i) => {
    const counts: Partial<Record<ChartedKind, number>> = {};
    for (const group of groups) {
      const kind = group.kind as ChartedKind;
      counts[kind] = group._count._all;
      totals[kind] = (totals[kind] ?? 0) + group._count._all;
    }
    return { day: utcDay(starts[i]), counts };
  });
  return { from: utcDay(starts[0]), to: utcDay(starts[starts.length - 1]), days: chartDays, kinds: CHARTED_KINDS.filter((k) => (totals[k] ?? 0) > 0), totals };
}

/**
 * The feedback of many campaigns at once, for a page of the campaign library: two grouped reads
 * on the same indexes as campaignFeedback, however many campaigns the page holds (no read per row).
 */
export async function campaignsFeedback(campaigns: { id: number; sentCount: number }[], client: Db = readDb): Promise<Map<number, FeedbackFigures>> {
  const ids = campaigns.map((c) => c.id);
  if (ids.length === 0) return new Map();
  const [inbound, optOuts] = await Promise.all([
    client.inboundMessage.groupBy({ by: ["campaignId", "kind", "via"], where: { campaignId: { in: ids }, kind: { in: [...RATED_KINDS] } }, _count: { _all: true } }),
    client.consentEvent.groupBy({ by: ["campaignId", "source"], where: { campaignId: { in: ids }, changed: true, action: { in: OPT_OUT_ACTIONS } }, _count: { _all: true } }),
  ]);
  return new Map(
    campaigns.map((campaign) => {
      const { kinds, refusedWhileSending } = tally(inbound.filter((g) => g.campaignId === campaign.id) as KindViaGroup[]);
      return [campaign.id, figures(campaign.sentCount + refusedWhileSending, kinds, bySource(optOuts.filter((g) => g.campaignId === campaign.id)))];
    }),
  );
}
