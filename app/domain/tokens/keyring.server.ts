import crypto from "node:crypto";
import type { Db } from "~/utils/db.server.ts";
import { db } from "~/utils/db.server.ts";

/** Signing keys imported once as CryptoKeys (importing per call halves jose's throughput). */
export type Keyring = {
  /** The newest unretired key: it signs every new link. `id` (its row) is there to count its signatures. */
  signing: { kid: string; key: CryptoKey; id?: number } | null;
  /** Unretired keys by kid: each of them verifies. */
  verifying: Map<string, CryptoKey>;
  /** Kids that were retired: links signed with them get "this link no longer works". */
  retired: Set<string>;
};

import { KEYRING_REFRESH_MS } from "./key-ids.ts";

export { KEYRING_REFRESH_MS };

// Kept on globalThis: the web process loads this module twice (the Remix build and the campaign
// sender started beside it), and a retirement made on a page must reach both at once.
const shared = globalThis as unknown as { __keyringCache?: { keyring: Keyring; loadedAt: number } | null };

export async function getKeyring(client: Db = db): Promise<Keyring> {
  const cached = shared.__keyringCache;
  if (cached && Date.now() - cached.loadedAt < KEYRING_REFRESH_MS) return cached.keyring;
  const rows = await client.signingKey.findMany({ orderBy: [{ createdAt: "desc" }, { id: "desc" }] });
  const verifying = new Map<string, CryptoKey>();
  const retired = new Set<string>();
  let signing: Keyring["signing"] = null;
  for (const row of rows) {
    if (row.retiredAt) {
      retired.add(row.kid);
      continue;
    }
    const key = await importSecret(row.secret);
    verifying.set(row.kid, key);
    signing ??= { kid: row.kid, key, id: row.id };
  }
  const keyring = { signing, verifying, retired };
  shared.__keyringCache = { keyring, loadedAt: Date.now() };
  return keyring;
}

/** Forget the cached keyring so the next call reads the table (after a rotation or retirement). */
export function invalidateKeyring(): void {
  shared.__keyringCache = null;
}

export function importSecret(secret: string): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", Buffer.from(secret, "base64url"), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
    "verify",
  ]);
}

/** Adds a new key that signs from now on; older unretired keys keep verifying. */
export async function rotateSigningKey(client: Db = db): Promise<{ kid: string }> {
  const kid = crypto.randomBytes(6).toString("base64url");
  await client.signingKey.create({ data: { kid, secret: crypto.randomBytes(32).toString("base64url") } });
  invalidateKeyring();
  return { kid };
}

/** Links signed with a retired key stop working. Retiring the only key leaves nothing to sign with. */
export async function retireSigningKey(kid: string, client: Db = db): Promise<boolean> {
  const { count } = await client.signingKey.updateMany({ where: { kid, retiredAt: null }, data: { retiredAt: new Date() } });
  invalidateKeyring();
  return count > 0;
}

/** Makes sure there is a key to sign with (first start, or after the last one was retired). */
export async function ensureSigningKey(client: Db = db): Promise<void> {
  const active = await client.signingKey.count({ where: { retiredAt: null } });
  if (active === 0) await rotateSigningKey(client);
}
