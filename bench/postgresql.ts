// Benchmarks on PostgreSQL (BENCH_DATABASE=postgres): a throwaway database migrated through the
// real Prisma CLI, filled by copying the SQLite file a benchmark seeded as before. The seeds stay
// written once, in SQLite's dialect; the copy moves every row (dates, booleans, enums by text
// cast) and moves each id sequence past the copied ids.

import path from "node:path";
import crypto from "node:crypto";
import { execFileSync } from "node:child_process";
import Database from "better-sqlite3";
import pg from "pg";
import { onCleanUp, ROOT } from "./harness.ts";

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

/** A new PostgreSQL database (with the migrated schema unless told otherwise), dropped when the benchmark ends. */
export async function createBenchPostgresql(label: string, { migrated = true } = {}): Promise<string> {
  const name = `bench_${label}_${crypto.randomBytes(4).toString("hex")}`;
  await onServer((client) => client.query(`CREATE DATABASE "${name}"`));
  onCleanUp(() => onServer((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)));
  const url = urlFor(name);
  if (!migrated) return url;
  execFileSync(path.join(ROOT, "node_modules/.bin/prisma"), ["migrate", "deploy"], { cwd: ROOT, env: { ...process.env, DATABASE_URL: url }, stdio: "pipe", timeout: 120_000 });
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
    await client.query("ANALYZE");
  } finally {
    sqlite.close();
    await client.end();
  }
}
