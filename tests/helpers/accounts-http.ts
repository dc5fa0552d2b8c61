import crypto from "node:crypto";
import { hashPassword } from "~/domain/accounts/passwords.server.ts";
import type { RunningApp } from "./app-server.ts";
import type { Login } from "./demo-logins.ts";
import type { openAppDatabase } from "./app-database.ts";

// Driving the account pages of a running app over HTTP, the way a browser without JavaScript does.

type AppDb = ReturnType<typeof openAppDatabase>;

export const MEMBER_PASSWORD = "quiet-harbour-lantern-4821";

/** Each caller gets its own client IP (the server trusts X-Forwarded-For from loopback), so per-IP limits do not collide. */
let ipCounter = 0;
export const nextIp = () => `198.18.${Math.floor(++ipCounter / 250)}.${(ipCounter % 250) + 1}`;

export function httpClient(app: RunningApp) {
  async function post(path: string, fields: Record<string, string> | URLSearchParams, options: { cookie?: string | null; ip?: string; origin?: string } = {}) {
    return fetch(`${app.url}${path}`, {
      method: "POST",
      body: new URLSearchParams(fields),
      redirect: "manual",
      headers: {
        "x-forwarded-for": options.ip ?? nextIp(),
        ...(options.cookie ? { cookie: options.cookie } : {}),
        ...(options.origin ? { origin: options.origin } : {}),
      },
    });
  }
  async function get(path: string, options: { cookie?: string | null } = {}) {
    return fetch(`${app.url}${path}`, { redirect: "manual", headers: options.cookie ? { cookie: options.cookie } : {} });
  }
  /** Signs in with a password and returns the session cookie ("pc_session=…"). */
  async function signIn(email: string, password = MEMBER_PASSWORD): Promise<string> {
    const response = await post("/login", { intent: "password", email, password });
    const cookie = sessionCookie(response);
    if (response.status !== 302 || !cookie) throw new Error(`Sign-in failed with ${response.status}: ${await response.text()}`);
    return cookie;
  }
  /** Signs in as one of the demo seed's people (or any login) and returns the session cookie. */
  const signInAs = (login: Login) => signIn(login.email, login.password);
  /** An emailed URL (made with the app's PUBLIC_URL) as a path on the test server. */
  const pathOf = (url: string) => new URL(url).pathname;
  return { post, get, signIn, signInAs, pathOf };
}

export function sessionCookie(response: Response): string | null {
  const header = response.headers.get("set-cookie");
  const match = header?.match(/pc_session=[^;]*/);
  return match ? match[0] : null;
}

/** A subscriber account with its Contact, written straight into the app's database. */
export async function addMember(appDb: AppDb, options: { email?: string; verified?: boolean } = {}) {
  const email = options.email ?? `member-${crypto.randomBytes(4).toString("hex")}@example.com`;
  const contact = await appDb.db.contact.create({ data: { email, name: "Member", locale: "en" } });
  const user = await appDb.db.user.create({
    data: {
      email,
      name: "Member",
      passwordHash: await hashPassword(MEMBER_PASSWORD),
      role: "SUBSCRIBER",
      contactId: contact.id,
      emailVerifiedAt: options.verified === false ? null : new Date(),
    },
  });
  return { email, userId: user.id, contactId: contact.id };
}

/** The messages the app has stored for an address, oldest first. */
export async function messagesTo(appDb: AppDb, email: string) {
  const messages = await appDb.db.transactionalMessage.findMany({ where: { toEmail: email }, orderBy: { id: "asc" }, select: { template: true, status: true, data: true } });
  return messages.map((m) => ({ ...m, data: JSON.parse(m.data) as Record<string, string> }));
}
