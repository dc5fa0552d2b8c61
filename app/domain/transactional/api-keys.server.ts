import crypto from "node:crypto";
import { db } from "~/utils/db.server.ts";

const KEY_PREFIX = "pck_";

function hashKey(key: string): string {
  return crypto.createHash("sha256").update(key).digest("hex");
}

/** Creates a key for one unit. The key is returned once and only its hash is stored. */
export async function createApiKey(unitSlug: string, name = ""): Promise<{ id: number; key: string; unitSlug: string }> {
  const unit = await db.businessUnit.findUnique({ where: { slug: unitSlug }, select: { id: true, slug: true } });
  if (!unit) throw new Error(`There is no business unit "${unitSlug}".`);
  const key = `${KEY_PREFIX}${crypto.randomBytes(32).toString("base64url")}`;
  const row = await db.apiKey.create({
    data: { unitId: unit.id, name, prefix: key.slice(0, 12), keyHash: hashKey(key) },
    select: { id: true },
  });
  return { id: row.id, key, unitSlug: unit.slug };
}

export async function revokeApiKey(id: number): Promise<boolean> {
  const { count } = await db.apiKey.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: new Date() } });
  return count > 0;
}

export function listApiKeys() {
  return db.apiKey.findMany({
    orderBy: { id: "asc" },
    select: { id: true, name: true, prefix: true, createdAt: true, lastUsedAt: true, revokedAt: true, unit: { select: { slug: true } } },
  });
}

/** The unit an `Authorization: Bearer <key>` header speaks for, or null for a missing, unknown or revoked key. */
export async function authenticateApiKey(authorization: string | null): Promise<{ keyId: number; unitId: number } | null> {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? "");
  if (!match || !match[1].startsWith(KEY_PREFIX)) return null;
  // Looked up by hash: the unique index makes this one indexed read, and no key is ever compared in the clear.
  const key = await db.apiKey.findUnique({ where: { keyHash: hashKey(match[1]) }, select: { id: true, unitId: true, revokedAt: true } });
  if (!key || key.revokedAt) return null;
  await db.apiKey.update({ where: { id: key.id }, data: { lastUsedAt: new Date() } });
  return { keyId: key.id, unitId: key.unitId };
}
