import pg from "pg";
import { describe, expect, it, vi } from "vitest";
import { db } from "~/utils/db.server.ts";
import { testsOnPostgresql } from "../../../tests/helpers/test-database.ts";
import { createMailingUnit, createSubscriber, latestLinkTo, STRONG_PASSWORD, tokenOf } from "../../../tests/helpers/accounts.ts";
import { confirmEmailChange, requestEmailChange } from "./account.server.ts";

// A person confirms a new address while an import creates a contact with that same address. On
// PostgreSQL (READ COMMITTED) the confirmation looks, finds no contact there, and its UPDATE then
// meets the import's row at the unique index once the import commits. SQLite has one writer, so
// the two cannot overlap there. The person must end up on the address, linked to the imported
// contact, as when the import came first: not a 500 and a used link.

const nobody = { ip: "203.0.113.21", userAgent: "vitest" };

describe.runIf(testsOnPostgresql)("an address confirmed while an import creates it", () => {
  it("links the account to the imported contact instead of failing", async () => {
    await createMailingUnit();
    const user = await createSubscriber();
    const target = `taken-meanwhile-${Math.random().toString(36).slice(2, 10)}@example.org`;
    await requestEmailChange(user.id, { newEmail: target, currentPassword: STRONG_PASSWORD }, nobody);
    const token = tokenOf(await latestLinkTo(target, "email-change-verification"));

    // The import, on a connection of its own: its contact is written but not yet committed.
    const importer = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await importer.connect();
    try {
      await importer.query("BEGIN");
      const imported = await importer.query<{ id: number }>(`INSERT INTO "Contact" ("email", "updatedAt") VALUES ($1, now()) RETURNING "id"`, [target]);
      const confirming = confirmEmailChange(token, nobody).catch((error: Error) => error);
      // The confirmation has read "nobody has this address" and now waits on the import's row.
      await vi.waitFor(
        async () => {
          const waiting = await importer.query(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`);
          if (waiting.rowCount === 0) throw new Error("The confirmation never waited on the import's row.");
        },
        { timeout: 10_000, interval: 20 },
      );
      await importer.query("COMMIT");

      expect(await confirming).toEqual({ outcome: "changed", newEmail: target });
      expect(await db.user.findUniqueOrThrow({ where: { id: user.id } })).toMatchObject({ email: target, contactId: imported.rows[0].id });
      expect(await db.contact.findUniqueOrThrow({ where: { id: user.contactId! } })).toMatchObject({ email: user.email });
    } finally {
      await importer.end();
    }
  });
});
