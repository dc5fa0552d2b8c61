import fs from "node:fs";
import path from "node:path";
import PostalMime from "postal-mime";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { screenshot, seriousViolations, signIn } from "../helpers/browser.ts";
import { DEMO } from "../helpers/demo-logins.ts";
import { useRunningApp } from "../helpers/running-app.ts";

// One person's journey through issue 20, end to end in Chromium: a campaign reaches Jane; from its
// link she asks for less ("at most one a week"); of the next two campaigns one reaches her and one
// does not; she switches to German, and downloads everything we hold about her.

const { app, browser, appDb } = useRunningApp({ env: { SEND_RATE_PER_SECOND: "500" }, browser: true });

/** The messages in the outbox to an address, oldest first, parsed. */
async function messagesTo(address: string) {
  const files = fs.readdirSync(app.outboxDir).filter((f) => f.endsWith(".eml")).sort();
  const found = [];
  for (const file of files) {
    const message = await PostalMime.parse(fs.readFileSync(path.join(app.outboxDir, file)));
    if (message.to?.[0]?.address === address) found.push(message);
  }
  return found;
}

/** The marketer sends a Tax tips campaign now and waits for its results; its id. */
async function sendTaxTips(page: Page, subject: string): Promise<number> {
  await page.goto(`${app.url}/campaigns/new`);
  await page.getByLabel("Topic").selectOption({ label: "Tax tips" });
  await page.getByLabel("Subject").fill(subject);
  await page.getByLabel("Body (Markdown)").fill(`## ${subject}\n\nFile early this year.`);
  await page.getByRole("button", { name: "Save draft" }).click();
  await page.waitForURL(/\/campaigns\/\d+$/);
  const campaignId = Number(page.url().split("/").at(-1));
  await page.getByRole("button", { name: "Send now…" }).click();
  await page.getByRole("button", { name: /^Send to [\d,]+ people now$/ }).click();
  await expect.poll(() => page.getByRole("heading", { name: "Results" }).count(), { timeout: 30_000 }).toBe(1);
  return campaignId;
}


describe("one recipient's journey", { timeout: 120_000 }, () => {
  it("a campaign, send me less from its link, the next two campaigns (one reaches her, one does not), German, then her data", async () => {
    const jane = await appDb.db.contact.findUniqueOrThrow({ where: { email: DEMO.subscriber.email }, select: { id: true } });
    const tax = await appDb.db.businessUnit.findUniqueOrThrow({ where: { slug: "example-tax" }, select: { id: true } });
    const marketer = await (await browser.newContext()).newPage();
    await signIn(marketer, app.url, DEMO.taxMarketer);
    await marketer.waitForURL(`${app.url}/campaigns`);

    // 1. The first campaign reaches her.
    await sendTaxTips(marketer, "Spring tax tips");
    const [first] = await messagesTo(DEMO.subscriber.email);
    expect(first?.subject).toBe("Spring tax tips");

    // 2. From its footer link, at 375 px: "send me less", one a week.
    const phone = await browser.newContext({ viewport: { width: 375, height: 800 } });
    const page = await phone.newPage();
    const link = /href="(https?:\/\/[^"]+\/u\/[^"]+)"/.exec(first.html!)![1].replace(/&amp;/g, "&");
    await page.goto(link);
    await screenshot(page, "journey-1-unsubscribe-page.png");
    await page.getByText("Other choices: send me less, pause, or unsubscribe from more").click();
    await page.getByLabel("Send me less: at most one Example Tax email a week").check();
    await page.getByRole("button", { name: "Confirm" }).click();
    await page.getByText("You will get at most one Example Tax email a week").waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, "journey-2-send-me-less-done.png");
    expect(await appDb.db.frequencyChoice.findUnique({ where: { contactId_unitId: { contactId: jane.id, unitId: tax.id } }, select: { frequency: true } })).toEqual({ frequency: "WEEKLY" });

    // A week passes (her first campaign is dated eight days back), so the next one may reach her…
    const eightDaysAgo = new Date(Date.now() - 8 * 86_400_000);
    await appDb.db.delivery.updateMany({ where: { contactId: jane.id }, data: { sentAt: eightDaysAgo } });
    await sendTaxTips(marketer, "Summer tax tips");
    // …and the one after it, in the same week, does not.
    const third = await sendTaxTips(marketer, "Autumn tax tips");
    expect((await messagesTo(DEMO.subscriber.email)).map((m) => m.subject)).toEqual(["Spring tax tips", "Summer tax tips"]);
    const leftOut = marketer.locator(".campaign-figures div", { hasText: "Left out by “send me less”" }).locator("dd");
    expect(Number(await leftOut.textContent())).toBeGreaterThanOrEqual(1);
    expect(await appDb.db.delivery.count({ where: { campaignId: third, contactId: jane.id } })).toBe(0);
    await screenshot(marketer, "journey-3-third-campaign-results.png");

    // 4. She signs in, and on /preferences switches to German: remembered on her contact.
    await signIn(page, app.url, DEMO.subscriber);
    await page.waitForURL(`${app.url}/preferences`);
    await page.locator('.language-switch input[name="timeZone"]').waitFor({ state: "attached" });
    await page.getByLabel("Language").selectOption("de");
    await page.getByRole("heading", { name: "Was wir Ihnen senden dürfen" }).waitFor();
    expect(await page.locator("html").getAttribute("lang")).toBe("de");
    await page.getByText("Höchstens eine E-Mail pro Woche: Sie möchten weniger von Example Tax hören").waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, "journey-4-preferences-german.png");
    expect(await appDb.db.contact.findUniqueOrThrow({ where: { id: jane.id }, select: { locale: true } })).toEqual({ locale: "de" });

    // 5. Everything we hold about her, in German: the two campaigns that reached her, not the third.
    await page.goto(`${app.url}/account`);
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Meine Daten herunterladen (JSON)" }).click()]);
    const file = JSON.parse(fs.readFileSync((await download.path())!, "utf8"));
    expect(file.about.messages).toMatch(/^Die E-Mails, die wir Ihnen gesendet haben/);
    const subjects: string[] = [];
    const collect = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(collect);
      else if (value && typeof value === "object") for (const [key, inner] of Object.entries(value)) key === "subject" && typeof inner === "string" ? subjects.push(inner) : collect(inner);
    };
    collect(file.messages);
    expect(subjects).toEqual(expect.arrayContaining(["Spring tax tips", "Summer tax tips"]));
    expect(subjects).not.toContain("Autumn tax tips");
    await phone.close();
  });
});
