import { stringify } from "csv-stringify/sync";
import { inStaffUnits, staffUnits, unitScope, type Staff } from "~/domain/accounts/staff.server.ts";
import { OPT_OUT_ACTIONS, RATED_KINDS } from "~/domain/feedback/rates.server.ts";
import { nothingFound } from "~/domain/not-found.ts";
import { inertCell } from "~/utils/csv-cells.ts";
import { readDb, type Db } from "~/utils/db.server.ts";
import { periodBounds, type ResultsPeriod } from "./results-period.ts";

// The per-unit dashboard: the unit's campaigns that started in a date range, each with its
// audience and its unsubscribe, bounce and complaint rates over what it handed over, counted
// the way the campaign page counts them (app/domain/feedback/rates.server.ts, ADR 030). A
// marketer's scope is in every WHERE: another unit's slug is "not found", never an empty page.

/** A chart cannot tell more campaigns apart than this; the page says when the range holds more. */
export const MAX_CAMPAIGNS = 500;

export type CampaignResult = {
  id: number;
  name: string;
  subject: string;
  /** The UTC day it started sending. */
  sentOn: string;
  startedAt: string;
  /** People in its audience when it started (null for a campaign started before this was kept). */
  audience: number | null;
  /** Messages handed to a receiving server: sent, plus those refused while sending. */
  sent: number;
  unsubscribes: number;
  /** Hard, soft and policy bounces. */
  bounces: number;
  complaints: number;
  /** Each count over `sent`; null while nothing was sent. */
  unsubscribeRate: number | null;
  bounceRate: number | null;
  complaintRate: number | null;
};

export type UnitResults = {
  unit: { id: number; slug: string; displayName: string };
  period: ResultsPeriod;
  campaigns: CampaignResult[];
  /** More campaigns started in the range than are shown. */
  truncated: boolean;
};

const BOUNCES = new Set<string>(["HARD_BOUNCE", "SOFT_BOUNCE", "POLICY_BOUNCE"]);

/** The units this person may read results of (the dashboard's index). */
export const reportUnits = (staff: Staff) => staffUnits(staff);

/** The results of the unit's campaigns that started in the period, oldest first; NotFoundError outside the person's units. */
export async function unitResults(staff: Staff, slug: string, period: ResultsPeriod, client: Db = readDb): Promise<UnitResults> {
  const unit =
    (await client.businessUnit.findFirst({ where: { slug, ...unitScope(staff) }, select: { id: true, slug: true, displayName: true } })) ??
    nothingFound(`Unit ${slug}`);
  // (unitId, status) index, then the few campaigns of one unit.
  const campaigns = await client.campaign.findMany({
    where: { unitId: unit.id, ...inStaffUnits(staff), startedAt: periodBounds(period), status: { not: "DRAFT" } },
    orderBy: [{ startedAt: "asc" }, { id: "asc" }],
    take: MAX_CAMPAIGNS + 1,
    select: { id: true, name: true, subject: true, startedAt: true, audienceCount: true, sentCount: true },
  });
  const shown = campaigns.slice(0, MAX_CAMPAIGNS);
  const ids = shown.map((c) => c.id);
  const [inbound, optOuts] =
    ids.length === 0
      ? [[], []]
      : await Promise.all([
          // (campaignId, kind) index.
          client.inboundMessage.groupBy({
            by: ["campaignId", "kind", "via"],
            where: { campaignId: { in: ids }, kind: { in: [...RATED_KINDS] } },
            _count: { _all: true },
          }),
          // (campaignId) index: an opt-out that changed something, as the campaign page counts it.
          client.consentEvent.groupBy({
            by: ["campaignId"],
            where: { campaignId: { in: ids }, changed: true, action: { in: OPT_OUT_ACTIONS } },
            _count: { _all: true },
          }),
        ]);
  const tally = new Map<number, { refused: number; bounces: number; complaints: number; unsubscribes: number }>(
    ids.map((id) => [id, { refused: 0, bounces: 0, complaints: 0, unsubscribes: 0 }]),
  );
  for (const group of inbound as { campaignId: number | null; kind: string; via: string; _count: { _all: number } }[]) {
    const t = group.campaignId === null ? undefined : tally.get(group.campaignId);
    if (!t) continue;
    if (BOUNCES.has(group.kind)) t.bounces += group._count._all;
    if (group.kind === "COMPLAINT") t.complaints += group._count._all;
    if (group.via === "SEND_TIME") t.refused += group._count._all;
  }
  for (const group of optOuts as { campaignId: number | null; _count: { _all: number } }[]) {
    const t = group.campaignId === null ? undefined : tally.get(group.campaignId);
    if (t) t.unsubscribes += group._count._all;
  }
  return {
    unit,
    period,
    truncated: campaigns.length > MAX_CAMPAIGNS,
    campaigns: shown.map((c) => {
      const t = tally.get(c.id)!;
      const sent = c.sentCount + t.refused;
      const rate = (count: number) => (sent > 0 ? count / sent : null);
      const startedAt = c.startedAt!.toISOString();
      return {
        id: c.id,
        name: c.name,
        subject: c.subject,
        sentOn: startedAt.slice(0, 10),
        startedAt,
        audience: c.audienceCount,
        sent,
        unsubscribes: t.unsubscribes,
        bounces: t.bounces,
        complaints: t.complaints,
        unsubscribeRate: rate(t.unsubscribes),
        bounceRate: rate(t.bounces),
        complaintRate: rate(t.complaints),
      };
    }),
  };
}

const percent = (rate: number | null) => (rate === null ? "" : (rate * 100).toFixed(2));

/** The dashboard's table as a CSV file: every text cell through the formula guard, rates in percent with two decimals. */
export function resultsCsv(results: UnitResults): { fileName: string; csv: string } {
  const header = [
    "Campaign",
    "Subject",
    "Sent on (UTC)",
    "Audience",
    "Sent",
    "Unsubscribes",
    "Unsubscribe rate (%)",
    "Bounces",
    "Bounce rate (%)",
    "Complaints",
    "Complaint rate (%)",
  ];
  const rows = results.campaigns.map((c) => [
    inertCell(c.name),
    inertCell(c.subject),
    c.sentOn,
    c.audience === null ? "" : String(c.audience),
    String(c.sent),
    String(c.unsubscribes),
    percent(c.unsubscribeRate),
    String(c.bounces),
    percent(c.bounceRate),
    String(c.complaints),
    percent(c.complaintRate),
  ]);
  const fileName = `${results.unit.slug}-results-${results.period.from}-to-${results.period.to}.csv`.replace(/[^\w.-]+/g, "-");
  return { fileName, csv: stringify([header, ...rows], { record_delimiter: "\r\n" }) };
}
