import { onPostgresql, type Db } from "./db.server.ts";

// SQLite plans from the statistics ANALYZE leaves in sqlite_stat1; without them a new index can
// turn a keyed read into a walk of a whole table. `PRAGMA optimize` with 0x10000 looks at every
// table, not only those this connection has queried, and re-analyses one only when it was never
// analysed or its size has changed a great deal since: a no-op on most calls. analysis_limit
// bounds each index's sample, so a first run over a million contacts takes well under a second.
//
// PostgreSQL keeps its statistics itself (autovacuum analyses a table once about a tenth of it
// has changed, and they survive restarts), so a start asks for nothing. After a bulk write it
// analyses the tables written, at once: autovacuum may come a minute later, and a campaign
// started in that minute would plan on the old sizes. ANALYZE samples a bounded number of rows
// and blocks no reads or writes.

/** The statements SQLite runs, in order: also what the tests run. */
export const REFRESH_QUERY_STATISTICS = ["PRAGMA analysis_limit = 400", "PRAGMA optimize = 0x10002"] as const;

/** Tables a bulk write fills, whose statistics PostgreSQL should refresh now. */
export type WrittenTable = "Contact" | "Subscription";

/**
 * Brings the query planner's statistics up to date where they are missing or stale. `written`:
 * the tables a bulk write just filled (PostgreSQL analyses only those; SQLite judges every table).
 */
export async function refreshQueryStatistics(client: Db, written: WrittenTable[] = []): Promise<void> {
  if (onPostgresql()) {
    if (written.length > 0) await client.$executeRawUnsafe(`ANALYZE ${written.map((table) => `"${table}"`).join(", ")}`);
    return;
  }
  // $queryRawUnsafe: both pragmas may answer with a row, which an execute would refuse.
  for (const statement of REFRESH_QUERY_STATISTICS) await client.$queryRawUnsafe(statement);
}
