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
    // One save model (issue 20): with JavaScript every control saves itself, and no Save button is drawn.
    expect(await page.getByRole("button", { name: /^Save/ }).count()).toBe(0);
    await tips.click();
    const tipsGroup = tax.getByRole("group", { name: /Tax tips/ });
    await tipsGroup.getByText("Saved").waitFor();
    const topicId = (await appDb.db.topic.findFirstOrThrow({ where: { slug: "tax-tips" }, orderBy: { id: "asc" } })).id;
    const tipsStatus = async () =>
      (await appDb.db.subscription.findUnique({ where: { contactId_topicId_channel: { contactId: id, topicId, channel: "EMAIL" } }, select: { status: true } }))?.status;
    expect(await tipsStatus()).toBe(wasOn ? "UNSUBSCRIBED" : "SUBSCRIBED");

    // "Saved · Undo": Undo puts it back as it was, with its own ledger event.
    await tipsGroup.getByRole("button", { name: "Undo: Email" }).click();
    await tipsGroup.getByText("Change undone").waitFor();
    await expect.poll(() => tips.isChecked()).toBe(wasOn);
    expect(await tipsStatus()).toBe(wasOn ? "SUBSCRIBED" : "UNSUBSCRIBED");
    await tips.click();
    await tipsGroup.getByText("Saved").waitFor();

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
    // Post, redirect, get: the answer is the page itself, and a refresh posts nothing again.
    expect(page.url()).toBe(`${app.url}/preferences`);
    const events = await appDb.db.consentEvent.count({ where: { contactId: contact.id } });
    await page.reload();
    await page.getByRole("heading", { name: "What we may send you" }).waitFor();
    expect(await page.getByText("Your preferences are saved.").count()).toBe(0);
    expect(await appDb.db.consentEvent.count({ where: { contactId: contact.id } })).toBe(events);
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

      if (javaScriptEnabled) {
        // Tab A again: another control saves itself; it posts only itself, and the page then shows the newer state.
        await tax.getByRole("checkbox", { name: /Unsubscribe from all Example Tax promotional email/ }).check();
        await tax.getByText("Saved").first().waitFor();
        await tax.getByRole("checkbox", { name: /Unsubscribe from all Example Tax promotional email/ }).uncheck();
        await expect.poll(() => tax.getByRole("group", { name: new RegExp(contact.topic) }).getByRole("checkbox", { name: "Email" }).isChecked()).toBe(false);
        expect(await subscribed()).toBe("UNSUBSCRIBED");
      } else {
        // Tab A again: the unit's Save button. The newer choice stands, and the page says so.
        await tax.getByRole("button", { name: "Save Example Tax preferences" }).click();
        // The save's answer (old pages said "saved" here too), then the state it left.
        await tabA.locator("p.saved").waitFor();
        expect(await subscribed()).toBe("UNSUBSCRIBED");
        await tabA.getByText("These choices were changed since this page was opened").waitFor();
        await tabA.getByText(`${contact.topic} from Example Tax by email: now off`).waitFor();
        expect(await box.isChecked()).toBe(false);
      }
      const sources = await appDb.db.consentEvent.findMany({
        where: { contactId: contact.id, topicId: contact.topicId, source: { not: "IMPORT" } },
        select: { action: true, source: true },
        orderBy: { id: "asc" },
      });
      expect(sources).toEqual([{ action: "UNSUBSCRIBE", source: "LINK_PAGE" }]);
      await context.close();
    });
  }

  for (const javaScriptEnabled of [true, false]) {
    it(`shows a ticked topic that something wider keeps silent as off, in place, with the step that lifts it (JavaScript ${javaScriptEnabled ? "on" : "off"}, 375 px)`, async () => {
      const subscription = await appDb.db.subscription.findFirstOrThrow({
        where: {
          status: "SUBSCRIBED",
          channel: "EMAIL",
          topic: { unit: { slug: "example-tax" } },
          expiresAt: null,
          contactId: { notIn: [(await jane()).id, ...staleTabContacts] },
          contact: { unitOptOuts: { none: {} }, globalOptOuts: { none: {} }, snoozes: { none: {} }, frequencyChoices: { none: {} } },
        },
        orderBy: [{ contactId: "asc" }, { id: "asc" }],
        select: { contactId: true, topic: { select: { name: true } } },
      });
      staleTabContacts.push(subscription.contactId);
      const context = await browser.newContext({ javaScriptEnabled, viewport: { width: 375, height: 800 } });
      const page = await context.newPage();
      await page.goto(await appDb.link("preferences", { contactId: subscription.contactId, unitId: await unitId("example-tax") }));
      await page.getByRole("button", { name: "Open my preferences" }).click();
      await page.waitForURL(`${app.url}/preferences`);
      const tax = page.getByRole("region", { name: "Example Tax" });
      const topic = tax.getByRole("group", { name: new RegExp(subscription.topic.name) });
      const saveTax = async () => {
        if (!javaScriptEnabled) await tax.getByRole("button", { name: "Save Example Tax preferences" }).click();
      };
      expect(await topic.getByRole("checkbox", { name: "Email" }).isChecked()).toBe(true);

      // The unit's opt-out: the topic is kept as left, and shown as off because of it.
      await tax.getByRole("checkbox", { name: /Unsubscribe from all Example Tax promotional email/ }).check();
      await saveTax();
      await topic.getByText("Off: you unsubscribed from all Example Tax email").waitFor();
      expect(await topic.getByRole("checkbox", { name: "Email" }).count()).toBe(0);
      // axe runs in the page, so only where JavaScript does.
      if (javaScriptEnabled) expect(await seriousViolations(page)).toEqual([]);
      await topic.getByRole("button", { name: "Turn back on" }).click();
      await expect.poll(() => topic.getByRole("checkbox", { name: "Email" }).count()).toBe(1);
      expect(await topic.getByRole("checkbox", { name: "Email" }).isChecked()).toBe(true);
      expect(await appDb.db.unitOptOut.count({ where: { contactId: subscription.contactId } })).toBe(0);

      // All brands.
      const everywhere = page.getByRole("region", { name: "All our brands" });
      await everywhere.getByRole("checkbox", { name: "No promotional email from any of our brands" }).check();
      if (!javaScriptEnabled) await everywhere.getByRole("button", { name: "Save" }).click();
      await topic.getByText("Off: you unsubscribed from all our brands' email").waitFor();
      await topic.getByRole("button", { name: "Turn back on" }).click();
      await expect.poll(() => topic.getByRole("checkbox", { name: "Email" }).count()).toBe(1);
      expect(await appDb.db.globalOptOut.count({ where: { contactId: subscription.contactId } })).toBe(0);

      // A pause, then "Resume now" from the topic.
      await tax.getByRole("button", { name: "Pause for 30 days" }).click();
      await topic.getByText(/^Off until .*: you paused Example Tax email$/).waitFor();
      await topic.getByRole("button", { name: "Resume now" }).click();
      await expect.poll(() => topic.getByRole("checkbox", { name: "Email" }).count()).toBe(1);
      expect(await appDb.db.snooze.count({ where: { contactId: subscription.contactId } })).toBe(0);

      // Send me less leaves the topics on, and the card says it once, with the way to change it.
      await tax.getByRole("radio", { name: "At most one email a week" }).check();
      if (!javaScriptEnabled) await tax.getByRole("button", { name: "Save how often" }).click();
      await tax.getByText("At most one email a week: you chose to hear less from Example Tax").waitFor();
      expect(await topic.getByRole("checkbox", { name: "Email" }).isChecked()).toBe(true);
      if (javaScriptEnabled) expect(await seriousViolations(page)).toEqual([]);
      const ledger = await appDb.db.consentEvent.findMany({ where: { contactId: subscription.contactId, source: "PREFERENCE_CENTER" }, select: { action: true }, orderBy: { id: "asc" } });
      expect(ledger.map((e) => e.action)).toEqual(["UNIT_OPT_OUT", "UNIT_OPT_IN", "GLOBAL_OPT_OUT", "GLOBAL_OPT_IN", "SNOOZE", "SNOOZE_END", "FREQUENCY_SET"]);
      if (!javaScriptEnabled) expect(page.url()).toBe(`${app.url}/preferences`);
      await context.close();
    });
  }

  it("speaks the browser's language until the person chooses one, and then theirs", async () => {
    const { id } = await jane();
    await appDb.db.contact.update({ where: { id }, data: { locale: null } });
    const context = await browser.newContext({ locale: "de-DE" });
    const page = await context.newPage();
    await page.goto(await appDb.link("preferences", { contactId: id, unitId: await unitId("example-tax") }));
    await page.getByRole("button", { name: /Open my preferences|Meine Einstellungen öffnen/ }).click();
    await page.waitForURL(`${app.url}/preferences`);
    await page.getByRole("heading", { name: "Was wir Ihnen senden dürfen" }).waitFor();
    expect(await page.locator("html").getAttribute("lang")).toBe("de");
    expect(await seriousViolations(page)).toEqual([]);
    // A stored choice wins over the browser.
    await appDb.db.contact.update({ where: { id }, data: { locale: "en" } });
    await page.reload();
    await page.getByRole("heading", { name: "What we may send you" }).waitFor();
    expect(await page.locator("html").getAttribute("lang")).toBe("en");
    await appDb.db.contact.update({ where: { id }, data: { locale: null } });
    await context.close();
  });

  it("sends a visitor without a session to sign in", async () => {
    const response = await fetch(`${app.url}/preferences`, { redirect: "manual" });
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/login?redirectTo=%2Fpreferences");
  });
});
