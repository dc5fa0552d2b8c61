import type { UnitIdentity } from "./components/index.ts";

// Shared by the emails tests: a unit other than the preview one, so tests prove the context is used.

export const INSURANCE_UNIT: UnitIdentity = {
  displayName: "Example Insurance",
  legalName: "Example Insurance Company plc",
  postalAddress: "1 Harbour Square, Port Example, EX9 4IN",
  contactEmail: "help@insurance.example.com",
  contactPhone: null,
  contactUrl: null,
  brandColor: "#8b2f1f",
  logoUrl: "https://insurance.example.com/logo.png",
};

/** Every http(s) link target in an HTML part, entities decoded. */
export function webLinksIn(html: string): string[] {
  return [...html.matchAll(/href="(https?:[^"]+)"/g)].map(([, href]) => href.replaceAll("&amp;", "&"));
}

/** The visible text of every link in an HTML part, tags removed. */
export function linkTextsIn(html: string): string[] {
  return [...html.matchAll(/<a\b[^>]*>([\s\S]*?)<\/a>/g)].map(([, inner]) => inner.replace(/<[^>]*>/g, "").trim());
}
