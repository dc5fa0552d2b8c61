import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { describe, expect, it } from "vitest";
import { PrismaClient } from "~/generated/prisma/client.ts";
import { db } from "~/utils/db.server.ts";
import { getEnv } from "~/utils/env.server.ts";
import { cameBack, sentCampaign, unitWithTopic } from "../../../tests/helpers/feedback-fixtures.ts";
import { campaignFeedback, unitFeedback, unitFeedbackByDay } from "./rates.server.ts";
import { testsOnPostgresql } from "../../../tests/helpers/test-database.ts";

const NOW = new Date("2026-06-15T12:00:00Z");
const DAY = 86_400_000;
const ago = (days: number, ms = 0) => new Date(NOW.getTime() - days * DAY + ms);

async function optOut(unitId: number | null, campaignId: number | null, at: Date, source: "ONE_CLICK" | "MAILTO" | "COMPLAINT", options: { changed?: boolean; action?: "UNIT_OPT_OUT" | "UNSUBSCRIBE" | "SUBSCRIBE" } = {}) {
  await db.consentEvent.create({
    data: { unitId, campaignId, action: options.action ?? "UNIT_OPT_OUT", source, changed: options.changed ?? true, channel: "EMAIL", createdAt: at },
  });
}

describe("a campaign's rates", () => {
  it("counts each kind over what it sent, refusals while sending included in both", async () => {
    const { unit, topic } = await unitWithTopic();
    const { campaign } = await sentCampaign(unit, topic, { sent: 0, sentAt: ago(1) });
    await db.campaign.update({ where: { id: campaign.id }, data: { sentCount: 196 } });
    const other = await sentCampaign(unit, topic, { sent: 0, sentAt: ago(1) });
    await cameBack("HARD_BOUNCE", 6, { unitId: unit.id, campaignId: campaign.id, at: ago(1) });
    await cameBack("HARD_BOUNCE", 4, { unitId: unit.id, campaignId: campaign.id, at: ago(1), via: "SEND_TIME" });
    await cameBack("SOFT_BOUNCE", 3, { unitId: unit.id, campaignId: campaign.id, at: ago(1) });
    await cameBack("POLICY_BOUNCE", 2, { unitId: unit.id, campaignId: campaign.id, at: ago(1) });
    await cameBack("COMPLAINT", 1, { unitId: unit.id, campaignId: campaign.id, at: ago(1) });
    await cameBack("DELIVERED", 5, { unitId: unit.id, campaignId: campaign.id, at: ago(1) });
    await cameBack("COMPLAINT", 7, { unitId: unit.id, campaignId: other.campaign.id, at: ago(1) });
    await optOut(unit.id, campaign.id, ago(1), "ONE_CLICK");
    await optOut(unit.id, campaign.id, ago(1), "ONE_CLICK");
    await optOut(null, campaign.id, ago(1), "MAILTO", { action: "UNSUBSCRIBE" });
    await optOut(unit.id, campaign.id, ago(1), "ONE_CLICK", { changed: false });
    await optOut(unit.id, campaign.id, ago(1), "ONE_CLICK", { action: "SUBSCRIBE" });
    await optOut(unit.id, other.campaign.id, ago(1), "ONE_CLICK");

    const figures = await campaignFeedback(campaign.id);
    expect(figures).toEqual({
      sent: 200,
      counts: { HARD_BOUNCE: 10, SOFT_BOUNCE: 3, POLICY_BOUNCE: 2, COMPLAINT: 1, unsubscribes: 3 },
      rates: { HARD_BOUNCE: 0.05, SOFT_BOUNCE: 0.015, POLICY_BOUNCE: 0.01, COMPLAINT: 0.005, unsubscribes: 0.015 },
      unsubscribesBySource: { ONE_CLICK: 2, MAILTO: 1 },
    });
  });

  it("has no rate while nothing was sent, and no figures for a campaign that is not there", async () => {
    const { unit, topic } = await unitWithTopic();
    const { campaign } = await sentCampaign(unit, topic, { sent: 0, sentAt: ago(1), status: "DRAFT" });
    const figures = await campaignFeedback(campaign.id);
    expect(figures?.rates).toEqual({ HARD_BOUNCE: null, SOFT_BOUNCE: null, POLICY_BOUNCE: null, COMPLAINT: null, unsubscribes: null });
    expect(await campaignFeedback(999_999)).toBeNull();
  });
});

describe("a unit's rates over the last seven days", () => {
  it("counts what its campaigns sent and what came back inside the window, and nothing outside it", async () => {
    const { unit, topic } = await unitWithTopic();
    const recent = await sentCampaign(unit, topic, { sent: 8, sentAt: ago(6, 23 * 3_600_000) });
    const old = await sentCampaign(unit, topic, { sent: 3, sentAt: ago(7, -1) });
    const edge = await sentCampaign(unit, topic, { sent: 2, sentAt: ago(7) });
    const elsewhere = await unitWithTopic();
    await sentCampaign(elsewhere.unit, elsewhere.topic, { sent: 5, sentAt: ago(1) });

    await cameBack("COMPLAINT", 2, { unitId: unit.id, campaignId: recent.campaign.id, at: ago(7) });
    await cameBack("COMPLAINT", 1, { unitId: unit.id, campaignId: old.campaign.id, at: ago(7, -1) });
    await cameBack("HARD_BOUNCE", 1, { unitId: unit.id, campaignId: edge.campaign.id, at: ago(0, -1) });
    await cameBack("HARD_BOUNCE", 2, { unitId: unit.id, campaignId: recent.campaign.id, at: ago(0, 0) });
    // Refused while sending: a bounce, and a message handed over that was never counted as sent.
    await cameBack("HARD_BOUNCE", 2, { unitId: unit.id, campaignId: recent.campaign.id, at: ago(1), via: "SEND_TIME" });
    // Service mail (no campaign) is left out of promotional rates.
    await cameBack("COMPLAINT", 4, { unitId: unit.id, campaignId: null, at: ago(1) });
    await cameBack("COMPLAINT", 9, { unitId: elsewhere.unit.id, campaignId: null, at: ago(1) });
    await optOut(unit.id, recent.campaign.id, ago(2), "COMPLAINT");
    await optOut(unit.id, recent.campaign.id, ago(8), "ONE_CLICK");
    await optOut(unit.id, null, ago(2), "ONE_CLICK");

    const figures = await unitFeedback(unit.id, NOW);
    // Sent in [now - 7 days, now]: the recent campaign's 8 and the edge campaign's 2, not the old one's 3; plus 2 refused.
    expect(figures.sent).toBe(12);
    // Both ends count: the 2 at the window's start, and at `now` the 2 just arrived (the guard rails judge a signal at its own time).
    expect(figures.counts).toEqual({ HARD_BOUNCE: 5, SOFT_BOUNCE: 0, POLICY_BOUNCE: 0, COMPLAINT: 2, unsubscribes: 1 });
    expect(figures.rates.COMPLAINT).toBeCloseTo(2 / 12, 10);
    expect(figures.unsubscribesBySource).toEqual({ COMPLAINT: 1 });
    expect(figures.from).toEqual(ago(7));
  });
});

describe("the unit's chart", () => {
  it("counts each kind per UTC day for thirty days, today included", async () => {
    const { unit } = await unitWithTopic();
    await cameBack("HARD_BOUNCE", 3, { unitId: unit.id, at: new Date("2026-06-15T00:00:00Z") });
    await cameBack("COMPLAINT", 1, { unitId: unit.id, at: new Date("2026-06-14T23:59:59Z") });
    await cameBack("MAILTO_UNSUBSCRIBE", 2, { unitId: unit.id, at: new Date("2026-05-17T00:00:00Z") });
    await cameBack("SOFT_BOUNCE", 5, { unitId: unit.id, at: new Date("2026-05-16T23:59:59Z") });
    await cameBack("DELIVERED", 5, { unitId: unit.id, at: new Date("2026-06-10T10:00:00Z") });

    const chart = await unitFeedbackByDay(unit.id, NOW);
    expect(chart.days).toHaveLength(30);
    expect(chart.from).toBe("2026-05-17");
    expect(chart.to).toBe("2026-06-15");
    expect(chart.days.at(-1)).toEqual({ day: "2026-06-15", counts: { HARD_BOUNCE: 3 } });
    expect(chart.days.at(-2)).toEqual({ day: "2026-06-14", counts: { COMPLAINT: 1 } });
    expect(chart.days[0]).toEqual({ day: "2026-05-17", counts: { MAILTO_UNSUBSCRIBE: 2 } });
    expect(chart.kinds).toEqual(["HARD_BOUNCE", "COMPLAINT", "MAILTO_UNSUBSCRIBE"]);
    expect(chart.totals).toEqual({ HARD_BOUNCE: 3, COMPLAINT: 1, MAILTO_UNSUBSCRIBE: 2 });
  });
});

// SQLite's EXPLAIN QUERY PLAN: PostgreSQL's planner costs its plans by table size and picks a
// sequential scan of a test's few rows, so its plans are judged on real sizes (bench), not here.
describe.skipIf(testsOnPostgresql)("every read is index-backed", () => {
  it("no statement the rates run scans a whole table", async () => {
    const statements: { query: string; params: string }[] = [];
    const logged = new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: getEnv().databaseFile! }), log: [{ emit: "event", level: "query" }] });
    logged.$on("query", (event) => statements.push({ query: event.query, params: event.params }));
    const { unit, topic } = await unitWithTopic();
    const { campaign } = await sentCampaign(unit, topic, { sent: 2, sentAt: ago(1) });
    await campaignFeedback(campaign.id, logged);
    await unitFeedback(unit.id, NOW, logged);
    await unitFeedbackByDay(unit.id, NOW, logged, 2);
    const reads = statements.filter((s) => /^\s*SELECT/i.test(s.query));
    expect(reads.length).toBeGreaterThanOrEqual(6);
    const scans: string[] = [];
    for (const read of reads) {
      const params = JSON.parse(read.params) as unknown[];
      const plan = await logged.$queryRawUnsafe<{ detail: string }[]>(`EXPLAIN QUERY PLAN ${read.query}`, ...params);
      for (const step of plan) if (/^SCAN /.test(step.detail) && !/USING (COVERING )?INDEX/.test(step.detail)) scans.push(`${step.detail} in ${read.query}`);
      // A whole-index walk is a scan too, unless it is bounded by the search.
      for (const step of plan) if (/^SCAN .* USING (COVERING )?INDEX/.test(step.detail)) scans.push(`${step.detail} in ${read.query}`);
    }
    await logged.$disconnect();
    expect(scans).toEqual([]);
  });
});
