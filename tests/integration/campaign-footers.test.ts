import PostalMime from "postal-mime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "~/utils/db.server.ts";
import type { ConsentBasis } from "~/generated/prisma/enums.ts";
import { applyConsentChange } from "~/domain/consent/changes.server.ts";
import { startCampaign } from "~/domain/campaigns/sender.server.ts";
import { startCampaignSender } from "~/domain/campaigns/worker.server.ts";
import { createMailTransport, type MailTransport } from "~/domain/mail/transport.server.ts";
import { ensureSigningKey } from "~/domain/tokens/keyring.server.ts";
import { createContact, createTopic, createUnit } from "../helpers/fixtures.ts";
import { startSmtpSink, type SmtpSink } from "../helpers/smtp-sink.ts";

// Honest footers (ADR 045), end to end: a campaign goes through the real sender to a real SMTP
// server, to people subscribed on each consent basis; each message as received says why that
// person gets it and carries "Advertisement" unless they gave express consent.

let sink: SmtpSink;
let transport: MailTransport;

beforeAll(async () => {
  await ensureSigningKey();
  sink = await startSmtpSink();
  transport = createMailTransport({ MAIL_TRANSPORT: "smtp", SMTP_URL: sink.url, OUTBOX_DIR: "unused" });
});

afterAll(async () => {
  await transport?.close();
  await sink?.close();
});

const CONSENTED_AT = new Date("2026-03-14T10:00:00Z");

/** What each basis's recipient must read in both parts of the message. */
const EXPECTED: Record<ConsentBasis, string> = {
  EXPRESS: "You subscribed to Tax tips from Example Tax on 14 March 2026.",
  IMPLIED_PURCHASE: "You receive Tax tips as a customer of Example Tax: you bought from it on 14 March 2026.",
  IMPLIED_INQUIRY: "You receive Tax tips because you asked Example Tax about its products or services on 14 March 2026.",
  SOFT_OPT_IN: "You receive Tax tips as a customer of Example Tax: you could say no when you gave your email address on 14 March 2026.",
  LEGITIMATE_INTEREST: "You receive Tax tips because you have dealt with Example Tax before, not because you signed up.",
};

/** Sends a campaign through the sender to one contact per basis; returns each basis's message as received. */
async function sendToEveryBasis(advertisementLabel: boolean) {
  const messages = await sendTo(advertisementLabel, (Object.keys(EXPECTED) as ConsentBasis[]).map((basis) => ({ basis })));
  return messages.map(({ person, ...message }) => ({ basis: person.basis, ...message }));
}

type Person = { name?: string; basis: ConsentBasis; locale?: string; timeZone?: string; consentedAt?: Date };

/** Sends a campaign through the sender to one contact per person; returns each person's message as received. */
async function sendTo<P extends Person>(advertisementLabel: boolean, people: P[]) {
  const unit = await createUnit({ displayName: "Example Tax" });
  const topic = await createTopic(unit.id, { name: "Tax tips" });
  const addressOf = new Map<string, P>();
  for (const person of people) {
    const contact = await createContact();
    if (person.locale || person.timeZone) await db.contact.update({ where: { id: contact.id }, data: { locale: person.locale ?? null, timeZone: person.timeZone ?? null } });
    const consentedAt = person.consentedAt ?? CONSENTED_AT;
    await applyConsentChange({ kind: "subscribe", contactId: contact.id, topicId: topic.id, channel: "EMAIL", basis: person.basis, consentedAt }, { source: "IMPORT" });
    addressOf.set(contact.email, person);
  }
  const campaign = await db.campaign.create({
    data: { unitId: unit.id, topicId: topic.id, name: "Spring", subject: "Spring tips", bodyMarkdown: "# Spring\n\nThree **tips**.", advertisementLabel },
  });
  const before = sink.received.length;
  await startCampaign(campaign.id);
  const sender = startCampaignSender({ transport, pollMs: 10, ratePerSecond: 5000, concurrency: 2 });
  try {
    for (let waited = 0; (await db.campaign.findUniqueOrThrow({ where: { id: campaign.id } })).status === "SENDING"; waited += 25) {
      if (waited > 20_000) throw new Error("the campaign did not finish within 20 s");
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  } finally {
    await sender.stop();
  }
  const received = sink.received.slice(before);
  expect(received.map((message) => message.to).sort()).toEqual([...addressOf.keys()].sort());
  return Promise.all(received.map(async (message) => ({ person: addressOf.get(message.to)!, raw: message.raw, email: await PostalMime.parse(message.raw) })));
}

describe("a campaign's footer, per recipient, as the SMTP server receives it", () => {
  it("says why each person gets it, from their consent record, and labels every copy sent without express consent", async () => {
    const messages = await sendToEveryBasis(false);
    expect(messages).toHaveLength(5);
    for (const { basis, raw, email } of messages) {
      for (const part of [email.html!, email.text!]) {
        expect(part, basis).toContain(EXPECTED[basis]);
        // Only express consent is "you subscribed".
        if (basis !== "EXPRESS") expect(part, basis).not.toContain("You subscribed");
        expect(part.includes("Advertisement"), `${basis}: Advertisement`).toBe(basis !== "EXPRESS");
      }
      // The encoded message itself: no line longer than RFC 2045's 76 characters in the parts.
      const body = raw.toString("latin1").split("\r\n\r\n").slice(1).join("\r\n\r\n");
      for (const line of body.split("\r\n")) expect(line.length).toBeLessThanOrEqual(76);
    }
  });

  it("labels every copy when the marketer ticked it, express consent included", async () => {
    const messages = await sendToEveryBasis(true);
    for (const { basis, email } of messages) {
      for (const part of [email.html!, email.text!]) {
        expect(part, basis).toContain("Advertisement");
        expect(part, basis).toContain(EXPECTED[basis]);
      }
    }
  });
});

describe("a campaign's footer in each recipient's language (ADR 047)", () => {
  it("is German for German contacts, with the consent sentence and the label of their record, and English for an English contact of the same campaign", async () => {
    const messages = await sendTo(false, [
      { name: "de-express", basis: "EXPRESS", locale: "de", timeZone: "Europe/Berlin", consentedAt: new Date("2026-03-14T23:30:00Z") },
      { name: "de-purchase", basis: "IMPLIED_PURCHASE", locale: "de-AT" },
      { name: "en-purchase", basis: "IMPLIED_PURCHASE" },
    ]);
    const byName = new Map(messages.map((message) => [message.person.name, message]));
    for (const part of ["html", "text"] as const) {
      const germanExpress = byName.get("de-express")!.email[part]!;
      // The day the consent fell on in Berlin: 23:30 UTC is already 15 March there.
      expect(germanExpress).toContain("Sie haben Tax tips von Example Tax am 15. März 2026 abonniert.");
      expect(germanExpress).toContain("Abmelden");
      expect(germanExpress).toContain("E-Mail-Einstellungen verwalten");
      expect(germanExpress).not.toContain("Werbung");
      expect(germanExpress).not.toMatch(/Advertisement|Unsubscribe|Manage your email preferences|You subscribed/);

      const germanPurchase = byName.get("de-purchase")!.email[part]!;
      expect(germanPurchase).toContain("Werbung");
      expect(germanPurchase).toContain("Sie erhalten Tax tips als Kundin oder Kunde von Example Tax: Sie haben dort am 14. März 2026 eingekauft.");
      expect(germanPurchase).not.toContain("Advertisement");

      const english = byName.get("en-purchase")!.email[part]!;
      expect(english).toContain("Advertisement");
      expect(english).toContain(EXPECTED.IMPLIED_PURCHASE);
      expect(english).toContain("Unsubscribe");
      expect(english).not.toMatch(/Werbung|Abmelden|Sie erhalten/);
    }
    // The body is the marketer's, the footer the recipient's language.
    expect(byName.get("de-express")!.email.html).toContain('<div lang="de">');
    expect(byName.get("en-purchase")!.email.html).not.toContain("<div lang=");
    // Umlauts and all, no encoded line passes 76 characters.
    for (const { raw } of messages) {
      const body = raw.toString("latin1").split("\r\n\r\n").slice(1).join("\r\n\r\n");
      for (const line of body.split("\r\n")) expect(line.length).toBeLessThanOrEqual(76);
    }
  });
});
