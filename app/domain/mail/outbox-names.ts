// Not a .server module: the outbox page checks its paging cursors against it when its module loads.

/** The names the outbox transport writes, `<ISO time, ":" as "-">-<12 hex>.eml`; no other name is ever read. */
export const OUTBOX_MESSAGE_NAME = /^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}\.\d{3}Z-[0-9a-f]{12}\.eml$/;
