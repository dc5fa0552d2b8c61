import crypto from "node:crypto";
import { performance } from "node:perf_hooks";
import { describe, expect, it } from "vitest";
import MailComposer from "nodemailer/lib/mail-composer";
import PostalMime, { decodeWords } from "postal-mime";
import { composeMessage } from "~/domain/mail/outgoing-mail.server.ts";
import { personalizePromotional, preparePromotional, renderPromotional } from "~emails/render.tsx";
import { consentReason } from "./footer-reason.ts";
import {
  campaignContent,
  InvalidCampaignDraftError,
  personalize,
  prepareCampaignMessage,
  renderCampaignPreview,
  SenderFactsMissingError,
  validateCampaignDraft,
  type CampaignDraft,
  type CampaignRecipient,
  type CampaignSendingUnit,
} from "./message.server.ts";
import { missingSenderFacts } from "~/domain/units/sender-facts.server.ts";

const DKIM_KEY = crypto.generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();

const UNIT: CampaignSendingUnit = {
  slug: "example-tax",
  displayName: "Example Tax",
  legalName: "Example Tax Services Ltd",
  postalAddress: "12 Ledger Lane\nSuite 400\nSpringfield, EX1 2TX",
  contactEmail: "help@tax.example.com",
  contactPhone: "+1 555 0100",
  contactUrl: "https://tax.example.com/contact",
  fromName: "Example Tax News",
  fromEmail: "news@tax.example.com",
  replyTo: "replies@tax.example.com",
  sendingDomain: "mail.tax.example.com",
  dkimDomain: "tax.example.com",
  dkimSelector: "pc2026",
  dkimPrivateKey: DKIM_KEY,
  brandColor: "#1f6f4a",
  logoUrl: "https://tax.example.com/logo.png",
};

const LIST = { campaignId: 42, topic: { id: 7, slug: "tax-tips" } };

const DRAFT: CampaignDraft = {
  subject: "Five tax tips & a deadline <31 July>",
  preheader: "Small steps now save time in July — \"really\".",
  bodyMarkdown: "## Get ready\n\nRead [the tips](https://tax.example.com/tips?utm_source=email&c=7).\n\n- Keep receipts\n- File early",
  advertisementLabel: true,
  topicName: "Tax tips",
};

// Recipients whose values need escaping, or would break a naive substitution ($& is special
// in String.replace), or are long enough to be wrapped by a careless plain-text conversion.
const RECIPIENTS: CampaignRecipient[] = [
  {
    email: "ann@example.com",
    unsubscribeUrl: `https://prefs.example.com/u/${"eyJhbGciOiJIUzI1NiIsImtpZCI6ImsxIn0".repeat(8)}.sig-_~`,
    preferencesUrl: "https://prefs.example.com/p/tok?x=1&y=2&z='3'",
    consent: { basis: "EXPRESS", consentedAt: new Date("2026-05-03T09:00:00Z") },
  },
  {
    email: "o'brien+news@example.com",
    unsubscribeUrl: "https://prefs.example.com/u/a.b.c?lang=de&ref=$&",
    preferencesUrl: "https://prefs.example.com/p/%F0%9F%8E%89?a=$1&b=$'",
    consent: { basis: "IMPLIED_PURCHASE", consentedAt: new Date("2025-12-31T23:59:59Z") },
  },
  {
    email: "x@example.com",
    unsubscribeUrl: `https://prefs.example.com/u/${"x".repeat(900)}`,
    preferencesUrl: `https://prefs.example.com/p/${"y".repeat(300)}`,
    consent: { basis: "LEGITIMATE_INTEREST", consentedAt: new Date("2026-01-01T00:00:00Z") },
  },
];

/** The footer's sentence for a recipient of a campaign of DRAFT's topic from UNIT. */
const reasonFor = (recipient: CampaignRecipient, topicName = DRAFT.topicName) =>
  consentReason({ topicName, unitName: UNIT.displayName, ...recipient.consent });

describe("missingSenderFacts", () => {
  it("is empty for a unit with everything a promotional email needs", () => {
    expect(missingSenderFacts(UNIT)).toEqual([]);
    expect(missingSenderFacts({ ...UNIT, replyTo: null, dkimDomain: null, dkimSelector: null, dkimPrivateKey: null, contactPhone: null, contactUrl: null })).toEqual([]);
  });

  it("names the legal name and postal address when they are missing or blank", () => {
    expect(missingSenderFacts({ ...UNIT, legalName: null, postalAddress: null })).toEqual(["a legal name", "a postal address"]);
    expect(missingSenderFacts({ ...UNIT, legalName: "  ", postalAddress: "\n" })).toEqual(["a legal name", "a postal address"]);
  });

  it("asks for a way to reach the unit when it has none that can be linked", () => {
    expect(missingSenderFacts({ ...UNIT, contactEmail: null, contactPhone: " ", contactUrl: "javascript:alert(1)" })).toEqual([
      "a contact email, phone number or web page",
    ]);
  });

  it("names sender settings that would make every message fail at the transport", () => {
    expect(missingSenderFacts({ ...UNIT, fromName: " ", fromEmail: "news at example", replyTo: "a@b, c@d", sendingDomain: "-bad-.example" })).toEqual([
      "a From name",
      "a valid From address",
      "a valid Reply-To address (or none)",
      "a valid sending domain",
    ]);
  });

  it("refuses half a DKIM setting or a key that does not parse", () => {
    const incomplete = "a complete DKIM setting: domain, selector and a PEM private key (or no DKIM at all)";
    expect(missingSenderFacts({ ...UNIT, dkimPrivateKey: null })).toEqual([incomplete]);
    expect(missingSenderFacts({ ...UNIT, dkimSelector: null })).toEqual([incomplete]);
    expect(missingSenderFacts({ ...UNIT, dkimPrivateKey: "-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----" })).toEqual([incomplete]);
    expect(missingSenderFacts({ ...UNIT, dkimSelector: "bad selector" })).toEqual([incomplete]);
    // nodemailer would send unsigned with a key it cannot sign with (it signs RSA only).
    const ed25519 = crypto.generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    expect(missingSenderFacts({ ...UNIT, dkimPrivateKey: ed25519 })).toEqual([incomplete]);
  });

  it("stops prepareCampaignMessage and the preview with the same list", async () => {
    const unit = { ...UNIT, legalName: null, postalAddress: "" };
    for (const attempt of [prepareCampaignMessage(DRAFT, unit, LIST), renderCampaignPreview(DRAFT, unit)]) {
      const error = await attempt.then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(SenderFactsMissingError);
      expect((error as SenderFactsMissingError).missing).toEqual(["a legal name", "a postal address"]);
      expect((error as Error).message).toBe("Example Tax cannot send campaigns yet: it needs a legal name, a postal address. Add them in the unit's settings.");
    }
  });
});

describe("validateCampaignDraft", () => {
  const problemsOf = (draft: Partial<CampaignDraft>) => validateCampaignDraft({ ...DRAFT, ...draft });

  it("accepts a complete draft", () => {
    expect(problemsOf({})).toEqual([]);
    expect(problemsOf({ preheader: "", advertisementLabel: false })).toEqual([]);
  });

  it("rejects a subject with CR, LF or CRLF (header injection), and other control characters", () => {
    for (const subject of ["Hello\r\nBcc: everyone@example.com", "Hello\nthere", "Hello\rthere", "Hello\r\n"]) {
      expect(problemsOf({ subject }), JSON.stringify(subject)).toEqual([{ field: "subject", message: "The subject must be one line: remove the line break." }]);
    }
    expect(problemsOf({ subject: "Tab\there" })).toEqual([{ field: "subject", message: "The subject contains an invisible control character: retype it." }]);
  });

  it("rejects line breaks in the preheader too", () => {
    expect(problemsOf({ preheader: "one\r\ntwo" })).toEqual([{ field: "preheader", message: "The preheader must be one line: remove the line break." }]);
  });

  it("rejects an empty or over-long subject and an over-long preheader", () => {
    expect(problemsOf({ subject: "   " })).toEqual([{ field: "subject", message: "Write a subject line." }]);
    expect(problemsOf({ subject: "é".repeat(201) })).toEqual([
      { field: "subject", message: "Shorten the subject to 200 characters or fewer (it has 201)." },
    ]);
    expect(problemsOf({ subject: "😀".repeat(200) })).toEqual([]);
    expect(problemsOf({ preheader: "p".repeat(151) })).toEqual([
      { field: "preheader", message: "Shorten the preheader to 150 characters or fewer (it has 151); inboxes show no more." },
    ]);
  });

  it("rejects an empty body, one with nothing safe to show, an over-long one, and a missing topic", () => {
    expect(problemsOf({ bodyMarkdown: " \n " })).toEqual([{ field: "bodyMarkdown", message: "Write the message." }]);
    expect(problemsOf({ bodyMarkdown: "![x](data:image/png;base64,AA)" })).toEqual([
      { field: "bodyMarkdown", message: "Nothing in the message can be shown: links and images need http(s) addresses." },
    ]);
    expect(problemsOf({ bodyMarkdown: "a".repeat(100_001) })).toEqual([{ field: "bodyMarkdown", message: "Shorten the message to 100,000 characters or fewer." }]);
    expect(problemsOf({ topicName: "" })).toEqual([{ field: "topicName", message: "Choose a topic." }]);
  });

  it("lists every problem at once, and prepareCampaignMessage refuses the draft with them", async () => {
    const draft = { ...DRAFT, subject: "a\nb", preheader: "c\rd", bodyMarkdown: "", topicName: " " };
    expect(validateCampaignDraft(draft).map((problem) => problem.field)).toEqual(["subject", "preheader", "bodyMarkdown", "topicName"]);
    const error = await prepareCampaignMessage(draft, UNIT, LIST).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidCampaignDraftError);
    expect((error as InvalidCampaignDraftError).problems).toEqual(validateCampaignDraft(draft));
  });
});

describe("personalize", () => {
  it("gives each recipient exactly what a direct render for them gives", async () => {
    const prepared = await prepareCampaignMessage(DRAFT, UNIT, LIST);
    const identity = { ...UNIT, legalName: UNIT.legalName!, postalAddress: UNIT.postalAddress! };
    for (const recipient of RECIPIENTS) {
      const mail = personalize(prepared, recipient);
      const direct = await renderPromotional("campaign", campaignContent(DRAFT, UNIT), {
        unit: identity,
        footer: { reason: reasonFor(recipient), unsubscribeUrl: recipient.unsubscribeUrl, preferencesUrl: recipient.preferencesUrl, advertisement: true },
      });
      expect(mail.subject).toBe(direct.subject);
      expect(mail.html).toBe(direct.html);
      expect(mail.text).toBe(direct.text);
      // The values themselves: escaped in the HTML, verbatim (and whole, on one line) in the text.
      expect(mail.html).toContain(`href="${recipient.unsubscribeUrl.replaceAll("&", "&amp;").replaceAll("'", "&#x27;")}"`);
      expect(mail.text).toContain(`Unsubscribe ${recipient.unsubscribeUrl}\n`);
      expect(mail.text).toContain(`Manage your email preferences ${recipient.preferencesUrl}\n`);
      expect(mail.text).toContain(reasonFor(recipient));
      expect(mail.html).not.toContain("slot.invalid");
      expect(mail.text).not.toContain("slot.invalid");
    }
  });

  it("escapes the reason so it cannot add markup", async () => {
    const topicName = '<img src=x onerror="alert(1)"> & more $& $1';
    const prepared = await prepareCampaignMessage({ ...DRAFT, topicName }, UNIT, LIST);
    const mail = personalize(prepared, RECIPIENTS[0]);
    expect(mail.html).toContain("&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; more $&amp; $1");
    expect(mail.html).not.toContain("<img src=x");
    expect(mail.text).toContain(reasonFor(RECIPIENTS[0], topicName));
  });

  it("makes a multi-line reason one line in both parts, as a direct render does", async () => {
    const identity = { ...UNIT, legalName: UNIT.legalName!, postalAddress: UNIT.postalAddress! };
    const prepared = await preparePromotional("campaign", campaignContent(DRAFT, UNIT), { unit: identity, footer: { advertisement: true } });
    const recipient = { ...RECIPIENTS[0], reason: "You subscribed to\n  Tax tips\tfrom Example Tax\u0000 on 3 May 2026.  " };
    const mail = personalizePromotional(prepared, recipient);
    const direct = await renderPromotional("campaign", campaignContent(DRAFT, UNIT), { unit: identity, footer: { ...recipient, advertisement: true } });
    expect(mail.html).toBe(direct.html);
    expect(mail.text).toBe(direct.text);
    expect(mail.text).toContain("You subscribed to Tax tips from Example Tax on 3 May 2026.\n");
  });

  it("builds the promotional mail: From, Reply-To, one-click headers, Message-ID domain, DKIM", async () => {
    const prepared = await prepareCampaignMessage(DRAFT, UNIT, LIST);
    const mail = personalize(prepared, RECIPIENTS[1]);
    expect(mail).toMatchObject({
      stream: "promotional",
      from: { name: "Example Tax News", address: "news@tax.example.com" },
      to: "o'brien+news@example.com",
      replyTo: "replies@tax.example.com",
      subject: DRAFT.subject,
      headers: {
        "List-Id": '"Tax tips from Example Tax" <tax-tips.example-tax.list-id.mail.tax.example.com>',
        "List-Unsubscribe": `<${RECIPIENTS[1].unsubscribeUrl}>`,
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Feedback-ID": "c42:t7:example-tax:prefcenter",
      },
      messageIdDomain: "mail.tax.example.com",
      dkim: { domainName: "tax.example.com", keySelector: "pc2026", privateKey: DKIM_KEY },
    });
    expect(Object.keys(mail.headers!)).toEqual(["List-Id", "List-Unsubscribe", "List-Unsubscribe-Post", "Feedback-ID"]);
    // A test message to staff names no delivery: no mailto, and bounces go to the From address.
    expect(mail).not.toHaveProperty("returnPath");
    // And the transport's own checks accept it.
    expect(composeMessage(mail).messageId).toMatch(/^<[^@]+@mail\.tax\.example\.com>$/);
  });

  it("offers the delivery's mailto unsubscribe after the https link (RFC 2369 order) and sends from its return path", async () => {
    const prepared = await prepareCampaignMessage(DRAFT, UNIT, LIST);
    const mailto = "unsubscribe+c9-0123456789abcdef0123@bounces.mail.tax.example.com";
    const returnPath = "bounces+c9-fedcba9876543210fedc@bounces.mail.tax.example.com";
    const mail = personalize(prepared, { ...RECIPIENTS[0], mailtoUnsubscribe: mailto, returnPath });
    expect(mail.headers!["List-Unsubscribe"]).toBe(`<${RECIPIENTS[0].unsubscribeUrl}>, <mailto:${mailto}?subject=unsubscribe>`);
    expect(mail.returnPath).toBe(returnPath);
    const options = composeMessage(mail);
    expect(options.envelope).toEqual({ from: returnPath, to: [RECIPIENTS[0].email] });
    // The frame was used: each copy differs from it only in the recipient's fields.
    expect(String(options.raw)).toContain(`<mailto:${mailto}?subject=unsubscribe>`);
    expect(() => personalize(prepared, { ...RECIPIENTS[0], mailtoUnsubscribe: "unsubscribe+c9-x@bounces.zürich.example" })).toThrow(/printable ASCII/);
  });

  it("names the list in List-Id as RFC 2919 writes it: a quoted phrase, or encoded words when it is not ASCII", async () => {
    const quoted = await prepareCampaignMessage({ ...DRAFT, topicName: 'Tax "hot" tips' }, UNIT, LIST);
    expect(quoted.fixedHeaders.listId).toBe('"Tax \\"hot\\" tips from Example Tax" <tax-tips.example-tax.list-id.mail.tax.example.com>');
    const accented = await prepareCampaignMessage({ ...DRAFT, topicName: "Conseils fiscaux d’été" }, { ...UNIT, displayName: "Impôts Exemple" }, LIST);
    const [phrase, id] = accented.fixedHeaders.listId.split(/ (?=<)/);
    expect(id).toBe("<tax-tips.example-tax.list-id.mail.tax.example.com>");
    expect(phrase).toMatch(/^=\?UTF-8\?Q\?[!-~]+\?=( =\?UTF-8\?Q\?[!-~]+\?=)*$/);
    expect(decodeWords(phrase)).toBe("Conseils fiscaux d’été from Impôts Exemple");
    // A list-id longer than 255 octets moves to the unmanaged namespace instead.
    const longDomain = `${"d".repeat(63)}.${"e".repeat(63)}.${"f".repeat(63)}.${"g".repeat(40)}.com`;
    const long = await prepareCampaignMessage(DRAFT, { ...UNIT, sendingDomain: longDomain, dkimDomain: "tax.example.com" }, LIST);
    expect(long.fixedHeaders.listId).toBe('"Tax tips from Example Tax" <tax-tips.example-tax.localhost>');
  });

  it("leaves out Reply-To and DKIM when the unit has none, and signs for the sending domain when only the DKIM domain is missing", async () => {
    const plain = await prepareCampaignMessage(DRAFT, { ...UNIT, replyTo: null, dkimSelector: null, dkimPrivateKey: null }, LIST);
    const mail = personalize(plain, RECIPIENTS[0]);
    expect(mail).not.toHaveProperty("replyTo");
    expect(mail).not.toHaveProperty("dkim");
    const ownDomain = await prepareCampaignMessage(DRAFT, { ...UNIT, dkimDomain: null }, LIST);
    expect(personalize(ownDomain, RECIPIENTS[0]).dkim?.domainName).toBe("mail.tax.example.com");
  });

  it("refuses links that are not absolute http(s) and a non-ASCII List-Unsubscribe URL", async () => {
    const prepared = await prepareCampaignMessage(DRAFT, UNIT, LIST);
    expect(() => personalize(prepared, { ...RECIPIENTS[0], unsubscribeUrl: "javascript:alert(1)" })).toThrow(/footer\.unsubscribeUrl must be an absolute http\(s\) URL/);
    expect(() => personalize(prepared, { ...RECIPIENTS[0], preferencesUrl: "/p/token" })).toThrow(/footer\.preferencesUrl/);
    expect(() => personalize(prepared, { ...RECIPIENTS[0], unsubscribeUrl: "https://prefs.example.com/u/zürich" })).toThrow(/printable ASCII/);
  });

  it("shows the Advertisement label on every copy when the draft asks for it", async () => {
    const prepared = await prepareCampaignMessage(DRAFT, UNIT, LIST);
    for (const recipient of RECIPIENTS) {
      const mail = personalize(prepared, recipient);
      for (const part of [mail.html, mail.text]) expect(part).toContain("Advertisement");
    }
  });

  it("otherwise shows it on the copies to recipients without express consent, each as a direct render for them gives", async () => {
    const draft = { ...DRAFT, advertisementLabel: false };
    const prepared = await prepareCampaignMessage(draft, UNIT, LIST);
    const identity = { ...UNIT, legalName: UNIT.legalName!, postalAddress: UNIT.postalAddress! };
    for (const recipient of RECIPIENTS) {
      const mail = personalize(prepared, recipient);
      const advertisement = recipient.consent.basis !== "EXPRESS";
      const direct = await renderPromotional("campaign", campaignContent(draft, UNIT), { unit: identity, footer: { ...recipient, reason: reasonFor(recipient), advertisement } });
      expect(mail.html).toBe(direct.html);
      expect(mail.text).toBe(direct.text);
      for (const part of [mail.html, mail.text]) expect(part.includes("Advertisement"), recipient.consent.basis).toBe(advertisement);
    }
  });

  it("is much cheaper than rendering per recipient (printed, not asserted)", async () => {
    const identity = { ...UNIT, legalName: UNIT.legalName!, postalAddress: UNIT.postalAddress! };
    const content = campaignContent(DRAFT, UNIT);
    const recipientAt = (n: number): CampaignRecipient => ({
      email: `person-${n}@example.com`,
      unsubscribeUrl: `https://prefs.example.com/u/${"t".repeat(200)}${n}`,
      preferencesUrl: `https://prefs.example.com/p/${"p".repeat(200)}${n}`,
      consent: { basis: n % 2 === 0 ? "EXPRESS" : "SOFT_OPT_IN", consentedAt: new Date(Date.UTC(2026, 4, (n % 28) + 1)) },
    });
    const count = 300;
    // Warm both paths up so the figures are steady-state.
    await prepareCampaignMessage(DRAFT, UNIT, LIST);
    await renderPromotional("campaign", content, { unit: identity, footer: { ...recipientAt(0), reason: reasonFor(recipientAt(0)) } });

    let started = performance.now();
    for (let n = 0; n < count; n++) {
      await renderPromotional("campaign", content, { unit: identity, footer: { ...recipientAt(n), reason: reasonFor(recipientAt(n)), advertisement: true } });
    }
    const directMs = (performance.now() - started) / count;

    started = performance.now();
    const prepared = await prepareCampaignMessage(DRAFT, UNIT, LIST);
    const prepareMs = performance.now() - started;
    started = performance.now();
    let bytes = 0;
    for (let n = 0; n < count * 100; n++) bytes += personalize(prepared, recipientAt(n)).html.length;
    const personalizeMs = (performance.now() - started) / (count * 100);

    console.log(
      `campaign message, per recipient: direct render ${directMs.toFixed(3)} ms; ` +
        `render once ${prepareMs.toFixed(2)} ms then personalize ${(personalizeMs * 1000).toFixed(1)} µs ` +
        `(${Math.round(directMs / personalizeMs)}× faster)`,
    );
    expect(bytes).toBeGreaterThan(0);
  });
});

describe("the parts encoded once per campaign", () => {
  it("decode to exactly what nodemailer's own encoding of each recipient's text and HTML decodes to, lines within 76 characters", async () => {
    const prepared = await prepareCampaignMessage({ ...DRAFT, bodyMarkdown: `${DRAFT.bodyMarkdown}\n\nZürich — “quotes” = signs ${"long words ".repeat(40)}` }, UNIT, LIST);
    for (const recipient of RECIPIENTS) {
      const mail = personalize(prepared, recipient);
      expect(mail.encodedParts).toBeDefined();
      const build = (m: typeof mail) => new MailComposer(composeMessage({ ...m, dkim: undefined })).compile().build();
      const [ours, theirs] = await Promise.all([build(mail), build({ ...mail, encodedParts: undefined })]);
      const [oursParsed, theirsParsed] = await Promise.all([PostalMime.parse(ours), PostalMime.parse(theirs)]);
      expect(oursParsed.text).toBe(theirsParsed.text);
      expect(oursParsed.html).toBe(theirsParsed.html);
      expect(oursParsed.html).toContain(recipient.unsubscribeUrl.replaceAll("&", "&amp;").replaceAll("'", "&#x27;"));
      const body = ours.toString("latin1").split("\r\n\r\n").slice(1).join("\r\n\r\n");
      for (const line of body.split("\r\n")) expect(line.length).toBeLessThanOrEqual(76);
    }
  });
});

describe("renderCampaignPreview", () => {
  it("renders the real email for a sample recipient: links that unsubscribe nobody, today's reason", async () => {
    const preview = await renderCampaignPreview(DRAFT, UNIT);
    expect(preview.subject).toBe(DRAFT.subject);
    for (const part of [preview.html, preview.text]) {
      expect(part).toContain("http://localhost:3000/u/preview");
      expect(part).toContain("http://localhost:3000/preferences");
      expect(part).toContain("You subscribed to Tax tips from Example Tax on ");
      expect(part).toContain("Example Tax Services Ltd");
      expect(part).toContain("Get ready");
    }
  });

  it("shows a subscriber with express consent: the label only when the marketer ticked it", async () => {
    const preview = await renderCampaignPreview({ ...DRAFT, advertisementLabel: false }, UNIT);
    for (const part of [preview.html, preview.text]) expect(part).not.toContain("Advertisement");
  });

  it("takes sample values, and works on an unfinished draft", async () => {
    const preview = await renderCampaignPreview({ ...DRAFT, subject: "", bodyMarkdown: "", topicName: "", advertisementLabel: false }, UNIT, {
      consent: { basis: "IMPLIED_INQUIRY", consentedAt: new Date("2026-02-01T10:00:00Z") },
      unsubscribeUrl: "https://prefs.example.com/u/sample",
    });
    expect(preview.text).toContain("You receive this topic because you asked Example Tax about its products or services on 1 February 2026.");
    expect(preview.text).toContain("Advertisement");
    expect(preview.text).toContain("Unsubscribe https://prefs.example.com/u/sample");
  });
});

describe("merge fields in a campaign", () => {
  const PERSONAL: CampaignDraft = {
    ...DRAFT,
    subject: "{{first_name|Friend}}, five tax tips from {{unit}}",
    preheader: "Hi {{first_name}}, small steps now",
    bodyMarkdown: "## Hello {{name|there}}\n\nDear {{first_name}}, read [the tips](https://tax.example.com/tips).",
  };

  it("refuses an unknown or unclosed field on the field that holds it", () => {
    const problems = validateCampaignDraft({ ...DRAFT, subject: "Hi {{firstname}}", preheader: "{{name", bodyMarkdown: "Hello {{email}}" });
    expect(problems.map((problem) => problem.field)).toEqual(["subject", "preheader", "bodyMarkdown"]);
    expect(problems[0].message).toContain("{{firstname}}");
    expect(validateCampaignDraft(PERSONAL)).toEqual([]);
  });

  it("gives each copy its recipient's name in the subject, preheader and body, escaped in the HTML", async () => {
    const prepared = await prepareCampaignMessage(PERSONAL, UNIT, LIST);
    const mail = personalize(prepared, { ...RECIPIENTS[0], name: "Ann <script>alert(1)</script> & Co" });
    expect(mail.subject).toBe("Ann, five tax tips from Example Tax");
    expect(mail.text).toContain("Hello Ann <script>alert(1)</script> & Co");
    expect(mail.text).toContain("Dear Ann, read");
    expect(mail.html).toContain("Hello Ann &lt;script&gt;alert(1)&lt;/script&gt; &amp; Co");
    expect(mail.html).not.toContain("<script>");
    expect(mail.html).toContain("Hi Ann, small steps now");
    const other = personalize(prepared, { ...RECIPIENTS[1], name: "Bo Li" });
    expect(other.subject).toBe("Bo, five tax tips from Example Tax");
    expect(other.html).toContain("Hello Bo Li");
    // The transport builds and checks both.
    const raw = await new MailComposer(composeMessage(mail)).compile().build();
    const parsed = await PostalMime.parse(raw);
    expect(parsed.subject).toBe("Ann, five tax tips from Example Tax");
  });

  it("uses the fallback or leaves the field out, without a double space, when the person has no name", async () => {
    const prepared = await prepareCampaignMessage(PERSONAL, UNIT, LIST);
    const mail = personalize(prepared, { ...RECIPIENTS[0], name: null });
    expect(mail.subject).toBe("Friend, five tax tips from Example Tax");
    expect(mail.text).toContain("Hello there");
    expect(mail.text).toContain("Dear, read");
    expect(mail.html).toContain("Hi, small steps now");
  });

  it("cannot add a header through a name with a line break", async () => {
    const prepared = await prepareCampaignMessage({ ...PERSONAL, subject: "News for {{name}}" }, UNIT, LIST);
    const mail = personalize(prepared, { ...RECIPIENTS[0], name: "Eve\r\nBcc: everyone@example.com" });
    expect(mail.subject).toBe("News for Eve Bcc: everyone@example.com");
    const raw = (await new MailComposer(composeMessage(mail)).compile().build()).toString("utf8");
    expect(raw).not.toMatch(/^Bcc:/im);
    const parsed = await PostalMime.parse(raw);
    expect(parsed.subject).toBe("News for Eve Bcc: everyone@example.com");
  });

  it("still renders the message once: a copy without merge fields is what it was", async () => {
    const prepared = await prepareCampaignMessage(DRAFT, UNIT, LIST);
    const mail = personalize(prepared, { ...RECIPIENTS[0], name: "Ann" });
    expect(mail.subject).toBe(DRAFT.subject);
    expect(mail.frame).toBeDefined();
  });
});
