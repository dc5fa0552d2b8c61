import type { Prisma } from "~/generated/prisma/client.ts";
import { onPostgresql } from "./db.server.ts";

// Searches staff type are case-insensitive on both databases. SQLite's LIKE (what Prisma's
// contains and startsWith become) ignores the case of ASCII letters already, and refuses
// Prisma's `mode`; PostgreSQL's LIKE heeds case unless asked with mode "insensitive" (ILIKE).

const insensitively = (filter: Prisma.StringFilter): Prisma.StringFilter =>
  // The code is typed against the SQLite client, whose filters have no `mode`.
  onPostgresql() ? ({ ...filter, mode: "insensitive" } as Prisma.StringFilter) : filter;

/** A text column that contains `text`, in any case. */
export const containsText = (text: string): Prisma.StringFilter => insensitively({ contains: text });

/** A text column that starts with `text`, in any case. */
export const startsWithText = (text: string): Prisma.StringFilter => insensitively({ startsWith: text });
