import { describe, expect, it } from "vitest";
import { removePersonalLinks, removePersonalLinksFromHtml } from "./personal-links.server.ts";

const TOKEN = "eyJhbGciOiJIUzI1NiIsImtpZCI6ImsxIn0.eyJ1IjoxLCJzdWIiOiIyIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ";

describe("removing a recipient's personal links from what staff read", () => {
  it("replaces each kind of link, on any host and under a path prefix, with a placeholder that names it", () => {
    const text = [
      `Unsubscribe: https://prefs.example.com/u/${TOKEN}`,
      `Preferences: http://localhost:3000/p/${TOKEN}.`,
      `Sign in: https://example.com/pc/login/link/${"a".repeat(43)}`,
      `Reset: https://example.com/reset-password/${"b".repeat(43)}`,
      `Join: https://example.com/invite/${"c".repeat(43)}`,
      "Our site: https://tax.example.com/offers/u-turn",
    ].join("\n");
    expect(removePersonalLinks(text).split("\n")).toEqual([
      "Unsubscribe: [unsubscribe link removed]",
      "Preferences: [preferences link removed].",
      "Sign in: [sign-in link removed]",
      "Reset: [password reset link removed]",
      "Join: [invitation link removed]",
      "Our site: https://tax.example.com/offers/u-turn",
    ]);
  });

  it("removes a signed token wherever it appears, and keeps header brackets", () => {
    expect(removePersonalLinks(`<https://prefs.example.com/u/${TOKEN}>, <mailto:unsubscribe+${TOKEN}@bounce.example.com>`)).toBe(
      "<[unsubscribe link removed]>, <mailto:unsubscribe+[link token removed]@bounce.example.com>",
    );
  });

  it("removes the signed id from our return path and mailto unsubscribe addresses: either acts for the recipient", () => {
    const header = "<https://prefs.example.com/u/abc>, <mailto:UNSUBSCRIBE+c12-0123456789abcdef0123@bounces.acme.example?subject=unsubscribe>";
    expect(removePersonalLinks(header)).toBe("<[unsubscribe link removed]>, <mailto:UNSUBSCRIBE+[signed id removed]@bounces.acme.example?subject=unsubscribe>");
    expect(removePersonalLinks("<bounces+t7-fedcba9876543210fedc@bounces.acme.example>")).toBe("<bounces+[signed id removed]@bounces.acme.example>");
    expect(removePersonalLinks("news+offers@acme.example")).toBe("news+offers@acme.example");
  });

  it("turns an anchor to a personal link into its placeholder, not a link, and leaves other anchors alone", () => {
    const html = `<p><a href="https://tax.example.com/">Our site</a> · <a style="color:#555" href="https://prefs.example.com/u/${TOKEN}"><span>Unsubscribe</span></a> · <A HREF='https://prefs.example.com/p/${TOKEN}'>Preferences</A></p>`;
    const cleaned = removePersonalLinksFromHtml(html);
    expect(cleaned).toContain('<a href="https://tax.example.com/">Our site</a>');
    expect(cleaned).toContain("[unsubscribe link removed]</strong>");
    expect(cleaned).toContain("[preferences link removed]</strong>");
    expect(cleaned).not.toContain(TOKEN);
    expect(cleaned.match(/<a\b/gi)).toHaveLength(1);
  });
});
