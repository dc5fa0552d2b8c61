import { describe, expect, it } from "vitest";
import { seriousViolations, signIn } from "../helpers/browser.ts";
import { emailedLink } from "../helpers/outbox.ts";
import { DEMO } from "../helpers/demo-logins.ts";
import { useRunningApp } from "../helpers/running-app.ts";

// People administration in Chromium: an admin invites a marketer, the marketer accepts and
// lands on /campaigns, the admin revokes them, and their next page load goes to /login.

const { app, browser } = useRunningApp({ browser: true });

const ADMIN = DEMO.admin;

describe("people administration, in Chromium", () => {
  it("invite → accept → /campaigns; revoke → the marketer's next page load goes to /login", async () => {
    const adminPage = await (await browser.newContext()).newPage();
    adminPage.setDefaultTimeout(8000);
    await signIn(adminPage, app.url, ADMIN);
    await adminPage.goto(`${app.url}/admin/people`);
    await adminPage.getByRole("link", { name: "Invite someone" }).click();
    await adminPage.getByLabel("Email address").fill("riley.marketer@example.com");
    await adminPage.getByLabel("Name (optional)").fill("Riley Marketer");
    await adminPage.getByRole("radio", { name: /^Marketer/ }).check();
    await adminPage.getByRole("checkbox", { name: "Example Tax" }).check();
    await adminPage.getByRole("button", { name: "Send invitation" }).click();
    await adminPage.waitForURL(/\/admin\/people\/\d+\?done=invited$/);
    await adminPage.getByRole("status").filter({ hasText: "Invitation sent." }).waitFor();
    await adminPage.getByRole("heading", { level: 1, name: "Riley Marketer" }).waitFor();

    const link = new URL((await emailedLink(app.outboxDir, "riley.marketer@example.com", "staff-invite"))!);
    const marketerPage = await (await browser.newContext()).newPage();
    await marketerPage.goto(`${app.url}${link.pathname}`);
    expect(await marketerPage.getByRole("heading", { level: 1 }).textContent()).toBe("Accept your invitation");
    expect(await seriousViolations(marketerPage)).toEqual([]);
    await marketerPage.getByLabel("Choose a password").fill("velvet-compass-harvest-2264");
    await marketerPage.getByRole("button", { name: "Save password and sign in" }).click();
    await marketerPage.waitForURL(`${app.url}/campaigns`);
    await expect.poll(() => marketerPage.getByText("riley.marketer@example.com").count()).toBeGreaterThan(0);

    await adminPage.reload();
    expect(await adminPage.getByText("1 live session").count()).toBe(1);
    await adminPage.getByRole("button", { name: "Revoke access" }).click();
    await adminPage.waitForURL(/\?done=revoked$/);
    // Waits for the page to show the outcome (the address changes a moment before the page does).
    await adminPage.getByRole("status").filter({ hasText: "Access revoked." }).waitFor();

    await marketerPage.reload();
    await marketerPage.waitForURL((url) => url.pathname === "/login");
    expect(new URL(marketerPage.url()).searchParams.get("redirectTo")).toBe("/campaigns");
  });

  it.each(["/admin/people", "/admin/people/invite", "/admin/audit", "/admin/keys", "/admin/keys?confirm=retire&kid=KID"])(
    "%s has no serious or critical axe violations, at desktop and phone widths",
    async (path) => {
      const context = await browser.newContext();
      const page = await context.newPage();
      // Hydration or route-module errors would leave a page that looks right and works badly.
      const errors: string[] = [];
      page.on("pageerror", (error) => errors.push(error.message));
      page.on("console", (message) => message.type() === "error" && errors.push(message.text()));
      await signIn(page, app.url, ADMIN);
      let target = path;
      if (path.includes("KID")) {
        await page.goto(`${app.url}/admin/keys`);
        const kid = await page.locator("tbody code").first().textContent();
        target = path.replace("KID", kid!);
      }
      for (const width of [1280, 375]) {
        await page.setViewportSize({ width, height: 900 });
        await page.goto(`${app.url}${target}`);
        expect(await page.getByRole("heading", { level: 1 }).count()).toBe(1);
        expect(await seriousViolations(page), `${target} at ${width}px`).toEqual([]);
        // Nothing wider than the screen: the page never scrolls sideways.
        expect(await page.evaluate(() => document.documentElement.scrollWidth), `${target} at ${width}px`).toBeLessThanOrEqual(width);
      }
      expect(errors).toEqual([]);
      await context.close();
    },
  );

  it("a person's page has no serious or critical axe violations, with an error shown", async () => {
    const page = await (await browser.newContext()).newPage();
    page.setDefaultTimeout(8000);
    await signIn(page, app.url, ADMIN);
    await page.goto(`${app.url}/admin/people`);
    await page.getByRole("link", { name: "marketer.tax", exact: true }).click();
    await page.waitForURL(/\/admin\/people\/\d+$/);
    expect(await seriousViolations(page)).toEqual([]);
    await page.goto(`${app.url}/admin/people/invite`);
    await page.getByLabel("Email address").fill("jane.doe@example.com");
    await page.getByRole("button", { name: "Send invitation" }).click();
    await page.getByText("belongs to a subscriber account").waitFor();
    expect(await seriousViolations(page)).toEqual([]);
  });
});
