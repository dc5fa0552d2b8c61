// Benchmarks on PostgreSQL (BENCH_DATABASE=postgres): a throwaway database migrated through the
// real Prisma CLI, filled by copying the SQLite file a benchmark seeded as before. The seeds stay
// written once, in SQLite's dialect; the copy moves every row (dates, booleans, enums by text
// cast) and moves each id sequence past the copied ids.

import fs from "node:fs";
import path from "node:path";
import crypto from "node:crypto";
import Database from "better-sqlite3";
import pg from "pg";
import { migrateDatabase, onCleanUp } from "./harness.ts";

export type BenchDatabaseKind = "sqlite" | "postgres";

/** Which database this run measures: BENCH_DATABASE=postgres, else SQLite. */
export function benchDatabaseKind(): BenchDatabaseKind {
  const kind = process.env.BENCH_DATABASE ?? "sqlite";
  if (kind !== "sqlite" && kind !== "postgres") throw new Error(`BENCH_DATABASE must be sqlite or postgres, not "${kind}"`);
  return kind;
}

/** The server benchmarks make their databases on (the role must be allowed to create databases). */
const SERVER_URL = process.env.BENCH_DATABASE_URL ?? "postgresql://postgres:postgres@localhost:5432/postgres";

function urlFor(database: string): string {
  const url = new URL(SERVER_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

async function onServer<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: SERVER_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * A new PostgreSQL database, dropped when the benchmark ends: with the migrated schema, or empty
 * (`migrated: false`), or a copy of a `template` database (seconds, whatever its size).
 */
export async function createBenchPostgresql(label: string, { migrated = true, template }: { migrated?: boolean; template?: string } = {}): Promise<string> {
  const name = `bench_${label}_${crypto.randomBytes(4).toString("hex")}`;
  await onServer((client) => client.query(`CREATE DATABASE "${name}"${template ? ` TEMPLATE "${template}"` : ""}`));
  onCleanUp(() => onServer((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)));
  const url = urlFor(name);
  if (migrated && !template) migrateDatabase(url);
  return url;
}

const BATCH_ROWS = 5_000;

/**
 * Copies every row of the product's tables from an SQLite file into a migrated PostgreSQL
 * database with the same schema, then brings the planner's statistics up to date. Rows go in
 * as text arrays (one parameter per column per batch) and are cast to each column's type.
 */
export async function copySqliteIntoPostgresql(databaseFile: string, url: string, onTable?: (table: string, rows: number) => void): Promise<void> {
  const sqlite = new Database(databaseFile, { readonly: true });
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const tables = (sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_prisma_migrations'").all() as { name: string }[]).map((t) => t.name);
    await client.query("BEGIN");
    // Foreign keys are checked by neither side during the copy: the SQLite file already holds them.
    await client.query("SET LOCAL session_replication_role = replica");
    for (const table of tables) {
      const columns = await client.query<{ name: string; type: string }>(
        `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type FROM pg_attribute a
         WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
        [`"${table}"`],
      );
      const names = columns.rows.map((c) => c.name);
      const quoted = names.map((n) => `"${n}"`).join(", ");
      const casts = columns.rows.map((c, i) => `$${i + 1}::text[]`).join(", ");
      const select = columns.rows.map((c, i) => `c${i}::${c.type}`).join(", ");
      const aliases = names.map((_, i) => `c${i}`).join(", ");
      const insert = `INSERT INTO "${table}" (${quoted}) SELECT ${select} FROM unnest(${casts}) AS r(${aliases})`;
      const read = sqlite.prepare(`SELECT ${quoted} FROM "${table}"`).raw(true);
      let batch: unknown[][] = names.map(() => []);
      let count = 0;
      const flush = async () => {
        if (batch[0].length === 0) return;
        await client.query(insert, batch);
        batch = names.map(() => []);
      };
      for (const row of read.iterate() as Iterable<unknown[]>) {
        for (let i = 0; i < names.length; i++) batch[i].push(row[i] === null ? null : String(row[i]));
        if (++count % BATCH_ROWS === 0) await flush();
      }
      await flush();
      // Ids were copied as they were: the next one PostgreSQL hands out must come after them.
      if (names.includes("id") && columns.rows.find((c) => c.name === "id")!.type === "integer") {
        await client.query(`SELECT setval(pg_get_serial_sequence('"${table}"', 'id'), GREATEST((SELECT MAX("id") FROM "${table}"), 1))`);
      }
      onTable?.(table, count);
    }
    await client.query("COMMIT");
    // As a database that has been running a while is: statistics for the planner, and the
    // visibility map set, without which index-only scans (the ledger's counts and chart, the
    // audience) read the table too. Done once here, not left to autovacuum, which would
    // otherwise start on every run's copy in the middle of the measurements.
    await client.query("VACUUM (ANALYZE)");
  } finally {
    sqlite.close();
    await client.end();
  }
}

/**
 * A PostgreSQL copy of a cached SQLite seed, itself kept between runs under `name` (the seed's
 * cache key) so that only the first run pays for the copy; runs then use it as a template.
 */
export async function cachedPostgresqlCopy(databaseFile: string, name: string, onTable?: (table: string, rows: number) => void): Promise<string> {
  const complete = await onServer(async (client) => {
    const found = await client.query<{ done: boolean }>("SELECT shobj_description(oid, 'pg_database') = 'complete' AS done FROM pg_database WHERE datname = $1", [name]);
    if (found.rows[0]?.done) return true;
    // A copy that did not finish is started again.
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await client.query(`CREATE DATABASE "${name}"`);
    return false;
  });
  if (!complete) {
    const url = urlFor(name);
    migrateDatabase(url);
    await copySqliteIntoPostgresql(databaseFile, url, onTable);
    await onServer((client) => client.query(`COMMENT ON DATABASE "${name}" IS 'complete'`));
  }
  return name;
}

/** One row from the database a benchmark's app runs on (SQLite file URL or PostgreSQL), with `?` placeholders. */
export async function readOne<T>(databaseUrl: string, sql: string, ...params: unknown[]): Promise<T | undefined> {
  if (databaseUrl.startsWith("postgresql:")) {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      let n = 0;
      return (await client.query(sql.replace(/\?/g, () => `$${++n}`), params)).rows[0] as T | undefined;
    } finally {
      await client.end();
    }
  }
  const db = new Database(databaseUrl.replace(/^file:/, ""), { readonly: true, timeout: 5000 });
  try {
    return db.prepare(sql).get(...params) as T | undefined;
  } finally {
    db.close();
  }
}

/** The bytes the database takes on disk (SQLite: the file and its WAL). */
export async function databaseBytes(databaseUrl: string): Promise<number> {
  if (databaseUrl.startsWith("postgresql:")) return Number((await readOne<{ n: string }>(databaseUrl, "SELECT pg_database_size(current_database()) AS n"))!.n);
  const file = databaseUrl.replace(/^file:/, "");
  return ["", "-wal"].reduce((sum, suffix) => sum + (fs.existsSync(file + suffix) ? fs.statSync(file + suffix).size : 0), 0);
}
