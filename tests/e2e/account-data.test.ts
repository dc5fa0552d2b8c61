import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { screenshot, seriousViolations } from "../helpers/browser.ts";
import { addMember, MEMBER_PASSWORD } from "../helpers/accounts-http.ts";
import { useRunningApp } from "../helpers/running-app.ts";

// "Download my data" in Chromium: a person renames themselves on /account, downloads the file
// and finds the new name (one name, on the account and on the contact) and an email we sent them.

const { app, browser, appDb } = useRunningApp({ browser: true });

describe("download my data", () => {
  it("holds the name just saved on /account and the campaign email sent to the person", async () => {
    const member = await addMember(appDb);
    const unit = await appDb.db.businessUnit.findUniqueOrThrow({ where: { slug: "example-tax" } });
    const topic = await appDb.db.topic.findFirstOrThrow({ where: { unitId: unit.id, slug: "tax-tips" } });
    const subject = `Your filing checklist ${member.contactId}`;
    const campaign = await appDb.db.campaign.create({
      data: { unitId: unit.id, topicId: topic.id, name: "Checklist (internal)", subject, status: "SENT", startedAt: new Date(), finishedAt: new Date() },
    });
    await appDb.db.delivery.create({ data: { campaignId: campaign.id, contactId: member.contactId, status: "SENT", sentAt: new Date("2026-11-20T08:30:00Z") } });

    const context = await browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    await page.goto(`${app.url}/login`);
    await page.getByLabel("Email address").fill(member.email);
    await page.getByLabel("Password").fill(MEMBER_PASSWORD);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.waitForURL(/\/preferences$/);
    await page.goto(`${app.url}/account`);
    await page.getByLabel("Name").fill("Rosa Costa");
    await page.getByRole("button", { name: "Save name" }).click();
    await page.getByText("Your name was saved.").waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, "account-1280.png");

    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download my data (JSON)" }).click()]);
    expect(download.suggestedFilename()).toMatch(/^my-data-\d{4}-\d{2}-\d{2}\.json$/);
    const data = JSON.parse(readFileSync((await download.path())!, "utf8"));
    expect(data.profile.name).toBe("Rosa Costa");
    expect(data.contact).toMatchObject({ email: member.email, name: "Rosa Costa" });
    expect(data.messages.promotional).toEqual([
      expect.objectContaining({ subject, from: unit.displayName, topic: topic.name, status: "sent", sentAt: "2026-11-20T08:30:00.000Z" }),
    ]);
    await context.close();
  });
});
