// Prisma CLI configuration (Prisma 7 reads the datasource URL from here, not from schema.prisma).
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "prisma/config";

const rootDir = path.dirname(fileURLToPath(import.meta.url));

const databaseUrl = process.env.DATABASE_URL ?? "file:./var/dev.db";
// SQLite is the source schema; PostgreSQL runs a generated copy with its own migration history
// (docs/decisions/038-one-schema-two-providers.md). The URL's scheme chooses.
const onPostgresql = /^postgres(ql)?:\/\//.test(databaseUrl);
const prismaDir = onPostgresql ? "prisma/postgresql" : "prisma";

// The CLI runs the schema engine with this file's directory as its working
// directory, so a relative `file:` path is relative to the repo root. Create
// the database's directory here: SQLite creates the file, not its parents.
const sqliteFile = databaseUrl.replace(/^file:(\/\/)?/, "").split("?")[0];
if (databaseUrl.startsWith("file:") && sqliteFile !== ":memory:") {
  fs.mkdirSync(path.dirname(path.resolve(rootDir, sqliteFile)), { recursive: true });
}

// No native schema engine can be downloaded here or in CI: run the project's
// WebAssembly-based stand-in (docs/decisions/002-schema-engine-stand-in.md), which
// serves SQLite and PostgreSQL alike, chosen by the same URL (ADR 038).
// Delete this line once a native binary is available.
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= path.join(rootDir, "prisma/schema-engine/bin.mjs");

export default defineConfig({
  schema: `${prismaDir}/schema.prisma`,
  migrations: {
    path: `${prismaDir}/migrations`,
    seed: "tsx prisma/seed.ts",
  },
  datasource: {
    url: databaseUrl,
  },
});
