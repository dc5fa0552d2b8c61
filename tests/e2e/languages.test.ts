import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { screenshot, seriousViolations, signIn } from "../helpers/browser.ts";
import { DEMO } from "../helpers/demo-logins.ts";
import { useRunningApp } from "../helpers/running-app.ts";

// Issue 20 point 6: the recipient's pages in their language: the browser's Accept-Language first,
// then their own choice from the switch on every public page, remembered on their contact (a
// reload, the database row), with and without JavaScript; a visitor we do not know gets ?lang=.

const { app, browser, appDb } = useRunningApp({ browser: true });


/** The first (or nth) Example Tax email subscriber with no opt-out anywhere, and no language chosen yet. */
async function taxSubscriber(nth = 0): Promise<{ contactId: number; unitId: number }> {
  const subscription = await appDb.db.subscription.findFirstOrThrow({
    skip: nth,
    distinct: ["contactId"],
    where: {
      topic: { unit: { slug: "example-tax" } },
      channel: "EMAIL",
      status: "SUBSCRIBED",
      contact: { unitOptOuts: { none: {} }, globalOptOuts: { none: {} }, locale: null },
    },
    orderBy: [{ contactId: "asc" }, { id: "asc" }],
    select: { contactId: true, topic: { select: { unitId: true } } },
  });
  return { contactId: subscription.contactId, unitId: subscription.topic.unitId };
}

const htmlLang = (page: Page) => page.locator("html").getAttribute("lang");

/** The switch is live once React has hydrated it: its effect adds the browser's time zone. */
const hydrated = (page: Page) => page.locator('.language-switch input[name="timeZone"]').waitFor({ state: "attached" });

describe("languages on the recipient's pages, in Chromium", () => {
  it("shows the unsubscribe page in German to a German browser, at 375 px, and it passes axe", async () => {
    const { contactId, unitId } = await taxSubscriber();
    const context = await browser.newContext({ locale: "de-DE", viewport: { width: 375, height: 800 } });
    const page = await context.newPage();
    await page.goto(await appDb.link("unsubscribe", { contactId, unitId, topicId: null }));
    expect(await htmlLang(page)).toBe("de");
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Von Example Tax abmelden");
    expect(await page.getByRole("button", { name: "Von Example Tax abmelden" }).isVisible()).toBe(true);
    expect(await page.getByLabel("Sprache").inputValue()).toBe("de");
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, "unsubscribe-de-375.png");
    // Looking changes nothing: no language was stored.
    expect((await appDb.db.contact.findUniqueOrThrow({ where: { id: contactId } })).locale).toBeNull();
    await context.close();
  });

  for (const javaScript of [true, false]) {
    it(`switches /u to English from a German browser and remembers it on the contact (${javaScript ? "with" : "without"} JavaScript)`, async () => {
      const { contactId, unitId } = await taxSubscriber(javaScript ? 1 : 2);
      const context = await browser.newContext({ locale: "de-DE", timezoneId: "Europe/Berlin", javaScriptEnabled: javaScript });
      const page = await context.newPage();
      const url = await appDb.link("unsubscribe", { contactId, unitId, topicId: null });
      await page.goto(url);
      expect(await htmlLang(page)).toBe("de");
      if (javaScript) await hydrated(page);
      await page.getByLabel("Sprache").selectOption("en");
      // With JavaScript the choice sends itself; without, the button does.
      if (!javaScript) await page.getByRole("button", { name: "Sprache ändern" }).click();
      await page.getByRole("heading", { name: "Unsubscribe from Example Tax" }).waitFor();
      expect(await htmlLang(page)).toBe("en");
      // The browser still asks for German; the contact's choice wins, on a reload too.
      await page.reload();
      expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Unsubscribe from Example Tax");
      expect(await htmlLang(page)).toBe("en");
      const contact = await appDb.db.contact.findUniqueOrThrow({ where: { id: contactId } });
      // JavaScript sends the browser's time zone with the choice; without it none is known.
      expect({ locale: contact.locale, timeZone: contact.timeZone }).toEqual({ locale: "en", timeZone: javaScript ? "Europe/Berlin" : null });
      await context.close();
    });
  }

  for (const javaScript of [true, false]) {
    it(`a signed-in subscriber switches to German on /preferences and keeps it (${javaScript ? "with" : "without"} JavaScript)`, async () => {
      const user = await appDb.db.user.findUniqueOrThrow({ where: { email: DEMO.subscriber.email }, select: { contactId: true } });
      await appDb.db.contact.update({ where: { id: user.contactId! }, data: { locale: null, timeZone: null } });
      const context = await browser.newContext({ timezoneId: "America/New_York", javaScriptEnabled: javaScript });
      const page = await context.newPage();
      await signIn(page, app.url, DEMO.subscriber);
      await page.goto(`${app.url}/preferences`);
      expect(await htmlLang(page)).toBe("en");
      if (javaScript) await hydrated(page);
      await page.getByLabel("Language").selectOption("de");
      if (!javaScript) await page.getByRole("button", { name: "Change language" }).click();
      await page.locator("html[lang=de]").waitFor({ state: "attached" });
      await page.reload();
      expect(await htmlLang(page)).toBe("de");
      expect(await page.getByLabel("Sprache").inputValue()).toBe("de");
      const contact = await appDb.db.contact.findUniqueOrThrow({ where: { id: user.contactId! } });
      expect(contact.locale).toBe("de");
      if (javaScript) expect(contact.timeZone).toBe("America/New_York");
      await context.close();
    });
  }

  it("a subscriber who chose German gets /welcome and their history in German at 375 px, and both pass axe", async () => {
    const user = await appDb.db.user.findUniqueOrThrow({ where: { email: DEMO.subscriber.email }, select: { contactId: true } });
    await appDb.db.contact.update({ where: { id: user.contactId! }, data: { locale: "de" } });
    const context = await browser.newContext({ viewport: { width: 375, height: 800 } });
    const page = await context.newPage();
    await signIn(page, app.url, DEMO.subscriber);
    await page.goto(`${app.url}/welcome`);
    expect(await htmlLang(page)).toBe("de");
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Wählen Sie, was Sie interessiert");
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, "welcome-de-375.png");
    await page.goto(`${app.url}/preferences/history`);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Ihr Einwilligungsverlauf");
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, "history-de-375.png");
    await context.close();
  });

  it("a visitor on /login switches to German: the page says so with ?lang=de, nothing is stored, and it passes axe at 375 px", async () => {
    const sessionsBefore = await appDb.db.session.count();
    const context = await browser.newContext({ viewport: { width: 375, height: 800 } });
    const page = await context.newPage();
    await page.goto(`${app.url}/login`);
    expect(await htmlLang(page)).toBe("en");
    await hydrated(page);
    await page.getByLabel("Language").selectOption("de");
    await page.waitForURL((url) => url.searchParams.get("lang") === "de");
    // With JavaScript the address changes before React renders the new page: wait for the render.
    await page.locator("html[lang=de]").waitFor({ state: "attached" });
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Anmelden");
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, "login-de-375.png");
    expect(await appDb.db.session.count()).toBe(sessionsBefore);
    expect((await context.cookies()).length).toBe(0);
    await context.close();
  });
});
