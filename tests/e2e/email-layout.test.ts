import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { PREVIEW_UNIT } from "~emails/components/index.ts";
import { campaignMarkdownToHtml } from "~emails/promotional/markdown.ts";
import { renderPromotional, renderTransactional } from "~emails/render.tsx";
import { transactionalTemplates } from "~emails/transactional/index.ts";
import { launchBrowser } from "../helpers/browser.ts";

// The 600 layout as a browser lays it out (the render tests read the attributes Outlook keeps):
// 600 wide on a wide screen, as wide as the screen on a phone, never scrolling sideways.

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

const unit = { ...PREVIEW_UNIT, logoUrl: "https://tax.example.com/logo.png" };
const emails = async () => [
  await renderPromotional(
    "campaign",
    { subject: "Tax tips", preheader: "", bodyHtml: campaignMarkdownToHtml("# Get ready\n\nFive small things to do this month.\n\n![A chart](https://tax.example.com/chart.png)") },
    { unit, footer: { reason: "You subscribed to Tax tips from Example Tax on 3 May 2026.", unsubscribeUrl: "https://p.example.com/u/t", preferencesUrl: "https://p.example.com/p/t" } },
  ),
  await renderTransactional("renewal-notice", transactionalTemplates["renewal-notice"].previewData, {
    unit,
    categoryReason: "We tell you before a renewal so that you can change or cancel it.",
    preferencesUrl: "https://p.example.com/p/t",
  }),
];

describe("the email layout in a browser", () => {
  for (const width of [1280, 375]) {
    it(`is ${width === 1280 ? "600 wide" : "as wide as the screen"} at ${width} px, with nothing off the side`, async () => {
      for (const email of await emails()) {
        const page = await browser.newPage({ viewport: { width, height: 800 } });
        try {
          await page.setContent(email.html);
          const layout = await page.evaluate(() => ({
            scrollWidth: document.documentElement.scrollWidth,
            columns: [...document.querySelectorAll('table[width="600"]')].map((table) => Math.round(table.getBoundingClientRect().width)),
          }));
          expect(layout.scrollWidth).toBe(width);
          // The body's 12 px padding on each side.
          expect(layout.columns).toEqual([Math.min(600, width - 24), Math.min(600, width - 24)]);
        } finally {
          await page.close();
        }
      }
    });
  }
});
