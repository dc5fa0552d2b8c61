import fs from "node:fs";
import path from "node:path";
import type { Db } from "./db.server.ts";
import type { DatabaseProvider } from "./env.server.ts";

/** Where each database's migration history lives (prisma.config.ts chooses the same way). */
export const MIGRATIONS_DIR: Record<DatabaseProvider, string> = {
  sqlite: path.resolve("prisma/migrations"),
  postgresql: path.resolve("prisma/postgresql/migrations"),
};

/**
 * The migrations of this release not yet applied to the database, oldest first (all of them on a
 * new database). Start-up runs `prisma migrate deploy` only when there are some: the schema engine
 * takes the database for itself even when it has nothing to do, which on SQLite fails while another
 * process (a worker, a second web process) has it open.
 */
export async function pendingMigrations(client: Db, provider: DatabaseProvider): Promise<string[]> {
  const dir = MIGRATIONS_DIR[provider];
  const known = fs.readdirSync(dir).filter((name) => fs.existsSync(path.join(dir, name, "migration.sql"))).sort();
  let applied: Set<string>;
  try {
    const rows = await client.$queryRawUnsafe<{ migration_name: string }[]>(
      `SELECT "migration_name" FROM "_prisma_migrations" WHERE "finished_at" IS NOT NULL AND "rolled_back_at" IS NULL`,
    );
    applied = new Set(rows.map((row) => row.migration_name));
  } catch {
    // No history table yet: a new database.
    return known;
  }
  return known.filter((name) => !applied.has(name));
}
