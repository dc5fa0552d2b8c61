import type { Db } from "./db.server.ts";

// SQLite plans from the statistics ANALYZE leaves in sqlite_stat1; without them a new index can
// turn a keyed read into a walk of a whole table. `PRAGMA optimize` with 0x10000 looks at every
// table, not only those this connection has queried, and re-analyses one only when it was never
// analysed or its size has changed a great deal since: a no-op on most calls. analysis_limit
// bounds each index's sample, so a first run over a million contacts takes well under a second.

/** The statements, in order: also what the tests run. */
export const REFRESH_QUERY_STATISTICS = ["PRAGMA analysis_limit = 400", "PRAGMA optimize = 0x10002"] as const;

/** Brings the query planner's statistics up to date where they are missing or stale. */
export async function refreshQueryStatistics(client: Db): Promise<void> {
  // $queryRawUnsafe: both pragmas may answer with a row, which an execute would refuse.
  for (const statement of REFRESH_QUERY_STATISTICS) await client.$queryRawUnsafe(statement);
}
