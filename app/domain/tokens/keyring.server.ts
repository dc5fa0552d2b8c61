import crypto, { type KeyObject } from "node:crypto";
import type { Db, Tx } from "~/utils/db.server.ts";
import { db } from "~/utils/db.server.ts";
import { lockTable } from "~/utils/row-locks.server.ts";

/**
 * One signing key, imported once: links are signed and verified with its KeyObject (ADR 015).
 * `id` (its row) is there to count its signatures; keys made by hand have none.
 */
export type LinkKey = { kid: string; key: KeyObject; id?: number };

export type Keyring = {
  /** The newest active key: it signs every new link. */
  signing: LinkKey | null;
  /** Active keys by kid: each of them verifies links for every purpose. */
  verifying: Map<string, LinkKey>;
  /**
   * Retired keys by kid: they sign nothing, and verify only links that opt someone out (an
   * unsubscribe link must work for as long as it lives, at least 60 days). Never a preferences session.
   */
  optOutOnly: Map<string, LinkKey>;
  /** Kids that were revoked (compromised): nothing they signed is accepted. */
  revoked: Set<string>;
};

import { KEYRING_REFRESH_MS } from "./key-ids.ts";

export { KEYRING_REFRESH_MS };

// Kept on globalThis: the web process loads this module twice (the Remix build and the campaign
// sender started beside it), and a retirement or revocation made on a page must reach both at once.
const shared = globalThis as unknown as { __keyringCache?: { keyring: Keyring; loadedAt: number } | null };

export async function getKeyring(client: Db = db): Promise<Keyring> {
  const cached = shared.__keyringCache;
  if (cached && Date.now() - cached.loadedAt < KEYRING_REFRESH_MS) return cached.keyring;
  const rows = await client.signingKey.findMany({ orderBy: [{ createdAt: "desc" }, { id: "desc" }] });
  const verifying = new Map<string, LinkKey>();
  const optOutOnly = new Map<string, LinkKey>();
  const revoked = new Set<string>();
  let signing: Keyring["signing"] = null;
  for (const row of rows) {
    if (row.revokedAt) {
      revoked.add(row.kid);
      continue;
    }
    const key = { ...importLinkKey(row.kid, row.secret), id: row.id };
    if (row.retiredAt) {
      optOutOnly.set(row.kid, key);
      continue;
    }
    verifying.set(row.kid, key);
    signing ??= key;
  }
  const keyring = { signing, verifying, optOutOnly, revoked };
  shared.__keyringCache = { keyring, loadedAt: Date.now() };
  return keyring;
}

/** Forget the cached keyring so the next call reads the table (after a rotation, retirement or revocation). */
export function invalidateKeyring(): void {
  shared.__keyringCache = null;
}

export function importLinkKey(kid: string, secret: string): LinkKey {
  return { kid, key: crypto.createSecretKey(Buffer.from(secret, "base64url")) };
}

/** A keyring of one key that signs and verifies: tests and benchmarks sign links with it. */
export function keyringOf(key: LinkKey): Keyring {
  return { signing: key, verifying: new Map([[key.kid, key]]), optOutOnly: new Map(), revoked: new Set() };
}

/** 6 random bytes, base64url, never starting with "-": the CLI would read `keys retire -x…` as an option. */
export function newKid(): string {
  for (;;) {
    const kid = crypto.randomBytes(6).toString("base64url");
    if (!kid.startsWith("-")) return kid;
  }
}

/**
 * Writes a new signing key: the one way keys are made, by rotation (keys.server.ts, audited)
 * and at start-up. It signs from the next keyring read on; older active keys keep verifying.
 */
export async function createSigningKey(client: Db | Tx = db, now = new Date()): Promise<string> {
  const kid = newKid();
  await client.signingKey.create({ data: { kid, secret: crypto.randomBytes(32).toString("base64url"), createdAt: now } });
  return kid;
}

/** Adds a key that signs from now on, unaudited: for start-up and tests (keys.server.ts audits). */
export async function rotateSigningKey(client: Db = db): Promise<{ kid: string }> {
  const kid = await createSigningKey(client);
  invalidateKeyring();
  return { kid };
}

/**
 * Makes sure there is a key to sign with (first start, or after the last one was retired).
 * Processes starting at once make one key between them: the count and the new key are one
 * transaction that holds the keys' lock (ADR 039).
 */
export async function ensureSigningKey(client: Db = db): Promise<void> {
  const created = await client.$transaction(async (tx) => {
    await lockTable(tx, "SigningKey");
    const active = await tx.signingKey.count({ where: { retiredAt: null } });
    return active === 0 ? await createSigningKey(tx) : null;
  });
  if (created) invalidateKeyring();
}
