import fs from "node:fs";
import path from "node:path";
import PostalMime from "postal-mime";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { screenshot, seriousViolations, signIn } from "../helpers/browser.ts";
import { DEMO } from "../helpers/demo-logins.ts";
import { useRunningApp } from "../helpers/running-app.ts";

// A marketer's week through issue 21, end to end in Chromium against the production build and a
// running sender: duplicate last month's campaign, personalise it, target two topics, test it to
// the seed list, schedule it on the marketer's New York clock, watch it send, read the unit's
// dashboard, and find every step in the audit log.

const { app, browser, appDb } = useRunningApp({ env: { SEND_RATE_PER_SECOND: "500" }, browser: true });

/** Every outbox message whose subject matches, parsed. */
async function messagesWithSubject(pattern: RegExp) {
  const found = [];
  for (const file of fs.readdirSync(app.outboxDir).filter((f) => f.endsWith(".eml"))) {
    const message = await PostalMime.parse(fs.readFileSync(path.join(app.outboxDir, file)));
    if (pattern.test(message.subject ?? "")) found.push(message);
  }
  return found;
}

async function fitsAndPasses(page: Page, what: string) {
  for (const width of [1280, 375]) {
    await page.setViewportSize({ width, height: 900 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth), `${what} at ${width}px`).toBeLessThanOrEqual(width);
    expect(await seriousViolations(page), `${what} at ${width}px`).toEqual([]);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

describe("a marketer's week", { timeout: 180_000 }, () => {
  it("duplicate last month's campaign, personalise it, two topics, a test to the seed list, schedule, send, dashboard, audit", async () => {
    const tax = await appDb.db.businessUnit.findUniqueOrThrow({ where: { slug: "example-tax" }, select: { id: true } });
    const tips = await appDb.db.topic.findFirstOrThrow({ where: { unitId: tax.id, name: "Tax tips" }, select: { id: true } });
    const webinars = await appDb.db.topic.findFirstOrThrow({ where: { unitId: tax.id, name: "Webinars and events" }, select: { id: true } });
    const marketer = await appDb.db.user.findUniqueOrThrow({ where: { email: DEMO.taxMarketer.email }, select: { id: true } });
    // Last month's campaign, as the library keeps it once sent.
    const monthAgo = new Date(Date.now() - 30 * 86_400_000);
    const lastMonth = await appDb.db.campaign.create({
      data: {
        unitId: tax.id,
        topicId: tips.id,
        name: "November tax tips",
        subject: "November tax tips",
        bodyMarkdown: "## November\n\nFile **early**.",
        status: "SENT",
        startedAt: monthAgo,
        finishedAt: monthAgo,
        createdById: marketer.id,
        topics: { create: [{ topicId: tips.id, position: 0 }] },
      },
    });

    const context = await browser.newContext({ timezoneId: "America/New_York", viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await signIn(page, app.url, DEMO.taxMarketer);
    await page.waitForURL(`${app.url}/campaigns`);

    // 1. Find last month's campaign in the library and duplicate it.
    await page.getByLabel("Status").selectOption({ label: "Sent" });
    await page.getByRole("button", { name: "Filter" }).click();
    await page.waitForURL(/status=SENT/);
    await page.getByRole("link", { name: "November tax tips", exact: true }).click();
    await page.waitForURL(`${app.url}/campaigns/${lastMonth.id}`);
    await page.getByRole("button", { name: "Duplicate as a new draft" }).click();
    await page.waitForURL((url) => /\/campaigns\/\d+$/.test(url.pathname) && !url.pathname.endsWith(`/${lastMonth.id}`));
    const id = Number(page.url().split("/").at(-1));

    // 2. Personalise it, and 3. target two topics.
    await page.getByLabel("Subject").fill("{{first_name|Hello}}, December tax tips");
    await page.getByLabel("Body (Markdown)").fill("Dear {{first_name|reader}},\n\n## December\n\nFile **early**.");
    await page.getByRole("checkbox", { name: "Webinars and events" }).check();
    await page.getByRole("button", { name: "Save draft" }).click();
    await expect.poll(() => page.getByText("Saved.").count()).toBe(1);
    const saved = await appDb.db.campaign.findUniqueOrThrow({ where: { id }, include: { topics: { orderBy: { position: "asc" } } } });
    expect(saved.topics.map((t) => t.topicId)).toEqual([tips.id, webinars.id]);
    await expect.poll(() => page.locator(".campaign-meta").textContent()).toContain("Tax tips + 1 more");
    await fitsAndPasses(page, "the copy, personalised");
    await screenshot(page, "week-1-personalised.png");

    // 4. The seed list, then a test to it.
    await page.goto(`${app.url}/campaigns/seeds`);
    for (const address of ["proof.reader@example.net", "legal.check@example.net"]) {
      await page.getByLabel("Add an address").fill(address);
      await page.getByRole("button", { name: "Add to the seed list" }).click();
      await expect.poll(() => page.getByText(address, { exact: true }).count()).toBe(1);
    }
    await page.goto(`${app.url}/campaigns/${id}`);
    await page.getByRole("button", { name: "Send a test to the seed list" }).click();
    await expect.poll(() => page.getByText(/Test messages are on their way to the seed list \(2 addresses\)/).count()).toBe(1);
    const tests = await messagesWithSubject(/^\[Test\] Hello, December tax tips$/);
    expect(tests.map((m) => m.to?.[0]?.address).sort()).toEqual(["legal.check@example.net", "proof.reader@example.net"]);
    expect(tests[0].text).toContain("Dear reader,");

    // 5. Schedule it on the marketer's clock: 09:00 in New York is 14:00 UTC in January.
    await expect.poll(() => page.getByLabel("Time zone").inputValue()).toBe("America/New_York");
    await page.getByLabel("Send at").fill("2030-01-15T09:00");
    await page.getByRole("button", { name: "Schedule" }).click();
    await expect.poll(async () => (await appDb.db.campaign.findUniqueOrThrow({ where: { id } })).status).toBe("SCHEDULED");
    expect(await appDb.db.campaign.findUniqueOrThrow({ where: { id }, select: { scheduledAt: true, scheduleTimeZone: true } })).toEqual({
      scheduledAt: new Date("2030-01-15T14:00:00Z"),
      scheduleTimeZone: "America/New_York",
    });
    await expect.poll(() => page.getByTestId("schedule").textContent()).toContain("09:00 (America/New York)");

    // 6. The day comes (its time moved to now: the sender's own clock is not ours to turn), and it sends.
    await appDb.db.campaign.update({ where: { id }, data: { scheduledAt: new Date(Date.now() - 1000) } });
    const dueAt = (await appDb.db.campaign.findUniqueOrThrow({ where: { id }, select: { scheduledAt: true } })).scheduledAt!;
    await page.reload();
    await expect.poll(async () => (await appDb.db.campaign.findUniqueOrThrow({ where: { id } })).status, { timeout: 60_000 }).toBe("SENT");
    await page.reload();
    await expect.poll(() => page.getByRole("heading", { name: "Results" }).count()).toBe(1);
    await fitsAndPasses(page, "the sent campaign");
    await screenshot(page, "week-6-sent.png");
    // Someone on both topics got one copy, with their own first name.
    const both = await appDb.db.delivery.findFirstOrThrow({
      where: {
        campaignId: id,
        status: "SENT",
        contact: { name: { not: null }, subscriptions: { some: { topicId: webinars.id, status: "SUBSCRIBED" } }, AND: { subscriptions: { some: { topicId: tips.id, status: "SUBSCRIBED" } } } },
      },
      select: { contact: { select: { email: true, name: true } } },
    });
    const theirs = (await messagesWithSubject(/December tax tips$/)).filter((m) => m.to?.[0]?.address === both.contact.email);
    expect(theirs).toHaveLength(1);
    expect(theirs[0].subject).toBe(`${both.contact.name!.split(" ")[0]}, December tax tips`);

    // 7. The unit's dashboard shows the campaign beside last month's.
    await page.goto(`${app.url}/reports/example-tax`);
    const row = page.locator(`tr[data-campaign="${id}"]`);
    const { sentCount } = await appDb.db.campaign.findUniqueOrThrow({ where: { id }, select: { sentCount: true } });
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.textContent()).toContain(sentCount.toLocaleString("en-GB"));
    expect(await page.getByText(/does not track opens or clicks/i).count()).toBe(1);
    await fitsAndPasses(page, "the dashboard");
    await screenshot(page, "week-7-dashboard.png");

    // 8. Every step of the week is in the audit log, with the marketer as actor.
    const admin = await (await browser.newContext()).newPage();
    await signIn(admin, app.url, DEMO.admin);
    await admin.goto(`${app.url}/admin/audit?target=${encodeURIComponent(`campaign:${id}`)}`);
    const log = (await admin.locator("table").textContent()) ?? "";
    for (const action of ["campaign.duplicate", "campaign.edit", "campaign.test", "campaign.schedule", "campaign.send"]) expect(log).toContain(action);
    expect(log).toContain(DEMO.taxMarketer.email);
    // The start at the scheduled time is the scheduler's step, not the marketer's.
    const start = await appDb.db.auditEvent.findFirstOrThrow({ where: { target: `campaign:${id}`, action: "campaign.send" } });
    expect(start).toMatchObject({ actorEmail: "scheduler", actorUserId: null });
    expect(JSON.parse(start.detail!)).toMatchObject({ scheduledAt: dueAt.toISOString() });
    await fitsAndPasses(admin, "the audit log");
    await screenshot(admin, "week-8-audit.png");
  });
});
