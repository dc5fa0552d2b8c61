import { dkimKeyType, isDkimSelector, isDomainName, isPlainEmailAddress } from "~/domain/mail/outgoing-mail.server.ts";
import { missingIdentityFacts } from "~emails/components/index.ts";

// Whether a unit can send promotional mail: the facts every message needs, checked where units
// are saved and again where campaigns are composed and sent.

/** The BusinessUnit columns a campaign's email is built from. */
export type SendingUnitFacts = {
  displayName: string;
  legalName: string | null;
  postalAddress: string | null;
  contactEmail: string | null;
  contactPhone: string | null;
  contactUrl: string | null;
  fromName: string;
  fromEmail: string;
  replyTo: string | null;
  sendingDomain: string;
  dkimDomain: string | null;
  dkimSelector: string | null;
  dkimPrivateKey: string | null;
  brandColor: string;
  logoUrl: string | null;
};

/** The key a unit's promotional mail is signed with. */
export type UnitDkim = { domainName: string; keySelector: string; privateKey: string };

/**
 * What the unit lacks before it may send promotional mail, as phrases the composer can list:
 * ["a legal name", "a postal address"]. [] when it can send.
 */
export function missingSenderFacts(unit: SendingUnitFacts): string[] {
  const missing = missingIdentityFacts(unit);
  if (!unit.fromName.trim() || /[\r\n]/.test(unit.fromName)) missing.push("a From name");
  if (!isPlainEmailAddress(unit.fromEmail)) missing.push("a valid From address");
  if (unit.replyTo !== null && !isPlainEmailAddress(unit.replyTo)) missing.push("a valid Reply-To address (or none)");
  if (!isDomainName(unit.sendingDomain)) missing.push("a valid sending domain");
  // Half a DKIM setting would make every message fail at the transport: say so before sending.
  if ((unit.dkimSelector || unit.dkimPrivateKey) && !unitDkim(unit)) {
    missing.push("a complete DKIM setting: domain, selector and a PEM private key (or no DKIM at all)");
  }
  return missing;
}

/** The unit's DKIM key when it has a complete, usable setting; the domain defaults to the sending domain. */
export function unitDkim(unit: SendingUnitFacts): UnitDkim | undefined {
  if (!unit.dkimSelector || !unit.dkimPrivateKey) return undefined;
  const domainName = unit.dkimDomain || unit.sendingDomain;
  if (!isDomainName(domainName) || !isDkimSelector(unit.dkimSelector) || dkimKeyType(unit.dkimPrivateKey) !== "rsa") return undefined;
  return { domainName, keySelector: unit.dkimSelector, privateKey: unit.dkimPrivateKey };
}


/** Where the unit's bounces, complaints and mailto unsubscribes come back: its setting, else bounces.<sending domain>. */
export function unitBounceDomain(unit: { bounceDomain: string | null; sendingDomain: string }): string {
  return (unit.bounceDomain || `bounces.${unit.sendingDomain}`).toLowerCase();
}
