// The consent core's writer for suppression imports: many `suppress` changes at once, with the
// same Suppression rows and SUPPRESS ledger events as one change each, in a fixed number of
// queries per batch (one change per row took 1.8 ms: 36 s for a 20,000-line file, all of it
// holding the one SQLite connection). Like the contact import (import-batch.server.ts):
// - a suppression already in force writes nothing, not even an unchanged ledger event, so
//   running the same file again changes nothing;
// - an erased address is never stored again, not even in a suppression: it is already
//   blocked for every message by its ERASED entry, which keeps only the hash.

import { Prisma } from "~/generated/prisma/client.ts";
import type { SuppressionReason } from "~/generated/prisma/enums.ts";
import type { Tx } from "~/utils/db.server.ts";
import { addressHash } from "./address-hash.server.ts";
import { eventRow, insertEventRows, type ConsentContext } from "./changes.server.ts";
import { normalizeEmail } from "./email.ts";

export type ImportedSuppression = { email: string; reason: Exclude<SuppressionReason, "ERASED">; note: string | null };
export type SuppressionOutcome = "ADDED" | "ALREADY_SUPPRESSED" | "ERASED";

// Rows per multi-row INSERT: well inside SQLite's 32,766 and PostgreSQL's 65,535 parameters.
const ROWS_PER_STATEMENT = 500;

/** Suppresses every address of the batch inside the caller's transaction; one outcome per request, in order. */
export async function applyImportedSuppressions(tx: Tx, requests: ImportedSuppression[], context: ConsentContext): Promise<SuppressionOutcome[]> {
  const now = context.now ?? new Date();
  const asked = requests.map((r) => {
    const email = normalizeEmail(r.email);
    return { ...r, email, emailHash: addressHash(email) };
  });
  const held = new Set<string>();
  const erased = new Set<string>();
  const contactByEmail = new Map<string, number>();
  for (let start = 0; start < asked.length; start += ROWS_PER_STATEMENT) {
    const group = asked.slice(start, start + ROWS_PER_STATEMENT);
    const existing = await tx.suppression.findMany({
      where: { emailHash: { in: [...new Set(group.map((r) => r.emailHash))] } },
      select: { emailHash: true, reason: true },
    });
    for (const e of existing) {
      held.add(`${e.emailHash}:${e.reason}`);
      if (e.reason === "ERASED") erased.add(e.emailHash);
    }
    const contacts = await tx.contact.findMany({
      where: { email: { in: [...new Set(group.map((r) => r.email))] } },
      select: { id: true, email: true },
    });
    for (const c of contacts) contactByEmail.set(c.email, c.id);
  }

  const added: ((typeof asked)[number] & { contactId: number | null; index: number })[] = [];
  const outcomes = asked.map((r, index): SuppressionOutcome => {
    const key = `${r.emailHash}:${r.reason}`;
    if (erased.has(r.emailHash)) return "ERASED";
    if (held.has(key)) return "ALREADY_SUPPRESSED";
    held.add(key);
    added.push({ ...r, contactId: contactByEmail.get(r.email) ?? null, index });
    return "ADDED";
  });

  // Plain multi-row INSERTs that SQLite and PostgreSQL both take, as applyUnitOptOuts does. An
  // entry another writer added since the read above (mail feedback, a second import: on
  // PostgreSQL) stays as it is, and this row was already suppressed (ADR 039).
  for (let start = 0; start < added.length; start += ROWS_PER_STATEMENT) {
    const tried = added.slice(start, start + ROWS_PER_STATEMENT);
    const written = await tx.$queryRaw<{ emailHash: string; reason: string }[]>`
      INSERT INTO "Suppression" ("emailHash", "email", "contactId", "reason", "note", "createdAt") VALUES ${Prisma.join(
        tried.map((r) => Prisma.sql`(${r.emailHash}, ${r.email}, ${r.contactId}, ${r.reason}, ${r.note}, ${now})`),
      )}
      ON CONFLICT ("emailHash", "reason") DO NOTHING RETURNING "emailHash", "reason"`;
    const landed = new Set(written.map((w) => `${w.emailHash}:${w.reason}`));
    const group = tried.filter((r) => landed.has(`${r.emailHash}:${r.reason}`));
    for (const r of tried) if (!landed.has(`${r.emailHash}:${r.reason}`)) outcomes[r.index] = "ALREADY_SUPPRESSED";
    if (group.length === 0) continue;
    const events = group.map((r) =>
      eventRow({ action: "SUPPRESS", changed: true, contactId: r.contactId, channel: "EMAIL", detail: { reason: r.reason } }, context, now),
    );
    await insertEventRows(tx, events);
  }
  return outcomes;
}
