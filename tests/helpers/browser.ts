import { AxeBuilder } from "@axe-core/playwright";
import { chromium, type Browser, type Page } from "playwright-core";
import type { Login } from "./demo-logins.ts";

/** Debian's Chromium, headless, with the flags this sandbox needs (no network, no sandbox). */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/**
 * Serious and critical accessibility violations on the page as it is now. Frames are left out:
 * the product's frames (email previews, outbox messages) run no script by design, and axe waits
 * forever for a frame it cannot run in. Tests check those frames' titles themselves.
 */
export async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page: page as never }).exclude("iframe").analyze();
  return results.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id}: ${v.help}`);
}

/** Signs in through the login form and waits until the browser has left it. */
export async function signIn(page: Page, appUrl: string, login: Login): Promise<void> {
  await page.goto(`${appUrl}/login`);
  await page.getByLabel("Email address").fill(login.email);
  await page.getByLabel("Password").fill(login.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.waitForURL((url) => !url.pathname.startsWith("/login"));
}

/** A full-page screenshot for a person to look at, when SCREENSHOTS_DIR names a folder; a test never depends on it. */
export async function screenshot(page: Page, name: string): Promise<void> {
  const folder = process.env.SCREENSHOTS_DIR;
  if (folder) await page.screenshot({ path: `${folder}/${name}`, fullPage: true });
}
