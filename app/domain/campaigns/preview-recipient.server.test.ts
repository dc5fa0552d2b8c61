import { beforeEach, describe, expect, it } from "vitest";
import { db } from "~/utils/db.server.ts";
import type { Staff } from "~/domain/accounts/staff.server.ts";
import { applyConsentChange } from "~/domain/consent/changes.server.ts";
import { createContact, createTopic, createUnit } from "../../../tests/helpers/fixtures.ts";
import { previewCampaign, type CampaignInput } from "./campaigns.server.ts";

// The composer's preview shows the email as a real member of the campaign's audience gets it,
// with their name, and with links that act for nobody (invariant 10).

const admin: Staff = { sessionId: "s", id: 0, email: "m@example.com", name: null, role: "ADMIN", contactId: null, unitIds: null };
let unit: { id: number };
let topic: { id: number };
let input: CampaignInput;

async function subscriber(name: string | null, email: string) {
  const contact = await createContact(email);
  if (name) await db.contact.update({ where: { id: contact.id }, data: { name } });
  await applyConsentChange({ kind: "subscribe", contactId: contact.id, topicId: topic.id, channel: "EMAIL", basis: "EXPRESS" }, { source: "IMPORT" });
  return contact;
}

beforeEach(async () => {
  unit = await createUnit();
  topic = await createTopic(unit.id);
  input = { unitId: unit.id, topicId: topic.id, subject: "Hi {{first_name|there}}", preheader: "", bodyMarkdown: "Dear {{name|reader}}, news.", advertisementLabel: false };
});

describe("the preview as a recipient", () => {
  it("shows the first member of the audience, or the one asked for, by name", async () => {
    const gone = await subscriber("Gone Away", "gone@example.com");
    await applyConsentChange({ kind: "unsubscribe", contactId: gone.id, topicId: topic.id, channel: "EMAIL" }, { source: "PREFERENCE_CENTER" });
    await subscriber("Anna <b>Berg</b>", "anna@example.com");
    await subscriber(null, "noname@example.com");

    const first = await previewCampaign(admin, input);
    expect(first.recipient).toEqual({ email: "anna@example.com", name: "Anna <b>Berg</b>" });
    expect(first.subject).toBe("Hi Anna");
    expect(first.html).toContain("Dear Anna &lt;b&gt;Berg&lt;/b&gt;, news.");

    const asked = await previewCampaign(admin, { ...input, previewAs: " NoName@Example.com " } as CampaignInput);
    expect(asked.recipient).toEqual({ email: "noname@example.com", name: null });
    expect(asked.subject).toBe("Hi there");
    expect(asked.text).toContain("Dear reader, news.");

    // Someone who left the audience, or a stranger, is not shown: the first member is, and the page says why.
    for (const previewAs of ["gone@example.com", "stranger@example.com", "not an address"]) {
      const other = await previewCampaign(admin, { ...input, previewAs } as CampaignInput);
      expect(other.recipient?.email, previewAs).toBe("anna@example.com");
      expect(other.recipientNote).toContain("is not in this campaign's audience");
    }
  });

  it("carries no link that acts for the recipient", async () => {
    await subscriber("Anna Berg", "anna.links@example.com");
    const preview = await previewCampaign(admin, input);
    const links = [...preview.html.matchAll(/href="([^"]+)"/g)].map((match) => match[1]);
    expect(links.filter((link) => /\/(u|p)\//.test(link))).toEqual([expect.stringMatching(/\/u\/preview$/)]);
  });

  it("falls back to a sample subscriber when the audience is empty", async () => {
    const preview = await previewCampaign(admin, input);
    expect(preview.recipient).toBeNull();
    expect(preview.subject).toBe("Hi there");
  });
});
