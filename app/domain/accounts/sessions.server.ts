import crypto from "node:crypto";
import { createCookie } from "@remix-run/node";
import type { Role } from "~/generated/prisma/enums.ts";
import { db } from "~/utils/db.server.ts";
import { getEnv } from "~/utils/env.server.ts";

// Sessions are database rows; the cookie holds only the row's id (signed), so any session can
// be revoked at once. See docs/decisions/005-accounts-and-sessions.md.

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

/** A session opened from an emailed link reaches one contact's preferences, briefly. */
export const LINK_SESSION_MS = 60 * MINUTE_MS;
/** A signed-in session ends after this long without a request… */
export const SESSION_IDLE_MS = 30 * DAY_MS;
/** …and in any case this long after sign-in. */
export const SESSION_MAX_MS = 90 * DAY_MS;
/** lastSeenAt is written at most this often per session, to save writes. */
export const SESSION_TOUCH_MS = MINUTE_MS;

let sessionCookie: ReturnType<typeof createCookie> | undefined;
function cookie() {
  const env = getEnv();
  sessionCookie ??= createCookie("pc_session", {
    httpOnly: true,
    // Lax: the cookie is not sent with cross-site POSTs (the server also checks Origin).
    sameSite: "lax",
    secure: env.NODE_ENV !== "development",
    path: "/",
    secrets: [env.SESSION_SECRET],
  });
  return sessionCookie;
}

export type { Requester } from "~/utils/request.server.ts";
import type { Requester } from "~/utils/request.server.ts";

export type CurrentSession = {
  id: string;
  userId: number | null;
  contactId: number | null;
  /** The jti of the link that opened a contact-scoped session. */
  linkTokenId: string | null;
  expiresAt: Date;
};

export type SignedInUser = {
  sessionId: string;
  id: number;
  email: string;
  name: string | null;
  role: Role;
  /** The Contact a subscriber account is linked to (null for staff, or before verification). */
  contactId: number | null;
};

function newSessionId(): string {
  return crypto.randomBytes(32).toString("base64url");
}

async function cookieSessionId(request: Request): Promise<string | null> {
  const id: unknown = await cookie().parse(request.headers.get("cookie"));
  return typeof id === "string" && id.length > 0 ? id : null;
}

/** The emailed link a contact-scoped session is opened from. */
export type SessionLink = { contactId: number; tokenId: string; optOutOnly: boolean };

/**
 * Opens a contact-scoped session (no password) from a verified link and returns the Set-Cookie
 * header value. The session keeps the link's token id, so what is changed in it names the link.
 */
export async function openLinkSession(link: SessionLink, requester: Requester, now = new Date()): Promise<string> {
  // A link signed by a retired key may only opt out; the routes refuse it before this.
  if (link.optOutOnly) throw new Error("A link signed by a retired key opens no session.");
  const id = newSessionId();
  const expiresAt = new Date(now.getTime() + LINK_SESSION_MS);
  await db.session.create({
    data: { id, contactId: link.contactId, linkTokenId: link.tokenId, expiresAt, createdAt: now, lastSeenAt: now, ip: requester.ip, userAgent: requester.userAgent },
  });
  return cookie().serialize(id, { expires: expiresAt });
}

/**
 * Signs a user in: always a new session row with a new id (a session id known before sign-in
 * is worth nothing after it), and the request's earlier session, if any, is closed.
 * Returns the Set-Cookie header value.
 */
export async function openUserSession(userId: number, request: Request, requester: Requester, now = new Date()): Promise<string> {
  const previous = await cookieSessionId(request);
  const id = newSessionId();
  const expiresAt = new Date(now.getTime() + SESSION_MAX_MS);
  await db.$transaction([
    ...(previous ? [db.session.updateMany({ where: { id: previous, revokedAt: null }, data: { revokedAt: now } })] : []),
    db.session.create({ data: { id, userId, expiresAt, createdAt: now, lastSeenAt: now, ip: requester.ip, userAgent: requester.userAgent } }),
    db.user.update({ where: { id: userId }, data: { lastSignInAt: now } }),
  ]);
  return cookie().serialize(id, { expires: expiresAt });
}

/** The request's live session, or null (no cookie, bad signature, expired, idle too long, revoked). */
export async function readSession(request: Request, now = new Date()): Promise<CurrentSession | null> {
  const id = await cookieSessionId(request);
  if (!id) return null;
  const session = await db.session.findUnique({
    where: { id },
    select: { id: true, userId: true, contactId: true, linkTokenId: true, expiresAt: true, revokedAt: true, lastSeenAt: true },
  });
  if (!session || session.revokedAt || session.expiresAt <= now) return null;
  const idleMs = now.getTime() - session.lastSeenAt.getTime();
  if (idleMs >= SESSION_IDLE_MS) return null;
  if (idleMs >= SESSION_TOUCH_MS) {
    // Conditional, so two requests in the same minute write once between them.
    await db.session.updateMany({
      where: { id, lastSeenAt: { lt: new Date(now.getTime() - SESSION_TOUCH_MS) } },
      data: { lastSeenAt: now },
    });
  }
  return { id: session.id, userId: session.userId, contactId: session.contactId, linkTokenId: session.linkTokenId, expiresAt: session.expiresAt };
}

/** The signed-in user, or null (no session, or a link session that belongs to a contact only). */
export async function readSignedInUser(request: Request, now = new Date()): Promise<SignedInUser | null> {
  const session = await readSession(request, now);
  if (!session?.userId) return null;
  const user = await db.user.findUnique({
    where: { id: session.userId },
    select: { id: true, email: true, name: true, role: true, contactId: true, accessRevokedAt: true },
  });
  // Revoking access ends the sessions too; this refuses one that slipped through all the same.
  if (!user || user.accessRevokedAt) return null;
  const { accessRevokedAt: _revoked, ...signedIn } = user;
  return { sessionId: session.id, ...signedIn };
}

/** Revokes the request's session and returns the Set-Cookie header that clears the cookie. */
export async function closeSession(request: Request, now = new Date()): Promise<string> {
  const id = await cookieSessionId(request);
  if (id) await db.session.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: now } });
  return clearSessionCookie();
}

/** The Set-Cookie header value that removes the session cookie. */
export function clearSessionCookie(): Promise<string> {
  return cookie().serialize("", { expires: new Date(0) });
}

/** "Sign out everywhere", a new password, an erasure: every session of the user ends now. */
export async function revokeUserSessions(userId: number, now = new Date(), options: { except?: string } = {}): Promise<number> {
  // Sessions opened from emailed links to the account's own contact end too.
  const user = await db.user.findUnique({ where: { id: userId }, select: { contactId: true } });
  const { count } = await db.session.updateMany({
    where: {
      revokedAt: null,
      OR: [{ userId }, ...(user?.contactId ? [{ contactId: user.contactId }] : [])],
      ...(options.except ? { id: { not: options.except } } : {}),
    },
    data: { revokedAt: now },
  });
  return count;
}

/** Live sessions of a user (shown on /account). */
export function countLiveSessions(userId: number, now = new Date()): Promise<number> {
  return db.session.count({
    where: { userId, revokedAt: null, expiresAt: { gt: now }, lastSeenAt: { gt: new Date(now.getTime() - SESSION_IDLE_MS) } },
  });
}
