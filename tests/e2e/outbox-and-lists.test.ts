import fs from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { renderPromotional } from "~emails/render.tsx";
import { PREVIEW_UNIT } from "~emails/components/preview-data.ts";
import { trustSanitizedHtml } from "~emails/promotional/campaign.tsx";
import { createOutboxTransport } from "~/domain/mail/outbox.server.ts";
import { seriousViolations, signIn } from "../helpers/browser.ts";
import { DEMO } from "../helpers/demo-logins.ts";
import { useRunningApp } from "../helpers/running-app.ts";

// The demo path in Chromium: open a campaign message in the outbox and see it rendered in its
// sandboxed frame, with the recipient's unsubscribe and preferences links replaced by a note.

const { app, browser, appDb } = useRunningApp({ browser: true });
let fileName: string;
let recipient: { contactId: number; unitId: number; topicId: number; email: string };

const SUBJECT = "Five tax tips before the filing deadline";

beforeAll(async () => {
  const subscription = await appDb.db.subscription.findFirstOrThrow({
    where: {
      topic: { unit: { slug: "example-tax" } },
      channel: "EMAIL",
      status: "SUBSCRIBED",
      contact: { unitOptOuts: { none: {} }, globalOptOuts: { none: {} } },
    },
    orderBy: [{ contactId: "asc" }, { id: "asc" }],
    select: { contactId: true, topicId: true, topic: { select: { unitId: true } }, contact: { select: { email: true } } },
  });
  recipient = { contactId: subscription.contactId, unitId: subscription.topic.unitId, topicId: subscription.topicId, email: subscription.contact.email };

  // A campaign message as the sender makes it: the real promotional template and footer,
  // a signed unsubscribe link, written by the outbox transport.
  const unsubscribeUrl = await appDb.link("unsubscribe", { ...recipient, campaignId: 7 });
  const preferencesUrl = await appDb.link("preferences", recipient);
  const rendered = await renderPromotional(
    "campaign",
    {
      subject: SUBJECT,
      preheader: "Small steps now save time.",
      bodyHtml: trustSanitizedHtml("<h2>Get ready for filing season</h2><p>Five small things to do this month.</p>"),
    },
    { unit: PREVIEW_UNIT, footer: { reason: "You subscribed to Tax tips from Example Tax on 3 May 2026.", unsubscribeUrl, preferencesUrl } },
  );
  const transport = createOutboxTransport(app.outboxDir);
  await transport.send({
    stream: "promotional",
    from: { name: "Example Tax", address: "news@tax.example.com" },
    to: recipient.email,
    subject: rendered.subject,
    // A script that must not run inside the frame.
    html: rendered.html.replace("</body>", '<script>document.body.insertAdjacentHTML("beforeend", "<p>script ran</p>")</script></body>'),
    text: rendered.text,
    headers: { "List-Unsubscribe": `<${unsubscribeUrl}>`, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" },
    messageIdDomain: "tax.example.com",
  });
  await transport.close();
  fileName = fs.readdirSync(app.outboxDir).find((f) => f.endsWith(".eml"))!;
});

describe("the outbox, in Chromium", () => {
  it("an admin opens a campaign message and sees it rendered, its recipient's links replaced by a note", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, app.url, DEMO.admin);
    await page.goto(`${app.url}/admin/outbox`);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Outbox");
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByRole("link", { name: SUBJECT }).click();
    await page.waitForURL(`${app.url}/admin/outbox/${fileName}`);
    const frame = page.frameLocator("iframe.outbox-frame");
    await frame.getByText("Get ready for filing season").waitFor();
    expect(await frame.getByText("Example Tax Services Ltd").count()).toBeGreaterThan(0);
    expect(await frame.getByText("script ran").count()).toBe(0);
    expect(await page.getByRole("row", { name: /List-Unsubscribe-Post/ }).count()).toBe(1);
    expect(await page.locator("iframe.outbox-frame").getAttribute("title")).toBe(`The message “${SUBJECT}”, rendered`);
    expect(await seriousViolations(page)).toEqual([]);

    // The recipient's own links are not links here: staff never hold one that acts for them.
    await frame.getByText("[unsubscribe link removed]").first().waitFor();
    expect(await frame.getByRole("link", { name: "Unsubscribe" }).count()).toBe(0);
    expect(await frame.locator('a[href*="/u/"], a[href*="/p/"]').count()).toBe(0);
    expect(await appDb.db.unitOptOut.count({ where: { contactId: recipient.contactId, unitId: recipient.unitId, channel: "EMAIL" } })).toBe(0);
    await context.close();
  });

  it("a marketer of the unit finds the same message through the staff menu, without JavaScript", async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await signIn(page, app.url, DEMO.taxMarketer);
    await page.goto(`${app.url}/contacts/export`);
    await page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Outbox" }).click();
    await page.getByLabel("Recipient contains").fill(recipient.email.toUpperCase());
    await page.getByRole("button", { name: "Search" }).click();
    await page.getByRole("link", { name: SUBJECT }).click();
    await page.frameLocator("iframe.outbox-frame").getByText("Get ready for filing season").waitFor();
    await context.close();
  });
});

describe("postal and phone lists, in Chromium", () => {
  it("a marketer picks a list, sees its size, and downloads it; axe finds nothing serious", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, app.url, DEMO.taxMarketer);
    await page.goto(`${app.url}/contacts/export`);
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByLabel("List").selectOption({ label: "Offers — postal mail" });
    await page.getByRole("button", { name: "Show list" }).click();
    await page.getByRole("heading", { name: "Example Tax: Offers, postal mail" }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download CSV" }).click()]);
    expect(download.suggestedFilename()).toMatch(/^example-tax-offers-postal-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = fs.readFileSync((await download.path())!, "utf8");
    expect(csv.split("\n")[0]).toBe("name,email,postal_address,basis,consented_at,consent_expires_at");
    await context.close();
  });
});
