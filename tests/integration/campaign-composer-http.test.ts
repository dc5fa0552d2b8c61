import { beforeAll, describe, expect, it } from "vitest";
import { plain, text } from "../helpers/page-text.ts";
import { DEMO } from "../helpers/demo-logins.ts";
import { useRunningApp } from "../helpers/running-app.ts";

// The composer's answers over real HTTP against the production build, as a page without
// JavaScript (and the live preview's script) posts them: every refusal is a 4xx that says why,
// a time means the chosen zone's clock, and "Send now" shows what goes before anything goes.

const { app, appDb, http } = useRunningApp();
let marketer: string;
let unitId: number;
let tipsId: number;
let nobodyId: number;

beforeAll(async () => {
  marketer = await http.signInAs(DEMO.taxMarketer);
  unitId = (await appDb.db.businessUnit.findUnique({ where: { slug: "example-tax" } }))!.id;
  tipsId = (await appDb.db.topic.findUnique({ where: { unitId_slug: { unitId, slug: "tax-tips" } } }))!.id;
  nobodyId = (
    await appDb.db.topic.create({
      data: { unitId, slug: "nobody-yet", name: "Nobody yet", description: "", offersEmail: true, offersPostal: false, offersPhone: false },
    })
  ).id;
});

const fields = (changes: Record<string, string> = {}) => ({ unitId: String(unitId), topicId: String(tipsId), subject: "Spring tips", preheader: "", bodyMarkdown: "File **early**.", ...changes });

async function newDraft(changes: Record<string, string> = {}): Promise<string> {
  const created = await http.post("/campaigns/new", { ...fields(changes), intent: "save" }, { cookie: marketer });
  expect(created.status).toBe(302);
  return created.headers.get("location")!;
}
const campaign = async (path: string) =>
  (await appDb.db.campaign.findUnique({
    where: { id: Number(path.split("/").at(-1)) },
    select: { status: true, subject: true, topicId: true, scheduledAt: true, scheduleTimeZone: true },
  }))!;

describe("the live preview", () => {
  it("answers a draft it cannot show with 400 and JSON naming the field, never a page", async () => {
    const response = await http.post("/campaigns/preview", fields({ bodyMarkdown: "" }), { cookie: marketer });
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({ error: "Write the message.", field: "bodyMarkdown" });
  });

  it("answers a marketer signed out meanwhile with 401 and JSON, not the sign-in page", async () => {
    const response = await http.post("/campaigns/preview", fields());
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: expect.stringMatching(/^You are signed out\./) });
  });

  it("answers a body that is not a form with 400 and the same JSON refusal, never a plain-text page", async () => {
    const response = await http.post("/campaigns/preview", fields(), { cookie: marketer });
    expect(response.status).toBe(200);
    const json = await fetch(`${app.url}/campaigns/preview`, {
      method: "POST",
      body: JSON.stringify(fields()),
      headers: { cookie: marketer, origin: app.url, "content-type": "application/json" },
    });
    expect(json.status).toBe(400);
    expect(json.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await json.json()).toEqual({ error: "Choose a unit and a topic to preview." });
  });

  it("answers a draft it can show with the email and the audience", async () => {
    const response = await http.post("/campaigns/preview", fields(), { cookie: marketer });
    expect(response.status).toBe(200);
    const preview = (await response.json()) as { subject: string; html: string; audience: number };
    expect(preview.subject).toBe("Spring tips");
    expect(preview.audience).toBeGreaterThan(0);
  });
});

describe("scheduling", () => {
  const schedule = (path: string, when: Record<string, string>, changes: Record<string, string> = {}) =>
    http.post(path, { ...fields(changes), ...when, intent: "schedule" }, { cookie: marketer });

  it("takes the time on the chosen zone's clock, across a change of summer time, and saves the form with it", async () => {
    const path = await newDraft();
    const winter = await schedule(path, { scheduledAt: "2030-01-15T09:00", timeZone: "America/New_York" }, { subject: "Edited as it was scheduled" });
    expect(winter.status).toBe(200);
    expect(await campaign(path)).toMatchObject({
      status: "SCHEDULED",
      subject: "Edited as it was scheduled",
      scheduledAt: new Date("2030-01-15T14:00:00Z"),
      scheduleTimeZone: "America/New_York",
    });
    expect(await text(await http.get(path, { cookie: marketer }))).toContain(
      "Scheduled for Tuesday 15 January 2030, 09:00 (America/New York) , which is Tuesday 15 January 2030, 14:00 UTC.",
    );

    expect((await http.post(path, { intent: "cancel" }, { cookie: marketer })).status).toBe(200);
    expect(await campaign(path)).toMatchObject({ status: "DRAFT", scheduledAt: null, scheduleTimeZone: null });
    expect((await schedule(path, { scheduledAt: "2030-07-15T09:00", timeZone: "America/New_York" })).status).toBe(200);
    expect((await campaign(path)).scheduledAt).toEqual(new Date("2030-07-15T13:00:00Z"));
  });

  it("without a zone (a page without JavaScript left on UTC, or a script), the time is UTC and the page says so", async () => {
    const path = await newDraft();
    expect((await http.post(path, { intent: "schedule", scheduledAt: "2030-01-15T09:00" }, { cookie: marketer })).status).toBe(200);
    expect(await campaign(path)).toMatchObject({ scheduledAt: new Date("2030-01-15T09:00:00Z"), scheduleTimeZone: "UTC" });
    expect(await text(await http.get(path, { cookie: marketer }))).toContain("Scheduled for Tuesday 15 January 2030, 09:00 (UTC) .");
  });

  it("refuses, with 400 and the reason on the form, a past time, a time the clocks skip, no time and an unknown zone", async () => {
    const path = await newDraft();
    const cases: [Record<string, string>, string][] = [
      [
        { scheduledAt: "2020-01-15T09:00", timeZone: "America/New_York" },
        "Choose a time at least a minute from now, or send it now. You chose Wednesday 15 January 2020, 09:00 in America/New_York (Wednesday 15 January 2020, 14:00 UTC).",
      ],
      [{ scheduledAt: "2030-03-10T02:30", timeZone: "America/New_York" }, "2030-03-10 02:30 does not exist in America/New_York: the clocks go forward then. Choose another time."],
      [{ scheduledAt: "", timeZone: "UTC" }, "Choose a date and time to send it."],
      [{ scheduledAt: "2030-02-31T09:00", timeZone: "UTC" }, "Choose a date and time to send it."],
      [{ scheduledAt: "2030-01-15T09:00", timeZone: "Mars/Olympus_Mons" }, "Choose a time zone from the list."],
    ];
    for (const [when, message] of cases) {
      const response = await schedule(path, when, { subject: "Typed, not saved" });
      expect(response.status, JSON.stringify(when)).toBe(400);
      const page = await response.text();
      expect(plain(page), JSON.stringify(when)).toContain(message);
      // What was typed comes back in the form.
      expect(page).toContain('value="Typed, not saved"');
      expect(await campaign(path)).toMatchObject({ status: "DRAFT", subject: "Spring tips", scheduledAt: null });
    }
  });
});

describe("a new campaign", () => {
  it("refuses a request for a button the page does not have with 400, and saves nothing", async () => {
    const before = await appDb.db.campaign.count();
    const unknown = await http.post("/campaigns/new", { ...fields({ subject: "Launched by mistake" }), intent: "launch" }, { cookie: marketer });
    expect(unknown.status).toBe(400);
    const page = await unknown.text();
    expect(plain(page)).toContain("That request was not understood.");
    // The form comes back as typed.
    expect(page).toContain('value="Launched by mistake"');
    expect(await appDb.db.campaign.count()).toBe(before);
  });
});

describe("send now", () => {
  it("first restates unit, topic, subject and audience and changes nothing; the confirmed form is what is saved and sent", async () => {
    const path = await newDraft();
    const asked = await http.post(path, { ...fields({ subject: "Edited, then confirmed" }), intent: "confirm-send" }, { cookie: marketer });
    expect(asked.status).toBe(200);
    const page = await text(asked);
    expect(page).toContain("Send this campaign now?");
    expect(page).toMatch(/Business unit Example Tax Topic Tax tips Subject Edited, then confirmed Audience now \d+ people/);
    expect(await campaign(path)).toMatchObject({ status: "DRAFT", subject: "Spring tips" });

    const sent = await http.post(path, { ...fields({ subject: "Edited, then confirmed" }), intent: "send" }, { cookie: marketer });
    expect(sent.status).toBe(200);
    expect(await text(sent)).toContain("Sending has started.");
    expect((await campaign(path)).status).not.toBe("DRAFT");
    expect((await campaign(path)).subject).toBe("Edited, then confirmed");
  });

  it("refuses an audience of nobody with 400 and says why, at the confirmation and at the send", async () => {
    const path = await newDraft();
    const message = "Nobody would receive this campaign: no one may get “Nobody yet” by email right now. Choose another topic, or send it later.";
    for (const intent of ["confirm-send", "send"]) {
      const response = await http.post(path, { ...fields({ topicId: String(nobodyId) }), intent }, { cookie: marketer });
      expect(response.status, intent).toBe(400);
      expect(await text(response), intent).toContain(message);
    }
    // Saved on that topic, a bare "send" (a script) is refused the same way.
    expect((await http.post(path, { ...fields({ topicId: String(nobodyId) }), intent: "save" }, { cookie: marketer })).status).toBe(200);
    const bare = await http.post(path, { intent: "send" }, { cookie: marketer });
    expect(bare.status).toBe(400);
    expect(await text(bare)).toContain(message);
    expect(await campaign(path)).toMatchObject({ status: "DRAFT", topicId: nobodyId });
  });

  it("refuses a form it cannot send with 400 naming the field, and an unknown request with 400", async () => {
    const path = await newDraft();
    const empty = await http.post(path, { ...fields({ bodyMarkdown: " " }), intent: "confirm-send" }, { cookie: marketer });
    expect(empty.status).toBe(400);
    expect(await text(empty)).toContain("Write the message.");
    const unknown = await http.post(path, { intent: "launch" }, { cookie: marketer });
    expect(unknown.status).toBe(400);
    expect(await text(unknown)).toContain("That request was not understood.");
    expect((await campaign(path)).status).toBe("DRAFT");
  });
});
