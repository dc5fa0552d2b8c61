/** Who an email is from: the business unit's public identity, as every footer shows it. */
export type UnitIdentity = {
  displayName: string;
  legalName: string;
  postalAddress: string;
  contactEmail?: string | null;
  contactPhone?: string | null;
  contactUrl?: string | null;
  brandColor: string;
  logoUrl?: string | null;
};

/** The unit cannot send mail yet: its footer would lack something the law or our policy requires. */
export class IncompleteUnitIdentityError extends Error {
  name = "IncompleteUnitIdentityError";
}

export type ContactMethod = { label: string; href: string };

/** Ways to reach the unit, as links, in the order people prefer them. */
export function contactMethods(unit: Pick<UnitIdentity, "contactEmail" | "contactPhone" | "contactUrl">): ContactMethod[] {
  const methods: ContactMethod[] = [];
  const email = unit.contactEmail?.trim();
  const phone = unit.contactPhone?.trim();
  const url = unit.contactUrl?.trim();
  if (email) methods.push({ label: email, href: `mailto:${email}` });
  if (phone) methods.push({ label: phone, href: `tel:${phone.replace(/[^\d+]/g, "")}` });
  if (url && isWebUrl(url)) methods.push({ label: url, href: url });
  return methods;
}

/** A unit as stored, before anyone checked that its footer facts are there. */
export type DraftUnitIdentity = Omit<UnitIdentity, "legalName" | "postalAddress"> & {
  legalName: string | null;
  postalAddress: string | null;
};

/** What the footer would lack, in words for people: ["a legal name", "a postal address"]; [] when nothing. */
export function missingIdentityFacts(unit: DraftUnitIdentity): string[] {
  return [
    !unit.legalName?.trim() && "a legal name",
    !unit.postalAddress?.trim() && "a postal address",
    contactMethods(unit).length === 0 && "a contact email, phone number or web page",
  ].filter((fact): fact is string => typeof fact === "string");
}

/** Every email names the unit's legal entity, a postal address and a way to reach it (docs/invariants.md, invariant 8). */
export function assertSendableIdentity(unit: UnitIdentity): void {
  const missing = missingIdentityFacts(unit);
  if (missing.length > 0) {
    throw new IncompleteUnitIdentityError(
      `${unit.displayName || "This unit"} cannot send mail: it needs ${missing.join(" and ")}. Add it in the unit's settings.`,
    );
  }
}

export function isWebUrl(value: string): boolean {
  return /^https?:\/\/[^\s<>"]+$/i.test(value) && URL.canParse(value);
}
