import crypto from "node:crypto";
import { importLinkKey, keyringOf, type Keyring } from "~/domain/tokens/keyring.server.ts";
import { signLinkToken, type LinkPurpose } from "~/domain/tokens/link-tokens.server.ts";
import { createDb } from "~/utils/db.server.ts";
import type { RunningApp } from "./app-server.ts";

/**
 * Access to a running app's database, and links signed with its own keys, for tests that drive
 * the app over HTTP. `db` is a Prisma client on the app's database (SQLite or PostgreSQL): the
 * app's tables are the source of truth.
 */
export function openAppDatabase(app: RunningApp) {
  const db = createDb(app.databaseUrl, { poolSize: 2 });

  async function keyring(): Promise<Keyring> {
    const active = await db.signingKey.findFirst({ where: { retiredAt: null }, orderBy: { id: "desc" }, select: { kid: true, secret: true } });
    return keyringOf(importLinkKey(active!.kid, active!.secret));
  }

  return {
    db,
    /** A link signed with the app's newest key (or a given secret and kid). */
    async link(
      purpose: LinkPurpose,
      claims: { contactId: number; unitId: number; topicId?: number | null; campaignId?: number | null; now?: Date },
      signer?: { kid: string; secret: string },
    ): Promise<string> {
      const ring = signer ? keyringOf(importLinkKey(signer.kid, signer.secret)) : await keyring();
      const token = signLinkToken(ring, { purpose, ...claims });
      return `${app.url}/${purpose === "unsubscribe" ? "u" : "p"}/${token}`;
    },
    /** Adds a signing key row, active, retired or revoked (the app reads new keys on its next keyring refresh). */
    async addKey(state: "active" | "retired" | "revoked"): Promise<{ kid: string; secret: string }> {
      const kid = crypto.randomBytes(6).toString("base64url");
      const secret = crypto.randomBytes(32).toString("base64url");
      const now = new Date();
      await db.signingKey.create({
        data: { kid, secret, createdAt: new Date(Date.now() - 1000), retiredAt: state === "active" ? null : now, revokedAt: state === "revoked" ? now : null },
      });
      return { kid, secret };
    },
    close: () => db.$disconnect(),
  };
}
