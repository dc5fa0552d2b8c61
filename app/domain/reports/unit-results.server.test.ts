import { describe, expect, it } from "vitest";
import type { Staff } from "~/domain/accounts/staff.server.ts";
import { NotFoundError } from "~/domain/not-found.ts";
import { db } from "~/utils/db.server.ts";
import { cameBack, sentCampaign, unitWithTopic } from "../../../tests/helpers/feedback-fixtures.ts";
import { parsePeriod } from "./results-period.ts";
import { reportUnits, resultsCsv, unitResults } from "./unit-results.server.ts";

// The per-unit dashboard: each campaign's rates over what it sent, only the units a marketer
// is a member of, and the same numbers in the CSV.

const marketer = (unitIds: number[]): Staff => ({
  sessionId: "test",
  id: 0,
  email: "m@example.com",
  name: "M",
  role: "MARKETER",
  contactId: null,
  unitIds,
});
const admin: Staff = { sessionId: "test", id: 0, email: "a@example.com", name: "A", role: "ADMIN", contactId: null, unitIds: null };
const at = (day: string) => new Date(`${day}T10:00:00Z`);

async function optOuts(unitId: number, campaignId: number, count: number, changed = true) {
  for (let i = 0; i < count; i++)
    await db.consentEvent.create({
      data: { unitId, campaignId, action: "UNIT_OPT_OUT", source: "ONE_CLICK", changed, channel: "EMAIL", createdAt: at("2026-03-02") },
    });
}

describe("a unit's campaign results", () => {
  it("rates each campaign in the range over what it handed over, by send date", async () => {
    const { unit, topic } = await unitWithTopic();
    const march = await sentCampaign(unit, topic, { sent: 196, sentAt: at("2026-03-01"), name: "March" });
    await db.campaign.update({ where: { id: march.campaign.id }, data: { audienceCount: 210 } });
    const april = await sentCampaign(unit, topic, { sent: 50, sentAt: at("2026-04-01"), name: "April" });
    await sentCampaign(unit, topic, { sent: 5, sentAt: at("2026-01-01"), name: "Too early" });
    await sentCampaign(unit, topic, { sent: 0, sentAt: at("2026-03-05"), name: "Draft", status: "DRAFT" });
    await cameBack("HARD_BOUNCE", 6, { unitId: unit.id, campaignId: march.campaign.id, at: at("2026-03-02") });
    // Refused while sending: a bounce, and handed over though never counted as sent.
    await cameBack("HARD_BOUNCE", 4, { unitId: unit.id, campaignId: march.campaign.id, at: at("2026-03-01"), via: "SEND_TIME" });
    await cameBack("SOFT_BOUNCE", 3, { unitId: unit.id, campaignId: march.campaign.id, at: at("2026-03-02") });
    await cameBack("POLICY_BOUNCE", 1, { unitId: unit.id, campaignId: march.campaign.id, at: at("2026-03-02") });
    await cameBack("COMPLAINT", 1, { unitId: unit.id, campaignId: march.campaign.id, at: at("2026-03-02") });
    await cameBack("DELIVERED", 9, { unitId: unit.id, campaignId: march.campaign.id, at: at("2026-03-02") });
    await cameBack("COMPLAINT", 2, { unitId: unit.id, campaignId: april.campaign.id, at: at("2026-04-02") });
    await optOuts(unit.id, march.campaign.id, 3);
    await optOuts(unit.id, march.campaign.id, 2, false);
    await optOuts(unit.id, april.campaign.id, 1);

    const results = await unitResults(marketer([unit.id]), unit.slug, { from: "2026-02-01", to: "2026-04-30" });
    expect(results.unit.slug).toBe(unit.slug);
    expect(results.campaigns.map((c) => c.name)).toEqual(["March", "April"]);
    expect(results.campaigns[0]).toMatchObject({
      sentOn: "2026-03-01",
      audience: 210,
      sent: 200,
      bounces: 14,
      complaints: 1,
      unsubscribes: 3,
      bounceRate: 0.07,
      complaintRate: 0.005,
      unsubscribeRate: 0.015,
    });
    expect(results.campaigns[1]).toMatchObject({
      sentOn: "2026-04-01",
      audience: null,
      sent: 50,
      bounces: 0,
      complaints: 2,
      unsubscribes: 1,
      bounceRate: 0,
      complaintRate: 0.04,
      unsubscribeRate: 0.02,
    });
  });

  it("shows a marketer only their units: another unit is not found, and admins see every unit", async () => {
    const mine = await unitWithTopic();
    const theirs = await unitWithTopic();
    await sentCampaign(theirs.unit, theirs.topic, { sent: 3, sentAt: at("2026-03-01") });
    const me = marketer([mine.unit.id]);
    await expect(unitResults(me, theirs.unit.slug, { from: "2026-01-01", to: "2026-12-31" })).rejects.toBeInstanceOf(NotFoundError);
    expect((await reportUnits(me)).map((u) => u.slug)).toEqual([mine.unit.slug]);
    const adminUnits = (await reportUnits(admin)).map((u) => u.slug);
    expect(adminUnits).toEqual(expect.arrayContaining([mine.unit.slug, theirs.unit.slug]));
    expect((await unitResults(admin, theirs.unit.slug, { from: "2026-01-01", to: "2026-12-31" })).campaigns).toHaveLength(1);
  });

  it("writes the same numbers to CSV, with no cell a spreadsheet would run as a formula", async () => {
    const { unit, topic } = await unitWithTopic();
    const { campaign } = await sentCampaign(unit, topic, { sent: 40, sentAt: at("2026-03-01"), name: '=HYPERLINK("x")' });
    await db.campaign.update({ where: { id: campaign.id }, data: { subject: "+Sale, today", audienceCount: 41 } });
    await cameBack("COMPLAINT", 1, { unitId: unit.id, campaignId: campaign.id, at: at("2026-03-02") });
    const file = resultsCsv(await unitResults(admin, unit.slug, { from: "2026-03-01", to: "2026-03-01" }));
    expect(file.fileName).toBe(`${unit.slug}-results-2026-03-01-to-2026-03-01.csv`);
    expect(file.csv.split("\r\n")).toEqual([
      "Campaign,Subject,Sent on (UTC),Audience,Sent,Unsubscribes,Unsubscribe rate (%),Bounces,Bounce rate (%),Complaints,Complaint rate (%)",
      `"'=HYPERLINK(""x"")","'+Sale, today",2026-03-01,41,40,0,0.00,0,0.00,1,2.50`,
      "",
    ]);
  });
});

describe("the dashboard's date range", () => {
  const now = new Date("2026-06-15T12:00:00Z");
  it("defaults to the last 90 days and refuses what is not a range", () => {
    expect(parsePeriod(new URLSearchParams(), now)).toEqual({ ok: true, period: { from: "2026-03-18", to: "2026-06-15" } });
    expect(parsePeriod(new URLSearchParams("from=2026-02-30"), now)).toMatchObject({ ok: false });
    expect(parsePeriod(new URLSearchParams("from=2026-05-02&to=2026-05-01"), now)).toMatchObject({ ok: false });
    expect(parsePeriod(new URLSearchParams("from=2026-05-01&to=2026-05-01"), now)).toEqual({
      ok: true,
      period: { from: "2026-05-01", to: "2026-05-01" },
    });
  });
});
