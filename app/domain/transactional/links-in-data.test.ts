import { describe, expect, it } from "vitest";
import { findForeignLink, type LinkHosts } from "./links-in-data.ts";

const allowed: LinkHosts = { hosts: ["prefs.example.com", "www.tax.example.com"], domains: ["tax.example.com"] };
const fieldOf = (value: unknown) => findForeignLink({ value }, allowed)?.field ?? null;

describe("links in a unit's message data", () => {
  it.each([
    "https:/evil.example.net/x",
    "https:\\\\evil.example.net\\x",
    "HTTPS://EVIL.example.net",
    "see (https://evil.example.net).",
    "https://tax.example.com.evil.example.net/",
    "https://user:pw@tax.example.com/",
    "https://evil.example.net\\@tax.example.com/",
    "xhttps://tax.example.com/",
    "ftp://tax.example.com/file",
    "mailto:someone@evil.example.net",
    "tel:+15550100",
    "JavaScript :alert(1)",
    "data:text/html,<b>x</b>",
    "www.evil.example.net/login",
    "https://",
  ])("refuses %s", (value) => {
    expect(fieldOf(value)).toBe("data.value");
  });

  it.each([
    "Example Tax Premium",
    "https://prefs.example.com/preferences",
    "https://tax.example.com/a, then https://billing.tax.example.com/b.",
    "https://TAX.example.com./x",
    "www.tax.example.com/renew",
    "2026-05-03T14:05:00Z",
    "fe80::1",
    "Note: your data is safe. Call us: tel 555",
    "€49.00",
  ])("accepts %s", (value) => {
    expect(fieldOf(value)).toBeNull();
  });

  it("names the path of a nested value", () => {
    expect(findForeignLink({ a: [{ b: "ok" }, { c: "https://evil.example.net" }] }, allowed)?.field).toBe("data.a.1.c");
  });
});
