import { describe, expect, it } from "vitest";
import { seriousViolations } from "../helpers/browser.ts";
import { useRunningApp } from "../helpers/running-app.ts";

const { app, browser, appDb } = useRunningApp({ browser: true });

/** The first Example Tax email subscriber with no opt-out anywhere. */
async function taxSubscriber(): Promise<{ contactId: number; topicId: number; unitId: number }> {
  const subscription = await appDb.db.subscription.findFirstOrThrow({
    where: {
      topic: { unit: { slug: "example-tax" } },
      channel: "EMAIL",
      status: "SUBSCRIBED",
      contact: { unitOptOuts: { none: {} }, globalOptOuts: { none: {} } },
    },
    orderBy: [{ contactId: "asc" }, { id: "asc" }],
    select: { contactId: true, topicId: true, topic: { select: { unitId: true } } },
  });
  return { contactId: subscription.contactId, topicId: subscription.topicId, unitId: subscription.topic.unitId };
}

describe("unsubscribing from a link, in Chromium", () => {
  it("opts out of the whole unit, confirms, undoes, and the ledger shows both", async () => {
    const { contactId, topicId, unitId } = await taxSubscriber();
    const url = await appDb.link("unsubscribe", { contactId, unitId, topicId, campaignId: 3 });
    const page = await (await browser.newContext()).newPage();
    await page.goto(url);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Unsubscribe from Example Tax email");
    expect(await page.getByText(/^For .•••@example\.com/).count()).toBe(1);
    // The unit-wide choice is the default.
    expect(await page.getByLabel("Unsubscribe from all Example Tax promotional email").isChecked()).toBe(true);
    expect(await page.getByText("Tax and compliance notices.").count()).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByRole("button", { name: "Confirm" }).click();
    await page.getByRole("heading", { name: "You are unsubscribed from all Example Tax promotional email" }).waitFor();
    expect(await page.getByText("Service messages keep coming").count()).toBe(1);
    expect(await appDb.db.unitOptOut.count({ where: { contactId, unitId } })).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByRole("button", { name: "Undo" }).click();
    await page.getByRole("heading", { name: "Your change was undone" }).waitFor();
    expect(await appDb.db.unitOptOut.count({ where: { contactId } })).toBe(0);

    const events = await appDb.db.consentEvent.findMany({
      where: { contactId, source: "LINK_PAGE" },
      select: { action: true, source: true, changed: true, campaignId: true },
      orderBy: { id: "asc" },
    });
    expect(events).toEqual([
      { action: "UNIT_OPT_OUT", source: "LINK_PAGE", changed: true, campaignId: 3 },
      { action: "UNIT_OPT_IN", source: "LINK_PAGE", changed: true, campaignId: 3 },
    ]);
    await page.context().close();
  });

  it("works without JavaScript: pausing for 90 days", async () => {
    const { contactId, topicId, unitId } = await taxSubscriber();
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(await appDb.link("unsubscribe", { contactId, unitId, topicId }));
    await page.getByLabel("Pause Example Tax promotional email for 90 days").check();
    await page.getByRole("button", { name: "Confirm" }).click();
    await page.getByRole("heading", { name: "Example Tax promotional email is paused" }).waitFor();
    const snooze = await appDb.db.snooze.findUniqueOrThrow({ where: { contactId_unitId: { contactId, unitId } } });
    const days = (snooze.until.getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(89.9);
    expect(days).toBeLessThanOrEqual(90);
    await context.close();
  });

  it("shows a calm page for a link that no longer works, which passes axe too", async () => {
    const page = await (await browser.newContext()).newPage();
    const response = await page.goto(`${app.url}/u/not-a-token`);
    expect(response?.status()).toBe(400);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("This link no longer works");
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByLabel("Email address").fill("someone@example.org");
    await page.getByRole("button", { name: "Email me a new link" }).click();
    await page.getByRole("heading", { name: "Check your inbox" }).waitFor();
    await page.context().close();
  });
});
