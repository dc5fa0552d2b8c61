import crypto from "node:crypto";
import Database from "better-sqlite3";
import { importLinkKey, keyringOf, type Keyring } from "~/domain/tokens/keyring.server.ts";
import { signLinkToken, type LinkPurpose } from "~/domain/tokens/link-tokens.server.ts";
import { createDb } from "~/utils/db.server.ts";
import type { RunningApp } from "./app-server.ts";

/**
 * Read access to a running app's database, and links signed with its own keys, for tests that
 * drive the app over HTTP. Reads go straight to SQLite; the app's tables are the source of truth.
 */
export function openAppDatabase(app: RunningApp) {
  /** The app's database through Prisma, on SQLite or PostgreSQL alike. */
  const db = createDb(app.databaseUrl, { poolSize: 2 });
  const sqlite = new Database(app.databaseFile!);
  sqlite.pragma("busy_timeout = 5000");
  const count = (sql: string, ...params: unknown[]) => (sqlite.prepare(sql).get(...params) as { n: number }).n;
  const row = <T>(sql: string, ...params: unknown[]) => sqlite.prepare(sql).get(...params) as T;
  const rows = <T>(sql: string, ...params: unknown[]) => sqlite.prepare(sql).all(...params) as T[];

  function keyring(): Keyring {
    const keys = rows<{ kid: string; secret: string; retiredAt: string | null }>(
      "SELECT kid, secret, retiredAt FROM SigningKey ORDER BY id DESC",
    );
    const active = keys.find((k) => !k.retiredAt)!;
    return keyringOf(importLinkKey(active.kid, active.secret));
  }

  return {
    db,
    sqlite,
    count,
    row,
    rows,
    /** A link signed with the app's newest key (or a given secret and kid). */
    async link(
      purpose: LinkPurpose,
      claims: { contactId: number; unitId: number; topicId?: number | null; campaignId?: number | null; now?: Date },
      signer?: { kid: string; secret: string },
    ): Promise<string> {
      const ring = signer ? keyringOf(importLinkKey(signer.kid, signer.secret)) : keyring();
      const token = signLinkToken(ring, { purpose, ...claims });
      return `${app.url}/${purpose === "unsubscribe" ? "u" : "p"}/${token}`;
    },
    /** Adds a signing key row, active, retired or revoked (the app reads new keys on its next keyring refresh). */
    addKey(state: "active" | "retired" | "revoked"): { kid: string; secret: string } {
      const kid = crypto.randomBytes(6).toString("base64url");
      const secret = crypto.randomBytes(32).toString("base64url");
      const now = sqliteTime(new Date());
      sqlite
        .prepare("INSERT INTO SigningKey (kid, secret, createdAt, retiredAt, revokedAt) VALUES (?, ?, ?, ?, ?)")
        .run(kid, secret, sqliteTime(new Date(Date.now() - 1000)), state === "active" ? null : now, state === "revoked" ? now : null);
      return { kid, secret };
    },
    close: async () => {
      sqlite.close();
      await db.$disconnect();
    },
  };
}

/** DateTime as Prisma's SQLite adapter stores it. */
export function sqliteTime(date: Date): string {
  return date.toISOString().replace("Z", "+00:00");
}
