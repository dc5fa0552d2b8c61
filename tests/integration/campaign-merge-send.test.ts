import PostalMime from "postal-mime";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { db } from "~/utils/db.server.ts";
import { applyConsentChange } from "~/domain/consent/changes.server.ts";
import { createMailTransport, type MailTransport } from "~/domain/mail/transport.server.ts";
import { ensureSigningKey } from "~/domain/tokens/keyring.server.ts";
import { startCampaign } from "~/domain/campaigns/sender.server.ts";
import { createContact, createTopic, createUnit } from "../helpers/fixtures.ts";
import { startSmtpSink, type SmtpSink } from "../helpers/smtp-sink.ts";
import { runSendersUntilDone } from "../helpers/campaign-sender.ts";

// A campaign with merge fields through the real sender to a real SMTP server: each person's
// copy carries their own name in the subject and body (the sender reads it with the delivery),
// escaped in the HTML; a person without a name gets the fallback.

let sink: SmtpSink;
let transport: MailTransport;

beforeEach(async () => {
  await ensureSigningKey();
  sink = await startSmtpSink();
  transport = createMailTransport({ MAIL_TRANSPORT: "smtp", SMTP_URL: sink.url, OUTBOX_DIR: "unused" });
});

afterEach(async () => {
  await db.campaign.updateMany({ where: { status: { in: ["SENDING", "SCHEDULED"] } }, data: { status: "CANCELLED" } });
  await transport.close();
  await sink.close();
});

/** Runs a sender until the campaign leaves SENDING (polling its state, not sleeping for a guess). */
function sendUntilDone(campaignId: number) {
  return runSendersUntilDone(campaignId, { transport });
}

describe("a campaign with merge fields", () => {
  it("sends each person their own name in the subject and body, and the fallback to a person without one", async () => {
    const unit = await createUnit({ displayName: "Example Tax" });
    const topic = await createTopic(unit.id);
    const people = [
      { email: "anna@example.com", name: "Anna <i>Berg</i>\r\nBcc: x@example.com" },
      { email: "bo@example.com", name: "Bo Li" },
      { email: "nameless@example.com", name: null },
    ];
    for (const person of people) {
      const contact = await createContact(person.email);
      await db.contact.update({ where: { id: contact.id }, data: { name: person.name } });
      await applyConsentChange({ kind: "subscribe", contactId: contact.id, topicId: topic.id, channel: "EMAIL", basis: "EXPRESS" }, { source: "IMPORT" });
    }
    const campaign = await db.campaign.create({
      data: { unitId: unit.id, topicId: topic.id, name: "Spring", subject: "{{first_name|Friend}}, spring offers from {{unit}}", bodyMarkdown: "Dear {{name|reader}}, our **best** offers." },
    });
    await startCampaign(campaign.id);
    expect(await sendUntilDone(campaign.id)).toBe("SENT");

    const byAddress = new Map<string, Awaited<ReturnType<typeof PostalMime.parse>>>();
    for (const message of sink.received) byAddress.set(message.to, await PostalMime.parse(message.raw));
    expect([...byAddress.keys()].sort()).toEqual(people.map((p) => p.email).sort());

    const anna = byAddress.get("anna@example.com")!;
    expect(anna.subject).toBe("Anna, spring offers from Example Tax");
    expect(anna.html).toContain("Dear Anna &lt;i&gt;Berg&lt;/i&gt; Bcc: x@example.com, our");
    expect(anna.headers.filter((h) => h.key === "bcc")).toEqual([]);
    expect(byAddress.get("bo@example.com")!.subject).toBe("Bo, spring offers from Example Tax");
    expect(byAddress.get("bo@example.com")!.text).toContain("Dear Bo Li, our");
    expect(byAddress.get("nameless@example.com")!.subject).toBe("Friend, spring offers from Example Tax");
    expect(byAddress.get("nameless@example.com")!.text).toContain("Dear reader, our");
  });
});
