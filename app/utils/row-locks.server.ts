import { Prisma } from "~/generated/prisma/client.ts";
import type { Tx } from "./db.server.ts";
import { onPostgresql } from "./db.server.ts";

// Read-then-write transactions that were correct because SQLite has one writer at a time
// (every transaction begins IMMEDIATE and holds the write lock, ADR 037) need a lock of their
// own on PostgreSQL, where READ COMMITTED lets two of them read the same state and both write
// (ADR 039). These take it; on SQLite they do nothing, as the transaction already holds more.
// Prefer a single conditional statement where one says it all; these are for the rest.

/**
 * Locks rows by id until the transaction ends, in id order (two transactions locking
 * overlapping sets wait for each other rather than deadlock). A read after it sees what the
 * holder before committed. FOR NO KEY UPDATE: rows that only refer to these (a ledger event,
 * a delivery) can still be written meanwhile.
 */
export async function lockRows(tx: Tx, table: "Contact" | "User" | "BusinessUnit", ids: number[]): Promise<void> {
  if (!onPostgresql() || ids.length === 0) return;
  await tx.$queryRaw`SELECT "id" FROM ${Prisma.raw(`"${table}"`)} WHERE "id" IN (${Prisma.join([...new Set(ids)])}) ORDER BY "id" FOR NO KEY UPDATE`;
}

/**
 * Lets one transaction at a time do its read-then-write on a table (writes from others wait;
 * reads do not): for rare writes where no row exists yet to lock and no unique index can say
 * "already there" (the set of signing keys, the start-up rows).
 */
export async function lockTable(tx: Tx, table: "SigningKey" | "ExemptCategory" | "ConsentText"): Promise<void> {
  if (!onPostgresql()) return;
  await tx.$executeRawUnsafe(`LOCK TABLE "${table}" IN SHARE ROW EXCLUSIVE MODE`);
}

/**
 * True when a write failed because a unique index already holds the row: another writer got
 * there first. Prisma says P2002 for its own queries and P2010 with the adapter's
 * UniqueConstraintViolation for raw ones.
 */
export function isUniqueViolation(error: unknown): boolean {
  // By shape, not class: the PostgreSQL client is generated apart from the SQLite one.
  if (!(error instanceof Error) || !("code" in error)) return false;
  if (error.code === "P2002") return true;
  const meta = (error as { meta?: { driverAdapterError?: { cause?: { kind?: string } } } }).meta;
  return error.code === "P2010" && meta?.driverAdapterError?.cause?.kind === "UniqueConstraintViolation";
}

/**
 * Runs `work`, and once more if it failed because another writer claimed the same unique key
 * meanwhile: the second run sees that row and answers as it would have had it come second
 * ("that slug is taken: choose another"), instead of the unique index's error reaching the
 * person as a 500. Only for work that looks before it writes and is safe to run again whole.
 */
export async function againIfClaimedMeanwhile<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    return work();
  }
}
