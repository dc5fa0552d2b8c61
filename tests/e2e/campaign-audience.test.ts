import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { countAudience } from "~/domain/consent/audience.server.ts";
import { screenshot, seriousViolations, signIn } from "../helpers/browser.ts";
import { DEMO } from "../helpers/demo-logins.ts";
import { useRunningApp } from "../helpers/running-app.ts";

// Audience beyond one topic (ADR 055) in Chromium: a marketer picks a second topic and a
// "leave out" window, and the audience the composer shows follows, with JavaScript (live) and
// without it (on Preview, and kept through Save).

const { app, browser, appDb } = useRunningApp({ browser: true });

/** What the audience query says for Example Tax's topics with these names, now. */
async function expectedAudience(topicNames: string[], excludeRecentDays: number | null = null): Promise<number> {
  const topics = await appDb.db.topic.findMany({ where: { name: { in: topicNames }, unit: { slug: "example-tax" } }, select: { id: true, name: true, unitId: true } });
  const ids = topicNames.map((name) => topics.find((t) => t.name === name)!.id);
  return countAudience(appDb.db, { unitId: topics[0].unitId, topicId: ids[0], topicIds: ids, channel: "EMAIL", excludeRecentDays }, new Date());
}

const shownAudience = async (page: Page) => Number(((await page.getByTestId("audience").textContent()) ?? "").replace(/,/g, ""));

async function composer(javaScriptEnabled: boolean): Promise<{ page: Page; pageErrors: string[] }> {
  const context = await browser.newContext({ javaScriptEnabled, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on("pageerror", (error) => pageErrors.push(error.message));
  await signIn(page, app.url, DEMO.taxMarketer);
  await page.goto(`${app.url}/campaigns/new`);
  await page.getByLabel("Topic").selectOption({ label: "Tax tips" });
  await page.getByLabel("Subject").fill("Two topics");
  await page.getByLabel("Body (Markdown)").fill("## Ready\n\nFile **early**.");
  return { page, pageErrors };
}

describe("the composer's audience beyond one topic", { timeout: 90_000 }, () => {
  it("with JavaScript, ticking a second topic and a leave-out window changes the audience shown", async () => {
    const { page, pageErrors } = await composer(true);
    const one = await expectedAudience(["Tax tips"]);
    const two = await expectedAudience(["Tax tips", "Webinars and events"]);
    expect(two).toBeGreaterThan(one);
    await expect.poll(() => page.getByTestId("audience").count()).toBe(1);
    await expect.poll(() => shownAudience(page)).toBe(one);

    await page.getByRole("checkbox", { name: "Webinars and events" }).check();
    await expect.poll(() => shownAudience(page)).toBe(two);
    await page.getByLabel(/Leave out people who got an email from Example Tax/).selectOption({ label: "30 days" });
    const excluded = await expectedAudience(["Tax tips", "Webinars and events"], 30);
    await expect.poll(() => shownAudience(page)).toBe(excluded);
    await screenshot(page, "composer-two-topics-js.png");
    expect(await seriousViolations(page)).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it("without JavaScript, Preview counts both topics, and the saved draft keeps them: 'Tax tips + 1 more'", async () => {
    const { page } = await composer(false);
    await page.getByRole("checkbox", { name: "Webinars and events" }).check();
    await page.getByRole("button", { name: "Preview" }).click();
    await page.getByTestId("audience").waitFor();
    expect(await shownAudience(page)).toBe(await expectedAudience(["Tax tips", "Webinars and events"]));
    // The page drawn again keeps the choice.
    expect(await page.getByRole("checkbox", { name: "Webinars and events" }).isChecked()).toBe(true);
    // axe runs as script, so it checks the same page in the JavaScript test above.
    await screenshot(page, "composer-two-topics-nojs.png");

    await page.getByRole("button", { name: "Save draft" }).click();
    await page.waitForURL(/\/campaigns\/\d+$/);
    const id = Number(page.url().split("/").at(-1));
    const saved = await appDb.db.campaignTopic.findMany({ where: { campaignId: id }, orderBy: { position: "asc" }, select: { topic: { select: { name: true } } } });
    expect(saved.map((t) => t.topic.name)).toEqual(["Tax tips", "Webinars and events"]);
    expect(await page.getByText("Tax tips + 1 more").count()).toBeGreaterThan(0);
    expect(await page.getByRole("checkbox", { name: "Webinars and events" }).isChecked()).toBe(true);
    await screenshot(page, "draft-two-topics-nojs.png");
  });
});
