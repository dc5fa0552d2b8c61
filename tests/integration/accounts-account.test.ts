import { emailedLink } from "../helpers/outbox.ts";
import { describe, expect, it } from "vitest";
import { createDb } from "~/utils/db.server.ts";
import { isErasedAddress } from "~/domain/consent/contacts.server.ts";
import { addMember, MEMBER_PASSWORD, messagesTo, sessionCookie } from "../helpers/accounts-http.ts";
import { DEMO } from "../helpers/demo-logins.ts";
import { useRunningApp } from "../helpers/running-app.ts";

// Password reset, sign-up, the account page, data export and erasure over real HTTP.

const { app, appDb, http } = useRunningApp();

const normalised = async (response: Response, email: string) => (await response.text()).replaceAll(email, "ADDRESS");

/** The URL of the latest message of a template to an address, once the app has stored it. */
async function emailedPath(email: string, template: string, atLeast = 1): Promise<string> {
  await expect.poll(async () => (await messagesTo(appDb, email)).filter((m) => m.template === template && m.status === "SENT").length, { timeout: 10_000 }).toBeGreaterThanOrEqual(atLeast);
  return http.pathOf((await emailedLink(app.outboxDir, email, template))!);
}

describe("password reset", () => {
  it("answers the same for every address; the link shows a form, sets a password once, and signs out every other device", async () => {
    const member = await addMember(appDb);
    const oldCookie = await http.signIn(member.email);
    const known = await http.post("/forgot-password", { email: member.email });
    const unknown = await http.post("/forgot-password", { email: "no-such-member@example.org" });
    expect([known.status, unknown.status]).toEqual([200, 200]);
    expect(await normalised(known, member.email)).toBe(await normalised(unknown, "no-such-member@example.org"));

    const path = await emailedPath(member.email, "password-reset");
    expect(path).toMatch(/^\/reset-password\/[\w-]{43}$/);
    const form = await http.get(path);
    expect(form.status).toBe(200);
    expect(await form.text()).toContain("Choose a new password");

    const weak = await http.post(path, { password: "password1234" });
    expect(weak.status).toBe(400);
    const weakPage = await weak.text();
    expect(weakPage).toContain("This password is too easy to guess.");
    expect(weakPage).toContain("Add more words that are less common.");
    const containsAddress = await http.post(path, { password: `${member.email.split("@")[0]}-lantern-99` });
    expect(await containsAddress.text()).toContain("Your password must not contain your email address.");

    const done = await http.post(path, { password: "amber-fjord-teapot-6612" });
    expect(done.status).toBe(302);
    expect(done.headers.get("location")).toBe("/account?passwordReset=1");
    expect((await http.get("/account", { cookie: sessionCookie(done) })).status).toBe(200);
    expect((await http.get("/account", { cookie: oldCookie })).status).toBe(302);
    expect((await http.post(path, { password: "another-fjord-teapot-6612" })).status).toBe(410);

    await expect.poll(async () => (await messagesTo(appDb, member.email)).map((m) => m.template), { timeout: 10_000 }).toEqual(["password-reset", "account-security-alert"]);
    await http.signIn(member.email, "amber-fjord-teapot-6612");
  });
});

describe("sign-up", () => {
  it("answers the same whether or not the address has an account; links to the existing Contact only after confirmation", async () => {
    const contact = (await appDb.db.contact.findFirst({
      where: { user: null, suppressions: { none: {} } },
      orderBy: { id: "desc" },
      select: { id: true, email: true },
    }))!;
    const member = await addMember(appDb);
    const fresh = await http.post("/signup", { email: contact.email, name: "Kai Ito", password: "copper-kettle-meadow-31" });
    const taken = await http.post("/signup", { email: member.email, name: "Kai Ito", password: "copper-kettle-meadow-31" });
    expect([fresh.status, taken.status]).toEqual([200, 200]);
    expect(await normalised(fresh, contact.email)).toBe(await normalised(taken, member.email));
    // The holder of the taken address gets a sign-in link; their account is untouched.
    expect(await emailedPath(member.email, "sign-in-link")).toMatch(/^\/login\/link\//);

    const pending = (await appDb.db.user.findUnique({ where: { email: contact.email }, select: { id: true, contactId: true, emailVerifiedAt: true } }))!;
    expect(pending).toMatchObject({ contactId: null, emailVerifiedAt: null });
    const signInFirst = await http.post("/login", { intent: "password", email: contact.email, password: "copper-kettle-meadow-31" });
    expect(signInFirst.status).toBe(403);
    expect(await signInFirst.text()).toContain("Please confirm your email address first");

    // The right password on an unconfirmed account sends a fresh link, which replaces the first.
    const path = await emailedPath(contact.email, "sign-up-confirmation", 2);
    expect(path).toMatch(/^\/signup\/confirm\//);
    expect((await http.get(path)).status).toBe(200);
    expect((await appDb.db.user.findUnique({ where: { id: pending.id } }))!.contactId).toBeNull();
    expect((await http.post(path, { password: "a-guess-from-a-stranger" })).status).toBe(401);
    const confirmed = await http.post(path, { password: "copper-kettle-meadow-31" });
    expect(confirmed.status).toBe(302);
    expect(confirmed.headers.get("location")).toBe("/welcome");
    expect((await appDb.db.user.findUnique({ where: { id: pending.id } }))!.contactId).toBe(contact.id);
    expect(await (await http.get("/account?welcome=1", { cookie: sessionCookie(confirmed) })).text()).toContain("Your address is confirmed");
  });

  it("explains a weak password beside the field, with a 400", async () => {
    const response = await http.post("/signup", { email: "weak-one@example.org", name: "Weak", password: "short" });
    expect(response.status).toBe(400);
    const page = await response.text();
    expect(page).toContain("Use at least 12 characters.");
    expect(page).toContain('aria-invalid="true"');
    expect(await appDb.db.user.count({ where: { email: "weak-one@example.org" } })).toBe(0);
  });
});

describe("the account page", () => {
  it("changes the email address only after the new address confirms, tells the old address, and moves the Contact", async () => {
    const member = await addMember(appDb);
    const cookie = await http.signIn(member.email);
    const newEmail = `moved-${member.userId}@example.net`;
    const wrong = await http.post("/account", { intent: "email", newEmail, currentPassword: "nope-not-it" }, { cookie });
    expect(wrong.status).toBe(401);
    const asked = await http.post("/account", { intent: "email", newEmail, currentPassword: MEMBER_PASSWORD }, { cookie });
    expect(asked.status).toBe(200);
    expect(await asked.text()).toContain(`We sent a link to ${newEmail}`);
    expect(await appDb.db.user.findUnique({ where: { id: member.userId }, select: { email: true } })).toEqual({ email: member.email });

    const path = await emailedPath(newEmail, "email-change-verification");
    await expect.poll(async () => (await messagesTo(appDb, member.email)).map((m) => m.template), { timeout: 10_000 }).toEqual(["account-security-alert"]);
    expect((await http.get(path)).status).toBe(200);
    expect(await appDb.db.user.findUnique({ where: { id: member.userId }, select: { email: true } })).toEqual({ email: member.email });

    const confirmed = await http.post(path, {});
    expect(confirmed.status).toBe(200);
    expect(await confirmed.text()).toContain("Your email address was changed");
    expect(await appDb.db.user.findUnique({ where: { id: member.userId }, select: { email: true } })).toEqual({ email: newEmail });
    expect(await appDb.db.contact.findUnique({ where: { id: member.contactId }, select: { email: true } })).toEqual({ email: newEmail });
    expect((await http.post(path, {})).status).toBe(410);
  });

  it("saves the name, and refuses a bad one with a 400", async () => {
    const member = await addMember(appDb);
    const cookie = await http.signIn(member.email);
    expect((await http.post("/account", { intent: "profile", name: "Jun Jensen" }, { cookie })).status).toBe(200);
    expect(await appDb.db.user.findUnique({ where: { id: member.userId }, select: { name: true } })).toEqual({ name: "Jun Jensen" });
    // One person, one name: the contact the product mails carries the account's new name.
    expect(await appDb.db.contact.findUnique({ where: { id: member.contactId }, select: { name: true } })).toEqual({ name: "Jun Jensen" });
    expect((await http.post("/account", { intent: "profile", name: "" }, { cookie })).status).toBe(400);
    expect((await http.post("/account", { intent: "no-such-thing" }, { cookie })).status).toBe(400);
  });

  it("downloads the person's data as a JSON attachment with the full ledger of their contact", async () => {
    const cookie = await http.signInAs(DEMO.subscriber);
    const response = await http.get("/account/data", { cookie });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(response.headers.get("content-disposition")).toMatch(/^attachment; filename="my-data-\d{4}-\d{2}-\d{2}\.json"$/);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const data = await response.json();
    const contactId = (await appDb.db.user.findUnique({ where: { email: "jane.doe@example.com" } }))!.contactId!;
    const ledger = await appDb.db.consentEvent.findMany({ where: { contactId }, orderBy: { id: "asc" }, select: { id: true, action: true } });
    expect(ledger.length).toBeGreaterThan(0);
    expect(data.version).toBeGreaterThanOrEqual(2);
    expect(data.ledger.map((e: { id: number }) => e.id)).toEqual(ledger.map((e) => e.id));
    expect(data.profile.email).toBe("jane.doe@example.com");
    expect(data.subscriptions.length).toBe(await appDb.db.subscription.count({ where: { contactId } }));
    expect((await http.get("/account/data")).status).toBe(302);
  });

  it("deletes the account with the password: erased, signed out, and an import later sees the address as erased", async () => {
    const member = await addMember(appDb);
    const cookie = await http.signIn(member.email);
    expect((await http.post("/account", { intent: "delete", password: "not-my-password" }, { cookie })).status).toBe(401);
    const deleted = await http.post("/account", { intent: "delete", password: MEMBER_PASSWORD }, { cookie });
    expect(deleted.status).toBe(302);
    expect(deleted.headers.get("location")).toBe("/account/deleted");
    expect((await http.get("/account/deleted")).status).toBe(200);
    expect((await http.get("/account", { cookie })).status).toBe(302);
    expect(await appDb.db.user.count({ where: { id: member.userId } })).toBe(0);
    expect(await appDb.db.contact.count({ where: { id: member.contactId } })).toBe(0);
    const appClient = createDb(app.databaseUrl);
    expect(await isErasedAddress(member.email, appClient)).toBe(true);
    await appClient.$disconnect();
  });
});
