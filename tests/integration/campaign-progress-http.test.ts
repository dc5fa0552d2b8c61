import { beforeAll, describe, expect, it } from "vitest";
import { DEMO } from "../helpers/demo-logins.ts";
import { useRunningApp } from "../helpers/running-app.ts";

// The campaign page's progress over real HTTP (its 2 s poll asks the same loader): the counts
// come from the campaign row, so a change of audience after the start does not move
// "still to go" until the sender lists it. No sender runs here: the campaign stays where it started.

const { appDb, http } = useRunningApp({ env: { CAMPAIGN_SENDER: "off" } });
let marketer: string;
let target: { unitId: number; topicId: number };

const fields = (intent: string) => ({
  unitId: String(target.unitId),
  topicId: String(target.topicId),
  subject: "Progress check",
  preheader: "",
  bodyMarkdown: "Our **best** offers.",
  intent,
});

/** The figures the campaign page shows (what the poll re-renders), by their labels, and its status. */
async function page(id: number): Promise<{ status: string; figures: Record<string, string>; timeline: boolean }> {
  const response = await http.get(`/campaigns/${id}`, { cookie: marketer });
  expect(response.status).toBe(200);
  const html = await response.text();
  const figures = Object.fromEntries([...html.matchAll(/<dt>([^<]*)<\/dt><dd>([^<]*)<\/dd>/g)].map(([, label, value]) => [label.replace(/&#x27;/g, "'"), value]));
  const status = /class="status-badge status-(\w+)"/.exec(html)?.[1] ?? "none";
  return { status, figures, timeline: html.includes("campaign-timeline") };
}

async function audienceNow(): Promise<number> {
  const response = await http.post("/campaigns/preview", fields("preview"), { cookie: marketer });
  expect(response.status).toBe(200);
  return ((await response.json()) as { audience: number }).audience;
}

beforeAll(async () => {
  marketer = await http.signInAs(DEMO.taxMarketer);
  const offers = (await appDb.db.topic.findFirst({ where: { slug: "offers", unit: { slug: "example-tax" } }, select: { id: true, unitId: true } }))!;
  target = { unitId: offers.unitId, topicId: offers.id };
});

describe("the campaign page while a campaign sends", () => {
  it("shows the audience counted at the start through an opt-out, a pause and a resume; it does not recount", async () => {
    const created = await http.post("/campaigns/new", fields("save"), { cookie: marketer });
    expect(created.status, await created.clone().text()).toBe(302);
    const id = Number(created.headers.get("location")!.split("/").at(-1));
    const atStart = await audienceNow();
    expect(atStart).toBeGreaterThan(1);
    const sent = await http.post(`/campaigns/${id}`, fields("send"), { cookie: marketer });
    expect(sent.status, await sent.clone().text()).toBe(200);
    const started = (status: string) => ({
      status,
      figures: expect.objectContaining({ Sent: "0", Failed: "0", "Still to go (at most)": String(atStart) }),
      timeline: false,
    });
    const first = await page(id);
    expect(first).toEqual(started("sending"));

    // Someone in the audience unsubscribes by one-click (the first active subscriber who was
    // eligible: the audience now drops by one), but the campaign's figure does not move.
    const subscribers = await appDb.db.subscription.findMany({
      where: { topicId: target.topicId, channel: "EMAIL", status: "SUBSCRIBED" },
      orderBy: { contactId: "asc" },
      take: 5,
      select: { contactId: true },
    });
    let audience = atStart;
    for (const { contactId } of subscribers) {
      const link = await appDb.link("unsubscribe", { contactId, unitId: target.unitId, topicId: target.topicId });
      const unsubscribed = await fetch(link, { method: "POST", body: new URLSearchParams({ "List-Unsubscribe": "One-Click" }), redirect: "manual" });
      expect(unsubscribed.status).toBe(200);
      audience = await audienceNow();
      if (audience < atStart) break;
    }
    expect(audience).toBe(atStart - 1);
    expect(await page(id)).toEqual(started("sending"));

    expect((await http.post(`/campaigns/${id}`, { intent: "pause" }, { cookie: marketer })).status).toBe(200);
    expect(await page(id)).toEqual(started("paused"));
    expect((await http.post(`/campaigns/${id}`, { intent: "resume" }, { cookie: marketer })).status).toBe(200);
    expect(await page(id)).toEqual(started("sending"));
  });
});
