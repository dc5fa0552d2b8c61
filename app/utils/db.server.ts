import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaClient } from "~/generated/prisma/client.ts";
import { getEnv } from "./env.server.ts";
import { sqliteReadThread, type ReadThreadOptions } from "./read-thread.server.ts";
import { serializedSqlite } from "./serialized-sqlite.server.ts";

export type Db = PrismaClient;
/** The client handed to a function running inside `db.$transaction(async (tx) => ...)`. */
export type Tx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];

export function createDb(databaseFile: string): PrismaClient {
  // timeout: wait up to 5 s for a writer lock instead of failing with SQLITE_BUSY.
  const adapter = serializedSqlite(new PrismaBetterSqlite3({ url: databaseFile, timeout: 5000 }));
  return new PrismaClient({ adapter });
}

/** A read-only client whose statements run on a thread of their own (started at its first read). */
export function createReadDb(databaseFile: string, options: Omit<ReadThreadOptions, "databaseFile"> = {}): PrismaClient {
  return new PrismaClient({ adapter: sqliteReadThread({ databaseFile, busyTimeoutMs: 5000, ...options }) });
}

// One client of each kind for the whole process, kept across dev-server reloads.
const globalForDb = globalThis as unknown as { __db?: PrismaClient; __readDb?: PrismaClient };

export const db: PrismaClient = (globalForDb.__db ??= createDb(getEnv().databaseFile));

/** Runs work in its own transaction, or inside the caller's when given a transaction client. */
export function inTransaction<T>(client: Db | Tx, work: (tx: Tx) => Promise<T>): Promise<T> {
  return "$transaction" in client ? (client as Db).$transaction(work) : work(client);
}

/**
 * For the long reads of staff pages and exports (audience counts, ledger pages and exports):
 * a second, read-only connection whose statements run on a worker thread, so they never hold up
 * the thread that answers people. It sees what db has committed; a write through it fails.
 */
export const readDb: PrismaClient = (globalForDb.__readDb ??= createReadDb(getEnv().databaseFile));
