// The schema engine stand-in (prisma/schema-engine/) driven through the real,
// unmodified Prisma CLI, as `npx prisma ...` would run it. Every case uses its
// own SQLite file under os.tmpdir(); nothing touches var/dev.db.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const PRISMA = path.join(ROOT, "node_modules/.bin/prisma");
const ENGINE = path.join(ROOT, "prisma/schema-engine/bin.mjs");
const SCHEMA = path.join(ROOT, "prisma/schema.prisma");
const MIGRATIONS = path.join(ROOT, "prisma/migrations");
const CLI_TIMEOUT = 120_000;

type Run = { status: number | null; stdout: string; stderr: string };

/** Runs the Prisma CLI (the binary `npx prisma` resolves to) in `cwd`. */
function prisma(args: string[], { cwd = ROOT, databaseUrl }: { cwd?: string; databaseUrl: string }): Run {
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
    "migrate diff from the migrations to schema.prisma finds no drift",
    () => {
      const run = prisma(
        ["migrate", "diff", "--from-migrations", "prisma/migrations", "--to-schema", "prisma/schema.prisma", "--exit-code"],
        { databaseUrl: `file:${databaseFile}` },
      );
      expectSuccess(run);
      expect(run.stdout).toContain("No difference detected.");
    },
    CLI_TIMEOUT,
  );

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

describe("schema engine stand-in: migrate dev and reset in a copy of the project", () => {
  it(
    "creates and applies a migration for a schema change, then reset re-applies everything",
    () => {
      // A throwaway project: this repo's config, schema and migrations, and its node_modules.
      const project = tempDir("dev");
      fs.mkdirSync(path.join(project, "prisma"));
      fs.copyFileSync(path.join(ROOT, "prisma.config.ts"), path.join(project, "prisma.config.ts"));
      fs.copyFileSync(SCHEMA, path.join(project, "prisma/schema.prisma"));
      fs.cpSync(MIGRATIONS, path.join(project, "prisma/migrations"), { recursive: true });
      fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(project, "node_modules"), "dir");

      const schemaFile = path.join(project, "prisma/schema.prisma");
      fs.appendFileSync(schemaFile, "\nmodel AddedX {\n  id   Int    @id @default(autoincrement())\n  note String\n}\n");
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
