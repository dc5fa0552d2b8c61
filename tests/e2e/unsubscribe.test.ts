import { describe, expect, it } from "vitest";
import { screenshot, seriousViolations, signIn } from "../helpers/browser.ts";
import { DEMO } from "../helpers/demo-logins.ts";
import { useRunningApp } from "../helpers/running-app.ts";

const { app, browser, appDb } = useRunningApp({ browser: true });


/** axe needs JavaScript in the page: the same GET, at 375 px, in a context that runs it (a GET changes nothing). */
async function violationsAt375(url: string): Promise<string[]> {
  const context = await browser.newContext({ viewport: { width: 375, height: 800 } });
  const page = await context.newPage();
  await page.goto(url);
  const violations = await seriousViolations(page);
  await context.close();
  return violations;
}

/** The first (or nth) Example Tax email subscriber with no opt-out anywhere. */
async function taxSubscriber(nth = 0): Promise<{ contactId: number; topicId: number; unitId: number }> {
  const subscription = await appDb.db.subscription.findFirstOrThrow({
    skip: nth,
    distinct: ["contactId"],
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
  it("opts out of the whole unit from a unit link, confirms, undoes, and the ledger shows both", async () => {
    const { contactId, unitId } = await taxSubscriber();
    const url = await appDb.link("unsubscribe", { contactId, unitId, topicId: null, campaignId: 3 });
    const page = await (await browser.newContext()).newPage();
    await page.goto(url);
    // One main button, matching the link: a unit link leaves the unit.
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Unsubscribe from Example Tax");
    expect(await page.getByText(/^For .•••@example\.com/).count()).toBe(1);
    // Service messages are folded: there, but not in the way.
    expect(await page.getByText("Tax and compliance notices.").isVisible()).toBe(false);
    await page.getByText("Service messages keep coming").click();
    expect(await page.getByText("Tax and compliance notices.").isVisible()).toBe(true);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, "unit-link-1280.png");

    await page.getByRole("button", { name: "Unsubscribe from Example Tax" }).click();
    await page.getByRole("heading", { name: "You are unsubscribed from all Example Tax promotional email" }).waitFor();
    // The optional why? is on the confirmation: axe checks it here, where the page runs JavaScript.
    expect(await page.getByRole("group", { name: /why did you unsubscribe/ }).count()).toBe(1);
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
    await page.getByText("Other choices").click();
    await page.getByLabel("Pause Example Tax email for 90 days").check();
    await page.getByRole("button", { name: "Confirm" }).click();
    await page.getByRole("heading", { name: "Example Tax promotional email is paused" }).waitFor();
    const snooze = await appDb.db.snooze.findUniqueOrThrow({ where: { contactId_unitId: { contactId, unitId } } });
    const days = (snooze.until.getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(89.9);
    expect(days).toBeLessThanOrEqual(90);
    await context.close();
  });

  it("at 375 px without JavaScript: the main button names the link's topic; 'send me less' from Other choices is recorded and shown", async () => {
    const { contactId, topicId, unitId } = await taxSubscriber(1);
    const topic = await appDb.db.topic.findUniqueOrThrow({ where: { id: topicId } });
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 375, height: 800 } });
    const page = await context.newPage();
    const url = await appDb.link("unsubscribe", { contactId, unitId, topicId, campaignId: 5 });
    await page.goto(url);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe(`Unsubscribe from ${topic.name}`);
    expect(await page.getByRole("button", { name: `Unsubscribe from ${topic.name}` }).isVisible()).toBe(true);
    expect(await page.getByText("Send me less: at most one Example Tax email a week").isVisible()).toBe(false);
    expect(await violationsAt375(url)).toEqual([]);
    await screenshot(page, "topic-link-375-nojs.png");

    await page.getByText("Other choices").click();
    await page.getByLabel("Send me less: at most one Example Tax email a week").check();
    await screenshot(page, "other-choices-375-nojs.png");
    await page.getByRole("button", { name: "Confirm" }).click();
    await page.getByRole("heading", { name: "You will get at most one Example Tax email a week" }).waitFor();
    await screenshot(page, "send-me-less-done-375-nojs.png");
    expect(await appDb.db.frequencyChoice.findUnique({ where: { contactId_unitId: { contactId, unitId } } })).toMatchObject({ frequency: "WEEKLY" });
    expect(await appDb.db.consentEvent.findFirst({ where: { contactId, action: "FREQUENCY_SET" } })).toMatchObject({ source: "LINK_PAGE", changed: true, campaignId: 5, unitId });
    // Still subscribed: less, not nothing.
    expect(await appDb.db.subscription.findFirst({ where: { contactId, topicId, channel: "EMAIL" } })).toMatchObject({ status: "SUBSCRIBED" });

    // The page says so when opened again.
    await page.goto(url);
    expect(await page.getByText("You get at most one promotional email a week from Example Tax.").count()).toBe(1);
    await context.close();
  });

  it("at 375 px without JavaScript: unsubscribes, answers why?, then finds it already unsubscribed and subscribes again", async () => {
    const { contactId, topicId, unitId } = await taxSubscriber(2);
    const topic = await appDb.db.topic.findUniqueOrThrow({ where: { id: topicId } });
    const campaign = await appDb.db.campaign.create({ data: { unitId, topicId, name: "Why test", subject: "Why test", status: "SENT", startedAt: new Date(), finishedAt: new Date() } });
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 375, height: 800 } });
    const page = await context.newPage();
    const url = await appDb.link("unsubscribe", { contactId, unitId, topicId, campaignId: campaign.id });
    await page.goto(url);
    await page.getByRole("button", { name: `Unsubscribe from ${topic.name}` }).click();
    await page.getByRole("heading", { name: `You are unsubscribed from “${topic.name}”` }).waitFor();
    await screenshot(page, "unsubscribed-why-375-nojs.png");

    await page.getByLabel("Too many emails").check();
    await page.getByRole("button", { name: "Send answer" }).click();
    await page.getByRole("heading", { name: "Thank you" }).waitFor();
    expect(await appDb.db.unsubscribeReason.findMany({ where: { contactId }, select: { reason: true, unitId: true, campaignId: true } })).toEqual([
      { reason: "TOO_MANY", unitId, campaignId: campaign.id },
    ]);

    await page.goto(url);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("You are already unsubscribed");
    expect(await violationsAt375(url)).toEqual([]);
    await screenshot(page, "already-unsubscribed-375-nojs.png");
    await page.getByRole("button", { name: `Subscribe again to ${topic.name}` }).click();
    await page.getByRole("heading", { name: "You are subscribed again" }).waitFor();
    expect(await appDb.db.subscription.findFirst({ where: { contactId, topicId, channel: "EMAIL" } })).toMatchObject({ status: "SUBSCRIBED" });
    const events = await appDb.db.consentEvent.findMany({ where: { contactId, source: "LINK_PAGE" }, select: { action: true, changed: true }, orderBy: { id: "asc" } });
    expect(events).toEqual([
      { action: "UNSUBSCRIBE", changed: true },
      { action: "SUBSCRIBE", changed: true },
      { action: "UNIT_OPT_IN", changed: false },
    ]);
    await context.close();

    // Staff see the answer counted on the campaign and on the unit.
    const staff = await (await browser.newContext()).newPage();
    await signIn(staff, app.url, DEMO.admin);
    await staff.goto(`${app.url}/campaigns/${campaign.id}`);
    const counted = staff.getByTestId("unsubscribe-reasons");
    expect(await counted.getByRole("definition").allTextContents()).toEqual(["1", "0", "0", "0"]);
    expect(await seriousViolations(staff)).toEqual([]);
    await screenshot(staff, "campaign-why-counts.png");
    await staff.goto(`${app.url}/admin/units/example-tax`);
    expect(await staff.getByRole("heading", { name: "Why people unsubscribed" }).count()).toBe(1);
    expect(Number(await staff.getByTestId("unsubscribe-reasons").getByRole("definition").first().textContent())).toBeGreaterThanOrEqual(1);
    expect(await seriousViolations(staff)).toEqual([]);
    await staff.context().close();
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
