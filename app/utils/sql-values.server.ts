import { Prisma } from "~/generated/prisma/client.ts";
import { onPostgresql } from "./db.server.ts";

/**
 * A date as a value of raw SQL where no column gives it a type (a VALUES list of a WITH, a SELECT
 * list). PostgreSQL takes such an untyped parameter for text, which no timestamp column compares
 * with; SQLite stores Prisma's dates as ISO text, so there the plain parameter is right.
 */
export function timestampValue(date: Date): Prisma.Sql {
  return onPostgresql() ? Prisma.sql`CAST(${date} AS TIMESTAMP(3))` : Prisma.sql`${date}`;
}
