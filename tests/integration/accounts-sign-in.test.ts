import fs from "node:fs";
import PostalMime from "postal-mime";
import { emailedLink } from "../helpers/outbox.ts";
import { describe, expect, it } from "vitest";
import { addMember, MEMBER_PASSWORD, messagesTo, nextIp, sessionCookie } from "../helpers/accounts-http.ts";
import { useRunningApp } from "../helpers/running-app.ts";

// Signing in and out over real HTTP against the production build: cookies, lockout, links.

const { app, appDb, http } = useRunningApp();

const liveSessions = (userId: number) => appDb.db.session.count({ where: { userId, revokedAt: null } });

/** The page as a person reads it, with the one value that differs between two addresses made equal. */
const normalised = async (response: Response, email: string) => (await response.text()).replaceAll(email, "ADDRESS");

describe("signing in with a password", () => {
  it("sets a session cookie (httpOnly, SameSite=Lax, Secure), goes where it was asked, and records the sign-in", async () => {
    const member = await addMember(appDb);
    const response = await http.post("/login", { intent: "password", email: member.email.toUpperCase(), password: MEMBER_PASSWORD, redirectTo: "/account?from=test" }, { ip: "198.51.100.61" });
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/account?from=test");
    const setCookie = response.headers.get("set-cookie")!;
    expect(setCookie).toMatch(/^pc_session=[^;]+; Path=\/; Expires=[^;]+; HttpOnly; Secure; SameSite=Lax$/);

    const session = await appDb.db.session.findFirst({ where: { userId: member.userId }, orderBy: { createdAt: "asc" }, select: { ip: true, userAgent: true } });
    expect(session).toEqual({ ip: "198.51.100.61", userAgent: "node" });
    expect((await appDb.db.user.findUnique({ where: { id: member.userId } }))!.lastSignInAt).not.toBeNull();

    const account = await http.get("/account", { cookie: sessionCookie(response) });
    expect(account.status).toBe(200);
    expect(await account.text()).toContain(member.email);
  });

  it("never follows a redirectTo off the site", async () => {
    const member = await addMember(appDb);
    const response = await http.post("/login", { intent: "password", email: member.email, password: MEMBER_PASSWORD, redirectTo: "//evil.example/x" });
    expect(response.headers.get("location")).toBe("/preferences");
  });

  it("sends someone not signed in from /account to /login, and back after", async () => {
    const response = await http.get("/account");
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/login?redirectTo=%2Faccount");
    const login = await http.get("/login?redirectTo=%2Faccount");
    expect(await login.text()).toContain('name="redirectTo" value="/account"');
  });

  it("answers a wrong password and an unknown address with the same words and status", async () => {
    const member = await addMember(appDb);
    const known = await http.post("/login", { intent: "password", email: member.email, password: "not-the-password" });
    const unknown = await http.post("/login", { intent: "password", email: "not-a-member@example.org", password: "not-the-password" });
    expect([known.status, unknown.status]).toEqual([401, 401]);
    const knownPage = await normalised(known, member.email);
    expect(knownPage).toContain("Email or password is incorrect.");
    expect(knownPage).toBe(await normalised(unknown, "not-a-member@example.org"));
  });
});

describe("lockout over HTTP", () => {
  it("locks after 5 wrong passwords, refuses the right one, warns the holder by email, and an unknown address gets exactly the same answers", async () => {
    const member = await addMember(appDb);
    const stranger = "nobody-by-this-name@example.org";
    const attempt = (email: string, password: string) => http.post("/login", { intent: "password", email, password });

    const answers: { known: [number, string][]; unknown: [number, string][] } = { known: [], unknown: [] };
    for (let i = 0; i < 6; i++) {
      const known = await attempt(member.email, i === 5 ? MEMBER_PASSWORD : `wrong-${i}`);
      const unknown = await attempt(stranger, i === 5 ? MEMBER_PASSWORD : `wrong-${i}`);
      // The lock's end is shown to the minute; both locked within the same second or so.
      const strip = (page: string) => page.replace(/\d{1,2} \w{3} \d{4}, \d{2}:\d{2}/g, "TIME");
      answers.known.push([known.status, strip(await normalised(known, member.email))]);
      answers.unknown.push([unknown.status, strip(await normalised(unknown, stranger))]);
      expect(known.headers.get("retry-after") === null).toBe(unknown.headers.get("retry-after") === null);
    }
    expect(answers.known.map(([status]) => status)).toEqual([401, 401, 401, 401, 429, 429]);
    expect(answers.unknown).toEqual(answers.known);
    expect(answers.known[5][1]).toMatch(/signing in with a password is locked for this address until TIME UTC/);
    expect(await liveSessions(member.userId)).toBe(0);

    await expect
      .poll(async () => (await messagesTo(appDb, member.email)).map((m) => [m.template, m.status, m.data.event]), { timeout: 10_000 })
      .toEqual([["account-security-alert", "SENT", "Your account was locked for 15 minutes after 5 failed sign-in attempts"]]);
    expect(await messagesTo(appDb, stranger)).toEqual([]);
  });

  it("limits password attempts per IP address (30 in 15 minutes)", async () => {
    const ip = nextIp();
    const statuses = [];
    for (let i = 0; i < 31; i++) statuses.push((await http.post("/login", { intent: "password", email: `guess-${i}@example.org`, password: "x" }, { ip })).status);
    expect(statuses.slice(0, 30).every((s) => s === 401)).toBe(true);
    const limited = await http.post("/login", { intent: "password", email: "another@example.org", password: "x" }, { ip });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await limited.text()).toContain("Too many sign-in attempts from your network");
  });
});

describe("sign-in links", () => {
  it("emails a single-use link; looking at it (GET, HEAD, scanners) signs nobody in; the button does", async () => {
    const member = await addMember(appDb);
    const asked = await http.post("/login", { intent: "link", email: member.email });
    const askedUnknown = await http.post("/login", { intent: "link", email: "unknown-for-links@example.org" });
    expect([asked.status, askedUnknown.status]).toEqual([200, 200]);
    expect(await normalised(asked, member.email)).toBe(await normalised(askedUnknown, "unknown-for-links@example.org"));

    await expect.poll(async () => (await messagesTo(appDb, member.email)).map((m) => m.status), { timeout: 10_000 }).toEqual(["SENT"]);
    const [message] = await messagesTo(appDb, member.email);
    expect(message.template).toBe("sign-in-link");
    // The stored record keeps no usable link; the delivered email has it.
    expect(message.data.url).toBe("[removed once sent]");
    const path = http.pathOf((await emailedLink(app.outboxDir, member.email, "sign-in-link"))!);
    expect(path).toMatch(/^\/login\/link\/[\w-]{43}$/);
    // The delivered email carries the same link.
    const files = fs.readdirSync(app.outboxDir);
    const mails = await Promise.all(files.map((f) => PostalMime.parse(fs.readFileSync(`${app.outboxDir}/${f}`))));
    expect(mails.find((m) => m.to?.[0].address === member.email)?.text).toContain(path);

    for (const method of ["GET", "HEAD", "GET"]) {
      const response = await fetch(`${app.url}${path}`, { method, redirect: "manual", headers: { "user-agent": "Mozilla/5.0 (compatible; Proofpoint URL Defense)" } });
      expect(response.status).toBe(200);
      expect(response.headers.get("set-cookie")).toBeNull();
    }
    expect(await liveSessions(member.userId)).toBe(0);
    expect((await appDb.db.oneTimeLink.findFirst({ where: { userId: member.userId }, orderBy: { id: "asc" } }))!.usedAt).toBeNull();

    const used = await http.post(path, {});
    expect(used.status).toBe(302);
    expect(used.headers.get("location")).toBe("/preferences");
    expect((await http.get("/account", { cookie: sessionCookie(used) })).status).toBe(200);

    const again = await http.post(path, {});
    expect(again.status).toBe(410);
    expect(sessionCookie(again)).toBeNull();
    expect(await again.text()).toContain("This link has already been used");
    expect(await liveSessions(member.userId)).toBe(1);
  });

  it("an unknown token gets the 'no longer works' page", async () => {
    const response = await http.get(`/login/link/${"A".repeat(43)}`);
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("This link no longer works");
  });
});

describe("sessions", () => {
  it("sign-out (POST) ends the session; the old cookie then gets the login page", async () => {
    const member = await addMember(appDb);
    const cookie = await http.signIn(member.email);
    expect((await http.get("/logout", { cookie })).status).toBe(200); // GET only asks
    expect((await http.get("/account", { cookie })).status).toBe(200);
    const out = await http.post("/logout", {}, { cookie });
    expect(out.status).toBe(302);
    expect(out.headers.get("location")).toBe("/login?signedOut=1");
    expect(out.headers.get("set-cookie")).toMatch(/^pc_session=; Path=\/; Expires=Thu, 01 Jan 1970/);
    const after = await http.get("/account", { cookie });
    expect(after.headers.get("location")).toBe("/login?redirectTo=%2Faccount");
  });

  it("'sign out everywhere' ends every session of the account", async () => {
    const member = await addMember(appDb);
    const laptop = await http.signIn(member.email);
    const phone = await http.signIn(member.email);
    expect(await liveSessions(member.userId)).toBe(2);
    const response = await http.post("/account", { intent: "sign-out-everywhere" }, { cookie: laptop });
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/login?signedOut=everywhere");
    expect(await liveSessions(member.userId)).toBe(0);
    for (const cookie of [laptop, phone]) {
      const account = await http.get("/account", { cookie });
      expect(account.status).toBe(302);
      const login = await http.get(account.headers.get("location")!, { cookie });
      expect(login.status).toBe(200);
      expect(await login.text()).toContain("<h1>Sign in</h1>");
    }
  });

  it("a session idle for 30 days is refused", async () => {
    const member = await addMember(appDb);
    const cookie = await http.signIn(member.email);
    await appDb.db.session.updateMany({ where: { userId: member.userId }, data: { lastSeenAt: new Date(Date.now() - 30 * 86_400_000 - 1000) } });
    expect((await http.get("/account", { cookie })).status).toBe(302);
  });

  it("signing in replaces the session id the browser had", async () => {
    const member = await addMember(appDb);
    const first = await http.signIn(member.email);
    const response = await http.post("/login", { intent: "password", email: member.email, password: MEMBER_PASSWORD }, { cookie: first });
    // Already signed in does not matter to the POST: a new session, the old one revoked.
    expect(sessionCookie(response)).not.toBe(first);
    expect((await http.get("/account", { cookie: first })).status).toBe(302);
    expect(await liveSessions(member.userId)).toBe(1);
  });
});

describe("what the server refuses", () => {
  it("a sign-in posted from another site gets a 403 and no session", async () => {
    const member = await addMember(appDb);
    const response = await http.post("/login", { intent: "password", email: member.email, password: MEMBER_PASSWORD }, { origin: "https://evil.example" });
    expect(response.status).toBe(403);
    expect(await liveSessions(member.userId)).toBe(0);
  });

  it.each([
    ["/login", { intent: "password", email: "not-an-address", password: "x" }, "Enter a valid email address"],
    ["/login", { intent: "password", email: "a@example.org", password: "" }, "Enter your password."],
    ["/login", { intent: "link", email: "" }, "Enter an email address"],
    ["/signup", { email: "new@example.org", name: "", password: "x" }, "Enter your name."],
    ["/forgot-password", { email: "jane@" }, "Enter a valid email address"],
  ])("%s with bad input gets a clear message and a 400: %j", async (path, fields, message) => {
    const response = await http.post(path, fields as Record<string, string>);
    expect(response.status).toBe(400);
    expect(await response.text()).toContain(message);
  });

  it("a sign-in form with an unknown intent says the form could not be read, with a 400", async () => {
    const response = await http.post("/login", { intent: "bogus", email: "a@example.org", password: "x" });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("The form could not be read. Please try again.");
  });

  it("a body that is not a form gets a 400, not a 500", async () => {
    for (const path of ["/login", "/signup", "/forgot-password"]) {
      const response = await fetch(`${app.url}${path}`, { method: "POST", body: "{not a form", headers: { "content-type": "multipart/form-data; boundary=x" } });
      expect(response.status).toBe(400);
    }
  });
});
