import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaClient } from "~/generated/prisma/client.ts";
import { getEnv } from "./env.server.ts";
import { serializedSqlite } from "./serialized-sqlite.server.ts";

export type Db = PrismaClient;
/** The client handed to a function running inside `db.$transaction(async (tx) => ...)`. */
export type Tx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];

export function createDb(databaseFile: string): PrismaClient {
  // timeout: wait up to 5 s for a writer lock instead of failing with SQLITE_BUSY.
  const adapter = serializedSqlite(new PrismaBetterSqlite3({ url: databaseFile, timeout: 5000 }));
  return new PrismaClient({ adapter });
}

// One client for the whole process, kept across dev-server reloads.
const globalForDb = globalThis as unknown as { __db?: PrismaClient };

export const db: PrismaClient = (globalForDb.__db ??= createDb(getEnv().databaseFile));

/** Runs work in its own transaction, or inside the caller's when given a transaction client. */
export function inTransaction<T>(client: Db | Tx, work: (tx: Tx) => Promise<T>): Promise<T> {
  return "$transaction" in client ? (client as Db).$transaction(work) : work(client);
}

/**
 * For the long reads of staff pages and exports (audience counts, ledger pages and exports):
 * they must never hold up the thread that answers people. Read-only by contract.
 * TODO(issue 18): a second, read-only connection whose statements run on a worker thread.
 */
export const readDb: PrismaClient = db;
