import fs from "node:fs";
import path from "node:path";
import PostalMime from "postal-mime";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { seriousViolations, signIn } from "../helpers/browser.ts";
import { DEMO } from "../helpers/demo-logins.ts";
import { useRunningApp } from "../helpers/running-app.ts";

// A marketer's whole path in Chromium against the production build: write, preview, test,
// send, watch it progress, then a recipient unsubscribes and the campaign counts it.

const { app, browser, appDb } = useRunningApp({ env: { SEND_RATE_PER_SECOND: "500" }, browser: true });

async function signInAsMarketer(page: Page) {
  await signIn(page, app.url, DEMO.taxMarketer);
  await page.waitForURL(`${app.url}/campaigns`);
  await page.getByRole("link", { name: "New campaign" }).waitFor();
}

/** The newest outbox message to an address, parsed. */
async function newestMessageTo(address: string) {
  const files = fs.readdirSync(app.outboxDir).filter((f) => f.endsWith(".eml")).sort().reverse();
  for (const file of files) {
    const message = await PostalMime.parse(fs.readFileSync(path.join(app.outboxDir, file)));
    if (message.to?.[0]?.address === address) return message;
  }
  return null;
}

describe("campaigns, in Chromium", { timeout: 60_000 }, () => {
  it("a marketer writes, previews, tests and sends a campaign; an unsubscribe from it is counted", async () => {
    const page = await (await browser.newContext()).newPage();
    await signInAsMarketer(page);
    await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toBe("Campaigns");

    await page.getByRole("link", { name: "New campaign" }).click();
    await page.waitForURL(`${app.url}/campaigns/new`);
    // The marketer's only unit is Example Tax; the other units are not offered.
    expect(await page.getByLabel("Business unit").locator("option").allTextContents()).toEqual(["Example Tax"]);
    await page.getByLabel("Topic").selectOption({ label: "Tax tips" });
    await page.getByLabel("Subject").fill("Five tax tips for spring");
    await page.getByLabel("Body (Markdown)").fill("## Get ready\n\nFile **early** and [read our guide](https://tax.example.com/guide).\n\n<script>alert(1)</script>");
    await page.getByRole("button", { name: "Preview" }).click();
    const frame = page.frameLocator("iframe[title='Email preview (HTML)']");
    await expect.poll(() => frame.getByRole("heading", { name: "Get ready" }).count()).toBe(1);
    expect(await page.locator("iframe[title='Email preview (HTML)']").getAttribute("sandbox")).toBe("");
    expect(await page.locator("iframe[title='Email preview (HTML)']").getAttribute("srcdoc")).not.toContain("<script>alert");
    const audience = Number((await page.getByTestId("audience").textContent())!.replace(/,/g, ""));
    expect(audience).toBeGreaterThan(0);
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByRole("button", { name: "Save draft" }).click();
    await page.waitForURL(/\/campaigns\/\d+$/);
    const campaignId = Number(page.url().split("/").at(-1));

    await page.getByRole("button", { name: "Send a test to me" }).click();
    await expect.poll(() => page.getByText(/A test message is on its way to marketer\.tax@example\.com/).count()).toBe(1);
    const test = await newestMessageTo("marketer.tax@example.com");
    expect(test?.subject).toBe("[Test] Five tax tips for spring");

    await page.getByRole("button", { name: "Send now…" }).click();
    await page.getByRole("button", { name: `Send to ${audience.toLocaleString("en-GB")} people now` }).click();
    await expect.poll(() => page.getByText("Sending has started.").count()).toBe(1);
    // The page follows the send by itself until the results are in.
    await expect.poll(() => page.getByRole("heading", { name: "Results" }).count(), { timeout: 20_000 }).toBe(1);
    const sent = await appDb.db.delivery.count({ where: { campaignId, status: "SENT" } });
    expect(sent).toBe(audience);
    expect(await seriousViolations(page)).toEqual([]);

    // A recipient opens the message and unsubscribes from its link.
    const recipient = (await appDb.db.delivery.findFirst({ where: { campaignId }, orderBy: { id: "asc" }, select: { contact: { select: { email: true } } } }))!.contact;
    const message = await newestMessageTo(recipient.email);
    // The https link comes first, then the mailto: (RFC 2369 order).
    const unsubscribe = /^<(https?:\/\/[^>]+)>, <mailto:/.exec(message!.headers.find((h) => h.key === "list-unsubscribe")!.value)![1];
    // The mailbox provider's one-click, as RFC 8058 describes it: a POST to the List-Unsubscribe URL.
    const oneClick = await fetch(unsubscribe, { method: "POST", body: new URLSearchParams({ "List-Unsubscribe": "One-Click" }) });
    expect(oneClick.status).toBe(200);

    await page.reload();
    const figure = page.locator(".campaign-figures div", { hasText: "Unsubscribed from this campaign" }).locator("dd");
    expect(await figure.textContent()).toBe("1");
  });

  it("another unit's campaign is not found, and subscribers cannot see campaigns", async () => {
    const travelTopic = (await appDb.db.topic.findFirst({ where: { unit: { slug: "example-travel" } }, orderBy: { id: "asc" } }))!;
    const at = new Date("2026-01-01T00:00:00.000Z");
    const travelCampaign = (
      await appDb.db.campaign.create({
        data: { unitId: travelTopic.unitId, topicId: travelTopic.id, name: "Travel deals", subject: "Travel deals", status: "DRAFT", createdAt: at, updatedAt: at },
      })
    ).id;
    const page = await (await browser.newContext()).newPage();
    await signInAsMarketer(page);
    const response = await page.goto(`${app.url}/campaigns/${travelCampaign}`);
    expect(response?.status()).toBe(404);
    const post = await page.request.post(`${app.url}/campaigns/${travelCampaign}`, { form: { intent: "send" }, headers: { Origin: app.url } });
    expect(post.status()).toBe(404);
    expect(await appDb.db.campaign.findUnique({ where: { id: travelCampaign }, select: { status: true } })).toEqual({ status: "DRAFT" });

    const subscriber = await (await browser.newContext()).newPage();
    await signIn(subscriber, app.url, DEMO.subscriber);
    await subscriber.waitForURL(`${app.url}/preferences`);
    expect((await subscriber.goto(`${app.url}/campaigns`))?.status()).toBe(404);
  });
});
