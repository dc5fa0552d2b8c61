import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { seriousViolations, signIn } from "../helpers/browser.ts";
import { DEMO } from "../helpers/demo-logins.ts";
import type { InboundKind } from "~/generated/prisma/enums.ts";
import { useRunningApp } from "../helpers/running-app.ts";

// An admin in Chromium reads what came back: /admin/inbound filtered by unit, kind and date, one
// hostile raw message shown as text (never run) and downloaded, and a sent campaign's rates.

const { app, browser, appDb } = useRunningApp({ browser: true });
let page: Page;
let campaignId: number;
let hostileId: number;
let travelCampaignId: number;

const HOSTILE = '<script>window.__ran = true</script><img src=x onerror="window.__ran = true"> 550 5.1.1 <b>user unknown</b>';

beforeAll(async () => {
  const db = appDb.db;
  const now = new Date();
  const at = new Date(now.getTime() - 3_600_000);
  const firstTopic = (unitSlug: string) =>
    db.topic.findFirstOrThrow({ where: { unit: { slug: unitSlug } }, orderBy: { id: "asc" }, select: { id: true, unitId: true } });
  const unit = await firstTopic("example-tax");
  campaignId = (
    await db.campaign.create({
      data: { unitId: unit.unitId, topicId: unit.id, name: "Feedback test", subject: "Your tax summary is ready", status: "SENT", sentCount: 200, startedAt: at, finishedAt: at, createdAt: at, updatedAt: at },
    })
  ).id;
  const insert = async (
    kind: InboundKind,
    unitId: number,
    campaign: number,
    recipient: string,
    status: string | null,
    diagnostic: string | null,
    effect: string,
    raw: string,
  ) => (await db.inboundMessage.create({ data: { kind, via: "SMTP", receivedAt: at, unitId, campaignId: campaign, recipient, status, diagnostic, effect, raw } })).id;
  for (let i = 0; i < 12; i++) {
    await insert("HARD_BOUNCE", unit.unitId, campaignId, `gone${i}@example.net`, "5.1.1", "smtp; 550 5.1.1 user unknown", "Suppressed: hard bounce", `Final-Recipient: rfc822; gone${i}@example.net`);
  }
  for (let i = 0; i < 3; i++) await insert("COMPLAINT", unit.unitId, campaignId, `angry${i}@example.net`, null, null, "Opted out of Example Tax email", "Feedback-Type: abuse");
  hostileId = await insert("SOFT_BOUNCE", unit.unitId, campaignId, "full@example.net", "4.2.2", "mailbox full", "Counted: soft bounce 1 of 3", HOSTILE);
  // Another unit over the warn rate: 1,000 messages sent yesterday, 2 complaints (0.2 %).
  const travel = await firstTopic("example-travel");
  const yesterday = new Date(now.getTime() - 86_400_000);
  travelCampaignId = (
    await db.campaign.create({
      data: { unitId: travel.unitId, topicId: travel.id, name: "Warned", subject: "Summer trips", status: "PAUSED", sentCount: 1000, startedAt: yesterday, createdAt: yesterday, updatedAt: yesterday },
    })
  ).id;
  await db.contact.createMany({ data: Array.from({ length: 1000 }, (_, i) => ({ email: `warned${i + 1}@example.net`, createdAt: yesterday, updatedAt: yesterday })) });
  const warned = await db.contact.findMany({ where: { email: { startsWith: "warned", endsWith: "@example.net" } }, select: { id: true } });
  await db.delivery.createMany({
    data: warned.map(({ id }) => ({ campaignId: travelCampaignId, contactId: id, status: "SENT" as const, attempts: 1, createdAt: yesterday, sentAt: yesterday })),
  });
  for (let i = 0; i < 2; i++) await insert("COMPLAINT", travel.unitId, travelCampaignId, `upset${i}@example.net`, null, null, "Opted out", "Feedback-Type: abuse");
  page = await (await browser.newContext()).newPage();
  await signIn(page, app.url, DEMO.admin);
});

describe("what came back, in Chromium", () => {
  it("lists it filtered by unit, kind and date, and shows one raw message as text with a download", async () => {
    await page.goto(`${app.url}/admin/inbound`);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("What came back");
    expect(await page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "What came back" }).count()).toBe(1);
    await page.getByLabel("Unit", { exact: true }).selectOption({ label: "Example Tax" });
    await page.getByLabel("Kind", { exact: true }).selectOption({ label: "Hard bounce" });
    await page.getByRole("button", { name: "Search", exact: true }).click();
    await page.waitForURL((url) => url.searchParams.get("kind") === "HARD_BOUNCE");
    const kinds = await page.locator(".inbound-table td[data-label=Kind] .status-badge").allTextContents();
    expect(kinds).toHaveLength(12);
    expect(new Set(kinds)).toEqual(new Set(["Hard bounce"]));
    expect(await page.locator(".inbound-table tbody tr").first().textContent()).toContain("Suppressed: hard bounce");
    expect(await seriousViolations(page)).toEqual([]);

    // A day with nothing in it.
    await page.getByLabel("From (UTC)").fill("2030-01-01");
    await page.getByRole("button", { name: "Search", exact: true }).click();
    await page.waitForURL((url) => url.searchParams.get("from") === "2030-01-01");
    await expect.poll(() => page.getByText("Nothing came back that matches this search.").count()).toBe(1);

    // A kind that does not exist: 400 with a message, not a 500.
    const bad = await page.goto(`${app.url}/admin/inbound?kind=EXPLODED`);
    expect(bad?.status()).toBe(400);
    expect(await page.getByRole("alert").textContent()).toContain("Kind must be one of");

    await page.goto(`${app.url}/admin/inbound?unit=example-tax&kind=SOFT_BOUNCE`);
    await page.locator(".inbound-table tbody tr").first().getByRole("link").first().click();
    await page.waitForURL(`${app.url}/admin/inbound/${hostileId}`);
    // A link moves the URL before the new page replaces the list: wait for the page itself.
    await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toBe(`Soft bounce ${hostileId}`);
    expect(await page.locator("pre.raw-message").textContent()).toBe(HOSTILE);
    expect(await page.locator("pre.raw-message script, pre.raw-message img").count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __ran?: boolean }).__ran ?? false)).toBe(false);
    expect(await seriousViolations(page)).toEqual([]);

    const download = await page.request.get(`${app.url}/admin/inbound/${hostileId}/raw`);
    expect(download.status()).toBe(200);
    expect(download.headers()["content-type"]).toBe("text/plain; charset=utf-8");
    expect(download.headers()["content-disposition"]).toBe(`attachment; filename="inbound-${hostileId}.eml"`);
    expect(await download.text()).toBe(HOSTILE);
  });

  it("is for admins only", async () => {
    const marketer = await (await browser.newContext()).newPage();
    await signIn(marketer, app.url, DEMO.taxMarketer);
    expect((await marketer.goto(`${app.url}/admin/inbound`))?.status()).toBe(404);
    expect((await marketer.request.get(`${app.url}/admin/inbound/${hostileId}/raw`)).status()).toBe(404);
  });

  it("shows the campaign's rates on its page", async () => {
    await page.goto(`${app.url}/campaigns/${campaignId}`);
    const block = page.getByRole("region", { name: "What came back" });
    const row = (label: string) => block.getByRole("row").filter({ has: page.getByRole("rowheader", { name: label, exact: true }) });
    expect(await row("Hard bounces").locator("td").allTextContents()).toEqual(["12", "6.00 %"]);
    expect(await row("Spam complaints").locator("td").allTextContents()).toEqual(["3", "1.50 %"]);
    expect(await row("Soft bounces").locator("td").allTextContents()).toEqual(["1", "0.50 %"]);
    expect(await block.getByRole("columnheader", { name: "Of 200 sent" }).count()).toBe(1);
    // Example Tax sent too few in 7 days to judge its complaint rate: no warning.
    expect(await page.getByTestId("complaint-warning").count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);
  });

  it("warns on a campaign's page when its unit's complaint rate is at the warn rate", async () => {
    await page.goto(`${app.url}/campaigns/${travelCampaignId}`);
    const warning = page.getByTestId("complaint-warning");
    expect(await warning.textContent()).toContain(
      "Example Travel: spam complaints are high. Spam complaints reached 0.20 % of the 1,000 messages sent in the last 7 days (2 complaints; warning at 0.10 %).",
    );
    expect(await warning.textContent()).toContain("A campaign resumed while the rate is this high pauses again");
    expect(await seriousViolations(page)).toEqual([]);
  });

  it("shows the unit's seven days and its chart", async () => {
    await page.goto(`${app.url}/admin/units/example-tax`);
    const section = page.getByRole("region", { name: "Mail feedback, last 7 days" });
    const hard = section.getByRole("row").filter({ has: page.getByRole("rowheader", { name: "Hard bounces", exact: true }) }).first();
    expect(await hard.locator("td").first().textContent()).toBe("12");
    expect(await section.getByRole("img", { name: /messages came back to Example Tax/ }).isVisible()).toBe(true);
    expect(await section.getByRole("list", { name: "Kinds" }).textContent()).toContain("Spam complaint");
  });

  it("reads at a phone's width without sideways scrolling of the page", async () => {
    const phone = await (await browser.newContext({ viewport: { width: 375, height: 800 } })).newPage();
    await signIn(phone, app.url, DEMO.admin);
    for (const path of ["/admin/inbound", `/admin/inbound/${hostileId}`, `/campaigns/${campaignId}`, "/admin/units/example-tax"]) {
      await phone.goto(`${app.url}${path}`);
      expect(await phone.evaluate(() => document.documentElement.scrollWidth), path).toBeLessThanOrEqual(375);
    }
  });
});
