import { z } from "zod";
import { EmailSchema } from "~/domain/consent/email.ts";
import { DKIM_RECOMMENDED_RSA_BITS, DkimKeyError, parseDkimPrivateKey, type DkimPrivateKey } from "~/domain/mail/dkim.server.ts";
import { isDkimSelector, isDomainName } from "~/domain/mail/outgoing-mail.server.ts";

// A business unit's settings as the admin form sends them: every field checked, each problem
// named on its own field, so a unit that saves can send (missingSenderFacts finds nothing).
// The DKIM private key is write-only: the form can replace or remove it, never read it back.

export const UNIT_SLUG_RULE = "lower-case letters, digits and hyphens, starting and ending with a letter or digit";
const SLUG = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
/** Slugs that would collide with the admin pages' own paths (/admin/units/new, …/topics/new). */
export const RESERVED_SLUGS = new Set(["new"]);
const HEX_COLOR = /^#[0-9a-f]{6}$/i;
// Digits with the usual separators and an optional leading +, as the contact import accepts.
const PHONE = /^\+?[0-9 ().\-/]{5,40}$/;
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/;

export type UnitSettings = {
  displayName: string;
  legalName: string;
  postalAddress: string;
  contactEmail: string | null;
  contactPhone: string | null;
  contactUrl: string | null;
  fromName: string;
  fromEmail: string;
  serviceFromEmail: string | null;
  replyTo: string | null;
  sendingDomain: string;
  /** Where bounces, complaints and mailto unsubscribes come back; null: bounces.<sending domain>. */
  bounceDomain: string | null;
  dkimDomain: string | null;
  dkimSelector: string | null;
  brandColor: string;
  logoUrl: string | null;
  oneClickScope: "UNIT" | "TOPIC";
};

/** What the form does to the stored DKIM key. */
export type DkimKeyChange = { kind: "keep" } | { kind: "replace"; key: DkimPrivateKey } | { kind: "remove" };

/** Form field names: the settings, plus the slug (new units), the new key and the remove box. */
export type UnitField = keyof UnitSettings | "slug" | "contact" | "dkimPrivateKey" | "removeDkimKey";
export type UnitFieldErrors = Partial<Record<UnitField, string>>;

export type CheckedUnitForm =
  | { ok: true; slug: string | null; settings: UnitSettings; key: DkimKeyChange; warnings: string[] }
  | { ok: false; errors: UnitFieldErrors };

const Text = z.string().optional();

/** The unit form as its pages send it: the settings, the slug (new units), a pasted key and the remove box; checkUnitForm checks it. */
export const UnitForm = z.object({
  slug: Text,
  displayName: Text,
  legalName: Text,
  postalAddress: Text,
  contactEmail: Text,
  contactPhone: Text,
  contactUrl: Text,
  fromName: Text,
  fromEmail: Text,
  serviceFromEmail: Text,
  replyTo: Text,
  sendingDomain: Text,
  bounceDomain: Text,
  dkimDomain: Text,
  dkimSelector: Text,
  dkimPrivateKey: Text,
  brandColor: Text,
  logoUrl: Text,
  oneClickScope: Text,
  // A ticked checkbox sends "on"; an unticked one sends nothing.
  removeDkimKey: z.literal("on").optional(),
});
export type UnitFormValues = z.infer<typeof UnitForm>;

/**
 * Checks a unit form. `creating` asks for a slug; `storedKey` says whether a DKIM key is stored
 * now (an empty key field then keeps it).
 */
export function checkUnitForm(fields: UnitFormValues, options: { creating: boolean; storedKey: boolean }): CheckedUnitForm {
  const errors: UnitFieldErrors = {};
  const problem = (field: UnitField, message: string) => {
    errors[field] ??= message;
  };
  const line = (name: keyof UnitSettings | "slug") => (fields[name] ?? "").trim();
  const optional = (name: keyof UnitSettings) => line(name) || null;

  /** A one-line text field: required or not, with a length limit, no line breaks or control characters. */
  const text = (name: keyof UnitSettings, label: string, max: number, missing?: string): string => {
    const value = line(name);
    if (!value) {
      if (missing) problem(name, missing);
    } else if (/[\r\n]/.test(value)) problem(name, `The ${label} must be one line.`);
    else if (CONTROL.test(value)) problem(name, `The ${label} contains an invisible control character: retype it.`);
    else if ([...value].length > max) problem(name, `Shorten the ${label} to ${max} characters or fewer.`);
    return value;
  };
  const email = (name: keyof UnitSettings, label: string, required: boolean): string | null => {
    const value = line(name);
    if (!value) {
      if (required) problem(name, `Enter the ${label}.`);
      return null;
    }
    const parsed = EmailSchema.safeParse(value);
    if (!parsed.success) {
      problem(name, `The ${label} is not a valid email address: use the form name@example.com.`);
      return null;
    }
    return parsed.data;
  };
  const domain = (name: keyof UnitSettings, label: string, required: boolean): string | null => {
    const value = line(name).toLowerCase().replace(/\.$/, "");
    if (!value) {
      if (required) problem(name, `Enter the ${label}, like tax.example.com.`);
      return null;
    }
    if (!isDomainName(value) || !value.includes(".") || value.length > 253) {
      problem(name, `The ${label} must be a domain name like tax.example.com, without https:// or a path.`);
      return null;
    }
    return value;
  };

  let slug: string | null = null;
  if (options.creating) {
    slug = line("slug").toLowerCase();
    if (!slug) problem("slug", `Give the unit a slug: ${UNIT_SLUG_RULE}, like example-tax. Links and the CLI use it, and it cannot change later.`);
    else if (slug.length < 2 || slug.length > 40) problem("slug", "The slug must be 2 to 40 characters long.");
    else if (!SLUG.test(slug)) problem("slug", `The slug may contain only ${UNIT_SLUG_RULE}.`);
    else if (RESERVED_SLUGS.has(slug)) problem("slug", `“${slug}” names a page of its own (/admin/units/${slug}): choose another slug.`);
  }

  const displayName = text("displayName", "display name", 80, "Give the unit a display name: the name people know it by.");
  const legalName = text("legalName", "legal name", 160, "Enter the legal name of the company behind the unit: every promotional email must name it.");
  const postalAddress = (fields.postalAddress ?? "")
    .replace(/\r\n?/g, "\n")
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean)
    .join("\n");
  if (!postalAddress) problem("postalAddress", "Enter the unit's postal address: every promotional email must show one.");
  else if (CONTROL.test(postalAddress)) problem("postalAddress", "The postal address contains an invisible control character: retype it.");
  else if (postalAddress.length > 400) problem("postalAddress", "Shorten the postal address to 400 characters or fewer.");

  const contactEmail = email("contactEmail", "contact email", false);
  const contactPhone = optional("contactPhone");
  if (contactPhone && (!PHONE.test(contactPhone) || (contactPhone.match(/\d/g)?.length ?? 0) < 5)) {
    problem("contactPhone", "The contact phone must be a phone number: digits with spaces, dashes or brackets, and an optional leading +.");
  }
  const contactUrl = optional("contactUrl");
  if (contactUrl && !isWebAddress(contactUrl, ["https:", "http:"])) problem("contactUrl", "The contact web page must be a full address starting with https://.");
  if (!line("contactEmail") && !contactPhone && !contactUrl) {
    problem("contact", "Give at least one way to reach the unit (an email address, a phone number or a web page): every promotional email must show one.");
  }

  const fromName = text("fromName", "From name", 80, "Enter the From name: the sender's name inboxes show, usually the unit's name.");
  const sendingDomain = domain("sendingDomain", "sending domain", true);
  const fromEmail = email("fromEmail", "From address", true);
  const serviceFromEmail = email("serviceFromEmail", "service From address", false);
  const replyTo = email("replyTo", "Reply-To address", false);
  // DMARC: the From domain must align with the domain that authenticates the mail (DKIM d= or
  // the SMTP envelope on the sending domain), or Gmail, Yahoo and others reject or bin it.
  for (const [field, address, label] of [["fromEmail", fromEmail, "From address"], ["serviceFromEmail", serviceFromEmail, "service From address"]] as const) {
    if (address && sendingDomain && !domainsAlign(domainOf(address), sendingDomain)) {
      problem(
        field,
        `The ${label} must be on the sending domain ${sendingDomain} (or a subdomain or parent of it): mail from ${domainOf(address)} sent through ${sendingDomain} fails DMARC, and mailbox providers reject or bin it.`,
      );
    }
  }

  const bounceDomain = domain("bounceDomain", "bounce domain", false);
  const bounceWarnings: string[] = [];
  if (bounceDomain && sendingDomain) {
    const clash = ownMailDomain(bounceDomain, { sendingDomain, addresses: [fromEmail, serviceFromEmail, replyTo, contactEmail] });
    if (clash) problem("bounceDomain", bounceDomainClash(bounceDomain, clash, sendingDomain));
    else if (fromEmail) {
      const warning = bounceDomainAlignment(bounceDomain, fromEmail);
      if (warning) bounceWarnings.push(warning);
    }
  }

  const remove = fields.removeDkimKey === "on";
  // Removing the key clears the rest of the DKIM setting with it: half a setting signs nothing.
  const dkimDomain = remove ? null : domain("dkimDomain", "DKIM domain", false);
  const dkimSelector = remove ? null : optional("dkimSelector");
  if (dkimSelector && (!isDkimSelector(dkimSelector) || dkimSelector.length > 63)) {
    problem("dkimSelector", "The selector may contain only letters, digits, dots, hyphens and underscores (the part before ._domainkey), like pc2026.");
  }
  const pastedKey = (fields.dkimPrivateKey ?? "").trim();
  let key: DkimKeyChange = { kind: "keep" };
  if (pastedKey && remove) problem("dkimPrivateKey", "Either paste a new key or remove the stored one, not both.");
  else if (pastedKey) {
    try {
      key = { kind: "replace", key: parseDkimPrivateKey(pastedKey) };
    } catch (error) {
      if (!(error instanceof DkimKeyError)) throw error;
      problem("dkimPrivateKey", error.message);
    }
  } else if (remove) key = options.storedKey ? { kind: "remove" } : { kind: "keep" };
  const keyAfter = key.kind === "replace" || (key.kind === "keep" && options.storedKey);
  if (!errors.dkimPrivateKey) {
    if (keyAfter && !dkimSelector && !errors.dkimSelector) {
      problem("dkimSelector", "Enter the selector the key is published under (the part before ._domainkey), or remove the key.");
    }
    if (!keyAfter && (dkimSelector || dkimDomain)) {
      problem("dkimPrivateKey", `Paste the DKIM private key${dkimSelector ? ` for selector ${dkimSelector}` : ""}, or clear the DKIM domain and selector: half a DKIM setting signs nothing.`);
    }
  }
  if (keyAfter && dkimDomain && fromEmail && !domainsAlign(domainOf(fromEmail), dkimDomain)) {
    problem("dkimDomain", `The DKIM domain must be the From address's domain ${domainOf(fromEmail)} or a parent or subdomain of it, or DMARC fails: leave it empty to sign as ${sendingDomain ?? "the sending domain"}.`);
  }

  const brandColor = line("brandColor").toLowerCase() || "#1f4f8b";
  if (!HEX_COLOR.test(brandColor)) problem("brandColor", "Enter the brand colour as # and six hexadecimal digits, like #1f4f8b.");
  const logoUrl = optional("logoUrl");
  if (logoUrl && !isWebAddress(logoUrl, ["https:"])) {
    problem("logoUrl", "The logo address must be a full https:// address: mail clients block images over plain http.");
  } else if (logoUrl && logoUrl.length > 500) problem("logoUrl", "Shorten the logo address to 500 characters or fewer.");
  const scope = line("oneClickScope") || "UNIT";
  if (scope !== "UNIT" && scope !== "TOPIC") problem("oneClickScope", "Choose what one click on an unsubscribe link does.");

  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const warnings: string[] = [...bounceWarnings];
  if (key.kind === "replace" && key.key.bits < DKIM_RECOMMENDED_RSA_BITS) {
    warnings.push(`The DKIM key has ${key.key.bits} bits. It works, but RFC 8301 recommends ${DKIM_RECOMMENDED_RSA_BITS}: replace it when you can.`);
  }
  return {
    ok: true,
    slug,
    key,
    warnings,
    settings: {
      displayName,
      legalName,
      postalAddress,
      contactEmail,
      contactPhone,
      contactUrl,
      fromName,
      fromEmail: fromEmail!,
      serviceFromEmail,
      replyTo,
      sendingDomain: sendingDomain!,
      bounceDomain,
      dkimDomain,
      dkimSelector,
      brandColor,
      logoUrl,
      oneClickScope: scope as "UNIT" | "TOPIC",
    },
  };
}

/**
 * Which of a unit's own mail domains `domain` is (its sending domain or the domain of one of its
 * addresses), or null. A bounce domain's MX points at the inbound server, which refuses all but
 * its own addresses: on a domain people write to, their mail would be lost.
 */
export function ownMailDomain(domain: string, unit: { sendingDomain: string; addresses: (string | null)[] }): string | null {
  const target = domain.toLowerCase();
  if (unit.sendingDomain.toLowerCase() === target) return "sending domain";
  return unit.addresses.some((address) => address && domainOf(address) === target) ? "address domain" : null;
}

/** The field message for a bounce domain that is one of the units' own mail domains. */
export function bounceDomainClash(bounceDomain: string, clash: string, sendingDomain: string, otherUnit?: string): string {
  const owner = otherUnit ? `the unit ${otherUnit}` : "this unit";
  const whose = clash === "sending domain" ? `${owner}'s sending domain` : `the domain of one of ${owner}'s addresses`;
  return `The bounce domain ${bounceDomain} is ${whose}: its MX must point at the bounce server, which refuses all other mail. Use a subdomain that receives no other mail, like bounces.${sendingDomain}, or leave it empty for that.`;
}

/** A warning when SPF on the bounce domain cannot align with the From address's domain for DMARC; null when it can. */
export function bounceDomainAlignment(bounceDomain: string, fromEmail: string): string | null {
  const from = domainOf(fromEmail);
  if (sameOrganisation(bounceDomain, from)) return null;
  return `The bounce domain ${bounceDomain} is not under the same parent domain as the From address's ${from}: SPF then passes for ${bounceDomain} but does not align for DMARC, so only a DKIM signature on ${from} can pass DMARC.`;
}

/** Whether two domains share a parent below the top level (no public suffix list: a guide for a warning, not a rule). */
function sameOrganisation(a: string, b: string): boolean {
  const lastTwo = (d: string) => d.toLowerCase().split(".").slice(-2).join(".");
  return domainsAlign(a, b) || lastTwo(a) === lastTwo(b);
}

const domainOf = (address: string) => address.slice(address.lastIndexOf("@") + 1).toLowerCase();

/**
 * DMARC relaxed alignment, judged without the public suffix list: the same domain, or one a
 * subdomain of the other. (Two sibling subdomains may align too; pick the common parent then.)
 */
export function domainsAlign(a: string, b: string): boolean {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x === y || x.endsWith(`.${y}`) || y.endsWith(`.${x}`);
}

function isWebAddress(value: string, protocols: string[]): boolean {
  if (/\s|["<>]/.test(value) || !URL.canParse(value)) return false;
  const url = new URL(value);
  return protocols.includes(url.protocol) && url.hostname.includes(".");
}
