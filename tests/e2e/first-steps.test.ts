import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { DEMO_GROUP } from "../../prisma/demo-data.ts";
import { emailedLink } from "../helpers/outbox.ts";
import { messagesTo } from "../helpers/accounts-http.ts";
import { screenshot, seriousViolations, signIn } from "../helpers/browser.ts";
import { DEMO } from "../helpers/demo-logins.ts";
import { useRunningApp } from "../helpers/running-app.ts";

// Issue 20 points 4 and 5 in Chromium: a new person signs up on a phone (375 px), confirms by the
// emailed link (sent as the group, in the sign-up's own words), reaches "Choose what you'd like",
// ticks a topic and saves it through the consent core; and /admin/group, with and without JavaScript.

const { app, browser, appDb } = useRunningApp({ browser: true });

async function phonePage(javaScriptEnabled = true): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 375, height: 812 }, javaScriptEnabled });
  const page = await context.newPage();
  page.setDefaultTimeout(8_000);
  return page;
}

async function emailedUrl(email: string, template: string): Promise<string> {
  await expect.poll(async () => (await messagesTo(appDb, email)).some((m) => m.template === template && m.status === "SENT"), { timeout: 10_000 }).toBe(true);
  return `${app.url}${new URL((await emailedLink(app.outboxDir, email, template))!).pathname}`;
}

describe("first steps after sign-up", () => {
  it.each([true, false])("at 375 px (JavaScript %s): sign up, confirm, choose a topic, and it is in the ledger as express consent from the preference center", async (javaScript) => {
    const email = `first-steps-${javaScript ? "js" : "nojs"}-${Date.now()}@example.org`;
    const password = "saffron-glacier-bicycle-42";
    const page = await phonePage(javaScript);
    await page.goto(`${app.url}/signup`);
    await expect.poll(() => page.locator(".brand-name").first().textContent()).toBe(DEMO_GROUP.name);
    await page.getByLabel("Name").fill("Nia Horvat");
    await page.getByLabel("Email address").fill(email);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByRole("heading", { name: "Check your inbox" }).waitFor();

    await page.goto(await emailedUrl(email, "sign-up-confirmation"));
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Confirm and sign in" }).click();
    await page.getByRole("heading", { name: "Choose what you'd like" }).waitFor();
    expect(new URL(page.url()).pathname).toBe("/welcome");
    // axe runs as a script in the page: it checks the same markup in the JavaScript run.
    if (javaScript) expect(await seriousViolations(page)).toEqual([]);
    // Every unit with topics is offered, nothing ticked for a new person.
    const units = await appDb.db.businessUnit.findMany({ where: { topics: { some: { archivedAt: null } } }, select: { displayName: true } });
    for (const unit of units) await page.getByRole("heading", { name: unit.displayName, level: 2 }).waitFor();
    expect(await page.locator("input[type=checkbox]:checked").count()).toBe(0);
    if (javaScript) await screenshot(page, "welcome-375.png");

    const contact = await appDb.db.contact.findUniqueOrThrow({ where: { email } });
    const topic = await appDb.db.topic.findFirstOrThrow({ where: { archivedAt: null, offersEmail: true }, orderBy: { id: "asc" }, include: { unit: true } });
    const section = page.getByRole("region", { name: topic.unit.displayName });
    await section.getByRole("group", { name: topic.name }).getByLabel("Email").check();
    await page.getByRole("button", { name: "Save my choices" }).click();
    await page.waitForURL(/\/preferences$/);
    if (javaScript) await screenshot(page, "after-first-steps-375.png");

    const events = await appDb.db.consentEvent.findMany({ where: { contactId: contact.id, action: "SUBSCRIBE" }, include: { consentText: true } });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ topicId: topic.id, channel: "EMAIL", source: "PREFERENCE_CENTER", changed: true, actor: expect.stringMatching(/^user:\d+$/) });
    expect(JSON.parse(events[0].detail ?? "{}")).toMatchObject({ basis: "EXPRESS" });
    expect(events[0].consentText?.key).toBe("preference-center");
    expect(await appDb.db.subscription.findUnique({ where: { contactId_topicId_channel: { contactId: contact.id, topicId: topic.id, channel: "EMAIL" } } })).toMatchObject({ status: "SUBSCRIBED", basis: "EXPRESS" });
    await page.context().close();
  });
});

describe("/admin/group in Chromium", () => {
  it.each([true, false])("an admin sees it in the navigation, fixes a bad field and saves (JavaScript %s), axe-clean", async (javaScript) => {
    const context = await browser.newContext({ javaScriptEnabled: javaScript });
    const page = await context.newPage();
    page.setDefaultTimeout(8_000);
    await signIn(page, app.url, DEMO.admin);
    await page.goto(`${app.url}/admin/units`);
    await page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Group identity" }).click();
    await page.getByRole("heading", { name: "Group identity", level: 1 }).waitFor();
    if (javaScript) expect(await seriousViolations(page)).toEqual([]);

    const name = javaScript ? "Example Group (JS)" : "Example Group";
    await page.getByLabel("Group name").fill(name);
    await page.getByLabel("From address").fill("not an address");
    await page.getByRole("button", { name: "Save group identity" }).click();
    await page.getByText("Enter an email address such as accounts@example.com.").first().waitFor();
    expect(await page.getByLabel("From address").getAttribute("aria-invalid")).toBe("true");
    if (javaScript) expect(await seriousViolations(page)).toEqual([]);
    if (!javaScript) await screenshot(page, "admin-group-error-nojs.png");

    await page.getByLabel("From address").fill("accounts@example-group.com");
    await page.getByRole("button", { name: "Save group identity" }).click();
    await page.getByText(`Saved. Account mail is now sent as ${name}.`).waitFor();
    expect(await page.locator(".brand-name").textContent()).toBe(name);
    if (javaScript) expect(await seriousViolations(page)).toEqual([]);
    if (javaScript) await screenshot(page, "admin-group-saved.png");
    await context.close();
  });
});
