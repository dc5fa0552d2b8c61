import crypto from "node:crypto";
import type { OneTimeLinkPurpose } from "~/generated/prisma/enums.ts";
import type { Db, Tx } from "~/utils/db.server.ts";
import { db } from "~/utils/db.server.ts";
import { getEnv } from "~/utils/env.server.ts";
import { ONE_TIME_LINK_PATHS } from "~/domain/tokens/link-paths.ts";
import { ONE_TIME_LINK_MINUTES } from "./link-lifetimes.ts";

// Links emailed for one use. The token is 32 random bytes; the database keeps only its
// SHA-256, so a copy of the database opens no account. A new link of a purpose replaces the
// user's earlier unused ones: only the latest email works.

const MINUTE_MS = 60_000;

/** What a token in a URL must look like before the database is asked about it. */
export const ONE_TIME_TOKEN = /^[A-Za-z0-9_-]{43}$/;

export type UnusableLink = "unknown" | "used" | "expired";
export type UsableLink = { id: number; userId: number; email: string; expiresAt: Date };

function tokenHash(token: string): string {
  return crypto.createHash("sha256").update(token).digest("base64url");
}

/** Creates a link and returns its URL (the only place the token ever appears). */
export async function issueOneTimeLink(
  link: { userId: number; purpose: OneTimeLinkPurpose; email: string },
  now = new Date(),
  client: Db | Tx = db,
): Promise<{ id: number; url: string; expiresInMinutes: number }> {
  const token = crypto.randomBytes(32).toString("base64url");
  const minutes = ONE_TIME_LINK_MINUTES[link.purpose];
  await client.oneTimeLink.deleteMany({ where: { userId: link.userId, purpose: link.purpose, usedAt: null } });
  const row = await client.oneTimeLink.create({
    data: { ...link, tokenHash: tokenHash(token), createdAt: now, expiresAt: new Date(now.getTime() + minutes * MINUTE_MS) },
    select: { id: true },
  });
  return { id: row.id, url: `${getEnv().PUBLIC_URL}${ONE_TIME_LINK_PATHS[link.purpose]}${token}`, expiresInMinutes: minutes };
}

/** Looks a link up without using it (for the page a GET shows). */
export async function findOneTimeLink(
  token: string,
  purpose: OneTimeLinkPurpose,
  now = new Date(),
  client: Db | Tx = db,
): Promise<{ ok: true; link: UsableLink } | { ok: false; reason: UnusableLink }> {
  if (!ONE_TIME_TOKEN.test(token)) return { ok: false, reason: "unknown" };
  const row = await client.oneTimeLink.findUnique({
    where: { tokenHash: tokenHash(token) },
    select: { id: true, userId: true, email: true, expiresAt: true, usedAt: true, purpose: true },
  });
  if (!row || row.purpose !== purpose) return { ok: false, reason: "unknown" };
  if (row.usedAt) return { ok: false, reason: "used" };
  if (row.expiresAt <= now) return { ok: false, reason: "expired" };
  return { ok: true, link: { id: row.id, userId: row.userId, email: row.email, expiresAt: row.expiresAt } };
}

/**
 * Uses a link: exactly one caller wins, even when two requests arrive together (a conditional
 * update). Run it in the transaction that does what the link allows, so both land or neither.
 */
export async function useOneTimeLink(
  token: string,
  purpose: OneTimeLinkPurpose,
  now: Date,
  client: Db | Tx = db,
): Promise<{ ok: true; link: UsableLink } | { ok: false; reason: UnusableLink }> {
  const found = await findOneTimeLink(token, purpose, now, client);
  if (!found.ok) return found;
  const { count } = await client.oneTimeLink.updateMany({
    where: { id: found.link.id, usedAt: null, expiresAt: { gt: now } },
    data: { usedAt: now },
  });
  return count === 1 ? found : { ok: false, reason: "used" };
}

/** Links that can no longer be used: removed by `accounts prune`. */
export async function deleteSpentOneTimeLinks(now = new Date()): Promise<number> {
  const { count } = await db.oneTimeLink.deleteMany({ where: { OR: [{ usedAt: { not: null } }, { expiresAt: { lte: now } }] } });
  return count;
}
