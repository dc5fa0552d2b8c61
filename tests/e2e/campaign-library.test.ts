import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { screenshot, seriousViolations, signIn } from "../helpers/browser.ts";
import { DEMO } from "../helpers/demo-logins.ts";
import { useRunningApp } from "../helpers/running-app.ts";

// The campaign library in Chromium against the production build (ADR 052), with and without
// JavaScript, at 375 and 1280 px: filter the library, duplicate a campaign, archive the copy,
// send the original and stop it for good. No sender runs, so the send stays where it started.

const { app, browser, appDb } = useRunningApp({ env: { CAMPAIGN_SENDER: "off" }, browser: true });

/** Nothing wider than the screen, and no serious axe violation (axe runs only with JavaScript). */
async function fits(page: Page, what: string, width: number, javaScript: boolean) {
  expect(await page.evaluate(() => document.documentElement.scrollWidth), `${what} at ${width}px`).toBeLessThanOrEqual(width);
  if (javaScript) expect(await seriousViolations(page), `${what} at ${width}px`).toEqual([]);
}

describe("the campaign library, in Chromium", { timeout: 90_000 }, () => {
  for (const javaScript of [true, false]) {
    it(`${javaScript ? "with" : "without"} JavaScript: filter, duplicate, archive, send and stop for good`, async () => {
      const context = await browser.newContext({ javaScriptEnabled: javaScript, viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      const mode = javaScript ? "js" : "nojs";
      await signIn(page, app.url, DEMO.taxMarketer);
      await page.goto(`${app.url}/campaigns`);
      for (const width of [1280, 375]) {
        await page.setViewportSize({ width, height: 900 });
        await fits(page, "/campaigns", width, javaScript);
        await screenshot(page, `library-${mode}-${width}.png`);
      }
      await page.setViewportSize({ width: 1280, height: 900 });

      // A draft, written in the composer.
      const subject = `Library ${mode} ${Date.now()}`;
      await page.goto(`${app.url}/campaigns/new`);
      await page.getByLabel("Topic").selectOption({ label: "Tax tips" });
      await page.getByLabel("Subject").fill(subject);
      await page.getByLabel("Body (Markdown)").fill("## Ready\n\nFile **early**.");
      await page.getByRole("button", { name: "Save draft" }).click();
      await page.waitForURL(/\/campaigns\/\d+$/);
      const originalId = Number(page.url().split("/").at(-1));

      // Duplicate: a new draft, "Copy of …", opened at once.
      await page.getByRole("button", { name: "Duplicate as a new draft" }).click();
      await page.waitForURL((url) => /\/campaigns\/\d+$/.test(url.pathname) && !url.pathname.endsWith(`/${originalId}`));
      const copyId = Number(page.url().split("/").at(-1));
      expect((await appDb.db.campaign.findUniqueOrThrow({ where: { id: copyId } })).name).toBe(`Copy of ${subject}`);

      // Archive the copy: gone from the library, back with the filter.
      await page.getByRole("button", { name: "Archive this draft" }).click();
      await expect.poll(() => page.getByText(/^Archived\. The library hides it/).count()).toBe(1);
      await page.goto(`${app.url}/campaigns`);
      await page.getByLabel("Status").selectOption({ label: "Draft" });
      await page.getByRole("button", { name: "Filter" }).click();
      await page.waitForURL(/status=DRAFT/);
      expect(await page.getByRole("link", { name: subject, exact: true }).count()).toBe(1);
      expect(await page.getByRole("link", { name: `Copy of ${subject}` }).count()).toBe(0);
      await page.getByLabel("Show archived drafts").check();
      await page.getByRole("button", { name: "Filter" }).click();
      await page.waitForURL(/archived=1/);
      await expect.poll(() => page.getByRole("link", { name: `Copy of ${subject}` }).count()).toBe(1);

      // Send the original, then stop it for good.
      await page.goto(`${app.url}/campaigns/${originalId}`);
      await page.getByRole("button", { name: "Send now…" }).click();
      await page.getByRole("button", { name: /^Send to [\d,]+ (people|person) now$/ }).click();
      await expect.poll(() => page.getByText("Sending has started.").count()).toBe(1);
      await page.getByRole("button", { name: "Stop for good" }).click();
      await expect.poll(() => page.getByTestId("stopped-note").count()).toBe(1);
      const { audienceCount } = await appDb.db.campaign.findUniqueOrThrow({ where: { id: originalId }, select: { audienceCount: true } });
      expect(await page.getByTestId("stopped-note").textContent()).toContain(`0 messages were sent, and ${audienceCount!.toLocaleString("en-GB")}`);
      expect(await page.getByRole("button", { name: "Resume" }).count()).toBe(0);
      expect(await page.locator("iframe[title='The email as sent (HTML)']").getAttribute("sandbox")).toBe("");
      // The email that went out, drawn in the frame.
      await expect.poll(() => page.frameLocator("iframe[title='The email as sent (HTML)']").getByRole("heading", { name: "Ready" }).count()).toBe(1);
      for (const width of [1280, 375]) {
        await page.setViewportSize({ width, height: 900 });
        await fits(page, "a stopped campaign", width, javaScript);
        await screenshot(page, `stopped-${mode}-${width}.png`);
      }
      expect((await appDb.db.campaign.findUniqueOrThrow({ where: { id: originalId } })).status).toBe("STOPPED");
      await context.close();
    });
  }
});
