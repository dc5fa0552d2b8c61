import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { missingSenderFacts } from "./sender-facts.server.ts";
import { domainsAlign, checkUnitForm } from "./unit-settings.server.ts";

// The unit form's checks: each bad field named with what to do, and whatever passes can send.

const KEY = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();

const GOOD: Record<string, string> = {
  slug: "acme-garden",
  displayName: "Acme Garden",
  legalName: "Acme Garden Supplies Ltd",
  postalAddress: "  4 Potting Shed Row \r\n\r\n Greenfield, EX3 1AG  ",
  contactEmail: "Help@Garden.Example.com",
  contactPhone: "",
  contactUrl: "",
  fromName: "Acme Garden",
  fromEmail: "news@garden.example.com",
  serviceFromEmail: "",
  replyTo: "",
  sendingDomain: "Garden.Example.com.",
  dkimDomain: "",
  dkimSelector: "",
  dkimPrivateKey: "",
  brandColor: "#2E7D32",
  logoUrl: "",
  oneClickScope: "UNIT",
};

const create = (changes: Record<string, string>) => checkUnitForm({ ...GOOD, ...changes }, { creating: true, storedKey: false });
const errorsOf = (changes: Record<string, string>, options = { creating: true, storedKey: false }) => {
  const result = checkUnitForm({ ...GOOD, ...changes }, options);
  if (result.ok) throw new Error("the form was accepted");
  return result.errors;
};

describe("the unit form", () => {
  it("accepts a complete unit, normalised, and such a unit can send campaigns", () => {
    const result = create({});
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.slug).toBe("acme-garden");
    expect(result.settings).toMatchObject({
      postalAddress: "4 Potting Shed Row\nGreenfield, EX3 1AG",
      contactEmail: "help@garden.example.com",
      sendingDomain: "garden.example.com",
      brandColor: "#2e7d32",
      contactPhone: null,
      replyTo: null,
      dkimSelector: null,
      oneClickScope: "UNIT",
    });
    expect(result.key).toEqual({ kind: "keep" });
    expect(missingSenderFacts({ ...result.settings, dkimPrivateKey: null })).toEqual([]);
  });

  it("names every missing required field on its own", () => {
    const errors = errorsOf({ slug: "", displayName: " ", legalName: "", postalAddress: "\n", contactEmail: "", fromName: "", fromEmail: "", sendingDomain: "" });
    expect(Object.keys(errors).sort()).toEqual(["contact", "displayName", "fromEmail", "fromName", "legalName", "postalAddress", "sendingDomain", "slug"]);
    expect(errors.contact).toMatch(/at least one way to reach the unit/);
    expect(errors.legalName).toMatch(/every promotional email must name it/);
    expect(errors.fromEmail).toBe("Enter the From address.");
    // /admin/units/new is a page of its own.
    expect(errorsOf({ slug: "new" }).slug).toBe("“new” names a page of its own (/admin/units/new): choose another slug.");
  });

  it("explains each malformed value", () => {
    const errors = errorsOf({
      slug: "Acme Garden!",
      contactEmail: "help at garden",
      contactPhone: "call us",
      contactUrl: "garden.example.com/contact",
      replyTo: "a@b, c@d",
      sendingDomain: "https://garden.example.com/",
      dkimSelector: "bad selector",
      brandColor: "green",
      logoUrl: "http://garden.example.com/logo.png",
      oneClickScope: "EVERYTHING",
      displayName: "Acme\nGarden",
    });
    expect(errors).toMatchObject({
      slug: expect.stringMatching(/only lower-case letters, digits and hyphens/),
      contactEmail: expect.stringMatching(/not a valid email address/),
      contactPhone: expect.stringMatching(/must be a phone number/),
      contactUrl: expect.stringMatching(/full address starting with https:\/\//),
      replyTo: expect.stringMatching(/Reply-To address is not a valid email address/),
      sendingDomain: expect.stringMatching(/without https:\/\/ or a path/),
      dkimSelector: expect.stringMatching(/letters, digits, dots, hyphens and underscores/),
      brandColor: expect.stringMatching(/six hexadecimal digits/),
      logoUrl: expect.stringMatching(/https:\/\/ address: mail clients block images over plain http/),
      oneClickScope: expect.any(String),
      displayName: "The display name must be one line.",
    });
  });

  it("refuses a From or service From address off the sending domain (DMARC), and accepts a subdomain or parent", () => {
    expect(errorsOf({ fromEmail: "news@acme-offers.example.net" }).fromEmail).toMatch(/must be on the sending domain garden\.example\.com .*fails DMARC/);
    expect(errorsOf({ serviceFromEmail: "service@other.example" }).serviceFromEmail).toMatch(/service From address must be on the sending domain/);
    expect(create({ fromEmail: "news@example.com" }).ok).toBe(true);
    expect(create({ fromEmail: "news@mail.garden.example.com" }).ok).toBe(true);
    // Reply-To may be anywhere: replies can go to a help desk elsewhere.
    expect(create({ replyTo: "desk@helpdesk.example.org" }).ok).toBe(true);
    expect(domainsAlign("garden.example.com", "GARDEN.example.com")).toBe(true);
    expect(domainsAlign("example.com", "badexample.com")).toBe(false);
  });

  it("stores a pasted DKIM key only with a selector, on a DKIM domain aligned with the From address", () => {
    const withKey = create({ dkimPrivateKey: KEY, dkimSelector: "pc2026" });
    expect(withKey.ok && withKey.key.kind).toBe("replace");
    if (withKey.ok && withKey.key.kind === "replace") {
      expect(withKey.key.key.bits).toBe(2048);
      expect(missingSenderFacts({ ...withKey.settings, dkimPrivateKey: withKey.key.key.pem })).toEqual([]);
    }
    expect(errorsOf({ dkimPrivateKey: KEY }).dkimSelector).toMatch(/Enter the selector/);
    expect(errorsOf({ dkimSelector: "pc2026" }).dkimPrivateKey).toMatch(/Paste the DKIM private key for selector pc2026/);
    expect(errorsOf({ dkimDomain: "garden.example.com" }).dkimPrivateKey).toMatch(/half a DKIM setting signs nothing/);
    expect(errorsOf({ dkimPrivateKey: KEY, dkimSelector: "pc2026", dkimDomain: "esp.example.net" }).dkimDomain).toMatch(/DKIM domain must be the From address's domain/);
    expect(errorsOf({ dkimPrivateKey: "-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----", dkimSelector: "pc2026" }).dkimPrivateKey).toMatch(/cannot be read/);
    const ed25519 = crypto.generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    expect(errorsOf({ dkimPrivateKey: ed25519, dkimSelector: "pc2026" }).dkimPrivateKey).toMatch(/Ed25519 key; the mail transport \(nodemailer\) signs with RSA only/);
    const short = crypto.generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const weak = create({ dkimPrivateKey: short, dkimSelector: "pc2026" });
    expect(weak.ok && weak.warnings).toEqual(["The DKIM key has 1024 bits. It works, but RFC 8301 recommends 2048: replace it when you can."]);
  });

  it("keeps a stored key when the key field is empty, and removing it clears the selector and domain with it", () => {
    const edit = { creating: false, storedKey: true };
    const keep = checkUnitForm({ ...GOOD, dkimSelector: "pc2026" }, edit);
    expect(keep.ok && keep.key).toEqual({ kind: "keep" });
    expect(errorsOf({ dkimSelector: "" }, edit).dkimSelector).toMatch(/Enter the selector .*or remove the key/);
    const remove = checkUnitForm({ ...GOOD, dkimSelector: "pc2026", dkimDomain: "garden.example.com", removeDkimKey: "on" }, edit);
    expect(remove.ok && remove.key).toEqual({ kind: "remove" });
    expect(remove.ok && [remove.settings.dkimSelector, remove.settings.dkimDomain]).toEqual([null, null]);
    expect(errorsOf({ dkimSelector: "pc2026", dkimPrivateKey: KEY, removeDkimKey: "on" }, edit).dkimPrivateKey).toBe("Either paste a new key or remove the stored one, not both.");
    // Editing never reads a slug: it cannot change.
    const renamed = checkUnitForm({ ...GOOD, slug: "something-else", dkimSelector: "pc2026" }, edit);
    expect(renamed.ok && renamed.slug).toBe(null);
  });

  it("takes a bounce domain, blank for the default, never one the unit's own mail uses, and warns when SPF would not align", () => {
    const blank = create({});
    expect(blank.ok && blank.settings.bounceDomain).toBe(null);
    const own = create({ bounceDomain: "Returns.Garden.Example.com." });
    expect(own.ok && own.settings.bounceDomain).toBe("returns.garden.example.com");
    expect(own.ok && own.warnings).toEqual([]);
    expect(errorsOf({ bounceDomain: "bounces@garden.example.com" }).bounceDomain).toMatch(/bounce domain must be a domain name/);
    expect(errorsOf({ bounceDomain: "garden.example.com" }).bounceDomain).toBe(
      "The bounce domain garden.example.com is this unit's sending domain: its MX must point at the bounce server, which refuses all other mail. Use a subdomain that receives no other mail, like bounces.garden.example.com, or leave it empty for that.",
    );
    expect(errorsOf({ bounceDomain: "help.example.org", contactEmail: "desk@help.example.org" }).bounceDomain).toMatch(/^The bounce domain help\.example\.org is the domain of one of this unit's addresses/);
    expect(errorsOf({ bounceDomain: "replies.example.org", replyTo: "team@replies.example.org" }).bounceDomain).toMatch(/domain of one of this unit's addresses/);
    // A sibling of the From domain aligns (same parent); a domain elsewhere saves with a warning.
    const sibling = create({ bounceDomain: "bounces.example.com" });
    expect(sibling.ok && sibling.warnings).toEqual([]);
    const elsewhere = create({ bounceDomain: "bounces.mailer.example.net" });
    expect(elsewhere.ok && elsewhere.warnings).toEqual([
      "The bounce domain bounces.mailer.example.net is not under the same parent domain as the From address's garden.example.com: SPF then passes for bounces.mailer.example.net but does not align for DMARC, so only a DKIM signature on garden.example.com can pass DMARC.",
    ]);
  });
});
