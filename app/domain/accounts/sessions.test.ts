import { beforeEach, describe, expect, it } from "vitest";
import { db } from "~/utils/db.server.ts";
import { createSubscriber, requestWithCookie } from "../../../tests/helpers/accounts.ts";
import {
  closeSession,
  openLinkSession,
  openUserSession,
  readSession,
  revokeUserSessions,
  SESSION_IDLE_MS,
  SESSION_MAX_MS,
} from "./sessions.server.ts";

const MINUTE = 60_000;
const DAY = 86_400_000;
const start = new Date("2026-11-22T10:00:00Z");
const later = (ms: number) => new Date(start.getTime() + ms);
const requester = { ip: "203.0.113.9", userAgent: "vitest" };

let user: Awaited<ReturnType<typeof createSubscriber>>;
beforeEach(async () => {
  user = await createSubscriber();
});

const lastSeen = async (setCookie: string) => {
  const session = await readSession(requestWithCookie(setCookie), start);
  return (await db.session.findUniqueOrThrow({ where: { id: session!.id } })).lastSeenAt;
};

describe("user sessions", () => {
  it("the cookie holds only a signed session id: httpOnly, SameSite=Lax, Secure outside development", async () => {
    const setCookie = await openUserSession(user.id, requestWithCookie(), requester, start);
    expect(setCookie).toMatch(/^pc_session=[^;]+; Path=\/; Expires=[^;]+; HttpOnly; Secure; SameSite=Lax$/);
    const session = await readSession(requestWithCookie(setCookie), start);
    // Remix's signed cookie: base64 of the JSON value, a dot, the signature.
    const [encoded] = decodeURIComponent(setCookie.split(";")[0].slice("pc_session=".length)).split(".");
    expect(JSON.parse(Buffer.from(encoded, "base64").toString())).toBe(session!.id);
    expect(setCookie).not.toContain(String(user.email));
  });

  it("a tampered cookie is no session", async () => {
    const setCookie = await openUserSession(user.id, requestWithCookie(), requester, start);
    const [value] = setCookie.split(";");
    expect(await readSession(requestWithCookie(`${value.slice(0, -3)}abc`), start)).toBeNull();
  });

  it("signing in always makes a new session id and closes the one the request had", async () => {
    const first = await openUserSession(user.id, requestWithCookie(), requester, start);
    const second = await openUserSession(user.id, requestWithCookie(first), requester, later(MINUTE));
    expect(second.split(";")[0]).not.toBe(first.split(";")[0]);
    expect(await readSession(requestWithCookie(first), later(2 * MINUTE))).toBeNull();
    expect(await readSession(requestWithCookie(second), later(2 * MINUTE))).toMatchObject({ userId: user.id });
  });

  it("writes lastSeenAt at most once a minute", async () => {
    const setCookie = await openUserSession(user.id, requestWithCookie(), requester, start);
    await readSession(requestWithCookie(setCookie), later(30_000));
    expect(await lastSeen(setCookie)).toEqual(start);
    await readSession(requestWithCookie(setCookie), later(61_000));
    expect(await lastSeen(setCookie)).toEqual(later(61_000));
  });

  it("ends after 30 days without a request, and lives on while used", async () => {
    const idle = await openUserSession(user.id, requestWithCookie(), requester, start);
    expect(await readSession(requestWithCookie(idle), later(SESSION_IDLE_MS - MINUTE))).not.toBeNull();
    const fresh = await openUserSession(user.id, requestWithCookie(), requester, start);
    expect(await readSession(requestWithCookie(fresh), later(SESSION_IDLE_MS))).toBeNull();

    const used = await openUserSession(user.id, requestWithCookie(), requester, start);
    for (let day = 20; day < 80; day += 20) expect(await readSession(requestWithCookie(used), later(day * DAY))).not.toBeNull();
    expect(await readSession(requestWithCookie(used), later(SESSION_MAX_MS))).toBeNull();
  });

  it("revoking a user's sessions ends every one of them, or all but one", async () => {
    const a = await openUserSession(user.id, requestWithCookie(), requester, start);
    const b = await openUserSession(user.id, requestWithCookie(), requester, start);
    const keep = (await readSession(requestWithCookie(b), start))!.id;
    expect(await revokeUserSessions(user.id, start, { except: keep })).toBe(1);
    expect(await readSession(requestWithCookie(a), start)).toBeNull();
    expect(await readSession(requestWithCookie(b), start)).not.toBeNull();
    await revokeUserSessions(user.id, start);
    expect(await readSession(requestWithCookie(b), start)).toBeNull();
  });

  it("closing a session revokes it and clears the cookie", async () => {
    const setCookie = await openUserSession(user.id, requestWithCookie(), requester, start);
    const cleared = await closeSession(requestWithCookie(setCookie), start);
    expect(cleared).toMatch(/^pc_session=; Path=\/; Expires=Thu, 01 Jan 1970/);
    expect(await readSession(requestWithCookie(setCookie), start)).toBeNull();
  });
});
