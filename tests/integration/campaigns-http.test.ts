import { beforeAll, describe, expect, it } from "vitest";
import { DEMO } from "../helpers/demo-logins.ts";
import { useRunningApp } from "../helpers/running-app.ts";

// The composer's pages over real HTTP against the production build with the demo data: the
// Example Tax marketer cannot create, edit, move or preview a campaign of Example Insurance.

const { app, appDb, http } = useRunningApp();
let marketer: string;
let admin: string;
let own: { unitId: number; topicId: number };
let other: { unitId: number; topicId: number };

async function unitAndTopic(unitSlug: string, topicSlug: string): Promise<{ unitId: number; topicId: number }> {
  const topic = await appDb.db.topic.findFirst({ where: { slug: topicSlug, unit: { slug: unitSlug } }, select: { id: true, unitId: true } });
  return { unitId: topic!.unitId, topicId: topic!.id };
}
const draft = (target: { unitId: number; topicId: number }, intent: string, subject = "Spring offers") => ({
  unitId: String(target.unitId),
  topicId: String(target.topicId),
  subject,
  preheader: "",
  bodyMarkdown: "Our **best** offers.",
  intent,
});
const campaignRow = (id: number) => appDb.db.campaign.findUnique({ where: { id }, select: { unitId: true, topicId: true, subject: true } });
const campaignsOf = (unitId: number) => appDb.db.campaign.count({ where: { unitId } });

async function createdId(response: Response): Promise<number> {
  expect(response.status, await response.clone().text()).toBe(302);
  return Number(response.headers.get("location")!.split("/").at(-1));
}

beforeAll(async () => {
  [marketer, admin] = await Promise.all([DEMO.taxMarketer, DEMO.admin].map(http.signInAs));
  own = await unitAndTopic("example-tax", "offers");
  other = await unitAndTopic("example-insurance", "offers");
});

describe("a marketer's units on the composer's pages", () => {
  it("creates a draft for their unit; for another unit, saving and previewing answer 404 and nothing is written", async () => {
    await createdId(await http.post("/campaigns/new", draft(own, "save"), { cookie: marketer }));
    const before = await campaignsOf(other.unitId);
    expect((await http.post("/campaigns/new", draft(other, "save"), { cookie: marketer })).status).toBe(404);
    expect((await http.post("/campaigns/new", draft(other, "preview"), { cookie: marketer })).status).toBe(404);
    expect(await campaignsOf(other.unitId)).toBe(before);
  });

  it("the live preview answers for their unit, and 404 for another", async () => {
    const mine = await http.post("/campaigns/preview", draft(own, "preview"), { cookie: marketer });
    expect(mine.status).toBe(200);
    expect(await mine.json()).toMatchObject({ audience: expect.any(Number) });
    const theirs = await http.post("/campaigns/preview", draft(other, "preview"), { cookie: marketer });
    expect(theirs.status).toBe(404);
    expect(await theirs.text()).not.toContain("Example Insurance");
  });

  it("cannot move their draft to another unit, nor save or preview over another unit's draft", async () => {
    const mineId = await createdId(await http.post("/campaigns/new", draft(own, "save"), { cookie: marketer }));
    const theirsId = await createdId(await http.post("/campaigns/new", draft(other, "save", "Insurance offers"), { cookie: admin }));

    expect((await http.post(`/campaigns/${mineId}`, draft(other, "save", "Moved"), { cookie: marketer })).status).toBe(404);
    expect((await http.post(`/campaigns/${mineId}`, draft(other, "preview"), { cookie: marketer })).status).toBe(404);
    expect((await http.post(`/campaigns/${theirsId}`, draft(own, "save", "Taken over"), { cookie: marketer })).status).toBe(404);
    expect(await campaignRow(mineId)).toEqual({ ...own, subject: "Spring offers" });
    expect(await campaignRow(theirsId)).toEqual({ ...other, subject: "Insurance offers" });

    // Their own draft, within their unit, saves.
    expect((await http.post(`/campaigns/${mineId}`, draft(own, "save", "Summer offers"), { cookie: marketer })).status).toBe(200);
    expect((await campaignRow(mineId))!.subject).toBe("Summer offers");
  });
});
