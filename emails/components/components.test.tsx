import { render } from "@react-email/render";
import { describe, expect, it } from "vitest";
import { Paragraph } from "./elements.tsx";
import { formatDate, formatDateTime, formatDayOf, formatLifetime, formatMinutes } from "./format.ts";
import { mailLanguage } from "./mail-language.ts";
import { PREVIEW_UNIT } from "./preview-data.ts";
import { PromotionalLayout } from "./promotional-layout.tsx";
import { brandColors, COLORS, contrastRatio, DEFAULT_BRAND_COLOR } from "./theme.ts";
import { TransactionalLayout } from "./transactional-layout.tsx";
import { contactMethods } from "./unit-identity.ts";

describe("brand colours", () => {
  it("keep white text on a dark brand colour and use it for links", () => {
    expect(brandColors("#1F6F4A")).toEqual({ accent: "#1f6f4a", onAccent: "#ffffff", link: "#1f6f4a" });
  });

  it("put dark text on a light brand colour and keep links readable", () => {
    const colors = brandColors("#fc0");
    expect(colors.accent).toBe("#ffcc00");
    expect(contrastRatio(colors.onAccent, colors.accent)).toBeGreaterThanOrEqual(4.5);
    expect(colors.link).toBe(COLORS.link);
  });

  it("fall back to the default for anything but a hex colour (it ends up in style attributes)", () => {
    for (const value of ["red", "#12345", "#000;background:url(x)", ""]) expect(brandColors(value).accent).toBe(DEFAULT_BRAND_COLOR);
  });

  it("always give text at least 4.5:1 on its background", () => {
    const pairs = [
      [COLORS.ink, COLORS.card],
      [COLORS.muted, COLORS.card],
      [COLORS.muted, COLORS.page],
      [COLORS.link, COLORS.card],
    ];
    for (const [text, background] of pairs) expect(contrastRatio(text, background), `${text} on ${background}`).toBeGreaterThanOrEqual(4.5);
    for (const brand of ["#000000", "#777777", "#888888", "#ffffff", "#1f6f4a", "#8b2f1f", "#2a4fa8", "#ffd700"]) {
      const colors = brandColors(brand);
      expect(contrastRatio(colors.onAccent, colors.accent), brand).toBeGreaterThanOrEqual(4.5);
      expect(contrastRatio(colors.link, "#ffffff"), brand).toBeGreaterThanOrEqual(4.5);
    }
  });
});

describe("formatting for people", () => {
  it("writes dates as days, whatever the server's time zone", () => {
    expect(formatDate("2026-05-03")).toBe("3 May 2026");
    expect(formatDate("2026-12-31")).toBe("31 December 2026");
    expect(formatDateTime("2026-05-03T23:30:00-02:00")).toBe("4 May 2026 at 01:30 UTC");
  });

  it("writes link lifetimes in minutes or whole hours", () => {
    expect([1, 15, 60, 90, 120, 1440].map(formatMinutes)).toEqual(["1 minute", "15 minutes", "1 hour", "90 minutes", "2 hours", "24 hours"]);
  });

  it("writes dates and lifetimes in the reader's language, and instants in their time zone", () => {
    expect(formatDate("2026-05-03", "de")).toBe("3. Mai 2026");
    expect(formatDateTime("2026-05-03T23:30:00-02:00", "de")).toBe("4. Mai 2026 um 01:30 Uhr (UTC)");
    expect(formatDateTime("2026-05-03T23:30:00-02:00", "de", "Europe/Berlin")).toBe("4. Mai 2026 um 03:30 Uhr (Europe/Berlin)");
    expect(formatDateTime("2026-05-03T23:30:00-02:00", "en", "America/New_York")).toBe("3 May 2026 at 21:30 America/New_York");
    // A stored zone that no longer exists is told in UTC rather than failing the message.
    expect(formatDateTime("2026-05-03T23:30:00-02:00", "en", "Mars/Olympus")).toBe("4 May 2026 at 01:30 UTC");
    expect(formatDayOf(new Date("2026-05-03T23:30:00Z"), "de", "Europe/Berlin")).toBe("4. Mai 2026");
    const { t } = mailLanguage("de");
    expect([1, 15, 60, 120].map((minutes) => formatLifetime(minutes, t))).toEqual(["1 Minute", "15 Minuten", "1 Stunde", "2 Stunden"]);
  });
});

describe("contact methods", () => {
  it("link email, phone and web page, skipping blanks and non-web URLs", () => {
    expect(contactMethods(PREVIEW_UNIT)).toEqual([
      { label: "help@tax.example.com", href: "mailto:help@tax.example.com" },
      { label: "+1 555 0100", href: "tel:+15550100" },
      { label: "https://tax.example.com/contact", href: "https://tax.example.com/contact" },
    ]);
    expect(contactMethods({ ...PREVIEW_UNIT, contactEmail: " ", contactPhone: null, contactUrl: "javascript:alert(1)" })).toEqual([]);
  });
});

describe("the layouts", () => {
  const footer = { reason: "You subscribed.", unsubscribeUrl: "https://p.example.com/u/t", preferencesUrl: "https://p.example.com/p/t" };

  it("are legible and labelled: lang, title, system fonts, 16px body text", async () => {
    const html = await render(
      <TransactionalLayout unit={PREVIEW_UNIT} heading="Your statement" lang="de" footer={{ categoryReason: "Because.", preferencesUrl: "https://p.example.com/p/t" }}>
        <Paragraph>Body</Paragraph>
      </TransactionalLayout>,
    );
    expect(html).toContain('<html dir="ltr" lang="de">');
    expect(html).toContain("<title>Your statement</title>");
    expect(html).toMatch(/<h1 [^>]*>Your statement<\/h1>/);
    expect(html).toMatch(/<p style="font-size:16px;line-height:24px;font-family:-apple-system[^"]*">Body<\/p>/);
  });

  it("show a logo only from an http(s) URL, with the name always written out", async () => {
    const withLogo = await render(
      <PromotionalLayout unit={{ ...PREVIEW_UNIT, logoUrl: "https://tax.example.com/logo.png" }} title="Hi" footer={footer}>
        <p>Body</p>
      </PromotionalLayout>,
    );
    expect(withLogo).toContain('src="https://tax.example.com/logo.png"');
    expect(withLogo).toContain(">Example Tax</p>");

    const badLogo = await render(
      <PromotionalLayout unit={{ ...PREVIEW_UNIT, logoUrl: "javascript:alert(1)" }} title="Hi" footer={footer}>
        <p>Body</p>
      </PromotionalLayout>,
    );
    expect(badLogo).not.toContain("<img");
  });

  it("keep the lines of a multi-line postal address", async () => {
    const html = await render(
      <PromotionalLayout unit={{ ...PREVIEW_UNIT, postalAddress: "12 Ledger Lane\nSpringfield\nEX1 2TX" }} title="Hi" footer={footer}>
        <p>Body</p>
      </PromotionalLayout>,
    );
    expect(html).toContain("<span>12 Ledger Lane</span><span><br/>Springfield</span><span><br/>EX1 2TX</span>");
  });
});
