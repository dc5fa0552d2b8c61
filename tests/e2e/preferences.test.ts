import type { BrowserContext, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { seriousViolations } from "../helpers/browser.ts";
import { useRunningApp } from "../helpers/running-app.ts";

// The preference center in Chromium, opened the way most people arrive: from an emailed link.

const { app, browser, appDb } = useRunningApp({ browser: true });

const staleTabContacts: number[] = [];
const jane = () => appDb.db.contact.findUniqueOrThrow({ where: { email: "jane.doe@example.com" }, select: { id: true, email: true } });
const unitId = async (slug: string) => (await appDb.db.businessUnit.findUniqueOrThrow({ where: { slug } })).id;

/** Opens the preference center for a contact through its emailed link, as a person would. */
async function openFromLink(contactId: number, options: { javaScriptEnabled?: boolean } = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  await page.goto(await appDb.link("preferences", { contactId, unitId: await unitId("example-tax") }));
  await page.getByRole("button", { name: "Open my preferences" }).click();
  await page.waitForURL(`${app.url}/preferences`);
  await page.getByRole("heading", { name: "What we may send you" }).waitFor();
  return { context, page };
}

describe("the preference center", () => {
  it("toggles a topic channel inline, shows it in the history, and passes axe", async () => {
    const { id } = await jane();
    const { context, page } = await openFromLink(id);
    expect(await seriousViolations(page)).toEqual([]);

    const tax = page.getByRole("region", { name: "Example Tax" });
    const tips = tax.getByRole("group", { name: /Tax tips/ }).getByRole("checkbox", { name: "Email" });
    const wasOn = await tips.isChecked();
    await tips.click();
    await tax.getByRole("group", { name: /Tax tips/ }).getByText("Saved").waitFor();
    const topicId = (await appDb.db.topic.findFirstOrThrow({ where: { slug: "tax-tips" }, orderBy: { id: "asc" } })).id;
    expect(await appDb.db.subscription.findUnique({ where: { contactId_topicId_channel: { contactId: id, topicId, channel: "EMAIL" } }, select: { status: true } })).toEqual({
      status: wasOn ? "UNSUBSCRIBED" : "SUBSCRIBED",
    });

    await page.getByRole("link", { name: "History" }).click();
    await page.getByRole("heading", { name: "Your consent history" }).waitFor();
    const newest = await page.locator(".history-list li p").first().textContent();
    expect(newest).toBe(`You ${wasOn ? "unsubscribed from" : "subscribed to"} “Tax tips” from Example Tax by email in your preference center.`);
    expect(await seriousViolations(page)).toEqual([]);
    await context.close();
  });

  it("works without JavaScript: unit-wide opt-out saved with the card's button, other units untouched", async () => {
    // Someone subscribed to topics of both Example Insurance and Example Travel, with no unit opt-out.
    const contact = await appDb.db.contact.findFirstOrThrow({
      where: {
        id: { not: (await jane()).id },
        unitOptOuts: { none: {} },
        AND: ["example-insurance", "example-travel"].map((slug) => ({ subscriptions: { some: { status: "SUBSCRIBED" as const, topic: { unit: { slug } } } } })),
      },
      orderBy: { id: "asc" },
      select: { id: true },
    });
    const subscriptions = () => appDb.db.subscription.findMany({ where: { contactId: contact.id }, select: { topicId: true, channel: true, status: true }, orderBy: { id: "asc" } });
    const before = await subscriptions();
    const { context, page } = await openFromLink(contact.id, { javaScriptEnabled: false });
    const insurance = page.getByRole("region", { name: "Example Insurance" });
    await insurance.getByRole("checkbox", { name: /Unsubscribe from all Example Insurance promotional email/ }).check();
    await insurance.getByRole("button", { name: "Save Example Insurance preferences" }).click();
    await page.getByText("Your preferences are saved.").waitFor();
    expect(await appDb.db.unitOptOut.findMany({ where: { contactId: contact.id }, select: { unitId: true } })).toEqual([{ unitId: await unitId("example-insurance") }]);
    expect(await subscriptions()).toEqual(before);
    await context.close();
  });

  it("shows only the session's own contact, whatever ids a URL or form carries", async () => {
    const { id } = await jane();
    const other = await appDb.db.contact.findFirstOrThrow({ where: { id: { not: id } }, orderBy: { id: "asc" }, select: { id: true, email: true } });
    const { context, page } = await openFromLink(id);
    for (const query of [`?contactId=${other.id}`, `?contact=${other.id}`, `?show=example-travel&id=${other.id}`]) {
      await page.goto(`${app.url}/preferences${query}`);
      // Opened from a link, the page masks the address as the unsubscribe page does.
      expect(await page.getByText("For j•••@example.com.", { exact: false }).count()).toBe(1);
      expect(await page.content()).not.toContain(other.email);
    }
    // A crafted post naming another contact gets a 400 and changes nothing for anyone.
    const before = await appDb.db.consentEvent.count();
    const response = await page.request.post(`${app.url}/preferences`, {
      form: { intent: "save", shown: `contact:${other.id}:EMAIL=off`, [`contact:${other.id}:EMAIL`]: "on" },
      headers: { origin: app.url },
    });
    expect(response.status()).toBe(400);
    expect(await appDb.db.consentEvent.count()).toBe(before);
    const history = await page.request.get(`${app.url}/preferences/history?contactId=${other.id}`);
    expect(await history.text()).not.toContain(other.email);
    await context.close();
  });

  for (const javaScriptEnabled of [true, false]) {
    it(`a stale tab never undoes a newer unsubscribe (JavaScript ${javaScriptEnabled ? "on" : "off"})`, async () => {
      // A contact subscribed by email to a topic of Example Tax, with no opt-out.
      const subscription = await appDb.db.subscription.findFirstOrThrow({
        where: {
          status: "SUBSCRIBED",
          channel: "EMAIL",
          topic: { unit: { slug: "example-tax" } },
          expiresAt: null,
          contactId: { notIn: [(await jane()).id, ...staleTabContacts] },
          contact: { unitOptOuts: { none: {} }, globalOptOuts: { none: {} } },
        },
        orderBy: [{ contactId: "asc" }, { id: "asc" }],
        select: { contactId: true, topicId: true, topic: { select: { name: true } } },
      });
      const contact = { id: subscription.contactId, topicId: subscription.topicId, topic: subscription.topic.name };
      staleTabContacts.push(contact.id);
      const subscribed = async () =>
        (await appDb.db.subscription.findUniqueOrThrow({ where: { contactId_topicId_channel: { contactId: contact.id, topicId: contact.topicId, channel: "EMAIL" } } })).status;

      // Tab A: the preference center, the topic ticked.
      const { context, page: tabA } = await openFromLink(contact.id, { javaScriptEnabled });
      const tax = tabA.getByRole("region", { name: "Example Tax" });
      const box = tax.getByRole("group", { name: new RegExp(contact.topic) }).getByRole("checkbox", { name: "Email" });
      expect(await box.isChecked()).toBe(true);

      // Tab B: the topic's unsubscribe link, whose main button leaves only this topic.
      const tabB = await context.newPage();
      await tabB.goto(await appDb.link("unsubscribe", { contactId: contact.id, unitId: await unitId("example-tax"), topicId: contact.topicId }));
      await tabB.getByRole("button", { name: `Unsubscribe from ${contact.topic}` }).click();
      await tabB.getByRole("heading", { name: /unsubscribed/i }).waitFor();
      expect(await subscribed()).toBe("UNSUBSCRIBED");

      // Tab A again: the unit's Save button. The newer choice stands, and the page says so.
      await tax.getByRole("button", { name: "Save Example Tax preferences" }).click();
      // The save's answer (old pages said "saved" here too), then the state it left.
      await tabA.locator("p.saved").waitFor();
      expect(await subscribed()).toBe("UNSUBSCRIBED");
      await tabA.getByText("These choices were changed since this page was opened").waitFor();
      await tabA.getByText(`${contact.topic} from Example Tax by email: now off`).waitFor();
      expect(await box.isChecked()).toBe(false);
      const sources = await appDb.db.consentEvent.findMany({
        where: { contactId: contact.id, topicId: contact.topicId, source: { not: "IMPORT" } },
        select: { action: true, source: true },
        orderBy: { id: "asc" },
      });
      expect(sources).toEqual([{ action: "UNSUBSCRIBE", source: "LINK_PAGE" }]);
      await context.close();
    });
  }

  it("sends a visitor without a session to sign in", async () => {
    const response = await fetch(`${app.url}/preferences`, { redirect: "manual" });
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/login?redirectTo=%2Fpreferences");
  });
});
