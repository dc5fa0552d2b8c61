import { describe, expect, it } from "vitest";
import { IncompleteUnitIdentityError, PREVIEW_UNIT } from "./components/index.ts";
import { trustSanitizedHtml } from "./promotional/campaign.tsx";
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
