import type { Browser, BrowserContext, Page } from "playwright-core";
import { emailedLink } from "../helpers/outbox.ts";
import { describe, expect, it } from "vitest";
import { seriousViolations } from "../helpers/browser.ts";
import { addMember, MEMBER_PASSWORD, messagesTo } from "../helpers/accounts-http.ts";
import { useRunningApp } from "../helpers/running-app.ts";

// The account pages in Chromium: what a person sees and does, with and without JavaScript.

const { app, browser, appDb } = useRunningApp({ browser: true });

async function newPage(options: { javaScriptEnabled?: boolean } = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ javaScriptEnabled: options.javaScriptEnabled ?? true });
  return { context, page: await context.newPage() };
}

async function signIn(page: Page, email: string, password = MEMBER_PASSWORD) {
  await page.goto(`${app.url}/login`);
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

/** The emailed URL of the latest message of a template, as a URL on the test server. */
async function emailedUrl(email: string, template: string): Promise<string> {
  await expect.poll(async () => (await messagesTo(appDb, email)).some((m) => m.template === template && m.status === "SENT"), { timeout: 10_000 }).toBe(true);
  const url = new URL((await emailedLink(app.outboxDir, email, template))!);
  return `${app.url}${url.pathname}`;
}

describe("accessibility of the account pages", () => {
  it.each(["/login", "/signup", "/forgot-password"])("%s has no serious or critical axe violations, before and after a bad submission", async (path) => {
    const { context, page } = await newPage();
    await page.goto(`${app.url}${path}`);
    expect(await seriousViolations(page)).toEqual([]);
    await page.locator("form button[type=submit]").first().click({ noWaitAfter: true });
    // Browser validation (required fields) or the server's answer: either way still accessible.
    expect(await seriousViolations(page)).toEqual([]);
    await context.close();
  });

  it("/account has no serious or critical axe violations, also with field errors shown", async () => {
    const member = await addMember(appDb);
    const { context, page } = await newPage();
    await signIn(page, member.email);
    // Subscribers land on their preferences.
    await page.waitForURL(/\/preferences$/);
    await page.goto(`${app.url}/account`);
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByLabel("Current password").fill("not-the-password");
    await page.getByLabel("New password").fill("short");
    await page.getByRole("button", { name: "Change password" }).click();
    await page.getByText("Use at least 12 characters.").waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await context.close();
  });
});

describe("signing in and out", () => {
  it("works without JavaScript: sign in, see the account, save a name, sign out", async () => {
    const member = await addMember(appDb);
    const { context, page } = await newPage({ javaScriptEnabled: false });
    await signIn(page, member.email, "wrong-password-here");
    expect(await page.getByRole("alert").textContent()).toBe("Email or password is incorrect.");
    await page.getByLabel("Password").fill(MEMBER_PASSWORD);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    // Subscribers land on their preferences; the account page is one link away.
    await page.getByRole("heading", { name: "What we may send you" }).waitFor();
    await page.getByRole("link", { name: "Account" }).click();
    await page.getByRole("heading", { name: "Your account" }).waitFor();
    expect(await page.getByText(member.email).count()).toBeGreaterThan(0);

    await page.getByLabel("Name").fill("Rosa Costa");
    await page.getByRole("button", { name: "Save name" }).click();
    await page.getByText("Your name was saved.").waitFor();
    expect(await appDb.db.user.findUnique({ where: { id: member.userId }, select: { name: true } })).toEqual({ name: "Rosa Costa" });

    await page.getByRole("button", { name: "Sign out", exact: true }).click();
    await page.getByText("You are signed out.").waitFor();
    await page.goto(`${app.url}/account`);
    expect(new URL(page.url()).pathname).toBe("/login");
    await context.close();
  });

  it("tells whoever tries a locked address that it is locked, and until when", async () => {
    const member = await addMember(appDb);
    const { context, page } = await newPage();
    for (let i = 0; i < 5; i++) {
      await signIn(page, member.email, `wrong-${i}-password`);
      // Wait for the answer: navigating away at once could cancel the attempt before it is sent.
      await page.getByRole("alert").waitFor();
    }
    await page.getByText(/locked for this address until \d{1,2} \w{3} \d{4}, \d{2}:\d{2} UTC/).waitFor();
    await signIn(page, member.email);
    await page.getByText(/locked for this address until/).waitFor();
    expect(new URL(page.url()).pathname).toBe("/login");
    await context.close();
  });

  it("signs in with an emailed link: the link page only shows a button, the button signs in", async () => {
    const member = await addMember(appDb);
    const { context, page } = await newPage();
    await page.goto(`${app.url}/login`);
    await page.getByLabel("Email address").fill(member.email);
    await page.getByRole("button", { name: "Email me a sign-in link" }).click();
    await page.getByText(/If there is an account for .*, a sign-in link is on its way/).waitFor();

    await page.goto(await emailedUrl(member.email, "sign-in-link"));
    expect(await appDb.db.session.count({ where: { userId: member.userId } })).toBe(0);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "What we may send you" }).waitFor();
    await context.close();
  });

  it("'sign out everywhere' sends an old browser back to the login page", async () => {
    const member = await addMember(appDb);
    const laptop = await newPage();
    const phone = await newPage();
    await signIn(laptop.page, member.email);
    await signIn(phone.page, member.email);
    await phone.page.waitForURL(/\/preferences$/);
    await laptop.page.waitForURL(/\/preferences$/);
    await laptop.page.goto(`${app.url}/account`);
    await laptop.page.getByRole("button", { name: "Sign out everywhere" }).click();
    await laptop.page.getByText("You are signed out on every device.").waitFor();
    await phone.page.reload();
    expect(new URL(phone.page.url()).pathname).toBe("/login");
    await laptop.context.close();
    await phone.context.close();
  });
});

describe("creating an account", () => {
  it("signs up, confirms by the emailed link with the chosen password, and can skip the first steps to the account", async () => {
    const email = `new-person-${Date.now()}@example.org`;
    const { context, page } = await newPage();
    await page.goto(`${app.url}/signup`);
    await page.getByLabel("Name").fill("Nia Horvat");
    await page.getByLabel("Email address").fill(email);
    await page.getByLabel("Password").fill("password1234");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByText("This password is too easy to guess.").waitFor();
    expect(await page.getByLabel("Password").getAttribute("aria-invalid")).toBe("true");

    await page.getByLabel("Password").fill("saffron-glacier-bicycle-42");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByRole("heading", { name: "Check your inbox" }).waitFor();

    await page.goto(await emailedUrl(email, "sign-up-confirmation"));
    await page.getByRole("heading", { name: "Confirm your address" }).waitFor();
    await page.getByLabel("Password").fill("saffron-glacier-bicycle-42");
    await page.getByRole("button", { name: "Confirm and sign in" }).click();
    // First steps come first (tests/e2e/first-steps.test.ts); skipping saves nothing.
    await page.getByRole("heading", { name: "Choose what you'd like" }).waitFor();
    await page.getByRole("link", { name: "Skip for now" }).click();
    await page.getByText("Your address is confirmed and your account is ready.").waitFor();
    expect((await appDb.db.user.findUnique({ where: { email }, select: { contact: { select: { email: true } } } }))?.contact).toEqual({ email });
    await context.close();
  });
});
