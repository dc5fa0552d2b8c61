import { beforeAll, describe, expect, it } from "vitest";
import { DEMO } from "../helpers/demo-logins.ts";
import { useRunningApp } from "../helpers/running-app.ts";

// The campaign library over real HTTP against the production build (ADR 052): the GET filters
// answer bad input with a 400, duplicate, archive and stop work as plain posts, the progress
// page refreshes itself only without JavaScript, and a pause is a notice, not an error.
// No sender runs: a started campaign stays where it started.

const { appDb, http } = useRunningApp({ env: { CAMPAIGN_SENDER: "off" } });
let marketer: string;
let admin: string;
let target: { unitId: number; topicId: number };

const fields = (intent: string, subject = "Library check") => ({
  unitId: String(target.unitId),
  topicId: String(target.topicId),
  subject,
  preheader: "A short preheader",
  bodyMarkdown: "Our **best** offers.",
  intent,
});

async function newDraft(subject: string): Promise<number> {
  const created = await http.post("/campaigns/new", fields("save", subject), { cookie: marketer });
  expect(created.status, await created.clone().text()).toBe(302);
  return Number(created.headers.get("location")!.split("/").at(-1));
}

const html = async (path: string, cookie = marketer) => {
  const response = await http.get(path, { cookie });
  return { status: response.status, text: await response.text() };
};

beforeAll(async () => {
  [marketer, admin] = await Promise.all([DEMO.taxMarketer, DEMO.admin].map(http.signInAs));
  const offers = (await appDb.db.topic.findFirst({ where: { slug: "offers", unit: { slug: "example-tax" } }, select: { id: true, unitId: true } }))!;
  target = { unitId: offers.unitId, topicId: offers.id };
});

describe("/campaigns", () => {
  it("answers a bad filter with a 400 that names it, never a 500", async () => {
    for (const query of ["status=NOPE", "from=2026-13-45", "unit=abc", "before=-3", "from=2026-05-03&to=2026-05-01"]) {
      const page = await html(`/campaigns?${query}`);
      expect(page.status, query).toBe(400);
    }
  });

  it("duplicates into a 'Copy of …' draft, archives it out of the default list, and shows it again when asked", async () => {
    const id = await newDraft(`Library original ${Date.now()}`);
    const duplicated = await http.post(`/campaigns/${id}`, { intent: "duplicate" }, { cookie: marketer });
    expect(duplicated.status).toBe(303);
    const copyId = Number(duplicated.headers.get("location")!.split("/").at(-1));
    expect((await appDb.db.campaign.findUniqueOrThrow({ where: { id: copyId } })).name).toMatch(/^Copy of Library original/);

    expect((await http.post(`/campaigns/${copyId}`, { intent: "archive" }, { cookie: marketer })).status).toBe(200);
    expect((await html("/campaigns?status=DRAFT")).text).not.toContain(`/campaigns/${copyId}"`);
    expect((await html("/campaigns?status=DRAFT&archived=1")).text).toContain(`/campaigns/${copyId}"`);

    // Every step is in the audit log, found by the campaign's target.
    const audit = await html(`/admin/audit?target=campaign:${copyId}`, admin);
    expect(audit.status).toBe(200);
    // (The action names are also in the filter's suggestions: the entries are the <code> cells.)
    expect(audit.text).toContain("<code>campaign.duplicate</code>");
    expect(audit.text).toContain("<code>campaign.archive</code>");
    expect(audit.text).not.toContain("<code>campaign.create</code>");
  });

  it("a sending campaign refreshes itself only without JavaScript; paused is a notice; stopped says how many were sent and how many never will be", async () => {
    const id = await newDraft("Stop check");
    expect((await http.post(`/campaigns/${id}`, fields("send", "Stop check"), { cookie: marketer })).status).toBe(200);
    const sending = await html(`/campaigns/${id}`);
    // Only inside noscript: with JavaScript the page polls and keeps its scroll position.
    expect(sending.text).toMatch(/<noscript><meta http-equiv="refresh" content="5"\/?><\/noscript>/);
    expect(sending.text.replace(/<noscript>.*?<\/noscript>/gs, "")).not.toContain('http-equiv="refresh"');

    expect((await http.post(`/campaigns/${id}`, { intent: "pause" }, { cookie: marketer })).status).toBe(200);
    const paused = await html(`/campaigns/${id}`);
    expect(paused.text).toContain('data-testid="paused-notice"');
    expect(paused.text).not.toMatch(/form-message error[^>]*>\s*<p>Paused by a marketer/);

    expect((await http.post(`/campaigns/${id}`, { intent: "stop" }, { cookie: marketer })).status).toBe(200);
    const stopped = await html(`/campaigns/${id}`);
    // React marks the joins of text pieces with empty comments.
    const stoppedText = stopped.text.replace(/<!-- -->/g, "");
    const { audienceCount } = await appDb.db.campaign.findUniqueOrThrow({ where: { id }, select: { audienceCount: true } });
    expect(stopped.text).toContain("status-stopped");
    expect(stopped.text).not.toContain('http-equiv="refresh"');
    expect(stoppedText).toMatch(new RegExp(`0 messages were sent, and ${audienceCount!.toLocaleString("en-GB")} (people|person) will never get it`));
    // What was sent is shown, in a frame that runs nothing, with no link that acts for a recipient.
    expect(stopped.text).toContain('data-testid="sent-subject">Stop check<');
    expect(stopped.text).toContain('sandbox=""');
    expect(stopped.text).not.toMatch(/\/u\/[A-Za-z0-9_-]{20,}/);

    // Never resumed.
    expect((await http.post(`/campaigns/${id}`, { intent: "resume" }, { cookie: marketer })).status).toBe(400);
    expect((await appDb.db.campaign.findUniqueOrThrow({ where: { id } })).status).toBe("STOPPED");
  });

  it("a scheduled campaign is edited in the composer until it starts", async () => {
    const id = await newDraft("Scheduled edit");
    const at = new Date(Date.now() + 86_400_000).toISOString().slice(0, 16);
    expect((await http.post(`/campaigns/${id}`, { ...fields("schedule", "Scheduled edit"), scheduledAt: at, timeZone: "UTC" }, { cookie: marketer })).status).toBe(200);
    const edited = await http.post(`/campaigns/${id}`, fields("save", "Scheduled, then edited"), { cookie: marketer });
    expect(edited.status, await edited.clone().text()).toBe(200);
    expect(await appDb.db.campaign.findUniqueOrThrow({ where: { id }, select: { status: true, subject: true } })).toEqual({ status: "SCHEDULED", subject: "Scheduled, then edited" });
  });
});
