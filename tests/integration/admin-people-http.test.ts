import { beforeAll, describe, expect, it, vi } from "vitest";
import { addMember, messagesTo, nextIp, sessionCookie } from "../helpers/accounts-http.ts";
import { emailedLink } from "../helpers/outbox.ts";
import { DEMO } from "../helpers/demo-logins.ts";
import { useRunningApp } from "../helpers/running-app.ts";

// /admin/people, /admin/audit and /invite/<token> over real HTTP against the production build
// with the demo data: who may see them, invite → accept → sign in, units, roles, revocation,
// and the audit entry each action leaves.

const { app, appDb, http } = useRunningApp();
let admin: string;
let adminId: number;
let taxMarketer: string;
let subscriber: string;
let units: Record<string, number>;

const NEW_PASSWORD = "copper-kettle-orchard-9157";

/** A form post with repeated fields (checkbox lists), as a browser sends it. */
function postForm(path: string, fields: [string, string][], cookie: string | null) {
  return fetch(`${app.url}${path}`, {
    method: "POST",
    body: new URLSearchParams(fields),
    redirect: "manual",
    headers: { "x-forwarded-for": nextIp(), ...(cookie ? { cookie } : {}) },
  });
}

/** Text of a page with React's text separators removed. */
const pageText = async (response: Response) => (await response.text()).replaceAll("<!-- -->", "");

const userIdOf = async (email: string) => (await appDb.db.user.findUnique({ where: { email } }))!.id;

const auditRows = (target: string) =>
  appDb.db.auditEvent.findMany({ where: { target }, orderBy: { id: "asc" }, select: { action: true, actorEmail: true, detail: true, ip: true, userAgent: true } });

/** The invitation link in the newest message to an address (waits for the send). */
async function inviteLinkTo(email: string): Promise<string> {
  let link: string | null = null;
  await vi.waitFor(
    async () => {
      link = await emailedLink(app.outboxDir, email, "staff-invite");
      expect(link).not.toBeNull();
    },
    { timeout: 10_000, interval: 100 },
  );
  return link!;
}

/** Invites through the page (as the demo admin) and returns the new person's id. */
async function invite(email: string, role: "MARKETER" | "ADMIN", unitSlugs: string[] = [], name = "") {
  const response = await postForm(
    "/admin/people/invite",
    [["email", email], ["name", name], ["role", role], ...unitSlugs.map((slug): [string, string] => ["units", String(units[slug])])],
    admin,
  );
  expect(response.status, await response.clone().text()).toBe(302);
  const id = await userIdOf(email.toLowerCase());
  expect(response.headers.get("location")).toBe(`/admin/people/${id}?done=invited`);
  return id;
}

/** Opens the emailed invitation and chooses a password; returns the answer of the POST. */
async function accept(email: string) {
  return http.post(http.pathOf(await inviteLinkTo(email)), { password: NEW_PASSWORD });
}

beforeAll(async () => {
  [admin, taxMarketer, subscriber] = await Promise.all([DEMO.admin, DEMO.taxMarketer, DEMO.subscriber].map(http.signInAs));
  adminId = await userIdOf("admin@example.com");
  units = Object.fromEntries((await appDb.db.businessUnit.findMany({ select: { slug: true, id: true } })).map((u) => [u.slug, u.id]));
});

describe("who may see the admin pages", () => {
  const pages = () => ["/admin/people", "/admin/people/invite", `/admin/people/${adminId}`, "/admin/audit", "/admin/keys"];

  it("answers marketers and subscribers 404 on GET and POST, and changes nothing", async () => {
    const before = (await appDb.db.auditEvent.count());
    for (const cookie of [taxMarketer, subscriber]) {
      for (const path of pages()) {
        expect((await http.get(path, { cookie })).status, `GET ${path}`).toBe(404);
        const fields: Record<string, string> = { intent: "revoke", email: "sneaky@example.com", role: "ADMIN" };
        expect((await http.post(path, fields, { cookie })).status, `POST ${path}`).toBe(404);
      }
      expect((await http.post("/admin/keys", { intent: "rotate" }, { cookie })).status).toBe(404);
    }
    expect((await appDb.db.auditEvent.count())).toBe(before);
    expect((await appDb.db.user.count({ where: { email: "sneaky@example.com" } }))).toBe(0);
    expect((await appDb.db.user.count({ where: { accessRevokedAt: { not: null } } }))).toBe(0);
  });

  it("sends people who are not signed in to /login", async () => {
    for (const path of pages()) {
      const response = await http.get(path);
      expect(response.status).toBe(302);
      expect(response.headers.get("location")).toBe(`/login?redirectTo=${encodeURIComponent(path)}`);
    }
  });

  it("shows admins the staff (not subscribers) with role, units, status and sessions", async () => {
    const page = await pageText(await http.get("/admin/people", { cookie: admin }));
    expect(page).toContain("<h1>People</h1>");
    expect(page).toContain("marketer.tax@example.com");
    expect(page).toContain("Example Tax");
    expect(page).not.toContain("jane.doe@example.com");
    expect(page).toMatch(/admin@example\.com.*\(you\)/);
    expect(page).toContain("All units");
    expect(page).toContain(">Active<");
  });
});

describe("inviting", () => {
  it("invite → accept from the emailed link → signed in on /campaigns, then signs in with the new password", async () => {
    const id = await invite("Sam.Marketer@Example.com", "MARKETER", ["example-tax", "example-travel"], "Sam Marketer");
    const person = await pageText(await http.get(`/admin/people/${id}?done=invited`, { cookie: admin }));
    expect(person).toContain("Invitation sent.");
    expect(person).toContain("Invited — link works until");
    expect((await appDb.db.user.findUnique({ where: { id }, select: { passwordHash: true, emailVerifiedAt: true } }))).toEqual({ passwordHash: null, emailVerifiedAt: null });
    // Nobody can sign in before accepting.
    expect((await http.post("/login", { intent: "password", email: "sam.marketer@example.com", password: NEW_PASSWORD })).status).toBe(401);

    const url = await inviteLinkTo("sam.marketer@example.com");
    const form = await http.get(http.pathOf(url));
    expect(form.status).toBe(200);
    const formText = await pageText(form);
    expect(formText).toContain("Accept your invitation");
    expect(formText).toContain("sam.marketer@example.com");
    const weak = await http.post(http.pathOf(url), { password: "password1234" });
    expect(weak.status).toBe(400);
    expect(await pageText(weak)).toContain("too easy to guess");

    const accepted = await http.post(http.pathOf(url), { password: NEW_PASSWORD });
    expect(accepted.status).toBe(302);
    expect(accepted.headers.get("location")).toBe("/campaigns");
    const cookie = sessionCookie(accepted);
    expect((await http.get("/campaigns", { cookie })).status).toBe(200);
    // The link works once.
    const again = await http.get(http.pathOf(url));
    expect(again.status).toBe(410);
    expect(await pageText(again)).toContain("This invitation no longer works");

    const signedIn = await http.signIn("sam.marketer@example.com", NEW_PASSWORD);
    expect((await http.get("/campaigns", { cookie: signedIn })).status).toBe(200);
    const list = await pageText(await http.get("/admin/people", { cookie: admin }));
    expect(list).toContain("Sam Marketer");
    expect(list).toContain("Example Tax, Example Travel");
    expect((await auditRows(`user:${id}`)).map((e) => [e.action, e.actorEmail])).toEqual([
      ["user.invite", "admin@example.com"],
      ["user.accept", "sam.marketer@example.com"],
    ]);
    expect((await auditRows(`user:${id}`))[0]).toMatchObject({ ip: expect.stringMatching(/^198\.18\./), userAgent: "node" });
  });

  it("answers bad input with a 400 that names the field, and writes nothing", async () => {
    const users = (await appDb.db.user.count());
    const cases: [[string, string][], string][] = [
      [[["email", "not-an-address"], ["role", "MARKETER"]], "Enter a valid email address"],
      [[["email", "jane.doe@example.com"], ["role", "MARKETER"]], "belongs to a subscriber account"],
      [[["email", "marketer.tax@example.com"], ["role", "ADMIN"]], "already has a staff account"],
      [[["email", "someone.new@example.com"], ["role", "OWNER"]], "Choose marketer or admin."],
      [[["email", "someone.new@example.com"], ["role", "MARKETER"], ["units", "999999"]], "does not exist any more"],
      [[["email", "someone.new@example.com"], ["role", "MARKETER"], ["units", "tax"]], "Choose units from the list."],
    ];
    for (const [fields, message] of cases) {
      const response = await postForm("/admin/people/invite", fields, admin);
      expect(response.status, message).toBe(400);
      expect(await pageText(response)).toContain(message);
    }
    expect((await appDb.db.user.count())).toBe(users);
  });

  it("a new invitation replaces the earlier link", async () => {
    const id = await invite("twice.invited@example.com", "ADMIN");
    const first = await inviteLinkTo("twice.invited@example.com");
    const response = await postForm(`/admin/people/${id}`, [["intent", "reinvite"]], admin);
    expect(response.headers.get("location")).toBe(`/admin/people/${id}?done=reinvited`);
    let second = first;
    await vi.waitFor(async () => {
      second = (await emailedLink(app.outboxDir, "twice.invited@example.com", "staff-invite"))!;
      expect(second).not.toBe(first);
    });
    expect((await http.get(http.pathOf(first))).status).toBe(400);
    const accepted = await http.post(http.pathOf(second), { password: NEW_PASSWORD });
    expect(accepted.headers.get("location")).toBe("/campaigns");
    expect((await auditRows(`user:${id}`)).map((e) => e.action)).toEqual(["user.invite", "user.reinvite", "user.accept"]);
  });
});

describe("units and roles", () => {
  it("assigns a marketer's units from the checkbox list and records what was added and removed", async () => {
    const id = await invite("units.person@example.com", "MARKETER", ["example-tax"]);
    const response = await postForm(`/admin/people/${id}`, [["intent", "units"], ["units", String(units["example-insurance"])], ["units", String(units["example-travel"])]], admin);
    expect(response.headers.get("location")).toBe(`/admin/people/${id}?done=units`);
    expect((await appDb.db.businessUnit.findMany({ where: { memberships: { some: { userId: id } } }, orderBy: { slug: "asc" }, select: { slug: true } }))).toEqual([
      { slug: "example-insurance" },
      { slug: "example-travel" },
    ]);
    const entry = (await auditRows(`user:${id}`)).find((e) => e.action === "user.units")!;
    expect(JSON.parse(entry.detail!)).toEqual({ added: ["example-insurance", "example-travel"], removed: ["example-tax"] });
    const page = await pageText(await http.get(`/admin/people/${id}?done=units`, { cookie: admin }));
    expect(page).toContain("Units saved.");
    expect(page).toMatch(/checked="" value="\d+"\/> Example Insurance/);
    expect(page).toMatch(/name="units" value="\d+"\/> Example Tax/);
  });

  it("changes a role (the person's next page load follows it) but never the admin's own", async () => {
    const id = await invite("becomes.admin@example.com", "MARKETER");
    const cookie = sessionCookie(await accept("becomes.admin@example.com"));
    expect((await http.get("/admin/people", { cookie })).status).toBe(404);
    const response = await postForm(`/admin/people/${id}`, [["intent", "role"], ["role", "ADMIN"]], admin);
    expect(response.headers.get("location")).toBe(`/admin/people/${id}?done=role`);
    expect((await http.get("/admin/people", { cookie })).status).toBe(200);
    expect(JSON.parse((await auditRows(`user:${id}`)).find((e) => e.action === "user.role")!.detail!)).toMatchObject({ from: "MARKETER", to: "ADMIN" });

    const own = await postForm(`/admin/people/${adminId}`, [["intent", "role"], ["role", "MARKETER"]], admin);
    expect(own.status).toBe(400);
    expect(await pageText(own)).toContain("You cannot change your own role.");
    const ownRevoke = await postForm(`/admin/people/${adminId}`, [["intent", "revoke"]], admin);
    expect(ownRevoke.status).toBe(400);
    expect(await pageText(ownRevoke)).toContain("You cannot revoke your own access.");
    expect((await appDb.db.user.findUnique({ where: { id: adminId }, select: { role: true, accessRevokedAt: true } }))).toEqual({ role: "ADMIN", accessRevokedAt: null });
  });

  it("answers a person that is not staff, or an unknown intent, without a 500", async () => {
    const janeId = await userIdOf("jane.doe@example.com");
    expect((await http.get(`/admin/people/${janeId}`, { cookie: admin })).status).toBe(404);
    expect((await postForm(`/admin/people/${janeId}`, [["intent", "revoke"]], admin)).status).toBe(404);
    expect((await http.get("/admin/people/not-a-number", { cookie: admin })).status).toBe(404);
    expect((await postForm(`/admin/people/${adminId}`, [["intent", "delete"]], admin)).status).toBe(400);
  });
});

describe("revoking access", () => {
  it("ends a live session at once (the next request goes to /login), refuses sign-in like a wrong password, and restores", async () => {
    const id = await invite("leaver@example.com", "MARKETER", ["example-tax"]);
    const cookie = sessionCookie(await accept("leaver@example.com"));
    expect((await http.get("/campaigns", { cookie })).status).toBe(200);
    expect(await pageText(await http.get(`/admin/people/${id}`, { cookie: admin }))).toContain("(1 live session)");

    const revoked = await postForm(`/admin/people/${id}`, [["intent", "revoke"]], admin);
    expect(revoked.headers.get("location")).toBe(`/admin/people/${id}?done=revoked`);
    const next = await http.get("/campaigns", { cookie });
    expect(next.status).toBe(302);
    expect(next.headers.get("location")).toBe("/login?redirectTo=%2Fcampaigns");

    // Same status and words as a wrong password for an address with no account at all.
    const refused = await http.post("/login", { intent: "password", email: "leaver@example.com", password: NEW_PASSWORD });
    const unknown = await http.post("/login", { intent: "password", email: "nobody.at.all@example.com", password: NEW_PASSWORD });
    expect(refused.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect((await pageText(refused)).replaceAll("leaver@example.com", "X")).toBe((await pageText(unknown)).replaceAll("nobody.at.all@example.com", "X"));
    const messages = () => appDb.db.transactionalMessage.count({ where: { toEmail: "leaver@example.com" } });
    const mailed = await messages();
    await http.post("/login", { intent: "link", email: "leaver@example.com" });
    await http.post("/forgot-password", { email: "leaver@example.com" });
    // Account mail goes out in the background: the same two requests for an account that may
    // have them, made afterwards, have landed once their messages are stored, so the leaver's would have too.
    const control = await addMember(appDb);
    await http.post("/login", { intent: "link", email: control.email });
    await http.post("/forgot-password", { email: control.email });
    await vi.waitFor(async () => expect((await messagesTo(appDb, control.email)).map((m) => m.template).sort()).toEqual(["password-reset", "sign-in-link"]), { timeout: 10_000, interval: 50 });
    expect(await messages()).toBe(mailed);
    const list = await pageText(await http.get("/admin/people", { cookie: admin }));
    expect(list).toContain("Access revoked on");
    // Nothing deleted: the account and its units are kept.
    expect((await appDb.db.membership.count({ where: { userId: id } }))).toBe(1);

    const restored = await postForm(`/admin/people/${id}`, [["intent", "restore"]], admin);
    expect(restored.headers.get("location")).toBe(`/admin/people/${id}?done=restored`);
    expect((await http.get("/campaigns", { cookie })).status).toBe(302);
    const again = await http.signIn("leaver@example.com", NEW_PASSWORD);
    expect((await http.get("/campaigns", { cookie: again })).status).toBe(200);
    expect((await auditRows(`user:${id}`)).map((e) => e.action)).toEqual(["user.invite", "user.accept", "user.revoke", "user.restore"]);
    expect(JSON.parse((await auditRows(`user:${id}`))[2].detail!)).toEqual({ email: "leaver@example.com", sessionsEnded: 1 });
  });
});

describe("the audit log page", () => {
  it("lists every people action newest first, with who, target, detail, IP and user agent", async () => {
    const page = await pageText(await http.get("/admin/audit", { cookie: admin }));
    for (const action of ["user.invite", "user.reinvite", "user.accept", "user.units", "user.role", "user.revoke", "user.restore"]) {
      expect(page, action).toContain(`<code>${action}</code>`);
    }
    expect(page.indexOf("<code>user.restore</code>")).toBeLessThan(page.indexOf("<code>user.invite</code>"));
    expect(page).toContain("added: example-insurance, example-travel");
    expect(page).toMatch(/198\.18\.\d+\.\d+/);
    expect(page).toContain('<span class="user-agent">node</span>');
  });

  it("filters by actor, action and date range", async () => {
    const byAction = await pageText(await http.get("/admin/audit?action=user.revoke", { cookie: admin }));
    expect(byAction).toContain("<code>user.revoke</code>");
    expect(byAction).not.toContain("<code>user.invite</code>");
    const byActor = await pageText(await http.get("/admin/audit?actor=leaver%40", { cookie: admin }));
    expect(byActor).toContain("<code>user.accept</code>");
    expect(byActor).not.toContain("<code>user.revoke</code>");
    const today = new Date().toISOString().slice(0, 10);
    const inRange = await pageText(await http.get(`/admin/audit?from=${today}&to=${today}&action=user.`, { cookie: admin }));
    expect(inRange).toContain("<code>user.invite</code>");
    const before = await pageText(await http.get("/admin/audit?to=2020-01-01", { cookie: admin }));
    expect(before).toContain("No entry matches these filters.");
    const bad = await http.get("/admin/audit?from=2026-13-45", { cookie: admin });
    expect(bad.status).toBe(400);
    expect(await pageText(bad)).toContain("From date must be a real date.");
    const backwards = await http.get("/admin/audit?from=2026-05-03&to=2026-05-01", { cookie: admin });
    expect(backwards.status).toBe(400);
  });

  it("pages with a keyset cursor: older entries on the next page, none repeated", async () => {
    // 100 entries a page: add rotations until a second page is needed.
    while ((await appDb.db.auditEvent.count()) <= 120) {
      expect((await http.post("/admin/keys", { intent: "rotate" }, { cookie: admin })).status).toBe(302);
    }
    const first = await pageText(await http.get("/admin/audit", { cookie: admin }));
    const next = first.match(/href="\/admin\/audit\?before=(\d+)"/);
    expect(next).not.toBeNull();
    const second = await pageText(await http.get(`/admin/audit?before=${next![1]}`, { cookie: admin }));
    const rowsOf = (html: string) => [...html.matchAll(/<tr>[\s\S]*?<\/tr>/g)].length - 1;
    expect(rowsOf(first)).toBe(100);
    expect(rowsOf(second)).toBe((await appDb.db.auditEvent.count()) - 100);
    expect(second).toContain("← Newest");
  });
});
