import { toE164 } from "~/utils/phone-numbers.ts";
import { describe, expect, it } from "vitest";
import { checkRow, consentExpiry, ImportFileError, parseIsoMoment, readHeader, type ImportTopic } from "./contact-csv.ts";

describe("consented_at", () => {
  it("reads ISO 8601 dates and times, with or without an offset (none means UTC)", () => {
    expect(parseIsoMoment("2024-03-01")).toEqual(new Date("2024-03-01T00:00:00Z"));
    expect(parseIsoMoment("2024-03-01T09:30")).toEqual(new Date("2024-03-01T09:30:00Z"));
    expect(parseIsoMoment("2024-03-01T09:30:15.250Z")).toEqual(new Date("2024-03-01T09:30:15.250Z"));
    expect(parseIsoMoment("2024-03-01 09:30:00+02:00")).toEqual(new Date("2024-03-01T07:30:00Z"));
    expect(parseIsoMoment("2024-03-01T09:30:00-0500")).toEqual(new Date("2024-03-01T14:30:00Z"));
  });

  it("refuses what is not an ISO 8601 moment or not a real date", () => {
    for (const text of ["", "01/03/2024", "2024-3-1", "2024-02-30", "2023-02-29", "2024-13-01", "2024-03-01T24:00", "yesterday", "2024-03-01T09:30:00+25:00"]) {
      expect(parseIsoMoment(text), text).toBeNull();
    }
    expect(parseIsoMoment("2024-02-29")).toEqual(new Date("2024-02-29T00:00:00Z"));
  });
});

describe("consent periods", () => {
  const at = new Date("2024-08-31T10:00:00Z");

  it("implied purchase and soft opt-in last two years, an inquiry six months; express and legitimate interest do not expire", () => {
    expect(consentExpiry("IMPLIED_PURCHASE", at)).toEqual(new Date("2026-08-31T10:00:00Z"));
    expect(consentExpiry("SOFT_OPT_IN", at)).toEqual(new Date("2026-08-31T10:00:00Z"));
    // 31 August + 6 months is the last day of February.
    expect(consentExpiry("IMPLIED_INQUIRY", at)).toEqual(new Date("2025-02-28T10:00:00Z"));
    expect(consentExpiry("IMPLIED_PURCHASE", new Date("2024-02-29T00:00:00Z"))).toEqual(new Date("2026-02-28T00:00:00Z"));
    expect(consentExpiry("EXPRESS", at)).toBeNull();
    expect(consentExpiry("LEGITIMATE_INTEREST", at)).toBeNull();
  });
});

describe("header", () => {
  it("takes the seven columns, then postal_address and phone in either order", () => {
    expect(readHeader("email,name,topic,channel,basis,consented_at,source".split(","))).toMatchObject({ email: 0, source: 6 });
    expect(readHeader("email,name,topic,channel,basis,consented_at,source,phone,postal_address".split(","))).toMatchObject({ phone: 7, postal_address: 8 });
  });

  it("refuses anything else and says what the header must be", () => {
    for (const header of ["email,name,topic,channel,basis,source,consented_at", "Email,name,topic,channel,basis,consented_at,source", "email,name,topic,channel,basis,consented_at,source,fax", "email,name,topic,channel,basis,consented_at,source,phone,phone", "a@b.com,Ann"]) {
      expect(() => readHeader(header.split(",")), header).toThrow(ImportFileError);
    }
    expect(() => readHeader(["a@b.com", "Ann"])).toThrow(/^The first line must be the header email,name,topic,channel,basis,consented_at,source \(optionally followed by postal_address and\/or phone\); this file's first line is “a@b.com,Ann”\.$/);
  });
});

describe("a row", () => {
  const columns = readHeader("email,name,topic,channel,basis,consented_at,source,postal_address,phone".split(","));
  const topics = new Map<string, ImportTopic>([
    ["news", { id: 1, slug: "news", name: "News", archivedAt: null, offersEmail: true, offersPostal: true, offersPhone: false }],
  ]);
  const now = new Date("2025-01-01T00:00:00Z");
  const check = (line: string) => checkRow(line.split(","), columns, topics, "Example Tax", now, toE164);

  it("is normalised: trimmed, lower-cased address, enums mapped, expiry set", () => {
    expect(check(" Ann@Example.COM ,Ann, news ,Postal,IMPLIED_INQUIRY,2024-10-01,shop, 1 High St ,+44 20 7946 0000")).toEqual({
      ok: true,
      row: {
        email: "ann@example.com",
        name: "Ann",
        topicId: 1,
        channel: "POSTAL",
        basis: "IMPLIED_INQUIRY",
        consentedAt: new Date("2024-10-01T00:00:00Z"),
        expiresAt: new Date("2025-04-01T00:00:00Z"),
        source: "shop",
        postalAddress: "1 High St",
        phone: "+442079460000",
      },
    });
  });

  it("names every problem it has", () => {
    const result = check("not-an-address,,news,phone,maybe,2026-01-01,,,call me");
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason.split("; ")).toEqual([
      "email “not-an-address”: enter a valid email address, like name@example.com",
      "topic “news” is not offered by phone (only email, postal mail)",
      "basis must be one of express, implied_purchase, implied_inquiry, soft_opt_in, legitimate_interest (got “maybe”)",
      "consented_at 2026-01-01 is in the future",
      'source is empty: say where the consent was collected, e.g. "checkout 2024"',
      "phone “call me” may hold only digits, spaces and + ( ) - . / (for example +44 20 7946 0958)",
    ]);
  });

  it("shows a bad value as typed: quotes and accents are not escaped", () => {
    const result = check('zoë"@example.com,,news,email,express,2024-01-01,shop,,');
    expect(!result.ok && result.reason).toBe("email “zoë\"@example.com”: enter a valid email address, like name@example.com");
  });

  it("writes a phone number in E.164 and refuses one without a country code", () => {
    const ok = check("a@example.com,,news,email,express,2024-01-01,shop,,0044 (20) 7946-0958");
    expect(ok.ok && ok.row.phone).toBe("+442079460958");
    const national = check("a@example.com,,news,email,express,2024-01-01,shop,,020 7946 0958");
    expect(!national.ok && national.reason).toBe("phone “020 7946 0958” has no country code: write it in international form, for example +44 20 7946 0958");
  });
});
