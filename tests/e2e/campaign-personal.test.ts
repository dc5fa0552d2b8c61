import fs from "node:fs";
import path from "node:path";
import PostalMime from "postal-mime";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { screenshot, seriousViolations, signIn } from "../helpers/browser.ts";
import { DEMO } from "../helpers/demo-logins.ts";
import { useRunningApp } from "../helpers/running-app.ts";

// Personal touches in Chromium, with and without JavaScript: a merge field the product does not
// know is an error next to its field; the preview shows the email as a real member of the
// audience gets it; "Send a test to the seed list" sends each seed address a [Test] copy.

const { app, browser, appDb } = useRunningApp({ browser: true });

/** Every outbox message to an address, parsed. */
async function messagesTo(address: string) {
  const found = [];
  for (const file of fs.readdirSync(app.outboxDir).filter((f) => f.endsWith(".eml"))) {
    const message = await PostalMime.parse(fs.readFileSync(path.join(app.outboxDir, file)));
    if (message.to?.[0]?.address === address) found.push(message);
  }
  return found;
}

async function marketerPage(javaScriptEnabled: boolean): Promise<Page> {
  const page = await (await browser.newContext({ javaScriptEnabled })).newPage();
  await signIn(page, app.url, DEMO.taxMarketer);
  await page.waitForURL(`${app.url}/campaigns`);
  return page;
}

describe("personal touches, in Chromium", { timeout: 90_000 }, () => {
  for (const javaScript of [true, false]) {
    const mode = javaScript ? "js" : "nojs";
    it(`merge fields, the preview as a recipient and a test to the seed list (${javaScript ? "with" : "without"} JavaScript)`, async () => {
      const page = await marketerPage(javaScript);

      // The seed list: two addresses, a bad one refused next to its field.
      await page.goto(`${app.url}/campaigns/seeds`);
      for (const address of [`seed.one.${mode}@example.com`, ` Seed.Two.${mode}@Example.com `]) {
        await page.getByLabel("Add an address").fill(address);
        await page.getByRole("button", { name: "Add to the seed list" }).click();
        await expect.poll(() => page.getByText(address.trim().toLowerCase(), { exact: true }).count()).toBe(1);
      }
      await page.getByLabel("Add an address").fill("not an address");
      await page.getByRole("button", { name: "Add to the seed list" }).click();
      await expect.poll(() => page.locator(".field-error").textContent()).toContain("valid email address");
      if (javaScript) expect(await seriousViolations(page)).toEqual([]);
      await screenshot(page, `seed-list-${mode}.png`);

      // An unknown field is an error on the Subject field.
      await page.goto(`${app.url}/campaigns/new`);
      await page.getByLabel("Topic").selectOption({ label: "Tax tips" });
      await page.getByLabel("Subject").fill("Hi {{firstname}}, five tax tips");
      await page.getByLabel("Body (Markdown)").fill("Dear {{name|reader}},\n\nFile **early**.");
      await page.getByRole("button", { name: "Save draft" }).click();
      await expect.poll(() => page.locator(".field.has-error .field-error").first().textContent()).toContain("There is no merge field “{{firstname}}”");
      if (javaScript) expect(await seriousViolations(page)).toEqual([]);
      await screenshot(page, `merge-field-error-${mode}.png`);

      await page.getByLabel("Subject").fill(`{{first_name|there}}, five tax tips ${mode}`);
      await page.getByRole("button", { name: "Save draft" }).click();
      await page.waitForURL(/\/campaigns\/\d+$/);
      const campaignId = Number(page.url().split("/").at(-1));

      // The preview is a real member of the audience; give them a name to see it in the copy.
      await page.getByRole("button", { name: "Preview", exact: true }).click();
      await expect.poll(() => page.getByTestId("preview-recipient").textContent()).toContain("Shown as");
      const shownAs = /([^\s<>]+@[^\s<>]+)/.exec((await page.getByTestId("preview-recipient").textContent())!)![1];
      await appDb.db.contact.update({ where: { email: shownAs }, data: { name: "Zoë <b>Tester</b>" } });
      await page.getByLabel("Preview as").fill(shownAs);
      await page.getByRole("button", { name: "Preview", exact: true }).click();
      await expect.poll(() => page.locator(".preview-facts").textContent()).toContain(`Zoë, five tax tips ${mode}`);
      const srcdoc = (await page.locator("iframe[title='Email preview (HTML)']").getAttribute("srcdoc"))!;
      expect(srcdoc).toContain("Dear Zoë &lt;b&gt;Tester&lt;/b&gt;,");
      // No working token in a staff preview (invariant 10).
      expect([...srcdoc.matchAll(/href="([^"]*\/u\/[^"]*)"/g)].map((m) => m[1].split("/u/")[1])).toEqual(["preview"]);
      if (javaScript) expect(await seriousViolations(page)).toEqual([]);
      await screenshot(page, `preview-as-recipient-${mode}.png`);

      // A test to the seed list: one [Test] copy each, the fallback in place of a name, no delivery.
      await page.getByRole("button", { name: "Send a test to the seed list" }).click();
      await expect.poll(() => page.getByText(/Test messages are on their way to the seed list \(\d+ addresses\)/).count()).toBe(1);
      for (const address of [`seed.one.${mode}@example.com`, `seed.two.${mode}@example.com`]) {
        const [copy] = await messagesTo(address);
        expect(copy?.subject).toBe(`[Test] there, five tax tips ${mode}`);
        expect(copy?.text).toContain("Dear reader,");
      }
      expect(await appDb.db.delivery.count({ where: { campaignId } })).toBe(0);
      expect(await appDb.db.auditEvent.count({ where: { action: "campaign.test", target: `campaign:${campaignId}` } })).toBe(1);
      await screenshot(page, `seed-test-sent-${mode}.png`);
    });
  }
});
