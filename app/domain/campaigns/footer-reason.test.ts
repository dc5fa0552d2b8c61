import { describe, expect, it } from "vitest";
import { ConsentBasis } from "~/generated/prisma/enums.ts";
import { consentReason, showsAdvertisementLabel } from "./footer-reason.ts";

const CONSENT_BASES = Object.values(ConsentBasis);
const facts = { topicName: " Tax tips ", unitName: "Example Tax", consentedAt: new Date("2026-05-03T23:30:00Z") };

describe("the footer's reason", () => {
  it('says "you subscribed", with the day, only for express consent', () => {
    expect(consentReason({ ...facts, basis: "EXPRESS" })).toBe("You subscribed to Tax tips from Example Tax on 3 May 2026.");
    for (const basis of CONSENT_BASES.filter((b) => b !== "EXPRESS")) {
      expect(consentReason({ ...facts, basis }), basis).not.toMatch(/subscribed to/i);
    }
  });

  it("gives the consent's day in UTC", () => {
    expect(consentReason({ ...facts, unitName: " Example Insurance ", basis: "EXPRESS", consentedAt: new Date("2026-05-03T23:30:00-02:00") })).toBe(
      "You subscribed to Tax tips from Example Insurance on 4 May 2026.",
    );
  });

  it("says what is true for every other basis", () => {
    expect(consentReason({ ...facts, basis: "IMPLIED_PURCHASE" })).toBe("You receive Tax tips as a customer of Example Tax: you bought from it on 3 May 2026.");
    expect(consentReason({ ...facts, basis: "IMPLIED_INQUIRY" })).toBe("You receive Tax tips because you asked Example Tax about its products or services on 3 May 2026.");
    expect(consentReason({ ...facts, basis: "SOFT_OPT_IN" })).toBe("You receive Tax tips as a customer of Example Tax: you could say no when you gave your email address on 3 May 2026.");
    expect(consentReason({ ...facts, basis: "LEGITIMATE_INTEREST" })).toBe("You receive Tax tips because you have dealt with Example Tax before, not because you signed up.");
  });
});

describe("the footer's reason in the recipient's language and time zone", () => {
  it("is German for a German recipient, with the same legal meaning per basis", () => {
    expect(consentReason({ ...facts, basis: "EXPRESS", language: "de" })).toBe("Sie haben Tax tips von Example Tax am 3. Mai 2026 abonniert.");
    for (const basis of CONSENT_BASES.filter((b) => b !== "EXPRESS")) {
      const reason = consentReason({ ...facts, basis, language: "de" });
      expect(reason, basis).toMatch(/^Sie erhalten Tax tips/);
      expect(reason, basis).not.toMatch(/abonniert/);
    }
  });

  it("gives the day the consent fell on in the recipient's zone", () => {
    // 23:30 UTC on 3 May is already 4 May in Berlin.
    expect(consentReason({ ...facts, basis: "EXPRESS", language: "de", timeZone: "Europe/Berlin" })).toBe("Sie haben Tax tips von Example Tax am 4. Mai 2026 abonniert.");
    expect(consentReason({ ...facts, basis: "EXPRESS", timeZone: "America/New_York" })).toBe("You subscribed to Tax tips from Example Tax on 3 May 2026.");
    expect(consentReason({ ...facts, basis: "EXPRESS", timeZone: null })).toBe("You subscribed to Tax tips from Example Tax on 3 May 2026.");
  });
});

describe('the "Advertisement" label', () => {
  it("is on every copy sent without express consent, whatever the marketer chose", () => {
    for (const basis of CONSENT_BASES) {
      expect(showsAdvertisementLabel(basis, false), basis).toBe(basis !== "EXPRESS");
      expect(showsAdvertisementLabel(basis, true), basis).toBe(true);
    }
  });
});
