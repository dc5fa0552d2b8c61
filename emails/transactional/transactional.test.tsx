import type { ComponentType } from "react";
import { render, toPlainText } from "@react-email/render";
import { describe, expect, it } from "vitest";
import { PREVIEW_PREFERENCES_URL, PREVIEW_UNIT } from "../components/index.ts";
import { describeDataProblems, renderTransactional, TemplateDataError } from "../render.tsx";
import { INSURANCE_UNIT, linkTextsIn, webLinksIn } from "../test-helpers.ts";
import { isTransactionalTemplateName, transactionalTemplates, type TransactionalTemplateName } from "./index.ts";

const names = Object.keys(transactionalTemplates) as TransactionalTemplateName[];
const context = {
  unit: INSURANCE_UNIT,
  categoryReason: "We warn you about sign-ins and changes to your account to keep it safe.",
  preferencesUrl: "https://preferences.example.com/p/eyJhbGciOiJIUzI1NiJ9.e30.sig",
};

function expectNoUnsubscribe(html: string, text: string) {
  expect(webLinksIn(html).filter((href) => /\/u\//.test(href))).toEqual([]);
  expect(linkTextsIn(html).filter((label) => /unsubscribe/i.test(label))).toEqual([]);
  expect(html).not.toMatch(/unsubscribe/i);
  expect(text).not.toMatch(/unsubscribe|\/u\//i);
}

describe("the transactional registry", () => {
  it("has the twelve templates under their exempt categories", () => {
    expect(Object.fromEntries(names.map((name) => [name, transactionalTemplates[name].categories]))).toEqual({
      "preference-link": ["preference-link"],
      "sign-in-link": ["sign-in-link"],
      "sign-up-confirmation": ["sign-up-confirmation"],
      "password-reset": ["account-security"],
      "email-change-verification": ["account-security"],
      "security-alert": ["security-alert"],
      "account-security-alert": ["account-alert"],
      "staff-invite": ["staff-invite"],
      "renewal-notice": ["renewal"],
      "tax-notice": ["tax-compliance"],
      "policy-change-notice": ["policy-change"],
      "sending-paused": ["staff-alert"],
    });
    expect(names.every((name) => transactionalTemplates[name].kind === "transactional")).toBe(true);
  });

  it("knows its names and nothing inherited", () => {
    expect(isTransactionalTemplateName("renewal-notice")).toBe(true);
    for (const name of ["campaign", "toString", "__proto__", "constructor", "Renewal-Notice", ""]) {
      expect(isTransactionalTemplateName(name), name).toBe(false);
    }
  });
});

describe.each(names)("the %s template", (name) => {
  const template = transactionalTemplates[name];

  it("renders with its default props alone, footer included and no unsubscribe link", async () => {
    // The registry types the full props; the component itself must cope with none.
    const Bare = template.Component as ComponentType;
    const html = await render(<Bare />);
    const text = toPlainText(html);
    for (const part of [html, text]) {
      expect(part).toContain(PREVIEW_UNIT.legalName);
      expect(part).toContain(PREVIEW_UNIT.postalAddress);
      expect(part).toContain(PREVIEW_PREFERENCES_URL);
      expect(part).toContain(`account with ${PREVIEW_UNIT.displayName}`);
    }
    expectNoUnsubscribe(html, text);
  });

  it("renders the unit, reason and preferences link it is given, in both parts", async () => {
    const email = await renderTransactional(name, template.previewData, context);
    expect(email.subject.trim()).not.toBe("");
    expect(email.subject).not.toMatch(/[\r\n]/);
    expect(email.html).toMatch(/^<!DOCTYPE html/);
    expect(email.html).toContain('<html dir="ltr" lang="en">');
    for (const part of [email.html, email.text]) {
      expect(part).toContain(INSURANCE_UNIT.legalName);
      expect(part).toContain(INSURANCE_UNIT.postalAddress);
      expect(part).toContain(INSURANCE_UNIT.contactEmail);
      expect(part).toContain(context.categoryReason);
      expect(part).toContain("Manage your email preferences");
      expect(part).toContain(context.preferencesUrl);
      expect(part).toContain("You receive it whatever your marketing preferences are.");
      expect(part).not.toContain(PREVIEW_UNIT.legalName);
    }
    expectNoUnsubscribe(email.html, email.text);
  });

  it("puts every link of the HTML part, in full, into the plain-text part", async () => {
    const email = await renderTransactional(name, template.previewData, context);
    const links = webLinksIn(email.html);
    expect(links).toContain(context.preferencesUrl);
    for (const link of links) expect(email.text).toContain(link);
    expect(email.text).not.toMatch(/<[a-z]/i); // no markup left in the text part
  });

  it("accepts its own output: data parsed by the API parses the same again at render time", () => {
    const once = template.schema.parse(template.previewData);
    expect(template.schema.parse(once)).toEqual(once);
  });

  it("works without a recipient name", async () => {
    const { recipientName, ...anonymous } = template.previewData as { recipientName?: string };
    expect(recipientName).toBeTruthy();
    const email = await renderTransactional(name, anonymous, context);
    expect(email.text).toContain("Hello,");
    expect(email.text).not.toContain(recipientName!);
  });
});

describe("schemas reject bad data and name the field", () => {
  const cases: Array<[TransactionalTemplateName, Record<string, unknown>, string, RegExp]> = [
    ["preference-link", { url: "not a link" }, "url", /http\(s\) URL/],
    ["preference-link", { url: "javascript:alert(1)" }, "url", /http\(s\) URL/],
    ["preference-link", { url: "https://example.com/p/a b" }, "url", /http\(s\) URL/],
    ["sign-in-link", { expiresInMinutes: "15" }, "expiresInMinutes", /whole number/],
    ["sign-in-link", { expiresInMinutes: 0 }, "expiresInMinutes", /at least 1/],
    ["password-reset", { url: undefined }, "url", /is required/],
    ["email-change-verification", { newEmail: "jane at example" }, "newEmail", /email address/],
    ["security-alert", { occurredAt: "yesterday" }, "occurredAt", /date and time/],
    ["security-alert", { ip: "999.1.1.1" }, "ip", /IPv4 or IPv6/],
    ["security-alert", { event: "" }, "event", /must not be empty/],
    ["renewal-notice", { renewalDate: "next Tuesday" }, "renewalDate", /date like 2026-05-03/],
    ["renewal-notice", { renewalDate: "2026-02-30" }, "renewalDate", /date like/],
    ["renewal-notice", { amount: "lots" }, "amount", /amount/],
    ["renewal-notice", { manageUrl: "ftp://example.com/x" }, "manageUrl", /http\(s\) URL/],
    ["renewal-notice", { productName: "Premium\r\nBcc: x@example.com" }, "productName", /single line/],
    ["tax-notice", { dueDate: "31/07/2026" }, "dueDate", /date like/],
    ["tax-notice", { taxYear: 2025 }, "taxYear", /must be text, like "2025"/],
    ["policy-change-notice", { effectiveDate: "1 July" }, "effectiveDate", /date like/],
    ["policy-change-notice", { policyUrl: undefined }, "policyUrl", /is required/],
  ];

  it.each(cases)("%s with %o → %s", (name, change, field, message) => {
    const template = transactionalTemplates[name];
    const result = template.schema.safeParse({ ...(template.previewData as object), ...change });
    expect(result.success).toBe(false);
    const problems = describeDataProblems(result.error!);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${field}: `));
    expect(problems[0]).toMatch(message);
  });

  it("refuses unknown fields, naming them, so a misspelt optional field is not silently dropped", () => {
    const template = transactionalTemplates["renewal-notice"];
    const result = template.schema.safeParse({ ...template.previewData, ammount: "€49.00" });
    expect(describeDataProblems(result.error!)).toEqual(['Unrecognized key: "ammount"']);
  });

  it("makes renderTransactional throw a TemplateDataError that names the field", async () => {
    const failure = renderTransactional("renewal-notice", { productName: "Premium", renewalDate: "soon" }, context);
    await expect(failure).rejects.toBeInstanceOf(TemplateDataError);
    await expect(failure).rejects.toThrow('The data for the "renewal-notice" template is not valid: renewalDate: must be a date like 2026-05-03.');
  });
});

describe("template wording", () => {
  it("formats dates and amounts for people and leaves optional parts out", async () => {
    const full = await renderTransactional("renewal-notice", transactionalTemplates["renewal-notice"].previewData, context);
    expect(full.subject).toBe("Your Example Tax Premium renews on 1 June 2026");
    expect(full.text).toContain("The renewal price is €49.00.");
    expect(full.text).toContain("Review your renewal https://tax.example.com/account/subscription");

    const bare = await renderTransactional("renewal-notice", { productName: "Home cover", renewalDate: "2026-12-01" }, context);
    expect(bare.text).toContain("Your Home cover will renew on 1 December 2026.");
    expect(bare.text).not.toContain("renewal price");
    expect(bare.text).toContain("contact us using the details at the end of this email");
  });

  it("shows a security alert's time in UTC and its IP address only when given", async () => {
    const data = { event: "Your password was changed", occurredAt: "2026-05-03T16:05:00+02:00" };
    const email = await renderTransactional("security-alert", data, context);
    expect(email.subject).toBe("Security alert for your Example Insurance account");
    expect(email.text).toContain("When: 3 May 2026 at 14:05 UTC");
    expect(email.text).not.toContain("IP address");
  });

  it("says how long a link works", async () => {
    const email = await renderTransactional("sign-in-link", { url: "http://localhost:3000/login/link/abc", expiresInMinutes: 60 }, context);
    expect(email.text).toContain("The link works for 1 hour.");
    expect(email.text).toContain("Sign in http://localhost:3000/login/link/abc");
  });

  it("escapes what callers send instead of rendering it as markup", async () => {
    const data = { ...transactionalTemplates["policy-change-notice"].previewData, summary: '<img src=x onerror="alert(1)">Fewer cookies.' };
    const email = await renderTransactional("policy-change-notice", data, context);
    expect(email.html).not.toContain("<img src=x");
    expect(email.html).toContain("&lt;img src=x");
  });
});

describe("service mail in the recipient's language", () => {
  const german = { ...context, language: "de" as const };
  const url = "http://localhost:3000/login/link/abc";

  it("writes the sign-in email in German for a German recipient: subject, HTML, plain text and lang", async () => {
    const email = await renderTransactional("sign-in-link", { recipientName: "Jörg", url, expiresInMinutes: 15 }, german);
    expect(email.subject).toBe("Ihr Anmeldelink für Example Insurance");
    expect(email.html).toContain('<html dir="ltr" lang="de">');
    expect(email.html).toContain("Bei Example Insurance anmelden");
    expect(email.text).toContain("Guten Tag Jörg,");
    expect(email.text).toContain("Der Link ist 15 Minuten gültig.");
    expect(email.text).toContain(`Anmelden ${url}`);
    expect(email.text).toContain("Dies ist eine Servicenachricht zu Ihrem Konto bei Example Insurance.");
    expect(email.text).toContain("E-Mail-Einstellungen verwalten");
    expect(email.text).toContain("Kontakt:");
    // Nothing of the product's own English words is left.
    expect(email.text).not.toMatch(/Hello|Sign in|link works|service message|Manage your|Contact us/);
  });

  it("stays English when no language is given", async () => {
    const email = await renderTransactional("sign-in-link", { url, expiresInMinutes: 15 }, context);
    expect(email.subject).toBe("Your sign-in link for Example Insurance");
    expect(email.html).toContain('<html dir="ltr" lang="en">');
    expect(email.text).toContain("Hello,");
  });

  it("writes every account email the product words itself in German", async () => {
    const subjects: Partial<Record<TransactionalTemplateName, string>> = {
      "sign-up-confirmation": "Bestätigen Sie Ihre E-Mail-Adresse für Ihr Konto bei Example Insurance",
      "password-reset": "Passwort für Example Insurance zurücksetzen",
      "email-change-verification": "Bestätigen Sie Ihre neue E-Mail-Adresse",
      "account-security-alert": "Sicherheitshinweis zu Ihrem Konto bei Example Insurance",
      "preference-link": "Ihr Link zur Verwaltung Ihrer E-Mail-Einstellungen",
    };
    for (const [name, subject] of Object.entries(subjects) as Array<[TransactionalTemplateName, string]>) {
      const email = await renderTransactional(name, transactionalTemplates[name].previewData, german);
      expect(email.subject, name).toBe(subject);
      expect(email.html, name).toContain('lang="de"');
      expect(email.text, name).toMatch(/^Guten Tag|\nGuten Tag/);
    }
    const change = await renderTransactional("email-change-verification", transactionalTemplates["email-change-verification"].previewData, german);
    expect(change.html).toContain("<strong>jane.doe@example.org</strong>");
  });

  it("tells a security alert's time in the recipient's zone and language", async () => {
    const data = { event: "Your password was changed", occurredAt: "2026-05-03T16:05:00+02:00" };
    const email = await renderTransactional("account-security-alert", data, { ...german, timeZone: "Europe/Berlin" });
    expect(email.text).toContain("Wann: 3. Mai 2026 um 16:05 Uhr (Europe/Berlin)");
    const english = await renderTransactional("account-security-alert", data, { ...context, timeZone: "America/New_York" });
    expect(english.text).toContain("When: 3 May 2026 at 10:05 America/New_York");
  });
});
