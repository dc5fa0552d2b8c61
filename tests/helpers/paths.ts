import path from "node:path";

/** Scratch space for one test run: the migrated base database, per-file copies, outboxes. */
export const TEST_TMP = path.resolve(process.env.TEST_TMP_DIR ?? "tests/.tmp");
export const BASE_DATABASE = path.join(TEST_TMP, "base.db");
