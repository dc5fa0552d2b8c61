import fs from "node:fs";
import path from "node:path";
import crypto from "node:crypto";
import { execFileSync } from "node:child_process";
import pg from "pg";
import { BASE_DATABASE, TEST_TMP } from "./paths.ts";

// Where tests keep their databases. Unset TEST_DATABASE_URL: SQLite, one migrated base file that
// every test file and app copies. TEST_DATABASE_URL=postgresql://…: a server the role may create
// databases on; the run migrates one template database, and every test file and app gets a
// database created from it, dropped after.

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || undefined;
export const testsOnPostgresql = TEST_DATABASE_URL !== undefined;

/** The template's name for this run, chosen by the global setup and inherited by the test processes. */
const TEMPLATE_ENV = "TEST_POSTGRESQL_TEMPLATE";
const PREFIX = "pc_test_";

/** The server's URL with another database name. */
export function postgresqlUrlFor(database: string): string {
  const url = new URL(TEST_DATABASE_URL!);
  url.pathname = `/${database}`;
  return url.toString();
}

async function onServer<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Migrates the run's base database (SQLite file or PostgreSQL template) through the real Prisma CLI. */
export async function prepareBaseDatabase(): Promise<void> {
  fs.rmSync(TEST_TMP, { recursive: true, force: true });
  fs.mkdirSync(TEST_TMP, { recursive: true });
  let url = `file:${BASE_DATABASE}`;
  if (testsOnPostgresql) {
    const template = `${PREFIX}template_${process.pid}`;
    await onServer((client) => client.query(`DROP DATABASE IF EXISTS "${template}" WITH (FORCE)`).then(() => client.query(`CREATE DATABASE "${template}"`)));
    process.env[TEMPLATE_ENV] = template;
    url = postgresqlUrlFor(template);
  }
  execFileSync(path.resolve("node_modules/.bin/prisma"), ["migrate", "deploy"], {
    env: { ...process.env, DATABASE_URL: url },
    stdio: ["ignore", "ignore", "inherit"],
  });
}

/** Drops the run's PostgreSQL template and any database a test left behind. */
export async function dropBaseDatabase(): Promise<void> {
  const template = process.env[TEMPLATE_ENV];
  if (!testsOnPostgresql || !template) return;
  await onServer(async (client) => {
    const left = await client.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE $1", [`${template}%`]);
    for (const { datname } of left.rows) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  });
}

export type TestDatabase = { url: string; /** The SQLite file; null on PostgreSQL. */ file: string | null; drop: () => Promise<void> };

/** A private database with the migrated schema, for one test file or one app. */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const id = `${label}_${process.pid}_${crypto.randomBytes(6).toString("hex")}`;
  if (!testsOnPostgresql) {
    const file = path.join(TEST_TMP, `${id}.db`);
    fs.copyFileSync(BASE_DATABASE, file);
    return { url: `file:${file}`, file, drop: async () => fs.rmSync(file, { force: true }) };
  }
  const template = process.env[TEMPLATE_ENV];
  if (!template) throw new Error("No PostgreSQL template database: tests/helpers/global-setup.ts makes it.");
  // Named after the template so the run's teardown finds any that a killed test left.
  const name = `${template}_${id}`.slice(0, 63);
  await onServer((client) => client.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`));
  return {
    url: postgresqlUrlFor(name),
    file: null,
    drop: () => onServer((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}
