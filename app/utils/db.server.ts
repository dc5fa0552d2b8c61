import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "~/generated/prisma/client.ts";
import { PrismaClient as PostgresqlPrismaClient } from "~/generated/prisma-postgresql/client.ts";
import { databaseProviderOf, getEnv, type DatabaseProvider } from "./env.server.ts";
import { sqliteReadThread, type ReadThreadOptions } from "./read-thread.server.ts";
import { serializedSqlite } from "./serialized-sqlite.server.ts";

/**
 * The product's database client. Both providers' clients are generated from one schema
 * (prisma/schema.prisma and its PostgreSQL copy, ADR 038) and have the same API, so the code is
 * typed against the SQLite one and runs on either.
 */
export type Db = PrismaClient;
/** The client handed to a function running inside `db.$transaction(async (tx) => ...)`. */
export type Tx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];

export type DbOptions = {
  /** PostgreSQL: connections this client keeps (DATABASE_POOL_SIZE). */
  poolSize?: number;
  /** PostgreSQL: a statement running longer is cancelled. */
  statementTimeoutMs?: number;
  /** PostgreSQL: every transaction of this client is read-only, so a write fails instead of landing. */
  readOnly?: boolean;
};

/** Which database a client made from this URL (`file:…`, a bare SQLite path, or `postgresql://…`) talks to. */
export function providerOf(databaseUrl: string): DatabaseProvider {
  return databaseProviderOf(databaseUrl) ?? "sqlite";
}

/** A client for the database at `databaseUrl`: a `file:` URL or a path for SQLite, or a `postgresql://` URL. */
export function createDb(databaseUrl: string, options: DbOptions = {}): PrismaClient {
  if (providerOf(databaseUrl) === "postgresql") {
    const adapter = new PrismaPg({
      connectionString: databaseUrl,
      max: options.poolSize ?? 10,
      statement_timeout: options.statementTimeoutMs,
      // Wait at most 5 s for another transaction's lock, as SQLite waits for its write lock
      // (below): a caller held up that long fails and says so (the inbound server answers 451).
      lock_timeout: 5000,
      // Set when each connection opens: no statement or transaction on it can write, and no
      // read on it plans parallel workers. A parallel count runs in three server processes: on a
      // small server that is every core, and one-clicks queue behind a staff page (ADR 051).
      options: options.readOnly ? "-c default_transaction_read_only=on -c max_parallel_workers_per_gather=0" : undefined,
      // An idle connection never keeps the process alive (as SQLite's idle read thread does
      // not): a CLI command ends when its work does, not 10 s later when the pool lets go.
      allowExitOnIdle: true,
    });
    // Same models, same API: typed as the SQLite client (see Db).
    return new PostgresqlPrismaClient({ adapter }) as unknown as PrismaClient;
  }
  // timeout: wait up to 5 s for a writer lock instead of failing with SQLITE_BUSY.
  const adapter = serializedSqlite(new PrismaBetterSqlite3({ url: sqliteFileOf(databaseUrl), timeout: 5000 }));
  return new PrismaClient({ adapter });
}

/**
 * A read-only client for long reads. On SQLite its statements run on a thread of their own
 * (started at its first read); on PostgreSQL the server does the work, so it is a small pool of
 * its own, read-only like the thread, whose statements are cancelled after `maxReadMs`.
 */
export function createReadDb(databaseUrl: string, options: Omit<ReadThreadOptions, "databaseFile"> = {}): PrismaClient {
  if (providerOf(databaseUrl) === "postgresql") return createDb(databaseUrl, { poolSize: 2, statementTimeoutMs: options.maxReadMs ?? 60_000, readOnly: true });
  return new PrismaClient({ adapter: sqliteReadThread({ databaseFile: sqliteFileOf(databaseUrl), busyTimeoutMs: 5000, ...options }) });
}

const sqliteFileOf = (databaseUrl: string) => databaseUrl.replace(/^file:/, "");

// One client of each kind for the whole process, kept across dev-server reloads.
const globalForDb = globalThis as unknown as { __db?: PrismaClient; __readDb?: PrismaClient };

export const db: PrismaClient = (globalForDb.__db ??= createDb(getEnv().DATABASE_URL, { poolSize: getEnv().DATABASE_POOL_SIZE }));

/** True when this process's database is PostgreSQL. */
export const onPostgresql = (): boolean => getEnv().databaseProvider === "postgresql";

/** Runs work in its own transaction, or inside the caller's when given a transaction client. */
export function inTransaction<T>(client: Db | Tx, work: (tx: Tx) => Promise<T>): Promise<T> {
  return "$transaction" in client ? (client as Db).$transaction(work) : work(client);
}

/**
 * For the long reads of staff pages and exports (audience counts, ledger pages and exports):
 * a second, read-only connection whose statements run on a worker thread (SQLite) or a pool of
 * their own (PostgreSQL), so they never hold up people's requests. It sees what db has committed.
 */
export const readDb: PrismaClient = (globalForDb.__readDb ??= createReadDb(getEnv().DATABASE_URL));
