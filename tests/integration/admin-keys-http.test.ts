import { beforeAll, describe, expect, it, vi } from "vitest";
import { emailedLink } from "../helpers/outbox.ts";
import { DEMO } from "../helpers/demo-logins.ts";
import { useRunningApp } from "../helpers/running-app.ts";

// /admin/keys over real HTTP against the production build: signature counts, rotation, then
// retirement, and what links signed with each key do afterwards.

const { app, appDb, http } = useRunningApp();
let admin: string;
let recipient: { contactId: number; unitId: number; topicId: number };

const pageText = async (response: Response) => (await response.text()).replaceAll("<!-- -->", "");
const activeKids = async () => (await appDb.db.signingKey.findMany({ where: { retiredAt: null }, orderBy: { id: "asc" }, select: { kid: true } })).map((k) => k.kid);
/** Links the app has signed with a key, as written to the table (null when none). */
const signedWith = async (kid: string) => (await appDb.db.signingKeyUse.aggregate({ where: { key: { kid } }, _sum: { count: true } }))._sum.count;

/** The first contact (by id) subscribed by email to an Example Tax topic with no opt-out, other than `except`. */
async function taxSubscriber(except?: number): Promise<{ contactId: number; unitId: number; topicId: number }> {
  const subscription = await appDb.db.subscription.findFirst({
    where: {
      topic: { unit: { slug: "example-tax" } },
      channel: "EMAIL",
      status: "SUBSCRIBED",
      contact: { unitOptOuts: { none: {} }, globalOptOuts: { none: {} } },
      ...(except === undefined ? {} : { contactId: { not: except } }),
    },
    orderBy: [{ contactId: "asc" }, { id: "asc" }],
    select: { contactId: true, topicId: true, topic: { select: { unitId: true } } },
  });
  return { contactId: subscription!.contactId, unitId: subscription!.topic.unitId, topicId: subscription!.topicId };
}
const kidOf = (url: string) => JSON.parse(Buffer.from(url.split("/").at(-1)!.split(".")[0], "base64url").toString()).kid as string;

/** The row of a key on /admin/keys: its state and the two counts. */
async function keyRow(kid: string) {
  const page = await pageText(await http.get("/admin/keys", { cookie: admin }));
  const row = [...page.matchAll(/<tr[^>]*>[\s\S]*?<\/tr>/g)].map((m) => m[0]).find((tr) => tr.includes(`<code>${kid}</code>`));
  if (!row) throw new Error(`No row for key ${kid}`);
  const counts = [...row.matchAll(/class="number">([\d,]+)</g)].map((m) => Number(m[1].replaceAll(",", "")));
  return { row, last7: counts[0], last30: counts[1] };
}

/** Asks the app to email Jane a new preferences link: the app signs tokens for it. */
async function appSignsLinks() {
  const response = await http.post("/links/new", { email: "jane.doe@example.com" });
  expect(response.status).toBe(200);
}

beforeAll(async () => {
  admin = await http.signInAs(DEMO.admin);
  recipient = await taxSubscriber();
});

describe("the keys page", () => {
  it("lists the key that signs new links and counts the links the app signs with it", async () => {
    const [kid] = await activeKids();
    const before = await keyRow(kid);
    expect(before.row).toContain("Active — signs new links");
    await appSignsLinks();
    await vi.waitFor(async () => expect((await keyRow(kid)).last7).toBeGreaterThan(before.last7), { timeout: 10_000, interval: 200 });
    const after = await keyRow(kid);
    expect(after.last30).toBe(after.last7);
    // Written to the table (the page flushed the web process's counts before reading).
    expect(await signedWith(kid)).toBe(after.last7);
  });

  it("asks before rotating and before retiring, and says what retiring means: unsubscribe links keep working", async () => {
    const rotate = await pageText(await http.get("/admin/keys?confirm=rotate", { cookie: admin }));
    expect(rotate).toContain("Rotate the signing key?");
    expect(rotate).toContain("Links already sent keep working");
    const [kid] = await activeKids();
    const retire = await pageText(await http.get(`/admin/keys?confirm=retire&kid=${kid}`, { cookie: admin }));
    expect(retire).toContain(`Retire key ${kid}?`);
    expect(retire).toContain("The key stops signing at once. The unsubscribe links it signed keep working until they expire");
    expect(retire).toContain("Preference links it signed stop working at once");
    expect(retire).toContain("If the key may have leaked, revoke it instead.");
    expect(retire).toContain("It is the only active key, so a new key is created at the same time");
    expect(retire).toContain("re-read the keys every 30 seconds");
  });
});

describe("rotation, then retirement", () => {
  it("old links keep working after a rotation; after retirement their unsubscribe link still opts out, one-click included, and opens no preferences", async () => {
    const [oldKid] = await activeKids();
    const oldLink = await appDb.link("unsubscribe", recipient);
    const oldPreferencesLink = await appDb.link("preferences", recipient);
    expect(kidOf(oldLink)).toBe(oldKid);
    expect((await fetch(oldLink)).status).toBe(200);

    const rotated = await http.post("/admin/keys", { intent: "rotate" }, { cookie: admin });
    expect(rotated.status).toBe(302);
    const newKid = new URL(rotated.headers.get("location")!, app.url).searchParams.get("kid")!;
    expect(await activeKids()).toEqual([oldKid, newKid]);
    expect(await pageText(await http.get(rotated.headers.get("location")!, { cookie: admin }))).toContain(`New key ${newKid} signs new links from now on.`);
    expect((await fetch(oldLink)).status).toBe(200);
    // The app signs with the new key at once.
    await appSignsLinks();
    await vi.waitFor(async () => expect(kidOf((await emailedLink(app.outboxDir, "jane.doe@example.com", "preference-link"))!)).toBe(newKid), {
      timeout: 10_000,
      interval: 200,
    });
    expect((await keyRow(newKid)).row).toContain("Active — signs new links");
    expect((await keyRow(oldKid)).row).toContain("Active — verifies only");

    const retired = await http.post("/admin/keys", { intent: "retire", kid: oldKid }, { cookie: admin });
    expect(retired.status).toBe(302);
    expect(retired.headers.get("location")).toBe(`/admin/keys?done=retired&kid=${oldKid}`);

    // The unsubscribe page still answers, without the way into the preference center.
    const page = await fetch(oldLink);
    expect(page.status).toBe(200);
    const html = await pageText(page);
    expect(html).toContain("Unsubscribe from");
    expect(html).not.toContain("Manage all my preferences");
    const manage = await fetch(oldLink, { method: "POST", body: new URLSearchParams({ intent: "manage" }), headers: { origin: app.url }, redirect: "manual" });
    expect(manage.status).toBe(410);
    expect(manage.headers.get("set-cookie")).toBeNull();
    // The preferences link the key signed no longer opens anything.
    expect((await fetch(oldPreferencesLink)).status).toBe(410);
    const opened = await fetch(oldPreferencesLink, { method: "POST", headers: { origin: app.url }, redirect: "manual" });
    expect(opened.status).toBe(410);
    expect(opened.headers.get("set-cookie")).toBeNull();

    // RFC 8058 one-click, as a mailbox provider posts it: the opt-out is written.
    const oneClick = await fetch(oldLink, { method: "POST", body: new URLSearchParams({ "List-Unsubscribe": "One-Click" }), redirect: "manual" });
    expect(oneClick.status).toBe(200);
    expect(await oneClick.text()).toContain("You are unsubscribed from");
    expect(await appDb.db.unitOptOut.count({ where: { contactId: recipient.contactId, unitId: recipient.unitId } })).toBe(1);
    const tokenId = JSON.parse(Buffer.from(oldLink.split("/").at(-1)!.split(".")[1], "base64url").toString()).jti as string;
    expect(await appDb.db.consentEvent.count({ where: { source: "ONE_CLICK", tokenId, contactId: recipient.contactId } })).toBe(1);

    const newLink = await appDb.link("unsubscribe", recipient);
    expect(kidOf(newLink)).toBe(newKid);
    expect((await fetch(newLink)).status).toBe(200);
    expect((await keyRow(oldKid)).row).toMatch(/Retired \d/);
  });

  it("retiring the last active key creates a new one that signs at once", async () => {
    const [lastKid] = await activeKids();
    const answer = await http.post("/admin/keys", { intent: "retire", kid: lastKid }, { cookie: admin });
    const location = new URL(answer.headers.get("location")!, app.url);
    const replacement = location.searchParams.get("new")!;
    expect(await activeKids()).toEqual([replacement]);
    expect(await pageText(await http.get(`${location.pathname}${location.search}`, { cookie: admin }))).toContain(
      `It was the last active key, so a new key, ${replacement}, was created and signs from now on.`,
    );
    const link = await appDb.link("unsubscribe", recipient);
    expect(kidOf(link)).toBe(replacement);
    expect((await fetch(link)).status).toBe(200);
  });

  it("refuses to retire a key that is not active, with a 400 and no change", async () => {
    const retiredKid = (await appDb.db.signingKey.findFirst({ where: { retiredAt: { not: null } }, orderBy: { id: "asc" } }))!.kid;
    for (const kid of [retiredKid, "no-such-key", "../../etc"]) {
      const response = await http.post("/admin/keys", { intent: "retire", kid }, { cookie: admin });
      expect(response.status, kid).toBe(400);
    }
    expect((await http.post("/admin/keys", { intent: "burn" }, { cookie: admin })).status).toBe(400);
    expect(await activeKids()).toHaveLength(1);
  });

  it("records every rotation and retirement in the audit log", async () => {
    const entries = await appDb.db.auditEvent.findMany({
      where: { action: { startsWith: "key." } },
      orderBy: { id: "asc" },
      select: { action: true, target: true, actorEmail: true, detail: true },
    });
    expect(entries.map((e) => e.action)).toEqual(["key.rotate", "key.retire", "key.retire", "key.rotate"]);
    expect(entries.every((e) => e.actorEmail === "admin@example.com")).toBe(true);
    const [lastRetired, replacement] = entries.slice(2);
    expect(JSON.parse(lastRetired.detail!)).toEqual({ replacedBy: replacement.target!.replace("key:", "") });
    const page = await pageText(await http.get("/admin/audit?action=key.", { cookie: admin }));
    expect(page.match(/<code>key\.(rotate|retire)<\/code>/g)).toHaveLength(4);
    expect(page).not.toContain("<code>user.");
  });
});

describe("revocation", () => {
  it("asks the admin to type the key id, says how many links die, and then nothing the key signed works: page, one-click, preferences", async () => {
    const other = await taxSubscriber(recipient.contactId);
    const [kid] = await activeKids();
    // The app signs the emailed link, then another as it delivers the message (after answering):
    // counting before the delivery would miss the second.
    const delivered = () => appDb.db.transactionalMessage.count({ where: { toEmail: "jane.doe@example.com", template: "preference-link", status: "SENT" } });
    const deliveredBefore = await delivered();
    await appSignsLinks();
    await vi.waitFor(async () => expect(await delivered()).toBeGreaterThan(deliveredBefore), { timeout: 10_000, interval: 200 });
    const unsubscribeLink = await appDb.link("unsubscribe", other);
    const preferencesLink = await appDb.link("preferences", other);
    expect(kidOf(unsubscribeLink)).toBe(kid);
    // The keys page writes the app's pending counts before it reads them.
    await vi.waitFor(async () => expect((await keyRow(kid)).last7).toBeGreaterThan(0), { timeout: 10_000, interval: 200 });
    const signed = (await signedWith(kid))!;

    const confirm = await pageText(await http.get(`/admin/keys?confirm=revoke&kid=${kid}`, { cookie: admin }));
    expect(confirm).toContain(`Revoke key ${kid}?`);
    expect(confirm).toContain(`${signed.toLocaleString("en-GB")} link`);
    expect(confirm).toContain('name="confirmKid"');

    // Without the key id typed back, nothing happens.
    for (const typed of [{}, { confirmKid: "" }, { confirmKid: "not-it" }] as Record<string, string>[]) {
      const refused = await http.post("/admin/keys", { intent: "revoke", kid, ...typed }, { cookie: admin });
      expect(refused.status).toBe(400);
      expect(await pageText(refused)).toContain(`Type the key id ${kid}`);
    }
    expect((await appDb.db.signingKey.findUnique({ where: { kid } }))!.revokedAt).toBeNull();
    expect((await fetch(unsubscribeLink)).status).toBe(200);

    const revoked = await http.post("/admin/keys", { intent: "revoke", kid, confirmKid: kid }, { cookie: admin });
    expect(revoked.status).toBe(302);
    const location = new URL(revoked.headers.get("location")!, app.url);
    expect(location.searchParams.get("done")).toBe("revoked");
    // It was the only active key: a new one signs from now on.
    const replacement = location.searchParams.get("new")!;
    expect(await activeKids()).toEqual([replacement]);
    expect(await pageText(await http.get(`${location.pathname}${location.search}`, { cookie: admin }))).toContain(`Key ${kid} is revoked`);
    expect((await keyRow(kid)).row).toMatch(/Revoked \d/);

    expect((await fetch(unsubscribeLink)).status).toBe(410);
    const oneClick = await fetch(unsubscribeLink, { method: "POST", body: new URLSearchParams({ "List-Unsubscribe": "One-Click" }), redirect: "manual" });
    expect(oneClick.status).toBe(410);
    const choice = await fetch(unsubscribeLink, { method: "POST", body: new URLSearchParams({ intent: "choose", choice: "unit" }), headers: { origin: app.url }, redirect: "manual" });
    expect(choice.status).toBe(410);
    expect(await appDb.db.unitOptOut.count({ where: { contactId: other.contactId } })).toBe(0);
    expect((await fetch(preferencesLink)).status).toBe(410);
    const opened = await fetch(preferencesLink, { method: "POST", headers: { origin: app.url }, redirect: "manual" });
    expect(opened.status).toBe(410);
    expect(opened.headers.get("set-cookie")).toBeNull();
  });

  it("a retired key can be revoked too, and then its unsubscribe links stop opting out", async () => {
    const retiredKey = (await appDb.db.signingKey.findFirst({ where: { retiredAt: { not: null }, revokedAt: null }, orderBy: { id: "asc" }, select: { kid: true, secret: true } }))!;
    const link = await appDb.link("unsubscribe", recipient, retiredKey);
    expect((await fetch(link)).status).toBe(200);
    const revoked = await http.post("/admin/keys", { intent: "revoke", kid: retiredKey.kid, confirmKid: retiredKey.kid }, { cookie: admin });
    expect(revoked.status).toBe(302);
    expect((await fetch(link)).status).toBe(410);
    expect((await fetch(link, { method: "POST", body: new URLSearchParams({ "List-Unsubscribe": "One-Click" }), redirect: "manual" })).status).toBe(410);
    // Revoking it again is refused: there is nothing left to stop.
    expect((await http.post("/admin/keys", { intent: "revoke", kid: retiredKey.kid, confirmKid: retiredKey.kid }, { cookie: admin })).status).toBe(400);
  });

  it("records each revocation with the number of links it stopped", async () => {
    const entries = await appDb.db.auditEvent.findMany({ where: { action: "key.revoke" }, orderBy: { id: "asc" }, select: { target: true, actorEmail: true, detail: true } });
    expect(entries).toHaveLength(2);
    expect(entries.every((e) => e.actorEmail === "admin@example.com")).toBe(true);
    expect(JSON.parse(entries[0].detail!)).toMatchObject({ linksStopped: expect.any(Number) });
    expect(JSON.parse(entries[0].detail!).linksStopped).toBeGreaterThan(0);
  });
});
