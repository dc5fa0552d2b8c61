import crypto from "node:crypto";
import { createCookie } from "@remix-run/node";
import { db } from "~/utils/db.server.ts";
import { getEnv } from "~/utils/env.server.ts";

// Sessions are database rows; the cookie holds only the row's id (signed), so any session can
// be revoked at once. See docs/decisions/005-sessions.md.

/** A session opened from an emailed link reaches one contact's preferences, briefly. */
export const LINK_SESSION_MS = 60 * 60_000;

let sessionCookie: ReturnType<typeof createCookie> | undefined;
function cookie() {
  const env = getEnv();
  sessionCookie ??= createCookie("pc_session", {
    httpOnly: true,
    sameSite: "lax",
    secure: env.NODE_ENV !== "development",
    path: "/",
    secrets: [env.SESSION_SECRET],
  });
  return sessionCookie;
}

export type Requester = { ip: string | null; userAgent: string | null };

export type CurrentSession = { id: string; userId: number | null; contactId: number | null; expiresAt: Date };

/** Opens a contact-scoped session (no password) and returns the Set-Cookie header value. */
export async function openLinkSession(contactId: number, requester: Requester, now = new Date()): Promise<string> {
  const id = crypto.randomBytes(32).toString("base64url");
  const expiresAt = new Date(now.getTime() + LINK_SESSION_MS);
  await db.session.create({ data: { id, contactId, expiresAt, ip: requester.ip, userAgent: requester.userAgent } });
  return cookie().serialize(id, { expires: expiresAt });
}

/** The request's live session, or null (no cookie, bad signature, expired, revoked). */
export async function readSession(request: Request, now = new Date()): Promise<CurrentSession | null> {
  const id: unknown = await cookie().parse(request.headers.get("cookie"));
  if (typeof id !== "string") return null;
  const session = await db.session.findUnique({
    where: { id },
    select: { id: true, userId: true, contactId: true, expiresAt: true, revokedAt: true },
  });
  if (!session || session.revokedAt || session.expiresAt <= now) return null;
  return { id: session.id, userId: session.userId, contactId: session.contactId, expiresAt: session.expiresAt };
}

/** Revokes the request's session and returns the Set-Cookie header that clears the cookie. */
export async function closeSession(request: Request): Promise<string> {
  const id: unknown = await cookie().parse(request.headers.get("cookie"));
  if (typeof id === "string") await db.session.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: new Date() } });
  return cookie().serialize("", { expires: new Date(0) });
}
