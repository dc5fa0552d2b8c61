import type { ComponentType } from "react";
import { render, toPlainText } from "@react-email/render";
import { describe, expect, it } from "vitest";
import { PREVIEW_UNIT } from "../components/index.ts";
import { renderPromotional } from "../render.tsx";
import { INSURANCE_UNIT, linkTextsIn, webLinksIn } from "../test-helpers.ts";
import { trustSanitizedHtml, type CampaignContent } from "./campaign.tsx";
import { promotionalTemplates } from "./index.ts";

const content: CampaignContent = {
  subject: "Travel cover for your summer trips",
  preheader: "Cover for every trip this year, from one policy.",
  bodyHtml: trustSanitizedHtml('<h2>One policy, every trip</h2><p>Annual travel cover from €39. <a href="https://insurance.example.com/travel?utm_source=email&amp;c=7">See the cover</a></p>'),
};
const footer = {
  reason: "You subscribed to Offers and discounts from Example Insurance on 3 May 2026.",
  unsubscribeUrl: "https://preferences.example.com/u/eyJhbGciOiJIUzI1NiJ9.unsubscribe.sig",
  preferencesUrl: "https://preferences.example.com/p/eyJhbGciOiJIUzI1NiJ9.preferences.sig",
};

describe("the campaign template", () => {
  it("is the one promotional template", () => {
    expect(Object.keys(promotionalTemplates)).toEqual(["campaign"]);
    expect(promotionalTemplates.campaign.kind).toBe("promotional");
  });

  it("renders with its default props alone, compliant footer included", async () => {
    const Bare = promotionalTemplates.campaign.Component as ComponentType;
    const html = await render(<Bare />);
    const text = toPlainText(html);
    for (const part of [html, text]) {
      expect(part).toContain(PREVIEW_UNIT.legalName);
      expect(part).toContain(PREVIEW_UNIT.postalAddress);
      expect(part).toContain("https://preferences.example.com/u/preview-token");
      expect(part).toContain("Manage your email preferences");
    }
  });

  it("carries the footer in both parts: unsubscribe and preferences links, legal name, address, contact, why", async () => {
    const email = await renderPromotional("campaign", content, { unit: INSURANCE_UNIT, footer });
    expect(email.subject).toBe(content.subject);
    for (const part of [email.html, email.text]) {
      expect(part).toContain(footer.unsubscribeUrl);
      expect(part).toContain(footer.preferencesUrl);
      expect(part).toContain(INSURANCE_UNIT.legalName);
      expect(part).toContain(INSURANCE_UNIT.postalAddress);
      expect(part).toContain(INSURANCE_UNIT.contactEmail);
      expect(part).toContain(footer.reason);
      expect(part).toContain(INSURANCE_UNIT.displayName);
      expect(part).not.toContain("Advertisement");
    }
    const links = linkTextsIn(email.html);
    expect(links).toContain("Unsubscribe");
    expect(links).toContain("Manage your email preferences");
    expect(webLinksIn(email.html)).toEqual(expect.arrayContaining([footer.unsubscribeUrl, footer.preferencesUrl]));
    expect(email.text).toContain(`Unsubscribe ${footer.unsubscribeUrl}`);
    expect(email.text).toContain(`Manage your email preferences ${footer.preferencesUrl}`);
  });

  it('says "Advertisement" only when asked', async () => {
    const email = await renderPromotional("campaign", content, { unit: INSURANCE_UNIT, footer: { ...footer, advertisement: true } });
    expect(email.html).toContain("Advertisement");
    expect(email.text).toContain("Advertisement");
  });

  it("puts the body in both parts, its links in full in the text", async () => {
    const email = await renderPromotional("campaign", content, { unit: INSURANCE_UNIT, footer });
    expect(email.html).toContain(content.bodyHtml);
    expect(email.text).toContain("One policy, every trip");
    expect(email.text).toContain("See the cover https://insurance.example.com/travel?utm_source=email&c=7");
    for (const link of webLinksIn(email.html)) expect(email.text).toContain(link);
  });

  it("shows the preheader only as inbox preview, and the body's first line when it is empty", async () => {
    const email = await renderPromotional("campaign", content, { unit: INSURANCE_UNIT, footer });
    expect(email.html).toContain(content.preheader);
    expect(email.text).not.toContain(content.preheader);

    // Without one, inboxes would show the header's "Example Insurance" as the preview.
    for (const preheader of ["", "   "]) {
      const withoutPreheader = await renderPromotional("campaign", { ...content, preheader }, { unit: INSURANCE_UNIT, footer });
      expect(withoutPreheader.html).toMatch(/data-skip-in-text="true">One policy, every trip/);
      expect(withoutPreheader.text.match(/One policy, every trip/g)).toHaveLength(1);
    }
  });

  it("brands the header with the unit's colour, logo and name", async () => {
    const email = await renderPromotional("campaign", content, { unit: INSURANCE_UNIT, footer });
    expect(email.html).toContain("background-color:#8b2f1f");
    expect(email.html).toContain(`src="${INSURANCE_UNIT.logoUrl}"`);
    expect(email.html).toContain("<title>Travel cover for your summer trips</title>");
  });
});
