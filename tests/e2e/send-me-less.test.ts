import { describe, expect, it } from "vitest";
import { screenshot, seriousViolations } from "../helpers/browser.ts";
import { useRunningApp } from "../helpers/running-app.ts";

// "Send me less" on /preferences (ADR 043): a per-unit control that works without JavaScript,
// recorded through the consent core and told back in words on the History page.

const { app, browser, appDb } = useRunningApp({ browser: true });

describe("send me less in the preference center, in Chromium", () => {
  it("at 375 px without JavaScript: chooses at most one Example Tax email a month, and History says so", async () => {
    const tax = await appDb.db.businessUnit.findUniqueOrThrow({ where: { slug: "example-tax" } });
    const { id: contactId } = await appDb.db.contact.findUniqueOrThrow({ where: { email: "jane.doe@example.com" } });
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 375, height: 800 } });
    const page = await context.newPage();
    await page.goto(await appDb.link("preferences", { contactId, unitId: tax.id }));
    await page.getByRole("button", { name: "Open my preferences" }).click();
    await page.waitForURL(`${app.url}/preferences`);

    const control = page.getByRole("group", { name: "How often may Example Tax email you?" });
    expect(await control.getByLabel("Everything").isChecked()).toBe(true);
    await control.getByLabel("At most one email a month").check();
    await screenshot(page, "preferences-frequency-375-nojs.png");
    await page.locator("form.frequency").filter({ has: control }).getByRole("button", { name: "Save how often" }).click();
    await page.getByText("Your preferences are saved.").waitFor();
    expect(await appDb.db.frequencyChoice.findUnique({ where: { contactId_unitId: { contactId, unitId: tax.id } } })).toMatchObject({ frequency: "MONTHLY" });
    expect(await page.getByRole("group", { name: "How often may Example Tax email you?" }).getByLabel("At most one email a month").isChecked()).toBe(true);

    await page.goto(`${app.url}/preferences/history`);
    await page.getByText("You chose to get at most one promotional email a month from Example Tax in your preference center").waitFor();
    await context.close();

    // axe runs in the page: the same GET with JavaScript (a GET changes nothing).
    const withJs = await browser.newContext({ viewport: { width: 375, height: 800 } });
    const checked = await withJs.newPage();
    await checked.goto(await appDb.link("preferences", { contactId, unitId: tax.id }));
    await checked.getByRole("button", { name: "Open my preferences" }).click();
    await checked.waitForURL(`${app.url}/preferences`);
    expect(await seriousViolations(checked)).toEqual([]);
    await withJs.close();
  });
});
