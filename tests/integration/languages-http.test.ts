import { describe, expect, it } from "vitest";
import { addMember, MEMBER_PASSWORD } from "../helpers/accounts-http.ts";
import { DEMO } from "../helpers/demo-logins.ts";
import { emailedLink } from "../helpers/outbox.ts";
import { useRunningApp } from "../helpers/running-app.ts";

// Issue 20 point 6 over real HTTP against the production build: which language a page speaks,
// and where the switch stores a choice (on a known person's contact, never in a cookie).

const { app, appDb, http } = useRunningApp();

const lang = (html: string) => html.match(/<html lang="([^"]*)"/)?.[1];
const heading = (html: string) => html.match(/<h1[^>]*>(.*?)<\/h1>/s)?.[1].replaceAll("<!-- -->", "");

/** An Example Tax email subscriber who never chose a language. */
async function taxSubscriber(nth: number) {
  const subscription = await appDb.db.subscription.findFirstOrThrow({
    skip: nth,
    distinct: ["contactId"],
    where: { topic: { unit: { slug: "example-tax" } }, channel: "EMAIL", status: "SUBSCRIBED", contact: { unitOptOuts: { none: {} }, globalOptOuts: { none: {} }, locale: null } },
    orderBy: [{ contactId: "asc" }, { id: "asc" }],
    select: { contactId: true, topic: { select: { unitId: true } } },
  });
  return { contactId: subscription.contactId, unitId: subscription.topic.unitId };
}

const getAs = (path: string, headers: Record<string, string> = {}) => fetch(`${app.url}${path}`, { redirect: "manual", headers });

describe("the page's language", () => {
  it("follows Accept-Language on the unsubscribe page, English without it, and ?lang= over both", async () => {
    const { contactId, unitId } = await taxSubscriber(0);
    const path = http.pathOf(await appDb.link("unsubscribe", { contactId, unitId, topicId: null }));
    const german = await (await getAs(path, { "accept-language": "de-DE,de;q=0.9,en;q=0.5" })).text();
    expect(lang(german)).toBe("de");
    expect(heading(german)).toBe("Von Example Tax abmelden");
    expect(german).toContain("<title>Abmelden — Example Tax</title>");
    const english = await (await getAs(path)).text();
    expect([lang(english), heading(english)]).toEqual(["en", "Unsubscribe from Example Tax"]);
    const named = await (await getAs(`${path}?lang=en`, { "accept-language": "de" })).text();
    expect(lang(named)).toBe("en");
  });

  it("keeps staff pages, written in English only, in English for a German browser", async () => {
    const cookie = await http.signInAs(DEMO.admin);
    const page = await (await getAs("/admin/units", { "accept-language": "de", cookie })).text();
    expect(lang(page)).toBe("en");
    expect(lang(await (await getAs("/login", { "accept-language": "de" })).text())).toBe("de");
  });

  it("/u's own switch stores the choice and a real time zone on the link's contact, and it beats Accept-Language", async () => {
    const { contactId, unitId } = await taxSubscriber(1);
    const path = http.pathOf(await appDb.link("unsubscribe", { contactId, unitId, topicId: null }));
    const answer = await http.post(path, { intent: "language", language: "en", timeZone: "Europe/Berlin" });
    expect(answer.status).toBe(302);
    expect(answer.headers.get("location")).toBe(path);
    expect(answer.headers.get("set-cookie")).toBeNull();
    expect(await appDb.db.contact.findUniqueOrThrow({ where: { id: contactId }, select: { locale: true, timeZone: true } })).toEqual({ locale: "en", timeZone: "Europe/Berlin" });
    expect(lang(await (await getAs(path, { "accept-language": "de" })).text())).toBe("en");
    // A zone the runtime does not know is not stored; the earlier one stays.
    await http.post(path, { intent: "language", language: "de", timeZone: "Mars/Olympus_Mons" });
    expect(await appDb.db.contact.findUniqueOrThrow({ where: { id: contactId }, select: { locale: true, timeZone: true } })).toEqual({ locale: "de", timeZone: "Europe/Berlin" });
    // A language we do not write is refused, not stored.
    expect((await http.post(path, { intent: "language", language: "fr" })).status).toBe(400);
    expect((await appDb.db.contact.findUniqueOrThrow({ where: { id: contactId } })).locale).toBe("de");
  });

  it("/language sends a visitor back with ?lang= and stores nothing", async () => {
    const before = { sessions: await appDb.db.session.count() };
    const answer = await http.post("/language", { language: "de", returnTo: "/login?redirectTo=%2Faccount" });
    expect(answer.status).toBe(302);
    expect(answer.headers.get("location")).toBe("/login?redirectTo=%2Faccount&lang=de");
    expect(answer.headers.get("set-cookie")).toBeNull();
    expect(await appDb.db.session.count()).toBe(before.sessions);
    const page = await (await getAs("/login?lang=de")).text();
    expect([lang(page), heading(page)]).toEqual(["de", "Anmelden"]);
    // Only a path on this site: another host falls back to the home page.
    expect((await http.post("/language", { language: "de", returnTo: "//evil.example/x" })).headers.get("location")).toBe("/?lang=de");
    expect((await http.post("/language", { language: "xx" })).status).toBe(400);
    expect((await getAs("/language")).status).toBe(302);
  });

  it("/language stores a signed-in subscriber's choice on their contact, and every page follows it", async () => {
    const member = await addMember(appDb);
    const cookie = await http.signIn(member.email);
    const answer = await http.post("/language", { language: "de", returnTo: "/preferences/history?lang=en", timeZone: "America/New_York" }, { cookie });
    expect(answer.status).toBe(302);
    expect(answer.headers.get("location")).toBe("/preferences/history");
    expect(await appDb.db.contact.findUniqueOrThrow({ where: { id: member.contactId }, select: { locale: true, timeZone: true } })).toEqual({ locale: "de", timeZone: "America/New_York" });
    const history = await (await http.get("/preferences/history", { cookie })).text();
    expect([lang(history), heading(history)]).toEqual(["de", "Ihr Einwilligungsverlauf"]);
    // The root reads the session's contact: a page without its own language follows it too.
    expect(lang(await (await http.get("/account", { cookie })).text())).toBe("de");
  });

  it("a sign-up confirmed from a browser that sent its time zone dates the new contact in it", async () => {
    const email = `zone-${Date.now()}@example.org`;
    expect((await http.post("/signup", { email, name: "Zoned", password: MEMBER_PASSWORD })).status).toBe(200);
    const link = await confirmationLink(email);
    const confirmed = await http.post(new URL(link).pathname, { password: MEMBER_PASSWORD, timeZone: "Asia/Tokyo" });
    expect([confirmed.status, confirmed.headers.get("location")]).toEqual([302, "/welcome"]);
    const contact = await appDb.db.contact.findUniqueOrThrow({ where: { email }, select: { locale: true, timeZone: true } });
    // The zone, but no language: the person never chose one, so pages follow their browser.
    expect(contact).toEqual({ locale: null, timeZone: "Asia/Tokyo" });
  });
});

/** The confirmation link in the outbox, polled for: account mail goes out in the background. */
async function confirmationLink(email: string): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const link = await emailedLink(app.outboxDir, email, "sign-up-confirmation");
    if (link && new URL(link).pathname.startsWith("/signup/confirm/")) return link;
    if (Date.now() > deadline) throw new Error(`No sign-up confirmation reached ${email} within 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
