import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { screenshot, seriousViolations, signIn } from "../helpers/browser.ts";
import { DEMO } from "../helpers/demo-logins.ts";
import { useRunningApp } from "../helpers/running-app.ts";

// A marketer in Chromium reads their unit's results, with JavaScript off and on, at 1280 and
// 375 px: the dashboard's charts and table, its date range, its CSV, another unit's 404, and a
// finished campaign's timeline charts. Every page passes axe and never scrolls sideways.

const { app, browser, appDb } = useRunningApp({ browser: true });
const DAY = 86_400_000;
let campaignId: number;
let otherSlug: string;
const day = (date: Date) => date.toISOString().slice(0, 10);
const sentOn = new Date(Date.now() - 5 * DAY);

beforeAll(async () => {
  const db = appDb.db;
  const topic = await db.topic.findFirstOrThrow({
    where: { unit: { slug: "example-tax" } },
    orderBy: { id: "asc" },
    select: { id: true, unitId: true },
  });
  campaignId = (
    await db.campaign.create({
      data: {
        unitId: topic.unitId,
        topicId: topic.id,
        name: "Results test",
        subject: "Your results",
        status: "SENT",
        sentCount: 200,
        audienceCount: 204,
        startedAt: sentOn,
        finishedAt: sentOn,
      },
    })
  ).id;
  // Deliveries over three minutes, so the campaign page draws its timeline.
  const tag = `results-e2e-${Date.now()}`;
  await db.contact.createMany({ data: Array.from({ length: 6 }, (_, i) => ({ email: `${tag}-${i}@example.net` })) });
  const contacts = await db.contact.findMany({ where: { email: { startsWith: tag } }, select: { id: true }, orderBy: { id: "asc" } });
  await db.delivery.createMany({
    data: contacts.map((c, i) => ({
      campaignId,
      contactId: c.id,
      status: "SENT" as const,
      attempts: 1,
      sentAt: new Date(sentOn.getTime() + (i % 3) * 60_000),
      messageId: `<r${c.id}@test>`,
    })),
  });
  await db.consentEvent.create({
    data: {
      unitId: topic.unitId,
      campaignId,
      contactId: contacts[0].id,
      action: "UNIT_OPT_OUT",
      source: "ONE_CLICK",
      changed: true,
      channel: "EMAIL",
      createdAt: new Date(sentOn.getTime() + 90_000),
    },
  });
  for (let i = 0; i < 3; i++)
    await db.inboundMessage.create({
      data: { kind: "COMPLAINT", via: "SMTP", receivedAt: sentOn, unitId: topic.unitId, campaignId, effect: "test complaint" },
    });
  const marketer = await db.user.findFirstOrThrow({
    where: { email: DEMO.taxMarketer.email },
    select: { memberships: { select: { unitId: true } } },
  });
  otherSlug = (
    await db.businessUnit.findFirstOrThrow({ where: { id: { notIn: marketer.memberships.map((m) => m.unitId) } }, select: { slug: true } })
  ).slug;
});

async function marketerPage(width: number, javaScriptEnabled: boolean): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width, height: 900 }, javaScriptEnabled })).newPage();
  await signIn(page, app.url, DEMO.taxMarketer);
  return page;
}

/** No sideways scroll; and axe, which needs the page's JavaScript, when it is on. */
async function fits(page: Page, width: number, javaScript: boolean) {
  expect(await page.evaluate(() => document.documentElement.scrollWidth), page.url()).toBeLessThanOrEqual(width);
  if (javaScript) expect(await seriousViolations(page), page.url()).toEqual([]);
}

describe("the results dashboard, in Chromium", () => {
  for (const javaScript of [false, true]) {
    it(`reads a unit's campaigns, filters by date and downloads them (JavaScript ${javaScript ? "on" : "off"})`, async () => {
      const page = await marketerPage(1280, javaScript);
      await page.goto(`${app.url}/campaigns`);
      await page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Results" }).click();
      await page.getByRole("link", { name: "Results of Example Tax" }).click();
      await page.waitForURL((url) => url.pathname === "/reports/example-tax");
      await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toBe("Results: Example Tax");
      expect(await page.getByText("This product does not track opens or clicks").count()).toBe(1);
      expect(await page.getByRole("img", { name: /Unsubscribe, bounce and complaint rates per campaign/ }).isVisible()).toBe(true);
      expect(await page.getByRole("img", { name: /Audience size per campaign/ }).isVisible()).toBe(true);
      const row = page.getByRole("row").filter({ hasText: "Results test" });
      // 1 unsubscribe, 0 bounces and 3 complaints over 200 sent; 204 in the audience.
      expect((await row.textContent())?.replace(/\s+/g, " ")).toContain(`${day(sentOn)}2042000.50 % (1)0.00 % (0)1.50 % (3)`);
      await fits(page, 1280, javaScript);
      await screenshot(page, `results-1280-js-${javaScript ? "on" : "off"}.png`);

      // A range that ends before the campaign leaves it out; the form is a plain GET.
      await page.getByLabel("From", { exact: true }).fill(day(new Date(sentOn.getTime() - 30 * DAY)));
      await page.getByLabel("To", { exact: true }).fill(day(new Date(sentOn.getTime() - DAY)));
      await page.getByRole("button", { name: "Show" }).click();
      await page.waitForURL((url) => url.searchParams.get("to") === day(new Date(sentOn.getTime() - DAY)));
      await expect.poll(() => page.getByRole("row").filter({ hasText: "Results test" }).count()).toBe(0);

      await page.goto(`${app.url}/reports/example-tax?from=${day(sentOn)}&to=${day(sentOn)}`);
      const href = await page.getByRole("link", { name: "Download these results (CSV)" }).getAttribute("href");
      const csv = await page.request.get(`${app.url}${href}`);
      expect(csv.status()).toBe(200);
      expect(csv.headers()["content-type"]).toContain("text/csv");
      const lines = (await csv.text()).split("\r\n");
      expect(lines[0]).toBe(
        "Campaign,Subject,Sent on (UTC),Audience,Sent,Unsubscribes,Unsubscribe rate (%),Bounces,Bounce rate (%),Complaints,Complaint rate (%)",
      );
      expect(lines).toContain(`Results test,Your results,${day(sentOn)},204,200,1,0.50,0,0.00,3,1.50`);

      const other = await page.goto(`${app.url}/reports/${otherSlug}`);
      expect(other?.status()).toBe(404);
      const bad = await page.goto(`${app.url}/reports/example-tax?from=yesterday`);
      expect(bad?.status()).toBe(400);
      expect(await page.getByRole("alert").textContent()).toContain('"From" must be a date');
      await page.context().close();
    });
  }

  it("fits a phone, and the campaign page draws its timeline with axes (JavaScript on and off)", async () => {
    for (const javaScript of [false, true]) {
      const page = await marketerPage(375, javaScript);
      await page.goto(`${app.url}/reports/example-tax`);
      await fits(page, 375, javaScript);
      await screenshot(page, `results-375-js-${javaScript ? "on" : "off"}.png`);
      await page.goto(`${app.url}/campaigns/${campaignId}`);
      expect(await page.getByRole("img", { name: /Messages sent per minute/ }).isVisible()).toBe(true);
      expect(await page.getByRole("img", { name: /Unsubscribes per minute/ }).isVisible()).toBe(true);
      await fits(page, 375, javaScript);
      await screenshot(page, `campaign-375-js-${javaScript ? "on" : "off"}.png`);
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.reload();
      await fits(page, 1280, javaScript);
      await screenshot(page, `campaign-1280-js-${javaScript ? "on" : "off"}.png`);
      await page.context().close();
    }
  });
});
