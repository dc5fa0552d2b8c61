// The largest contact file the import page takes (about 100,000 rows with addresses). Read by
// scripts/start.ts, which refuses larger request bodies on that one path before Remix.

export const IMPORT_PATH = "/contacts/import";
export const IMPORT_UPLOAD_MAX_BYTES = 20 * 1024 * 1024;
export const IMPORT_UPLOAD_MAX_LABEL = "20 MB";
