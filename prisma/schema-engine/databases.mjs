// The database behind a URL: SQLite for `file:` URLs (the default), PostgreSQL
// for `postgres://` and `postgresql://` ones, as prisma.config.ts chooses the
// schema. Each module offers the same operations: canConnect, createDatabase,
// dropDatabase and createAdapterFactory.
import * as postgresql from "./postgresql.mjs";
import * as sqlite from "./sqlite.mjs";

export function databaseFor(url) {
  return postgresql.isPostgresqlUrl(url) ? postgresql : sqlite;
}
