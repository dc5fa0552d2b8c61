// One schema, two providers (ADR 038): prisma/schema.prisma is the source, the PostgreSQL copy
// is generated from it, and each provider's migration history must build its schema exactly.
// Any drift between the four fails here, on SQLite always and on PostgreSQL when
// TEST_DATABASE_URL names a server.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { postgresqlSchemaOf } from "../../scripts/postgresql-schema.ts";
import { testsOnPostgresql } from "../helpers/test-database.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const PRISMA = path.join(ROOT, "node_modules/.bin/prisma");
const CLI_TIMEOUT = 120_000;

/** `prisma migrate diff` from a migrations folder to a schema; exit code 2 means they differ. */
function migrationsAgainstSchema(migrations: string, schema: string, databaseUrl: string) {
  const run = spawnSync(PRISMA, ["migrate", "diff", "--from-migrations", migrations, "--to-schema", schema, "--exit-code"], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: CLI_TIMEOUT,
    env: { ...process.env, DATABASE_URL: databaseUrl, CHECKPOINT_DISABLE: "1", PRISMA_HIDE_UPDATE_MESSAGE: "1" },
  });
  return { status: run.status, output: `stdout:\n${run.stdout}\nstderr:\n${run.stderr}` };
}

const migrationFolders = (dir: string) =>
  fs
    .readdirSync(path.join(ROOT, dir), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "schema-drift-"));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

describe("one schema, two providers", () => {
  it("prisma/postgresql/schema.prisma is what `npm run db:postgresql-schema` writes from prisma/schema.prisma", () => {
    const source = fs.readFileSync(path.join(ROOT, "prisma/schema.prisma"), "utf8");
    const committed = fs.readFileSync(path.join(ROOT, "prisma/postgresql/schema.prisma"), "utf8");
    expect(committed, "prisma/postgresql/schema.prisma is out of date: run `npm run db:postgresql-schema` and commit it").toBe(
      postgresqlSchemaOf(source),
    );
  });

  it("every change after the PostgreSQL baseline has a migration of the same name for both providers", () => {
    const [baseline, ...postgresqlChanges] = migrationFolders("prisma/postgresql/migrations");
    expect(baseline).toMatch(/_baseline$/);
    const sqliteChanges = migrationFolders("prisma/migrations").filter((name) => name > baseline);
    expect(postgresqlChanges).toEqual(sqliteChanges);
  });

  it(
    "the SQLite migrations build exactly prisma/schema.prisma",
    () => {
      const { status, output } = migrationsAgainstSchema("prisma/migrations", "prisma/schema.prisma", `file:${path.join(scratch, "drift.db")}`);
      expect(status, output).toBe(0);
      expect(output).toContain("No difference detected.");
    },
    CLI_TIMEOUT,
  );

  it.skipIf(!testsOnPostgresql)(
    "the PostgreSQL migrations build exactly prisma/postgresql/schema.prisma",
    () => {
      // This file's own database (tests/helpers/fresh-database.ts); the migrations replay in a
      // temporary shadow database beside it and leave it as it was.
      const { status, output } = migrationsAgainstSchema("prisma/postgresql/migrations", "prisma/postgresql/schema.prisma", process.env.DATABASE_URL!);
      expect(status, output).toBe(0);
      expect(output).toContain("No difference detected.");
    },
    CLI_TIMEOUT,
  );
});
