import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { seriousViolations, signIn } from "../helpers/browser.ts";
import { DEMO } from "../helpers/demo-logins.ts";
import { useRunningApp } from "../helpers/running-app.ts";

// An admin in Chromium: blocks an address by hand, finds it, unblocks it, then reads the
// ledger of one unit with its chart. Both pages pass axe with no serious or critical finding.

const { app, browser } = useRunningApp({ browser: true });
let page: Page;

beforeAll(async () => {
  page = await (await browser.newContext()).newPage();
  await signIn(page, app.url, DEMO.admin);
});

const ADDRESS = "quiet.reader@example.org";

describe("suppressions and the ledger, in Chromium", () => {
  it("adds a manual suppression, finds it by address, and removes it", async () => {
    await page.goto(`${app.url}/admin/suppressions`);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Suppressions");
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByLabel("Email address").fill(ADDRESS);
    await page.getByLabel("Reason").fill("Asked at the front desk to stop all offers");
    await page.getByRole("button", { name: "Add suppression" }).click();
    await page.waitForURL((url) => url.searchParams.get("done") === "added");
    await expect.poll(() => page.getByRole("status").first().textContent()).toContain(`Added a manual suppression for ${ADDRESS}`);

    // Found again from the list, typed differently.
    await page.goto(`${app.url}/admin/suppressions`);
    await page.getByLabel("Address, or part of one").fill(`  ${ADDRESS.toUpperCase()}`);
    await page.getByRole("button", { name: "Search", exact: true }).click();
    await page.waitForURL((url) => url.searchParams.has("q"));
    const row = page.getByRole("row").filter({ hasText: ADDRESS });
    expect(await row.count()).toBe(1);
    expect(await row.textContent()).toContain("Asked at the front desk to stop all offers");
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByRole("button", { name: `Remove the manual suppression of ${ADDRESS}` }).click();
    await page.waitForURL((url) => url.searchParams.get("done") === "removed");
    await expect.poll(() => page.getByRole("status").first().textContent()).toContain("Removed the manual suppression");
    await page.getByLabel("Address, or part of one").fill(ADDRESS);
    await page.getByRole("button", { name: "Search", exact: true }).click();
    await page.waitForURL((url) => url.searchParams.get("q") === ADDRESS);
    await expect.poll(() => page.getByText(`No suppression for “${ADDRESS}”.`).count()).toBe(1);
  });

  it("filters the ledger by unit and shows that unit's chart with its numbers", async () => {
    await page.goto(`${app.url}/admin/ledger`);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Consent ledger");
    await page.getByLabel("Unit", { exact: true }).selectOption({ label: "Example Tax" });
    await page.getByRole("button", { name: "Search", exact: true }).click();
    await page.waitForURL((url) => url.searchParams.get("unit") === "example-tax");

    await expect.poll(() => page.getByRole("heading", { name: "Opt-ins and opt-outs: Example Tax" }).count()).toBe(1);
    const chart = page.getByRole("img", { name: /opt-ins and \d+ opt-outs for Example Tax/ });
    expect(await chart.isVisible()).toBe(true);
    expect(await page.getByRole("list", { name: "Sources" }).textContent()).toContain("Import");
    await page.getByText("The numbers, day by day").click();
    const table = page.getByRole("table", { name: /opt-ins and \d+ opt-outs for Example Tax/ });
    expect(await table.isVisible()).toBe(true);
    expect(await table.getByRole("row").count()).toBe(30 + 2);
    // Every event listed is one of the unit's.
    const units = await page.locator(".ledger-table td[data-label=Unit]").allTextContents();
    expect(units.length).toBeGreaterThan(0);
    expect(new Set(units)).toEqual(new Set(["Example Tax"]));
    expect(await seriousViolations(page)).toEqual([]);
  });

  it("reads at a phone's width without sideways scrolling of the page", async () => {
    const phone = await (await browser.newContext({ viewport: { width: 375, height: 800 } })).newPage();
    await signIn(phone, app.url, DEMO.admin);
    for (const path of ["/admin/suppressions", "/admin/ledger?unit=example-tax"]) {
      await phone.goto(`${app.url}${path}`);
      expect(await phone.evaluate(() => document.documentElement.scrollWidth), path).toBeLessThanOrEqual(375);
      expect(await seriousViolations(phone), path).toEqual([]);
    }
  });
});
