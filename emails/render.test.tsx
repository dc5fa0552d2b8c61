import { render } from "@react-email/render";
import { describe, expect, it } from "vitest";
import { IncompleteUnitIdentityError, PREVIEW_UNIT, TransactionalLayout } from "./components/index.ts";
import { trustSanitizedHtml } from "./promotional/campaign.tsx";
import { campaignMarkdownToHtml } from "./promotional/markdown.ts";
import { promotionalTemplates } from "./promotional/index.ts";
import { renderPromotional, renderTransactional, TemplateContextError, TemplateKindError } from "./render.tsx";
import { transactionalTemplates } from "./transactional/index.ts";

const transactionalContext = {
  unit: PREVIEW_UNIT,
  categoryReason: "We warn you about sign-ins and changes to your account to keep it safe.",
  preferencesUrl: "https://preferences.example.com/p/token",
};
const promotionalContext = {
  unit: PREVIEW_UNIT,
  footer: {
    reason: "You subscribed to Tax tips from Example Tax on 3 May 2026.",
    unsubscribeUrl: "https://preferences.example.com/u/token",
    preferencesUrl: "https://preferences.example.com/p/token",
  },
};
const content = { subject: "Tax tips", preheader: "", bodyHtml: trustSanitizedHtml("<p>Tips.</p>") };
const renewal = transactionalTemplates["renewal-notice"].previewData;

describe("the kind guard", () => {
  it("refuses a promotional template in renderTransactional", async () => {
    const failure = renderTransactional("campaign" as never, content, transactionalContext);
    await expect(failure).rejects.toBeInstanceOf(TemplateKindError);
    await expect(failure).rejects.toThrow('"campaign" is a promotional template; it cannot be rendered as transactional mail.');
  });

  it("refuses a transactional template in renderPromotional", async () => {
    const failure = renderPromotional("renewal-notice" as never, content as never, promotionalContext);
    await expect(failure).rejects.toBeInstanceOf(TemplateKindError);
    await expect(failure).rejects.toThrow('"renewal-notice" is a transactional template; it cannot be rendered as promotional mail.');
  });

  it("refuses an entry of the wrong kind filed in a registry", async () => {
    const registry = transactionalTemplates as Record<string, unknown>;
    registry["misfiled"] = promotionalTemplates.campaign;
    try {
      await expect(renderTransactional("misfiled" as never, content, transactionalContext)).rejects.toThrow(
        '"misfiled" is a promotional template; it cannot be rendered as transactional mail.',
      );
    } finally {
      delete registry["misfiled"];
    }
  });

  it("refuses unknown and inherited names", async () => {
    for (const name of ["no-such-template", "toString", "__proto__"]) {
      await expect(renderTransactional(name as never, {}, transactionalContext)).rejects.toThrow(`There is no transactional template "${name}".`);
      await expect(renderPromotional(name as never, content as never, promotionalContext)).rejects.toThrow(`There is no promotional template "${name}".`);
    }
  });
});

describe("what every message needs from its unit and context", () => {
  it.each([
    ["no legal name", { legalName: " " }, /^Example Tax cannot send mail: it needs a legal name\. Add it in the unit's settings\.$/],
    ["no postal address", { postalAddress: "" }, /it needs a postal address/],
    ["no contact method", { contactEmail: null, contactPhone: "", contactUrl: "javascript:alert(1)" }, /it needs a contact email, phone number or web page/],
  ])("refuses a unit with %s, for both kinds", async (_, change, message) => {
    const unit = { ...PREVIEW_UNIT, ...change };
    await expect(renderTransactional("renewal-notice", renewal, { ...transactionalContext, unit })).rejects.toThrow(IncompleteUnitIdentityError);
    await expect(renderPromotional("campaign", content, { ...promotionalContext, unit })).rejects.toThrow(message);
  });

  it("accepts any one contact method", async () => {
    const unit = { ...PREVIEW_UNIT, contactEmail: null, contactPhone: "+44 20 7946 0000", contactUrl: null };
    const email = await renderTransactional("renewal-notice", renewal, { ...transactionalContext, unit });
    expect(email.text).toContain("Contact us: +44 20 7946 0000");
    expect(email.html).toContain('href="tel:+442079460000"');
  });

  it("refuses links that are not absolute http(s) URLs and an empty reason", async () => {
    await expect(renderTransactional("renewal-notice", renewal, { ...transactionalContext, preferencesUrl: "/preferences" })).rejects.toThrow(
      TemplateContextError,
    );
    const footer = promotionalContext.footer;
    await expect(renderPromotional("campaign", content, { ...promotionalContext, footer: { ...footer, unsubscribeUrl: "" } })).rejects.toThrow(
      'footer.unsubscribeUrl must be an absolute http(s) URL, got "".',
    );
    await expect(renderPromotional("campaign", content, { ...promotionalContext, footer: { ...footer, preferencesUrl: "javascript:void(0)" } })).rejects.toThrow(
      /footer.preferencesUrl/,
    );
    await expect(renderPromotional("campaign", content, { ...promotionalContext, footer: { ...footer, reason: "  " } })).rejects.toThrow(
      /footer.reason is empty/,
    );
    await expect(renderTransactional("renewal-notice", renewal, { ...transactionalContext, categoryReason: "" })).rejects.toThrow(
      /categoryReason is empty/,
    );
  });
});

describe("mail that renders everywhere (Outlook included)", () => {
  const body = campaignMarkdownToHtml("# Get ready for filing season\n\nFive small things.\n\n![A chart of what you save](https://tax.example.com/chart.png)\n\nMore.");
  const campaign = { subject: "Tax tips", preheader: "", bodyHtml: body };
  const unit = { ...PREVIEW_UNIT, logoUrl: "https://tax.example.com/logo.png" };
  const tables600 = (html: string) => [...html.matchAll(/<table\b[^>]*>/g)].map(([tag]) => tag).filter((tag) => /\bwidth="600"/.test(tag));
  // A campaign's <html lang> is its body's (the marketer's words); a service message's is the language it is written in.
  const both = async (lang?: "de") => [
    await renderPromotional("campaign", campaign, { ...promotionalContext, unit, ...(lang ? { lang } : {}) }),
    await renderTransactional("renewal-notice", renewal, { ...transactionalContext, unit, ...(lang ? { language: lang } : {}) }),
  ];

  it("sets lang on <html> from the message's language, English unless told", async () => {
    for (const email of await both()) expect(email.html).toContain('<html dir="ltr" lang="en">');
    for (const email of await both("de")) expect(email.html).toContain('<html dir="ltr" lang="de">');
  });

  it("marks a campaign's footer with the recipient's language when it differs from the body's", async () => {
    const german = await renderPromotional("campaign", campaign, { ...promotionalContext, unit, language: "de" });
    expect(german.html).toContain('<html dir="ltr" lang="en">');
    expect(german.html).toContain('<div lang="de">');
    expect(german.text).toContain("E-Mail-Einstellungen verwalten");
    const english = await renderPromotional("campaign", campaign, { ...promotionalContext, unit });
    expect(english.html).not.toContain("<div lang=");
  });

  it("lays the card and the footer out in tables 600 wide by attribute, which Outlook keeps, narrowing on small screens", async () => {
    for (const email of await both()) {
      const tables = tables600(email.html);
      expect(tables).toHaveLength(2);
      for (const table of tables) {
        expect(table).toMatch(/style="[^"]*(?<![-\w])width:600px/);
        expect(table).toMatch(/style="[^"]*max-width:100%/);
      }
      expect(email.html).not.toContain("37.5em");
    }
  });

  it("gives every image a width attribute: the unit's logo and the marketer's images", async () => {
    const [promotional, transactional] = await both();
    for (const email of [promotional, transactional]) {
      const images = [...email.html.matchAll(/<img\b[^>]*>/g)].map(([tag]) => tag);
      expect(images.length).toBeGreaterThan(0);
      for (const image of images) expect(image).toMatch(/\bwidth="\d+"/);
    }
    expect(promotional.html).toMatch(/<img\b[^>]*src="https:\/\/tax\.example\.com\/chart\.png"[^>]*>/);
    expect(promotional.html).toMatch(/<img\b(?=[^>]*src="https:\/\/tax\.example\.com\/chart\.png")(?=[^>]*width="536")[^>]*>/);
  });

  it("keeps the alt text of images in the plain-text part (the logo's is empty: it repeats the unit's name)", async () => {
    const [promotional] = await both();
    expect(promotional.text).toContain("[A chart of what you save]");
    expect(promotional.text).not.toContain("[]");
  });

  it("falls back to the body's first line for the inbox preview when there is no preheader", async () => {
    const [promotional, transactional] = await both();
    expect(promotional.html).toMatch(/<div style="display:none;[^"]*" data-skip-in-text="true">Get ready for filing season/);
    // A service message's first line is its heading.
    const withoutPreview = await render(
      <TransactionalLayout unit={unit} heading="Your statement is ready" footer={{ categoryReason: "Because.", preferencesUrl: "https://p.example.com/p/t" }}>
        <p>Body</p>
      </TransactionalLayout>,
    );
    expect(withoutPreview).toMatch(/<div style="display:none;[^"]*" data-skip-in-text="true">Your statement is ready/);
    expect(transactional.html).toMatch(/data-skip-in-text="true">Example Tax Premium renews on/);
    const withPreheader = await renderPromotional("campaign", { ...campaign, preheader: "Small steps now." }, { ...promotionalContext, unit });
    expect(withPreheader.html).toMatch(/data-skip-in-text="true">Small steps now\./);
    // Not in the text part: the first line is there once, as the body's.
    expect(promotional.text.match(/Get ready for filing season/g)).toHaveLength(1);
  });
});
