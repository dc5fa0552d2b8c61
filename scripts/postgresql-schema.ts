// Writes prisma/postgresql/schema.prisma from prisma/schema.prisma, the one source of the data
// model: the provider and the client's output folder change, nothing else (ADR 038).
// `--check` exits 1 when the committed copy differs from what this would write (CI's drift check).
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const SQLITE_SCHEMA = path.join(root, "prisma/schema.prisma");
export const POSTGRESQL_SCHEMA = path.join(root, "prisma/postgresql/schema.prisma");

const HEADER = "// GENERATED from prisma/schema.prisma by `npm run db:postgresql-schema`: edit that file, not this one.\n";

/** The PostgreSQL copy of a schema written for SQLite. */
export function postgresqlSchemaOf(source: string): string {
  const replace = (text: string, from: RegExp, to: string) => {
    if (!from.test(text)) throw new Error(`prisma/schema.prisma no longer has ${from}: update scripts/postgresql-schema.ts`);
    return text.replace(from, to);
  };
  let schema = replace(source, /(datasource db \{\s*provider\s*=\s*)"sqlite"/, '$1"postgresql"');
  // The copy sits one folder deeper, and its client is a folder of its own.
  schema = replace(schema, /(generator client \{[^}]*output\s*=\s*)"\.\.\/app\/generated\/prisma"/, '$1"../../app/generated/prisma-postgresql"');
  return HEADER + schema;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const wanted = postgresqlSchemaOf(fs.readFileSync(SQLITE_SCHEMA, "utf8"));
  if (process.argv.includes("--check")) {
    const committed = fs.existsSync(POSTGRESQL_SCHEMA) ? fs.readFileSync(POSTGRESQL_SCHEMA, "utf8") : "";
    if (committed !== wanted) {
      console.error("prisma/postgresql/schema.prisma is out of date: run `npm run db:postgresql-schema` and commit it.");
      process.exit(1);
    }
  } else {
    fs.mkdirSync(path.dirname(POSTGRESQL_SCHEMA), { recursive: true });
    fs.writeFileSync(POSTGRESQL_SCHEMA, wanted);
  }
}
