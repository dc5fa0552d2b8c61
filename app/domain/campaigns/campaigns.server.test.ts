import { beforeEach, describe, expect, it } from "vitest";
import { db } from "~/utils/db.server.ts";
import type { Staff } from "~/domain/accounts/staff.server.ts";
import { applyConsentChange } from "~/domain/consent/changes.server.ts";
import { createContact, createTopic, createUnit } from "../../../tests/helpers/fixtures.ts";
import { audienceSize, createCampaign, previewCampaign, updateDraft, type CampaignInput } from "./campaigns.server.ts";

// A marketer writes campaigns only for their own units: another unit is "not found" when
// creating, editing or previewing, and the audience query itself counts nobody outside them.

const staffOf = (unitIds: number[] | null): Staff => ({ sessionId: "s", id: 0, email: "m@example.com", name: null, role: unitIds ? "MARKETER" : "ADMIN", contactId: null, unitIds });

let unitA: { id: number };
let unitB: { id: number };
let topicA: { id: number };
let topicB: { id: number };
let marketerOfA: Staff;

const input = (unitId: number, topicId: number, subject = "Spring offers"): CampaignInput => ({
  unitId,
  topicId,
  subject,
  preheader: "",
  bodyMarkdown: "# Spring\n\nOur **best** offers.",
  advertisementLabel: false,
});

/** The thrown value, for asserting the "not found" the domain throws (routes answer it with a 404). */
const failure = (promise: Promise<unknown>) => promise.then(() => "it succeeded", (error: unknown) => error);
const NOT_FOUND = { name: "NotFoundError" };

async function subscribe(topicId: number, n: number) {
  for (let i = 0; i < n; i++) {
    const contact = await createContact();
    await applyConsentChange({ kind: "subscribe", contactId: contact.id, topicId, channel: "EMAIL", basis: "EXPRESS" }, { source: "IMPORT" });
  }
}

beforeEach(async () => {
  unitA = await createUnit();
  unitB = await createUnit();
  topicA = await createTopic(unitA.id);
  topicB = await createTopic(unitB.id);
  marketerOfA = staffOf([unitA.id]);
});

describe("a marketer's unit scope when writing campaigns", () => {
  it("creates a campaign for their unit, and for another unit gets a 404 with nothing written", async () => {
    const own = await createCampaign(marketerOfA, input(unitA.id, topicA.id));
    expect(await db.campaign.findUniqueOrThrow({ where: { id: own.id } })).toMatchObject({ unitId: unitA.id, topicId: topicA.id });

    expect(await failure(createCampaign(marketerOfA, input(unitB.id, topicB.id)))).toMatchObject(NOT_FOUND);
    // Their own unit with another unit's topic is refused too.
    expect(await failure(createCampaign(marketerOfA, input(unitA.id, topicB.id)))).toMatchObject({ name: "CampaignError", field: "topicId" });
    expect(await db.campaign.count({ where: { unitId: unitB.id } })).toBe(0);
    expect(await db.campaign.count({ where: { topicId: topicB.id } })).toBe(0);
  });

  it("cannot move their draft to another unit, nor edit another unit's draft", async () => {
    const own = await createCampaign(marketerOfA, input(unitA.id, topicA.id));
    const theirs = await createCampaign(staffOf([unitB.id]), input(unitB.id, topicB.id, "Unit B's offers"));

    expect(await failure(updateDraft(marketerOfA, own.id, input(unitB.id, topicB.id, "Moved")))).toMatchObject(NOT_FOUND);
    expect(await failure(updateDraft(marketerOfA, theirs.id, input(unitA.id, topicA.id, "Taken over")))).toMatchObject(NOT_FOUND);
    expect(await db.campaign.findUniqueOrThrow({ where: { id: own.id } })).toMatchObject({ unitId: unitA.id, topicId: topicA.id, subject: "Spring offers" });
    expect(await db.campaign.findUniqueOrThrow({ where: { id: theirs.id } })).toMatchObject({ unitId: unitB.id, topicId: topicB.id, subject: "Unit B's offers" });

    // Their own draft, within their unit, they can edit.
    await updateDraft(marketerOfA, own.id, input(unitA.id, topicA.id, "Summer offers"));
    expect(await db.campaign.findUniqueOrThrow({ where: { id: own.id } })).toMatchObject({ subject: "Summer offers" });
  });

  it("previews for their unit only; another unit's audience counts as nobody to them", async () => {
    await subscribe(topicA.id, 2);
    await subscribe(topicB.id, 3);

    expect((await previewCampaign(marketerOfA, input(unitA.id, topicA.id))).audience).toBe(2);
    expect(await failure(previewCampaign(marketerOfA, input(unitB.id, topicB.id)))).toMatchObject(NOT_FOUND);

    // The count query carries the scope itself, whoever calls it.
    expect(await audienceSize(marketerOfA, unitB.id, topicB.id)).toBe(0);
    expect(await audienceSize(staffOf([unitB.id]), unitB.id, topicB.id)).toBe(3);
    expect(await audienceSize(staffOf(null), unitB.id, topicB.id)).toBe(3);
  });
});
