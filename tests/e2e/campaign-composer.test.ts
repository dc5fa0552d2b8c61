import fs from "node:fs";
import path from "node:path";
import PostalMime from "postal-mime";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { signIn } from "../helpers/browser.ts";
import { DEMO } from "../helpers/demo-logins.ts";
import { useRunningApp } from "../helpers/running-app.ts";

// A marketer's work in Chromium against the production build: what they type survives a preview
// that cannot be made, a time means their own clock, and "Send now" shows what goes before it goes.

const { app, browser, appDb } = useRunningApp({ env: { SEND_RATE_PER_SECOND: "500" }, browser: true });

/** A marketer's page in a browser context, with every uncaught page error and script error (a hydration mismatch included) kept. */
async function marketerPage(options: Parameters<Browser["newContext"]>[0] = {}): Promise<{ page: Page; context: BrowserContext; pageErrors: string[] }> {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on("pageerror", (error) => pageErrors.push(error.message));
  // A refused preview is a 4xx the browser reports as a failed load: that is the answer, not an error of the page.
  page.on("console", (message) => message.type() === "error" && !message.text().startsWith("Failed to load resource") && pageErrors.push(message.text()));
  await signIn(page, app.url, DEMO.taxMarketer);
  await page.waitForURL(`${app.url}/campaigns`);
  return { page, context, pageErrors };
}

/** Writes and saves a draft on Tax tips through the composer; returns its id. */
async function saveDraft(page: Page, subject: string, topic = "Tax tips"): Promise<number> {
  await page.goto(`${app.url}/campaigns/new`);
  await page.getByLabel("Topic").selectOption({ label: topic });
  await page.getByLabel("Subject").fill(subject);
  await page.getByLabel("Body (Markdown)").fill("## Ready\n\nFile **early**.");
  await page.getByRole("button", { name: "Save draft" }).click();
  await page.waitForURL(/\/campaigns\/\d+$/);
  // The URL changes before the draft's page replaces the composer: typing earlier lands in the old form.
  await page.getByRole("button", { name: "Send now…" }).waitFor();
  return Number(page.url().split("/").at(-1));
}

const campaignRow = async (id: number) =>
  (await appDb.db.campaign.findUnique({ where: { id }, select: { status: true, subject: true, scheduledAt: true, scheduleTimeZone: true } }))!;

describe("the composer keeps the marketer's work", { timeout: 90_000 }, () => {
  it("a preview that cannot be made says why beside the preview; what was typed stays and the page does not break", async () => {
    const { page, pageErrors } = await marketerPage();
    await page.goto(`${app.url}/campaigns/new`);
    await page.getByLabel("Topic").selectOption({ label: "Tax tips" });
    // The live preview asks as the marketer types, with the body still empty.
    await page.getByLabel("Subject").pressSequentially("Kept while typing", { delay: 20 });
    const preview = page.getByRole("region", { name: "Preview" });
    await expect.poll(() => preview.getByTestId("preview-error").textContent()).toMatch(/The preview is not up to date\..*Body: Write the message\./);
    expect(await page.getByLabel("Subject").inputValue()).toBe("Kept while typing");
    expect(await page.getByText("Sorry, that did not work").count()).toBe(0);

    // Once the message is written, the preview follows and the refusal goes.
    await page.getByLabel("Body (Markdown)").fill("## Ready\n\nFile **early**.");
    const frame = page.frameLocator("iframe[title='Email preview (HTML)']");
    await expect.poll(() => frame.getByRole("heading", { name: "Ready" }).count()).toBe(1);
    await expect.poll(() => preview.getByTestId("preview-error").count()).toBe(0);
    expect(Number((await page.getByTestId("audience").textContent())!.replace(/,/g, ""))).toBeGreaterThan(0);
    expect(await page.getByLabel("Subject").inputValue()).toBe("Kept while typing");
    expect(pageErrors).toEqual([]);
  });

  it("09:00 chosen in a New York browser is 09:00 in New York, winter and summer, and the page says it in both zones", async () => {
    const { page, pageErrors } = await marketerPage({ timezoneId: "America/New_York" });
    const id = await saveDraft(page, "Scheduled from New York");
    // The browser's zone is chosen for the marketer.
    await expect.poll(() => page.getByLabel("Time zone").inputValue()).toBe("America/New_York");
    await page.getByLabel("Send at").fill("2030-01-15T09:00");
    await page.getByRole("button", { name: "Schedule" }).click();
    await expect.poll(async () => (await campaignRow(id)).status).toBe("SCHEDULED");
    expect(await campaignRow(id)).toMatchObject({ scheduledAt: new Date("2030-01-15T14:00:00Z"), scheduleTimeZone: "America/New_York" });
    await expect.poll(() => page.getByTestId("schedule").textContent()).toBe(
      "Scheduled for Tuesday 15 January 2030, 09:00 (America/New York), which is Tuesday 15 January 2030, 14:00 UTC.",
    );

    // Summer time: the same 09:00 is an hour earlier in UTC.
    await page.getByRole("button", { name: "Cancel the schedule" }).click();
    await expect.poll(async () => (await campaignRow(id)).status).toBe("DRAFT");
    await page.getByLabel("Send at").fill("2030-07-15T09:00");
    await page.getByRole("button", { name: "Schedule" }).click();
    await expect.poll(async () => (await campaignRow(id)).status).toBe("SCHEDULED");
    expect((await campaignRow(id)).scheduledAt).toEqual(new Date("2030-07-15T13:00:00Z"));
    await expect.poll(() => page.getByTestId("schedule").textContent()).toBe(
      "Scheduled for Monday 15 July 2030, 09:00 (America/New York), which is Monday 15 July 2030, 13:00 UTC.",
    );
    expect(pageErrors).toEqual([]);
  });

  it("a time that has passed is refused on the form, with what was typed still there", async () => {
    const { page, pageErrors } = await marketerPage({ timezoneId: "America/New_York" });
    const id = await saveDraft(page, "Too late");
    await expect.poll(() => page.getByLabel("Time zone").inputValue()).toBe("America/New_York");
    await page.getByLabel("Subject").fill("Too late, edited");
    await page.getByLabel("Send at").fill("2020-01-15T09:00");
    await page.getByRole("button", { name: "Schedule" }).click();
    const error = page.locator("#scheduledAt-error");
    await expect.poll(() => error.textContent()).toBe(
      "Choose a time at least a minute from now, or send it now. You chose Wednesday 15 January 2020, 09:00 in America/New_York (Wednesday 15 January 2020, 14:00 UTC).",
    );
    expect(await error.getAttribute("role")).toBe("alert");
    expect(await page.getByLabel("Send at").getAttribute("aria-invalid")).toBe("true");
    expect(await page.getByLabel("Send at").inputValue()).toBe("2020-01-15T09:00");
    expect(await page.getByLabel("Subject").inputValue()).toBe("Too late, edited");
    expect(await campaignRow(id)).toMatchObject({ status: "DRAFT", subject: "Too late", scheduledAt: null });
    expect(pageErrors).toEqual([]);
  });

  it("Send now restates unit, topic, subject and audience before anything goes, and sends what it showed", async () => {
    const { page, pageErrors } = await marketerPage();
    const id = await saveDraft(page, "Saved subject");
    const audience = await appDb.db.subscription.count({
      where: { topic: { slug: "tax-tips", unit: { slug: "example-tax" } }, channel: "EMAIL", status: "SUBSCRIBED" },
    });
    // An edit not yet saved: what the marketer sees is what the confirmation shows and what goes.
    await page.getByLabel("Subject").fill("Edited, not saved");
    await page.getByRole("button", { name: "Send now…" }).click();
    const confirm = page.getByRole("region", { name: "Send this campaign now?" });
    await confirm.waitFor();
    expect(await confirm.getByTestId("confirm-unit").textContent()).toBe("Example Tax");
    expect(await confirm.getByTestId("confirm-topic").textContent()).toBe("Tax tips");
    expect(await confirm.getByTestId("confirm-subject").textContent()).toBe("Edited, not saved");
    const shownAudience = Number((await confirm.getByTestId("confirm-audience").textContent())!.replace(/,/g, ""));
    expect(shownAudience).toBeGreaterThan(0);
    expect(shownAudience).toBeLessThanOrEqual(audience);
    // Nothing is written or sent until confirmed.
    expect(await campaignRow(id)).toMatchObject({ status: "DRAFT", subject: "Saved subject" });

    // Going back to the form keeps the edit.
    await confirm.getByRole("button", { name: "Keep editing" }).click();
    await expect.poll(() => page.getByLabel("Subject").inputValue()).toBe("Edited, not saved");
    expect((await campaignRow(id)).status).toBe("DRAFT");

    await page.getByRole("button", { name: "Send now…" }).click();
    await confirm.getByRole("button", { name: `Send to ${shownAudience.toLocaleString("en-GB")} people now` }).click();
    await expect.poll(() => page.getByText("Sending has started.").count()).toBe(1);
    await expect.poll(async () => (await campaignRow(id)).status, { timeout: 20_000 }).toBe("SENT");
    expect((await campaignRow(id)).subject).toBe("Edited, not saved");
    const sent = (
      await appDb.db.delivery.findMany({ where: { campaignId: id, status: "SENT" }, orderBy: { id: "asc" }, select: { contact: { select: { email: true } } } })
    ).map((d) => ({ email: d.contact.email }));
    expect(sent).toHaveLength(shownAudience);
    const subjects = new Set<string>();
    for (const file of fs.readdirSync(app.outboxDir).filter((f) => f.endsWith(".eml"))) {
      const message = await PostalMime.parse(fs.readFileSync(path.join(app.outboxDir, file)));
      if (message.to?.[0]?.address === sent[0].email) subjects.add(message.subject ?? "");
    }
    expect(subjects).toContain("Edited, not saved");
    expect(subjects).not.toContain("Saved subject");
    expect(pageErrors).toEqual([]);
  });

  it("Send now refuses a campaign nobody would receive, and says why on the page", async () => {
    const tax = (await appDb.db.businessUnit.findUnique({ where: { slug: "example-tax" } }))!;
    await appDb.db.topic.create({
      data: { unitId: tax.id, slug: "nobody-yet", name: "Nobody yet", description: "A topic no one has chosen.", offersEmail: true, offersPostal: false, offersPhone: false },
    });
    const { page, pageErrors } = await marketerPage();
    const id = await saveDraft(page, "To nobody", "Nobody yet");
    await page.getByRole("button", { name: "Send now…" }).click();
    await expect.poll(() => page.getByRole("alert").filter({ hasText: "Nobody would receive this campaign" }).count()).toBe(1);
    expect(await page.getByRole("alert").filter({ hasText: "Nobody would receive" }).textContent()).toBe(
      "Nobody would receive this campaign: no one may get “Nobody yet” by email right now. Choose another topic, or send it later.",
    );
    expect(await page.getByRole("region", { name: "Send this campaign now?" }).count()).toBe(0);
    expect(await page.getByLabel("Subject").inputValue()).toBe("To nobody");
    expect((await campaignRow(id)).status).toBe("DRAFT");
    expect(pageErrors).toEqual([]);
  });
});
