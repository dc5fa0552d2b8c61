// The schema engine stand-in (prisma/schema-engine/) driven through the real,
// unmodified Prisma CLI, as `npx prisma ...` would run it. Every SQLite case
// uses its own file under os.tmpdir(); nothing touches var/dev.db. The
// PostgreSQL cases run when TEST_DATABASE_URL names a server, each on a
// database of its own, dropped after.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import crypto from "node:crypto";
import Database from "better-sqlite3";
import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdapterFactory } from "../../prisma/schema-engine/postgresql.mjs";
import { postgresqlUrlFor, TEST_DATABASE_URL, testsOnPostgresql } from "../helpers/test-database.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const PRISMA = path.join(ROOT, "node_modules/.bin/prisma");
const ENGINE = path.join(ROOT, "prisma/schema-engine/bin.mjs");
const SCHEMA = path.join(ROOT, "prisma/schema.prisma");
const MIGRATIONS = path.join(ROOT, "prisma/migrations");
const PG_SCHEMA = path.join(ROOT, "prisma/postgresql/schema.prisma");
const PG_MIGRATIONS = path.join(ROOT, "prisma/postgresql/migrations");
const CLI_TIMEOUT = 120_000;

type Run = { status: number | null; stdout: string; stderr: string };

/** Runs the Prisma CLI (the binary `npx prisma` resolves to) in `cwd`. */
function prisma(args: string[], { cwd = ROOT, databaseUrl, env = {} }: { cwd?: string; databaseUrl: string; env?: Record<string, string> }): Run {
  const result = spawnSync(PRISMA, args, {
    cwd,
    encoding: "utf8",
    timeout: CLI_TIMEOUT,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      // Explicit, so copies of the project outside the repo use this checkout's engine.
      PRISMA_SCHEMA_ENGINE_BINARY: ENGINE,
      // No update checks: the machines have no internet.
      CHECKPOINT_DISABLE: "1",
      PRISMA_HIDE_UPDATE_MESSAGE: "1",
      ...env,
    },
  });
  return { status: result.status, stdout: result.stdout ?? "", stderr: result.stderr ?? "" };
}

function expectSuccess(run: Run) {
  // The output is the useful part of a failure message.
  expect(run.status, `stdout:\n${run.stdout}\nstderr:\n${run.stderr}`).toBe(0);
}

/** Table names the schema's models map to (honouring @@map). */
function modelTables(schema: string): string[] {
  const tables: string[] = [];
  for (const match of schema.matchAll(/^model\s+(\w+)\s*\{([\s\S]*?)^\}/gm)) {
    const mapped = /@@map\(\s*(?:name:\s*)?"([^"]+)"/.exec(match[2]);
    tables.push(mapped ? mapped[1] : match[1]);
  }
  return tables.sort();
}

function readDatabase(file: string) {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
      .all()
      .map((row) => (row as { name: string }).name);
    const migrations = tables.includes("_prisma_migrations")
      ? (db
          .prepare("SELECT migration_name AS name, finished_at AS finishedAt, rolled_back_at AS rolledBackAt FROM _prisma_migrations ORDER BY migration_name")
          .all() as { name: string; finishedAt: string | null; rolledBackAt: string | null }[])
      : [];
    return { tables: tables.filter((name) => name !== "_prisma_migrations"), migrations };
  } finally {
    db.close();
  }
}

function migrationFolders(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

const tempDirs: string[] = [];
function tempDir(label: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `schema-engine-${label}-`));
  tempDirs.push(dir);
  return dir;
}

afterAll(() => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

describe("schema engine stand-in: protocol basics", () => {
  it("answers --version like the native binary", () => {
    const run = spawnSync(ENGINE, ["--version"], { encoding: "utf8" });
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^schema-engine-cli [0-9a-f]{40}\n$/);
  });

  it("reports a missing database file as P1003 in `cli can-connect-to-database`", () => {
    const file = path.join(tempDir("p1003"), "missing.db");
    const run = spawnSync(ENGINE, ["--datasource", JSON.stringify({ url: `file:${file}` }), "cli", "can-connect-to-database"], {
      encoding: "utf8",
    });
    expect(run.status).toBe(1);
    const lines = run.stderr.trim().split("\n").map((line) => JSON.parse(line));
    expect(lines.at(-1)).toMatchObject({ level: "ERROR", fields: { error_code: "P1003" } });
    expect(fs.existsSync(file)).toBe(false);
  });
});

describe("schema engine stand-in: the committed migrations", () => {
  let databaseFile: string;
  let deploy: Run;

  beforeAll(() => {
    databaseFile = path.join(tempDir("deploy"), "fresh.db");
    deploy = prisma(["migrate", "deploy"], { databaseUrl: `file:${databaseFile}` });
  }, CLI_TIMEOUT);

  it("migrate deploy builds every table of schema.prisma in a fresh database", () => {
    expectSuccess(deploy);
    const { tables, migrations } = readDatabase(databaseFile);
    expect(tables).toEqual(modelTables(fs.readFileSync(SCHEMA, "utf8")));
    expect(migrations.map((m) => m.name)).toEqual(migrationFolders(MIGRATIONS));
    expect(migrations.every((m) => m.finishedAt !== null && m.rolledBackAt === null)).toBe(true);
  });

  it(
    "migrate diff --from-empty --script prints the DDL for every model",
    () => {
      const run = prisma(["migrate", "diff", "--from-empty", "--to-schema", "prisma/schema.prisma", "--script"], {
        databaseUrl: `file:${databaseFile}`,
      });
      expectSuccess(run);
      const created = [...run.stdout.matchAll(/^CREATE TABLE "([^"]+)"/gm)].map((m) => m[1]).sort();
      expect(created).toEqual(modelTables(fs.readFileSync(SCHEMA, "utf8")));
    },
    CLI_TIMEOUT,
  );

  it(
    "migrate status says the fresh database is up to date",
    () => {
      const run = prisma(["migrate", "status"], { databaseUrl: `file:${databaseFile}` });
      expectSuccess(run);
      expect(run.stdout).toContain("Database schema is up to date!");
    },
    CLI_TIMEOUT,
  );
});

/**
 * A throwaway project: this repo's config, the schema and migrations of one
 * provider (`prisma` or `prisma/postgresql`) with a model added, and a link to
 * its node_modules. Nothing from it is committed.
 */
function projectCopy(prismaDir: "prisma" | "prisma/postgresql"): string {
  const project = tempDir("dev");
  fs.mkdirSync(path.join(project, prismaDir), { recursive: true });
  fs.copyFileSync(path.join(ROOT, "prisma.config.ts"), path.join(project, "prisma.config.ts"));
  fs.copyFileSync(path.join(ROOT, prismaDir, "schema.prisma"), path.join(project, prismaDir, "schema.prisma"));
  fs.cpSync(path.join(ROOT, prismaDir, "migrations"), path.join(project, prismaDir, "migrations"), { recursive: true });
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(project, "node_modules"), "dir");
  fs.appendFileSync(
    path.join(project, prismaDir, "schema.prisma"),
    "\nmodel AddedX {\n  id   Int    @id @default(autoincrement())\n  note String\n}\n",
  );
  return project;
}

describe("schema engine stand-in: migrate dev and reset in a copy of the project", () => {
  it(
    "creates and applies a migration for a schema change, then reset re-applies everything",
    () => {
      const project = projectCopy("prisma");
      const schemaFile = path.join(project, "prisma/schema.prisma");
      const expectedTables = modelTables(fs.readFileSync(schemaFile, "utf8"));
      expect(expectedTables).toContain("AddedX");

      // A relative URL, as in development: the config creates var/ beside itself.
      const databaseUrl = "file:./var/dev.db";
      const databaseFile = path.join(project, "var/dev.db");
      const before = migrationFolders(path.join(project, "prisma/migrations"));

      const dev = prisma(["migrate", "dev", "--name", "added_x"], { cwd: project, databaseUrl });
      expectSuccess(dev);
      const after = migrationFolders(path.join(project, "prisma/migrations"));
      const added = after.filter((name) => !before.includes(name));
      expect(added).toHaveLength(1);
      expect(added[0]).toMatch(/^\d{14}_added_x$/);
      const script = fs.readFileSync(path.join(project, "prisma/migrations", added[0], "migration.sql"), "utf8");
      expect(script).toContain('CREATE TABLE "AddedX"');

      const migrated = readDatabase(databaseFile);
      expect(migrated.tables).toEqual(expectedTables);
      expect(migrated.migrations.map((m) => m.name)).toEqual(after);

      // Data and an unmanaged table, both of which reset must remove.
      const db = new Database(databaseFile);
      db.prepare(`INSERT INTO "AddedX" ("note") VALUES ('kept?')`).run();
      db.exec("CREATE TABLE stray (x)");
      db.close();

      const reset = prisma(["migrate", "reset", "--force"], { cwd: project, databaseUrl });
      expectSuccess(reset);
      const afterReset = readDatabase(databaseFile);
      expect(afterReset.tables).toEqual(expectedTables);
      expect(afterReset.migrations.map((m) => m.name)).toEqual(after);
      expect(afterReset.migrations.every((m) => m.finishedAt !== null && m.rolledBackAt === null)).toBe(true);
      const check = new Database(databaseFile, { readonly: true });
      expect(check.prepare(`SELECT COUNT(*) AS n FROM "AddedX"`).get()).toEqual({ n: 0 });
      check.close();
    },
    4 * CLI_TIMEOUT,
  );
});

// ---------------------------------------------------------------------------
// PostgreSQL (TEST_DATABASE_URL set): the same CLI on prisma/postgresql/.

const pgDatabases: string[] = [];
/**
 * A database name of this file's own that does not exist yet. Named after the
 * run's template database, so the run's teardown drops any a killed test left.
 */
function newPostgresqlDatabase(label: string): { name: string; url: string } {
  const prefix = process.env.TEST_POSTGRESQL_TEMPLATE ?? "pc_test";
  const name = `${prefix}_engine_${label}_${crypto.randomBytes(4).toString("hex")}`.slice(0, 63);
  pgDatabases.push(name);
  return { name, url: postgresqlUrlFor(name) };
}

async function onPostgresql<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function postgresqlTables(url: string) {
  return onPostgresql(url, async (client) => {
    const tables = (await client.query<{ name: string }>("SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename COLLATE \"C\"")).rows.map((r) => r.name);
    const migrations = tables.includes("_prisma_migrations")
      ? (await client.query<{ name: string; finished: boolean; rolledBack: boolean }>(
          `SELECT migration_name AS name, finished_at IS NOT NULL AS finished, rolled_back_at IS NOT NULL AS "rolledBack" FROM _prisma_migrations ORDER BY migration_name`,
        )).rows
      : [];
    return { tables: tables.filter((name) => name !== "_prisma_migrations"), migrations };
  });
}

async function databaseExists(name: string): Promise<boolean> {
  return onPostgresql(TEST_DATABASE_URL!, async (client) => (await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name])).rowCount === 1);
}

/** The temporary shadow databases the stand-in says (on stderr, under DEBUG) it created. */
function shadowDatabasesIn(run: Run): string[] {
  return [...new Set([...run.stderr.matchAll(/shadow database (prisma_migrate_shadow_db_[0-9a-f-]+) created/g)].map((m) => m[1]))];
}
const SHOW_ENGINE_LOG = { DEBUG: "prisma:schemaEngine:stderr" };

/** Sorted as PostgreSQL's "C" collation sorts, like the query above. */
const byteOrder = (names: string[]) => [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

afterAll(async () => {
  if (!testsOnPostgresql) return;
  for (const name of pgDatabases) {
    await onPostgresql(TEST_DATABASE_URL!, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
  }
});

describe.skipIf(!testsOnPostgresql)("schema engine stand-in on PostgreSQL: the committed migrations", () => {
  let database: { name: string; url: string };
  let deploy: Run;

  beforeAll(() => {
    database = newPostgresqlDatabase("deploy");
    deploy = prisma(["migrate", "deploy"], { databaseUrl: database.url });
  }, CLI_TIMEOUT);

  it("migrate deploy creates the missing database and builds every table of the PostgreSQL schema", async () => {
    expectSuccess(deploy);
    expect(deploy.stdout).toContain(`PostgreSQL database ${database.name} created`);
    const { tables, migrations } = await postgresqlTables(database.url);
    expect(tables).toEqual(byteOrder(modelTables(fs.readFileSync(PG_SCHEMA, "utf8"))));
    expect(migrations.map((m) => m.name)).toEqual(migrationFolders(PG_MIGRATIONS));
    expect(migrations.every((m) => m.finished && !m.rolledBack)).toBe(true);
  });

  it(
    "migrate status says the database is up to date",
    () => {
      const run = prisma(["migrate", "status"], { databaseUrl: database.url });
      expectSuccess(run);
      expect(run.stdout).toContain("Database schema is up to date!");
    },
    CLI_TIMEOUT,
  );

  it(
    // Shim (2): the catalog's "char" columns (OID 18) read as text; without it: "Column type 'char' could not be deserialized".
    "db pull reads every model back from the database",
    () => {
      const run = prisma(["db", "pull", "--print"], { databaseUrl: database.url });
      expectSuccess(run);
      const pulled = [...run.stdout.matchAll(/^model\s+(\w+)\s*\{/gm)].map((m) => m[1]).sort();
      const declared = [...fs.readFileSync(PG_SCHEMA, "utf8").matchAll(/^model\s+(\w+)\s*\{/gm)].map((m) => m[1]).sort();
      expect(pulled).toEqual(declared);
    },
    CLI_TIMEOUT,
  );

  it(
    "db execute runs a whole script as one, semicolons inside strings included; migrate reset --force then leaves only the migrated, empty tables",
    async () => {
      const scriptFile = path.join(tempDir("pg-execute"), "script.sql");
      fs.writeFileSync(scriptFile, `CREATE TABLE "Stray" ("note" TEXT);\nINSERT INTO "Stray" ("note") VALUES ('a;b');\nINSERT INTO "Stray" ("note") VALUES ('c');\n`);
      expectSuccess(prisma(["db", "execute", "--file", scriptFile], { databaseUrl: database.url }));
      const notes = await onPostgresql(database.url, async (client) => (await client.query(`SELECT "note" FROM "Stray" ORDER BY "note"`)).rows);
      expect(notes).toEqual([{ note: "a;b" }, { note: "c" }]);

      expectSuccess(prisma(["migrate", "reset", "--force"], { databaseUrl: database.url }));
      const { tables, migrations } = await postgresqlTables(database.url);
      expect(tables).toEqual(byteOrder(modelTables(fs.readFileSync(PG_SCHEMA, "utf8"))));
      expect(migrations.map((m) => m.name)).toEqual(migrationFolders(PG_MIGRATIONS));
    },
    3 * CLI_TIMEOUT,
  );
});

describe.skipIf(!testsOnPostgresql)("schema engine stand-in on PostgreSQL: the shadow database", () => {
  it(
    // Shim (1): adapter-pg's own shadow database is the main one, so the migrations would land in it.
    "migrate diff --from-migrations replays the migrations in a temporary database, leaves the main one empty and drops the temporary one",
    async () => {
      const database = newPostgresqlDatabase("diff");
      await onPostgresql(TEST_DATABASE_URL!, (client) => client.query(`CREATE DATABASE "${database.name}"`));
      const run = prisma(
        ["migrate", "diff", "--from-migrations", "prisma/postgresql/migrations", "--to-schema", "prisma/postgresql/schema.prisma", "--exit-code"],
        { databaseUrl: database.url, env: SHOW_ENGINE_LOG },
      );
      expectSuccess(run);
      expect(run.stdout).toContain("No difference detected.");
      expect((await postgresqlTables(database.url)).tables).toEqual([]);
      const shadows = shadowDatabasesIn(run);
      expect(shadows.length).toBeGreaterThan(0);
      for (const shadow of shadows) expect(await databaseExists(shadow), shadow).toBe(false);
    },
    CLI_TIMEOUT,
  );

  it(
    "a shadow database named in the config is reset before the migrations replay there, as the binary does",
    async () => {
      const project = projectCopy("prisma/postgresql");
      const config = path.join(project, "prisma.config.ts");
      fs.writeFileSync(config, fs.readFileSync(config, "utf8").replace("    url: databaseUrl,\n", "    url: databaseUrl,\n    shadowDatabaseUrl: process.env.SHADOW_DATABASE_URL,\n"));
      expect(fs.readFileSync(config, "utf8")).toContain("shadowDatabaseUrl");
      const database = newPostgresqlDatabase("main");
      const shadow = newPostgresqlDatabase("shadow");
      for (const { name } of [database, shadow]) await onPostgresql(TEST_DATABASE_URL!, (client) => client.query(`CREATE DATABASE "${name}"`));
      await onPostgresql(shadow.url, (client) => client.query(`CREATE TABLE "Leftover" ("x" INTEGER)`));

      // The copy's schema has AddedX, which its migrations lack: that, and nothing else, differs.
      const run = prisma(
        ["migrate", "diff", "--from-migrations", "prisma/postgresql/migrations", "--to-schema", "prisma/postgresql/schema.prisma", "--script"],
        { cwd: project, databaseUrl: database.url, env: { SHADOW_DATABASE_URL: shadow.url } },
      );
      expectSuccess(run);
      expect([...run.stdout.matchAll(/^(CREATE|DROP|ALTER) \w+ "([^"]+)"/gm)].map((m) => `${m[1]} ${m[2]}`)).toEqual(["CREATE AddedX"]);
    },
    CLI_TIMEOUT,
  );

  it(
    "migrate dev creates and applies a migration for a schema change in a copy of the project",
    async () => {
      const project = projectCopy("prisma/postgresql");
      const migrationsDir = path.join(project, "prisma/postgresql/migrations");
      const expectedTables = byteOrder(modelTables(fs.readFileSync(path.join(project, "prisma/postgresql/schema.prisma"), "utf8")));
      expect(expectedTables).toContain("AddedX");
      const database = newPostgresqlDatabase("dev");
      const before = migrationFolders(migrationsDir);

      const dev = prisma(["migrate", "dev", "--name", "added_x"], { cwd: project, databaseUrl: database.url, env: SHOW_ENGINE_LOG });
      expectSuccess(dev);
      const after = migrationFolders(migrationsDir);
      const added = after.filter((name) => !before.includes(name));
      expect(added).toHaveLength(1);
      expect(added[0]).toMatch(/^\d{14}_added_x$/);
      expect(fs.readFileSync(path.join(migrationsDir, added[0], "migration.sql"), "utf8")).toContain('CREATE TABLE "AddedX"');

      const migrated = await postgresqlTables(database.url);
      expect(migrated.tables).toEqual(expectedTables);
      expect(migrated.migrations.map((m) => m.name)).toEqual(after);
      for (const shadow of shadowDatabasesIn(dev)) expect(await databaseExists(shadow), shadow).toBe(false);
    },
    4 * CLI_TIMEOUT,
  );
});

/** A query as the engine sends one to a driver adapter. */
const sql = (text: string) => ({ sql: text, args: [], argTypes: [] });

describe.skipIf(!testsOnPostgresql)("schema engine stand-in on PostgreSQL: the adapter shims", () => {
  let main: { name: string; url: string };
  beforeAll(async () => {
    main = newPostgresqlDatabase("adapter");
    await onPostgresql(TEST_DATABASE_URL!, (client) => client.query(`CREATE DATABASE "${main.name}"`));
  });

  it("connects the shadow database to a temporary database of its own and drops it when let go", async () => {
    const factory = createAdapterFactory({ url: main.url }, new Map());
    const shadow = await factory.connectToShadowDb();
    const [[name]] = (await shadow.queryRaw(sql("SELECT current_database()"))).rows;
    expect(name).not.toBe(main.name);
    expect(await databaseExists(name)).toBe(true);
    await shadow.dispose();
    expect(await databaseExists(name)).toBe(false);
  });

  it("reads a \"char\" column (OID 18) as text", async () => {
    const adapter = await createAdapterFactory({ url: main.url }, new Map()).connect();
    try {
      const result = await adapter.queryRaw(sql(`SELECT relkind FROM pg_class WHERE relname = 'pg_class'`));
      expect(result.rows).toEqual([["r"]]);
      const tx = await adapter.startTransaction();
      expect((await tx.queryRaw(sql(`SELECT 'v'::"char" AS kind`))).rows).toEqual([["v"]]);
      await tx.executeRaw(sql("ROLLBACK"));
      await tx.rollback();
    } finally {
      await adapter.dispose();
    }
  });

  // When one of these fails after a Prisma upgrade, the fault is fixed upstream: remove its
  // shim from prisma/schema-engine/postgresql.mjs and say so in ADR 038.
  it("@prisma/adapter-pg 7.10.0 still connects its own shadow database to the main database", async () => {
    const shadow = await new PrismaPg({ connectionString: main.url }).connectToShadowDb();
    try {
      const [[name]] = (await shadow.queryRaw(sql("SELECT current_database()"))).rows;
      expect(name).toBe(main.name);
    } finally {
      await shadow.dispose();
    }
  });

  it("@prisma/adapter-pg 7.10.0 still cannot read a \"char\" column", async () => {
    const adapter = await new PrismaPg({ connectionString: main.url }).connect();
    try {
      await expect(adapter.queryRaw(sql(`SELECT 'v'::"char" AS kind`))).rejects.toMatchObject({ cause: { kind: "UnsupportedNativeDataType", type: "char" } });
    } finally {
      await adapter.dispose();
    }
  });
});
