import { describe, expect, it } from "vitest";
import { useRunningApp } from "../helpers/running-app.ts";

const { app, browser } = useRunningApp({ browser: true });

describe("home page of the demo", () => {
  it("lists every unit with its topics, their channels and the exempt categories", async () => {
    const page = await browser.newPage();
    const response = await page.goto(app.url);
    expect(response?.status()).toBe(200);
    await expect.poll(() => page.locator("section.unit h2").allTextContents()).toEqual([
      "Example Insurance",
      "Example Tax",
      "Example Travel",
    ]);
    const tax = page.locator("section.unit", { has: page.getByRole("heading", { name: "Example Tax" }) });
    await expect.poll(() => tax.locator("li strong").first().textContent()).toBe("OffersEmailPostal mailPhone");
    expect(await tax.getByText("Security alerts").count()).toBe(1);
    expect(await tax.getByText("at least 30 days before they take effect").count()).toBe(1);
    expect(app.output()).toContain("Demo logins");
    await page.close();
  });

  it("answers an unknown page with a 404 page, not a stack trace", async () => {
    const page = await browser.newPage();
    const response = await page.goto(`${app.url}/no-such-page`);
    expect(response?.status()).toBe(404);
    expect(await page.getByRole("heading").first().textContent()).toBe("Page not found");
    expect(await page.content()).not.toMatch(/at .*\.js:\d+/);
    await page.close();
  });
});
