import { describe, expect, it } from "vitest";
import { addMember } from "../helpers/accounts-http.ts";
import { useRunningApp } from "../helpers/running-app.ts";

// /preferences over HTTP, as a browser without JavaScript posts it: a save writes only what the
// person changed from what their page showed, so an old page never undoes a newer choice.

const { app, appDb, http } = useRunningApp();

const decode = (text: string) => text.replace(/<!-- -->/g, "").replace(/&quot;/g, '"').replace(/&#x27;|&#39;/g, "'").replace(/&amp;/g, "&");

/** The fields one <form> of the page posts as drawn: hidden inputs, and checkboxes that are ticked. */
function formFields(html: string, buttonText: string): [string, string][] {
  const form = [...html.matchAll(/<form[^>]*>([\s\S]*?)<\/form>/g)].map((m) => m[1]).find((body) => body.replace(/<!-- -->/g, "").includes(buttonText));
  if (!form) throw new Error(`No form with "${buttonText}" on the page`);
  const fields: [string, string][] = [];
  for (const [input] of form.matchAll(/<input[^>]*>/g)) {
    const name = decode(/name="([^"]*)"/.exec(input)?.[1] ?? "");
    const value = decode(/value="([^"]*)"/.exec(input)?.[1] ?? "on");
    const type = /type="([^"]*)"/.exec(input)?.[1];
    if (!name) continue;
    if (type === "checkbox" && !/\schecked(=|\s|>|\/)/.test(input)) continue;
    fields.push([name, value]);
  }
  return fields;
}

const unitId = async (slug: string) => (await appDb.db.businessUnit.findUniqueOrThrow({ where: { slug } })).id;

describe("a stale preferences page", () => {
  it("never undoes a choice made since it was drawn: the save writes only what the person changed, and says what moved", async () => {
    const member = await addMember(appDb);
    const tax = await unitId("example-tax");
    const [tips, offers] = await appDb.db.topic.findMany({ where: { unitId: tax, archivedAt: null }, select: { id: true, name: true }, orderBy: { name: "asc" } });
    const now = new Date();
    for (const topic of [tips, offers]) {
      await appDb.db.subscription.create({
        data: { contactId: member.contactId, topicId: topic.id, channel: "EMAIL", status: "SUBSCRIBED", basis: "EXPRESS", consentedAt: now, updatedAt: now },
      });
    }
    const cookie = await http.signIn(member.email);

    // Tab A: the page as drawn, both topics ticked.
    const pageA = await (await http.get("/preferences", { cookie })).text();
    const cardA = formFields(pageA, "Save Example Tax preferences");

    // Tab B: the unsubscribe link for the first topic, "only this topic".
    const link = await appDb.link("unsubscribe", { contactId: member.contactId, unitId: tax, topicId: tips.id });
    const unsubscribed = await http.post(http.pathOf(link), { intent: "choose", choice: "topic" }, { origin: app.url });
    expect(unsubscribed.status).toBe(200);
    const status = async (topicId: number) =>
      (await appDb.db.subscription.findUniqueOrThrow({ where: { contactId_topicId_channel: { contactId: member.contactId, topicId, channel: "EMAIL" } } })).status;
    expect(await status(tips.id)).toBe("UNSUBSCRIBED");

    // Tab A again: the person unticks the second topic only, and presses the card's Save.
    const offersBox = `topic:${offers.id}:EMAIL`;
    const save = await http.post("/preferences", new URLSearchParams(cardA.filter(([name]) => name !== offersBox)), { cookie, origin: app.url });
    // Post, redirect, get: a refresh of the answer never posts again (issue 20).
    expect(save.status).toBe(303);
    expect(save.headers.get("location")).toBe("/preferences");
    expect(await status(tips.id)).toBe("UNSUBSCRIBED");
    expect(await status(offers.id)).toBe("UNSUBSCRIBED");
    const ledger = await appDb.db.consentEvent.findMany({ where: { contactId: member.contactId }, select: { action: true, source: true, topicId: true }, orderBy: { id: "asc" } });
    expect(ledger).toEqual([
      { action: "UNSUBSCRIBE", source: "LINK_PAGE", topicId: tips.id },
      { action: "UNSUBSCRIBE", source: "PREFERENCE_CENTER", topicId: offers.id },
    ]);
    // The page it leads to says what changed elsewhere and shows the current state, once.
    const flash = /pc_flash=[^;]*/.exec(save.headers.get("set-cookie") ?? "")?.[0];
    expect(flash).toBeDefined();
    const shown = await http.get("/preferences", { cookie: `${cookie}; ${flash}` });
    const answer = await shown.text();
    expect(decode(answer)).toContain(`changed since this page was opened`);
    expect(decode(answer)).toContain(`${tips.name} from Example Tax by email: now off`);
    expect(shown.headers.get("set-cookie")).toMatch(/pc_flash=;.*Max-Age=0/i);
    expect(decode(await (await http.get("/preferences", { cookie })).text())).not.toContain(`changed since this page was opened`);
    const tipsBoxes = formFields(answer, "Save Example Tax preferences").filter(([name]) => name === `topic:${tips.id}:EMAIL`);
    expect(tipsBoxes).toEqual([]);
  });

  it("refuses a save whose controls do not say what the page showed (an old or crafted form)", async () => {
    const member = await addMember(appDb);
    const cookie = await http.signIn(member.email);
    const tips = await appDb.db.topic.findFirstOrThrow({ where: { unitId: await unitId("example-tax") }, orderBy: { name: "asc" }, select: { id: true } });
    const name = `topic:${tips.id}:EMAIL`;
    const response = await http.post("/preferences", { intent: "save", shown: name, [name]: "on" }, { cookie, origin: app.url });
    expect(response.status).toBe(400);
    expect(await appDb.db.consentEvent.count({ where: { contactId: member.contactId } })).toBe(0);
  });
});
