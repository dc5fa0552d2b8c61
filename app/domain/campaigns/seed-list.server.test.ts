import PostalMime from "postal-mime";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "~/utils/db.server.ts";
import type { Staff } from "~/domain/accounts/staff.server.ts";
import { createMailTransport, type MailTransport } from "~/domain/mail/transport.server.ts";
import { getKeyring, rotateSigningKey } from "~/domain/tokens/keyring.server.ts";
import { createTopic, createUnit } from "../../../tests/helpers/fixtures.ts";
import { startSmtpSink, type SmtpSink } from "../../../tests/helpers/smtp-sink.ts";
import { createCampaign, sendTestMessage } from "./campaigns.server.ts";
import { addSeedAddress, listSeedAddresses, removeSeedAddress, SEED_LIST_LIMIT } from "./seed-list.server.ts";

// A unit's seed list, and test copies sent to it through the smtp transport to a real SMTP
// server on loopback: personal, marked as tests, and leaving no delivery and no consent behind.

const staffOf = (unitIds: number[] | null): Staff => ({ sessionId: "s", id: 0, email: "marketer@example.com", name: "Mia Marketer", role: unitIds ? "MARKETER" : "ADMIN", contactId: null, unitIds });
const failure = (promise: Promise<unknown>) => promise.then(() => "it succeeded", (error: unknown) => error);

let sink: SmtpSink;
let transport: MailTransport;
let unitA: { id: number; displayName: string };
let unitB: { id: number };
let marketerOfA: Staff;

beforeAll(async () => {
  sink = await startSmtpSink();
  transport = createMailTransport({ MAIL_TRANSPORT: "smtp", SMTP_URL: sink.url, OUTBOX_DIR: "unused" });
  // The promotional stream's transport, as getMailTransport() keeps it: this test's sink.
  (globalThis as unknown as { __mailTransports?: Map<string, MailTransport> }).__mailTransports = new Map([["promotional", transport]]);
  if (!(await getKeyring()).signing) await rotateSigningKey();
});

afterAll(async () => {
  (globalThis as unknown as { __mailTransports?: unknown }).__mailTransports = undefined;
  await transport?.close();
  await sink?.close();
});

beforeEach(async () => {
  unitA = await createUnit({ displayName: "Example Tax" });
  unitB = await createUnit();
  marketerOfA = staffOf([unitA.id]);
});

describe("a unit's seed list", () => {
  it("keeps addresses normalised, refuses a bad one and a duplicate, and the eleventh with a clear message", async () => {
    expect(await addSeedAddress(marketerOfA, unitA.id, "  Ann@Example.COM ")).toMatchObject({ email: "ann@example.com" });
    expect(await failure(addSeedAddress(marketerOfA, unitA.id, "ann@example.com"))).toMatchObject({ name: "CampaignError", field: "email", message: expect.stringContaining("already") });
    expect(await failure(addSeedAddress(marketerOfA, unitA.id, "not an address"))).toMatchObject({ name: "CampaignError", field: "email" });
    for (let i = 2; i <= SEED_LIST_LIMIT; i++) await addSeedAddress(marketerOfA, unitA.id, `seed${i}@example.com`);
    const eleventh = await failure(addSeedAddress(marketerOfA, unitA.id, "eleven@example.com"));
    expect(eleventh).toMatchObject({ name: "CampaignError", field: "email", message: "The seed list of Example Tax is full: it holds 10 addresses. Remove one to add another." });
    expect(await db.seedAddress.count({ where: { unitId: unitA.id } })).toBe(SEED_LIST_LIMIT);
  });

  it("lets twenty marketers adding the tenth at once get only one in", async () => {
    for (let i = 1; i < SEED_LIST_LIMIT; i++) await addSeedAddress(marketerOfA, unitA.id, `seed${i}@example.com`);
    const results = await Promise.allSettled(Array.from({ length: 20 }, (_, n) => n).map((n) => addSeedAddress(marketerOfA, unitA.id, `late${n}@example.com`)));
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
    expect(await db.seedAddress.count({ where: { unitId: unitA.id } })).toBe(SEED_LIST_LIMIT);
  });

  it("belongs to the unit: another unit's marketer can neither read nor change it", async () => {
    const seed = await addSeedAddress(marketerOfA, unitA.id, "ann@example.com");
    const marketerOfB = staffOf([unitB.id]);
    expect(await failure(listSeedAddresses(marketerOfB, unitA.id))).toMatchObject({ name: "NotFoundError" });
    expect(await failure(addSeedAddress(marketerOfB, unitA.id, "eve@example.com"))).toMatchObject({ name: "NotFoundError" });
    expect(await failure(removeSeedAddress(marketerOfB, unitA.id, seed.id))).toMatchObject({ name: "NotFoundError" });
    // Nor through their own unit's id.
    await removeSeedAddress(marketerOfB, unitB.id, seed.id);
    expect(await listSeedAddresses(marketerOfA, unitA.id)).toEqual([{ id: seed.id, email: "ann@example.com" }]);
    // An admin works with every unit.
    expect(await listSeedAddresses(staffOf(null), unitA.id)).toHaveLength(1);
    await removeSeedAddress(marketerOfA, unitA.id, seed.id);
    expect(await listSeedAddresses(marketerOfA, unitA.id)).toEqual([]);
  });
});

describe("a test send to the seed list", () => {
  it("sends each address a copy marked as a test, with merge fields filled, and writes only an audit entry", async () => {
    const topic = await createTopic(unitA.id);
    const campaign = await createCampaign(marketerOfA, {
      unitId: unitA.id,
      topicId: topic.id,
      subject: "{{first_name|Friend}}, spring offers from {{unit}}",
      preheader: "",
      bodyMarkdown: "Dear {{name|reader}}, our **best** offers.",
      advertisementLabel: false,
    });
    expect(await failure(sendTestMessage(marketerOfA, campaign.id, undefined, "seed list"))).toMatchObject({ name: "CampaignError", message: expect.stringContaining("empty") });
    await addSeedAddress(marketerOfA, unitA.id, "ann@example.com");
    await addSeedAddress(marketerOfA, unitA.id, "bo@example.com");
    const before = { contacts: await db.contact.count(), events: await db.consentEvent.count() };
    const received: Buffer[] = [];
    sink.onMessage = (message) => void received.push(message.raw);

    expect(await sendTestMessage(marketerOfA, campaign.id, undefined, "seed list")).toEqual({ to: "the seed list (2 addresses)" });
    expect(received).toHaveLength(2);
    const messages = await Promise.all(received.map((raw) => PostalMime.parse(raw)));
    expect(messages.map((message) => message.to?.[0].address).sort()).toEqual(["ann@example.com", "bo@example.com"]);
    for (const message of messages) {
      expect(message.subject).toBe("[Test] Friend, spring offers from Example Tax");
      expect(message.text).toContain("Dear reader, our");
    }

    // To the marketer: their own name in the copy.
    received.length = 0;
    await sendTestMessage(marketerOfA, campaign.id);
    const own = await PostalMime.parse(received[0]);
    expect(own.subject).toBe("[Test] Mia, spring offers from Example Tax");
    expect(own.html).toContain("Dear Mia Marketer, our");

    expect(await db.delivery.count({ where: { campaignId: campaign.id } })).toBe(0);
    expect({ contacts: await db.contact.count(), events: await db.consentEvent.count() }).toEqual(before);
    const audit = await db.auditEvent.findMany({ where: { action: "campaign.test", target: `campaign:${campaign.id}` }, orderBy: { id: "asc" } });
    expect(audit.map((entry) => JSON.parse(entry.detail!))).toEqual([{ addresses: 2 }, { addresses: 1 }]);
    expect(audit[0].actorEmail).toBe("marketer@example.com");
  });
});
