import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import PostalMime, { type Email } from "postal-mime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  personalize,
  prepareCampaignMessage,
  type CampaignDraft,
  type CampaignRecipient,
  type CampaignSendingUnit,
} from "~/domain/campaigns/message.server.ts";
import { consentReason } from "~/domain/campaigns/footer-reason.ts";
import { mailtoUnsubscribeFor, readOwnAddress, returnPathFor } from "~/domain/feedback/addresses.server.ts";
import { createMailTransport, type MailTransport } from "~/domain/mail/transport.server.ts";
import { getKeyring, rotateSigningKey } from "~/domain/tokens/keyring.server.ts";
import { verifyLinkToken } from "~/domain/tokens/link-tokens.server.ts";
import { preferencesUrl, unsubscribeUrl } from "~/domain/tokens/links.server.ts";
import { createContact, createTopic, createUnit } from "../helpers/fixtures.ts";
import { pythonDkimVerifies, requireDkimPython } from "../helpers/python-dkim.ts";
import { startSmtpSink, type SmtpSink } from "../helpers/smtp-sink.ts";

// Campaign messages go through the smtp transport to a real SMTP server on loopback; the test
// reads what that server received. DKIM is checked by Debian's python3-dkim, not by our code.

let sink: SmtpSink;
let transport: MailTransport;

beforeAll(async () => {
  sink = await startSmtpSink();
  transport = createMailTransport({ MAIL_TRANSPORT: "smtp", OUTBOX_DIR: "unused", SMTP_URL: sink.url });
  if (!(await getKeyring()).signing) await rotateSigningKey();
});

afterAll(async () => {
  await transport?.close();
  await sink?.close();
});

const DKIM = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
const DKIM_SELECTOR = "pc2026";
const DKIM_DOMAIN = "tax.example.com";
const BOUNCE_DOMAIN = "bounces.mail.tax.example.com";

function unitFacts(row: { displayName: string; slug: string }): CampaignSendingUnit {
  return {
    slug: row.slug,
    displayName: row.displayName,
    legalName: "Example Tax Services Ltd",
    postalAddress: "12 Ledger Lane\nSuite 400\nSpringfield, EX1 2TX",
    contactEmail: "help@tax.example.com",
    contactPhone: "+1 555 0100",
    contactUrl: "https://tax.example.com/contact",
    fromName: "Example Tax News",
    fromEmail: "news@tax.example.com",
    replyTo: "replies@tax.example.com",
    sendingDomain: "mail.tax.example.com",
    dkimDomain: DKIM_DOMAIN,
    dkimSelector: DKIM_SELECTOR,
    dkimPrivateKey: DKIM.privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    brandColor: "#1f6f4a",
    logoUrl: null,
  };
}

const DRAFT: CampaignDraft = {
  subject: "Five tax tips before the deadline",
  preheader: "Small steps now save time in July.",
  bodyMarkdown: "## Get ready\n\nRead [the tips](https://tax.example.com/tips?utm_source=email&c=7).",
  advertisementLabel: true,
  topicName: "Tax & audit tips",
};

/** Sends one campaign to `count` new contacts with real signed links; returns what was sent, by address. */
async function sendCampaign(draft: CampaignDraft, count: number, campaignId: number) {
  const unitRow = await createUnit({ displayName: "Example Tax" });
  const topic = await createTopic(unitRow.id, { name: draft.topicName });
  const unit = unitFacts(unitRow);
  const prepared = await prepareCampaignMessage(draft, unit, { campaignId, topic });
  const recipients: Array<CampaignRecipient & { contactId: number; reason: string }> = [];
  for (let n = 0; n < count; n++) {
    const contact = await createContact(n === 0 ? `o'brien+${campaignId}@example.com` : undefined);
    // As the sender names each delivery; here the contact's id stands in for the delivery's.
    const ref = { stream: "campaign", deliveryId: contact.id } as const;
    const consent = { basis: "EXPRESS", consentedAt: new Date(Date.UTC(2026, 4, n + 1, 12)) } as const;
    recipients.push({
      contactId: contact.id,
      email: contact.email,
      returnPath: returnPathFor(ref, BOUNCE_DOMAIN),
      mailtoUnsubscribe: mailtoUnsubscribeFor(ref, BOUNCE_DOMAIN),
      unsubscribeUrl: await unsubscribeUrl({ contactId: contact.id, unitId: unitRow.id, topicId: topic.id, campaignId }),
      preferencesUrl: await preferencesUrl({ contactId: contact.id, unitId: unitRow.id }),
      consent,
      reason: consentReason({ topicName: topic.name, unitName: unit.displayName, ...consent }),
    });
  }
  const before = sink.received.length;
  const sent = await Promise.all(recipients.map((recipient) => transport.send(personalize(prepared, recipient))));
  expect(sink.received.length - before).toBe(count);
  const messages = await Promise.all(
    sink.received.slice(before).map(async ({ raw, from, to }) => ({ raw, from, to, email: await PostalMime.parse(raw) })),
  );
  return { unitRow, topic, unit, recipients, sent, messages };
}

const headerValues = (email: Email, key: string) => email.headers.filter((header) => header.key === key).map((header) => header.value);

describe("campaign messages as an SMTP server receives them", () => {
  it("carry the one-click headers, the unit's sender identity and the whole footer in both parts", async () => {
    const { unitRow, topic, unit, recipients, sent, messages } = await sendCampaign(DRAFT, 5, 7001);
    const keyring = await getKeyring();

    for (const recipient of recipients) {
      const match = messages.find(({ to }) => to === recipient.email);
      expect(match, recipient.email).toBeDefined();
      const { email } = match!;

      // Headers: exactly one of each one-click header, pointing at this recipient's signed link,
      // then (RFC 2369 order) the delivery's signed mailto unsubscribe.
      expect(headerValues(email, "list-unsubscribe")).toEqual([`<${recipient.unsubscribeUrl}>, <mailto:${recipient.mailtoUnsubscribe}?subject=unsubscribe>`]);
      expect(readOwnAddress(recipient.mailtoUnsubscribe!)).toEqual({ kind: "unsubscribe", ref: { stream: "campaign", deliveryId: recipient.contactId }, domain: BOUNCE_DOMAIN });
      expect(headerValues(email, "list-id")).toEqual([`"Tax & audit tips from Example Tax" <${topic.slug}.${unitRow.slug}.list-id.mail.tax.example.com>`]);
      expect(headerValues(email, "feedback-id")).toEqual([`c7001:t${topic.id}:${unitRow.slug}:prefcenter`]);
      // The envelope sender is the delivery's signed bounce address.
      expect(match!.from).toBe(recipient.returnPath);
      expect(readOwnAddress(match!.from)).toEqual({ kind: "bounce", ref: { stream: "campaign", deliveryId: recipient.contactId }, domain: BOUNCE_DOMAIN });
      expect(headerValues(email, "list-unsubscribe-post")).toEqual(["List-Unsubscribe=One-Click"]);
      expect(recipient.unsubscribeUrl).toMatch(/^http:\/\/localhost:3000\/u\/[\w-]+\.[\w-]+\.[\w-]+$/);
      const token = recipient.unsubscribeUrl.split("/u/")[1];
      expect(verifyLinkToken(keyring, token, "unsubscribe")).toMatchObject({
        contactId: recipient.contactId,
        unitId: unitRow.id,
        topicId: topic.id,
        campaignId: 7001,
      });
      expect(email.from).toEqual({ name: "Example Tax News", address: "news@tax.example.com" });
      expect(email.replyTo).toEqual([{ name: "", address: "replies@tax.example.com" }]);
      expect(email.to).toEqual([{ name: "", address: recipient.email }]);
      expect(email.subject).toBe(DRAFT.subject);
      expect(email.messageId).toMatch(/^<[^@<>]+@mail\.tax\.example\.com>$/);
      expect(sent.map((s) => s.messageId)).toContain(email.messageId);
      expect(headerValues(email, "dkim-signature")).toHaveLength(1);

      // Footer facts in both parts; full URLs in the text.
      const html = email.html!;
      const text = email.text!;
      const htmlEscaped = (value: string) => value.replaceAll("&", "&amp;").replaceAll("'", "&#x27;");
      for (const [part, escape] of [[html, htmlEscaped], [text, (value: string) => value]] as const) {
        expect(part).toContain(escape(unit.legalName!));
        for (const line of unit.postalAddress!.split("\n")) expect(part).toContain(line);
        expect(part).toContain("help@tax.example.com");
        expect(part).toContain(escape(recipient.reason));
        expect(part).toContain(escape(recipient.unsubscribeUrl));
        expect(part).toContain(escape(recipient.preferencesUrl));
        expect(part).toContain("Advertisement");
        expect(part).toContain("Get ready");
      }
      expect(html).toContain(`href="${recipient.unsubscribeUrl}"`);
      expect(html).toContain(`href="${recipient.preferencesUrl}"`);
      expect(text).toContain(`Unsubscribe ${recipient.unsubscribeUrl}\n`);
      expect(text).toContain(`Manage your email preferences ${recipient.preferencesUrl}\n`);
      expect(text).toContain("the tips https://tax.example.com/tips?utm_source=email&c=7");
      expect(recipient.reason).toMatch(/^You subscribed to Tax & audit tips from Example Tax on \d May 2026\.$/);
    }
  });

  it("leave the Advertisement label out when the draft does not ask for it", async () => {
    const { messages } = await sendCampaign({ ...DRAFT, advertisementLabel: false }, 2, 7002);
    for (const { email } of messages) {
      expect(email.html).not.toContain("Advertisement");
      expect(email.text).not.toContain("Advertisement");
      expect(headerValues(email, "list-unsubscribe")).toHaveLength(1);
    }
  });
});

describe("DKIM on campaign messages, checked by python3-dkim", () => {
  const publicKey = DKIM.publicKey.export({ type: "spki", format: "der" }).toString("base64");

  /** Verifies with dkimpy; DNS answers only <selector>._domainkey.<domain> with our public key. */
  function dkimVerifies(raw: Buffer): boolean {
    const script = [
      "import sys, dkim",
      "selector, domain, key = sys.argv[1:4]",
      "record = ('v=DKIM1; k=rsa; p=' + key).encode()",
      "def dnsfunc(name, timeout=5):",
      "    name = name.decode() if isinstance(name, bytes) else name",
      "    return record if name.rstrip('.').lower() == f'{selector}._domainkey.{domain}' else None",
      "print('pass' if dkim.verify(sys.stdin.buffer.read(), dnsfunc=dnsfunc) else 'fail')",
    ].join("\n");
    const result = spawnSync(requireDkimPython(), ["-c", script, DKIM_SELECTOR, DKIM_DOMAIN, publicKey], { input: raw, encoding: "utf8" });
    expect(result.status, result.stderr).toBe(0);
    return result.stdout.trim() === "pass";
  }

  it("verifies, and covers List-Unsubscribe, List-Unsubscribe-Post, List-Id and Feedback-ID; a changed byte in any breaks it", async () => {
    const { messages } = await sendCampaign(DRAFT, 2, 7003);
    const python = requireDkimPython();
    for (const { raw, email } of messages) {
      expect(dkimVerifies(raw)).toBe(true);
      expect(pythonDkimVerifies(python, raw, DKIM_SELECTOR, DKIM_DOMAIN, `v=DKIM1; k=rsa; p=${publicKey}`)).toBe(true);

      const signature = headerValues(email, "dkim-signature")[0].replace(/\s+/g, "");
      expect(signature).toContain(`d=${DKIM_DOMAIN};`);
      expect(signature).toContain(`s=${DKIM_SELECTOR};`);
      const signedFields = /(?:^|;)h=([^;]+)/.exec(signature)![1].toLowerCase().split(":");
      expect(signedFields).toEqual(
        expect.arrayContaining(["list-unsubscribe", "list-unsubscribe-post", "list-id", "feedback-id", "from", "reply-to", "subject", "message-id", "to", "date"]),
      );
      const latin1 = raw.toString("latin1");
      expect(dkimVerifies(Buffer.from(latin1.replace(/^(Feedback-ID: c)7003/im, "$17004"), "latin1"))).toBe(false);
      expect(dkimVerifies(Buffer.from(latin1.replace(/^(List-Id: "Tax) &/im, "$1 and"), "latin1"))).toBe(false);
      expect(dkimVerifies(Buffer.from(latin1.replace("?subject=unsubscribe>", "?subject=unsubscribe-all>"), "latin1"))).toBe(false);

      const message = raw.toString("latin1");
      // nodemailer folds the long header after the colon: "List-Unsubscribe:\r\n <https://…/u/TOKEN>".
      const tokenStart = message.search(/^List-Unsubscribe:\s*<[^>]*\/u\//im);
      expect(tokenStart).toBeGreaterThan(-1);
      const inToken = message.indexOf("/u/", tokenStart) + 5;
      const flipped = message[inToken] === "A" ? "B" : "A";
      expect(dkimVerifies(Buffer.from(message.slice(0, inToken) + flipped + message.slice(inToken + 1), "latin1"))).toBe(false);
      expect(dkimVerifies(Buffer.from(message.replace("List-Unsubscribe=One-Click", "List-Unsubscribe=One-Clack"), "latin1"))).toBe(false);
    }
  });
});
