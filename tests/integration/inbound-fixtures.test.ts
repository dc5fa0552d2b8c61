import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "~/utils/db.server.ts";
import { feedbackLoopAddress, returnPathFor } from "~/domain/feedback/addresses.server.ts";
import { recordInboundMessage } from "~/domain/feedback/inbound-server-record.server.ts";
import { startInboundServer, type InboundServer } from "~/domain/feedback/inbound-server.server.ts";
import { unitBounceDomain } from "~/domain/units/sender-facts.server.ts";
import { createContact, createTopic, createUnit } from "../helpers/fixtures.ts";
import { inboundClient, type InboundClient } from "../helpers/inbound-client.ts";

// Reports as real mail systems shape them (tests/fixtures/inbound), aimed at real deliveries and
// delivered over SMTP where their senders deliver them: DSNs to the return path, feedback-loop
// reports to the unit's fbl@ address. Each is stored with its kind and names its delivery.

const FIXTURES = path.resolve("tests/fixtures/inbound");
// The strings the fixtures' originals carry, to be replaced by a real delivery's.
const FIXTURE_RETURN_PATH = "bounces+c42-0123456789abcdef0123@bounces.example-tax.test";
const FIXTURE_MESSAGE_ID = "<abc@example-tax.test>";

/** file → kind, from the fixtures' README table. */
const fixtures = fs
  .readFileSync(path.join(FIXTURES, "README.md"), "utf8")
  .split("\n")
  .flatMap((line) => {
    const match = /^\| (\S+\.eml) \| .+ \| ([A-Z_]+) \|$/.exec(line);
    return match ? [{ file: match[1], kind: match[2] }] : [];
  });

let server: InboundServer;
let client: InboundClient;
let bounceDomain: string;
let campaignId: number;
let unitId: number;

beforeAll(async () => {
  const unit = await createUnit();
  unitId = unit.id;
  bounceDomain = unitBounceDomain(unit);
  const topic = await createTopic(unit.id);
  campaignId = (await db.campaign.create({ data: { unitId: unit.id, topicId: topic.id, name: "Sent", subject: "Sent", status: "SENT" } })).id;
  server = await startInboundServer({ port: 0, host: "127.0.0.1", receive: recordInboundMessage, log: () => {} });
  client = inboundClient(server.port);
});

afterAll(async () => {
  client?.close();
  await server?.close();
});

describe("reports from real mail systems, over SMTP", () => {
  it("lists the fixtures", () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(20);
  });

  it.each(fixtures)("$file → $kind, naming the delivery it reports on", async ({ file, kind }) => {
    const contact = await createContact();
    const delivery = await db.delivery.create({ data: { campaignId, contactId: contact.id, status: "SENT", messageId: `<${file}.${contact.id}@${bounceDomain}>` } });
    const returnPath = returnPathFor({ stream: "campaign", deliveryId: delivery.id }, bounceDomain);
    const raw = fs.readFileSync(path.join(FIXTURES, file), "latin1").replaceAll(FIXTURE_RETURN_PATH, returnPath).replaceAll(FIXTURE_MESSAGE_ID, delivery.messageId!);
    const fromFeedbackLoop = raw.includes("report-type=feedback-report");
    const to = fromFeedbackLoop ? feedbackLoopAddress(bounceDomain) : returnPath;
    await client.send({ from: "", to: [to] }, Buffer.from(raw, "latin1"));
    const stored = await db.inboundMessage.findFirstOrThrow({ where: { rcptTo: to }, orderBy: { id: "desc" } });
    expect(stored).toMatchObject({ kind, via: "SMTP", rcptTo: to, unitId });
    expect(stored.raw?.length).toBeGreaterThan(100);
    // A loop's report names the delivery through the original's return path or Message-ID, when it still carries them.
    if (!fromFeedbackLoop || kind === "COMPLAINT") expect(stored.deliveryId, "names the delivery").toBe(delivery.id);
  });
});
